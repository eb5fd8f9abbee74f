//! Routing and HTTP rules: authentication, content types, ETags, and SCIM errors for
//! everything that goes wrong (never an HTML page).

use std::num::IntErrorKind;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::behaviour::PatchResponse;
use super::discovery;
use super::error::ScimError;
use super::etag::{self, IfMatch};
use super::patch;
use super::query::{self, ListQuery, Projection};
use super::search;
use super::store::{Kind, Store, Written};
use crate::scim::urn::MEDIA_TYPE;

/// Request bodies above this are refused with 413.
pub const MAX_BODY: usize = 1024 * 1024;

pub struct App {
    pub store: Store,
    pub token: Option<String>,
    pub log_requests: bool,
}

/// What a route answers, before it becomes an HTTP response.
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Option<Value>,
}

impl Reply {
    pub(super) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![],
            body: Some(body),
        }
    }

    fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: vec![],
            body: None,
        }
    }

    fn header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

impl From<ScimError> for Reply {
    fn from(e: ScimError) -> Reply {
        let mut r = Reply::json(e.status, e.body());
        if e.status == 401 {
            r = r.header("www-authenticate", "Bearer realm=\"scimcheck\"".into());
        }
        if let Some(allow) = e.allow {
            r = r.header("allow", allow);
        }
        r
    }
}

pub async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let reply = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => dispatch(
            &app,
            &parts.method,
            parts.uri.path(),
            parts.uri.query(),
            &parts.headers,
            &bytes,
        ),
        Err(_) => ScimError::new(
            413,
            None,
            format!("the request body exceeds {MAX_BODY} bytes (for /Bulk: the maxPayloadSize)"),
        )
        .into(),
    };
    if app.log_requests {
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        println!(
            "{} {} {} {} ms",
            parts.method,
            path,
            reply.status,
            started.elapsed().as_millis()
        );
    }
    into_response(reply)
}

fn into_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match reply.body {
        Some(body) => {
            let mut r = (status, serde_json::to_vec(&body).unwrap_or_default()).into_response();
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static(MEDIA_TYPE));
            r
        }
        None => (status, Body::empty()).into_response(),
    };
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

fn authorized(app: &App, headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return false;
    };
    let token = token.trim();
    scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && app.token.as_deref().is_none_or(|t| t == token)
}

fn dispatch(
    app: &App,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let Some(rest) = path
        .strip_prefix("/scim/v2")
        .filter(|r| r.is_empty() || r.starts_with('/'))
    else {
        return ScimError::not_found(&format!("{path}: the SCIM root is /scim/v2; endpoint"))
            .into();
    };
    if !authorized(app, headers) {
        return ScimError::new(
            401,
            None,
            "missing or invalid Authorization header: send `Authorization: Bearer <token>`",
        )
        .into();
    }
    if let Some(refused) = unsupported_media_type(headers, body) {
        return refused.into();
    }
    let segments: Vec<&str> = rest
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let params = Params::parse(query);
    let kind = segments.first().and_then(|s| kind_of(s));
    let result = match (segments.as_slice(), kind) {
        ([_] | [_, _], Some(kind)) => resource_route(
            app,
            method,
            kind,
            segments.get(1).copied(),
            &params,
            headers,
            body,
        ),
        _ => fixed_route(app, method, &segments, rest, &params, body),
    };
    result.unwrap_or_else(Reply::from)
}

/// RFC 7644 §3.1: SCIM bodies are `application/scim+json` (`application/json` is what Okta
/// sends). A body declared as anything else is refused with 415 rather than parsed anyway; a
/// body without a Content-Type is read as JSON.
fn unsupported_media_type(headers: &HeaderMap, body: &[u8]) -> Option<ScimError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let declared = headers.get("content-type")?;
    let media = declared
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    (!matches!(media.as_str(), "application/scim+json" | "application/json")).then(|| {
        ScimError::new(
            415,
            None,
            format!("the body must be application/scim+json (or application/json), not `{media}`"),
        )
    })
}

/// The endpoints that are not a resource collection.
fn fixed_route(
    app: &App,
    method: &Method,
    segments: &[&str],
    rest: &str,
    params: &Params,
    body: &[u8],
) -> Result<Reply, ScimError> {
    // RFC 7644 §4: the discovery lists take no filter, and a server SHOULD answer 403 so
    // that no client believes a filter's conditions hold for what it got back.
    if matches!(segments, ["Schemas"] | ["ResourceTypes"]) && params.get("filter").is_some() {
        return Err(ScimError::new(
            403,
            None,
            format!("/{} takes no filter (RFC 7644 §4)", segments.join("/")),
        ));
    }
    match segments {
        [".search"] => only(method, &[Method::POST])
            .and_then(|()| search::root_search(&app.store, &json_body(body)?))
            .map(|v| Reply::json(200, v)),
        ["ServiceProviderConfig"] => only(method, &[Method::GET]).map(|()| {
            Reply::json(
                200,
                discovery::service_provider_config(app.store.base(), app.store.behaviour()),
            )
        }),
        ["ResourceTypes"] => only(method, &[Method::GET])
            .map(|()| Reply::json(200, discovery::list_resource_types(app.store.base()))),
        ["ResourceTypes", name] => only(method, &[Method::GET])
            .and_then(|()| discovery::resource_type(app.store.base(), name))
            .map(|v| Reply::json(200, v)),
        ["Schemas"] => only(method, &[Method::GET])
            .map(|()| Reply::json(200, discovery::list_schemas(app.store.base()))),
        ["Schemas", id] => only(method, &[Method::GET])
            .and_then(|()| discovery::schema_by_urn(app.store.base(), id))
            .map(|v| Reply::json(200, v)),
        // RFC 7644 §3.12: 501 when "Service provider does not support the request operation";
        // /ServiceProviderConfig says bulk.supported false.
        ["Bulk"] if !app.store.behaviour().bulk => Err(ScimError::new(
            501,
            None,
            "bulk operations are not supported (bulk.supported is false in /ServiceProviderConfig, RFC 7644 §3.7)",
        )),
        ["Bulk"] => only(method, &[Method::POST]).and_then(|()| super::bulk::bulk(app, body)),
        ["Me", ..] => Err(ScimError::new(
            501,
            None,
            "/Me is not implemented: authentication here is a bearer token, not a subject (RFC 7644 §3.11)",
        )),
        _ => Err(ScimError::not_found(&format!("endpoint {rest}"))),
    }
}

pub(super) fn kind_of(segment: &str) -> Option<Kind> {
    match segment {
        "Users" => Some(Kind::User),
        "Groups" => Some(Kind::Group),
        _ => None,
    }
}

fn only(method: &Method, allowed: &[Method]) -> Result<(), ScimError> {
    if allowed.contains(method) {
        Ok(())
    } else {
        Err(not_allowed(method, allowed))
    }
}

fn not_allowed(method: &Method, allowed: &[Method]) -> ScimError {
    let names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    ScimError::method_not_allowed(method.as_str(), &names)
}

/// Query parameters; names are case-insensitive.
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn parse(query: Option<&str>) -> Params {
        Params(
            query
                .map(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// An integer; one too large for i64 saturates, and paging clamps it like any other.
    fn int(&self, name: &str) -> Result<Option<i64>, ScimError> {
        self.get(name)
            .map(|v| {
                v.trim().parse::<i64>().or_else(|e| match e.kind() {
                    IntErrorKind::PosOverflow => Ok(i64::MAX),
                    IntErrorKind::NegOverflow => Ok(i64::MIN),
                    _ => Err(ScimError::invalid_value(format!(
                        "{name} must be an integer, got `{v}`"
                    ))),
                })
            })
            .transpose()
    }

    fn projection(&self) -> Projection {
        Projection::parse(self.get("attributes"), self.get("excludedAttributes"))
    }

    fn list_query(&self, sort: bool) -> Result<ListQuery, ScimError> {
        Ok(ListQuery {
            filter: self.get("filter").map(str::to_string),
            start_index: self.int("startIndex")?,
            count: self.int("count")?,
            sort_by: self.get("sortBy").filter(|_| sort).map(str::to_string),
            descending: self
                .get("sortOrder")
                .is_some_and(|o| o.eq_ignore_ascii_case("descending")),
            projection: self.projection(),
        })
    }
}

pub(super) fn json_body(body: &[u8]) -> Result<Value, ScimError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::invalid_syntax("the request needs a JSON body"));
    }
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("the body is not valid JSON: {e}")))
}

pub(super) fn resource_route(
    app: &App,
    method: &Method,
    kind: Kind,
    id: Option<&str>,
    params: &Params,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Reply, ScimError> {
    let store = &app.store;
    let behaviour = *store.behaviour();
    // A server without ETags sends none and evaluates no precondition on them.
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|_| behaviour.etag)
    };
    let if_match = || IfMatch::new(header("if-match"));
    let with_etag = |reply: Reply, etag: String| {
        if behaviour.etag {
            reply.header("etag", etag)
        } else {
            reply
        }
    };
    let answer = |status: u16, w: Written| {
        let reply = match w.body {
            Some(body) => Reply::json(status, params.projection().apply(body)),
            None => Reply::empty(204),
        };
        with_etag(reply, w.etag)
    };
    match (method.as_str(), id) {
        ("GET", None) => {
            let q = params.list_query(behaviour.sort)?;
            query::check_filter_attributes(&q, &[kind])?;
            let (total, start, page) = query::list(store, kind, &q)?;
            Ok(Reply::json(200, query::list_response(total, start, page)))
        }
        ("POST", Some(".search")) => {
            search::search(store, kind, &json_body(body)?).map(|v| Reply::json(200, v))
        }
        ("POST", None) => {
            let w = store.create(kind, json_body(body)?)?;
            let location = store.location(kind, &w.id);
            Ok(answer(201, w).header("location", location))
        }
        ("GET", Some(id)) => {
            let (resource, etag) = store
                .get(kind, id)
                .ok_or_else(|| ScimError::not_found(kind.resource_type()))?;
            if header("if-none-match").is_some_and(|t| etag::none_match(t, &etag)) {
                return Ok(Reply::empty(304).header("etag", etag));
            }
            let reply = Reply::json(200, params.projection().apply(resource));
            Ok(with_etag(reply, etag))
        }
        ("PUT", Some(id)) => {
            let w = store.replace(kind, id, json_body(body)?, &if_match())?;
            Ok(answer(200, w))
        }
        ("PATCH", Some(id)) => {
            let ops = json_body(body)?;
            // RFC 7644 §3.5.2 allows 200 with the resource or 204, but "MUST return a 200 OK
            // if the "attributes" parameter is specified in the request".
            let render = behaviour.patch_response(kind) == PatchResponse::Resource
                || !params.projection().is_empty();
            let w = store.modify(kind, id, &if_match(), render, |body, members, data| {
                patch::apply(kind, body, members, data, &ops)
            })?;
            Ok(answer(200, w))
        }
        ("DELETE", Some(id)) => {
            store.delete(kind, id, &if_match())?;
            Ok(Reply::empty(204))
        }
        (_, None) => Err(not_allowed(method, &[Method::GET, Method::POST])),
        (_, Some(_)) => Err(not_allowed(
            method,
            &[Method::GET, Method::PUT, Method::PATCH, Method::DELETE],
        )),
    }
}

#[cfg(test)]
#[path = "http_behaviour_tests.rs"]
mod behaviour_tests;
