//! Routing, authentication and the handlers. Every request passes the gate first (count, rate
//! limit, faults), then the bearer token; every answer is `application/scim+json`.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Router;
use rand::seq::SliceRandom;
use serde_json::{Map, Value};

use super::discovery;
use super::error::{scim_json, ScimError};
use super::filter::Filter;
use super::flaws::{race_pause, Flaw, Flaws, Gate};
use super::patch;
use super::query::{list_response, page, project};
use super::store::{prepare, Kind, Rec, Store};

pub struct App {
    pub base: String,
    pub flaws: Flaws,
    pub gate: Gate,
    pub store: Mutex<Store>,
}

impl App {
    pub fn new(base: String, flaws: &[Flaw]) -> Self {
        App {
            base,
            flaws: Flaws::new(flaws),
            gate: Gate::new(),
            store: Mutex::new(Store::default()),
        }
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().expect("store lock")
    }
}

pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

/// The query string, and the projection it asks for.
struct Query {
    params: Map<String, Value>,
}

impl Query {
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    }

    fn project(&self, resource: Value) -> Value {
        project(
            resource,
            self.get("attributes"),
            self.get("excludedAttributes"),
        )
    }
}

async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    if let Some(answer) = app.gate.admit(&app.flaws) {
        return answer;
    }
    let expected = format!("Bearer {}", crate::support::TOKEN);
    if req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        != Some(&expected)
    {
        // RFC 6750 §3: a refused bearer token comes with its challenge.
        let mut resp =
            ScimError::new(401, None, "a valid bearer token is required").into_response();
        resp.headers_mut()
            .insert("www-authenticate", HeaderValue::from_static("Bearer"));
        return resp;
    }
    let (parts, body) = req.into_parts();
    let query = Query {
        params: url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect(),
    };
    let Ok(body) = axum::body::to_bytes(body, 16 << 20).await else {
        return ScimError::new(413, None, "the body is too large").into_response();
    };
    let path = parts.uri.path().to_string();
    let Some(rest) = path.strip_prefix("/scim/v2") else {
        return ScimError::not_found("endpoint").into_response();
    };
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    route(&app, &parts.method, &segments, &parts.headers, &query, body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn route(
    app: &App,
    method: &Method,
    segments: &[&str],
    headers: &HeaderMap,
    query: &Query,
    body: Bytes,
) -> Result<Response, ScimError> {
    let base = &app.base;
    let kind = match segments.first().copied() {
        Some("Users") => Kind::User,
        Some("Groups") => Kind::Group,
        Some(other @ ("ServiceProviderConfig" | "ResourceTypes" | "Schemas")) => {
            if method != Method::GET {
                return Err(ScimError::new(
                    405,
                    None,
                    "the discovery endpoints are read-only",
                ));
            }
            if query.get("filter").is_some() {
                // RFC 7644 §4: a filter on a discovery endpoint SHOULD be answered 403.
                return Err(ScimError::new(
                    403,
                    None,
                    "discovery endpoints take no filter",
                ));
            }
            let found = match (other, segments.get(1)) {
                ("ServiceProviderConfig", None) => Some(discovery::service_provider_config(base)),
                ("ResourceTypes", None) => Some(discovery::list(discovery::resource_types(base))),
                ("Schemas", None) => Some(discovery::list(discovery::schemas(base))),
                ("ResourceTypes", Some(id)) => find(discovery::resource_types(base), id),
                ("Schemas", Some(id)) => find(discovery::schemas(base), id),
                _ => None,
            };
            return found
                .map(|v| scim_json(200, &v))
                .ok_or_else(|| ScimError::not_found("endpoint"));
        }
        _ => return Err(ScimError::not_found("endpoint")),
    };
    match (method.clone(), segments.get(1).copied(), segments.len()) {
        (Method::GET, None, _) => list(app, kind, query),
        (Method::POST, None, _) => create(app, kind, query, &body).await,
        (Method::GET, Some(id), 2) => get(app, kind, id, headers, query),
        (Method::PUT, Some(id), 2) => put(app, kind, id, headers, query, &body).await,
        (Method::PATCH, Some(id), 2) => patch(app, kind, id, headers, query, &body).await,
        (Method::DELETE, Some(id), 2) => delete(app, kind, id, headers).await,
        (_, _, n) if n <= 2 => Err(ScimError::new(405, None, "method not allowed here")),
        _ => Err(ScimError::not_found("endpoint")),
    }
}

fn find(all: Vec<Value>, id: &str) -> Option<Value> {
    all.into_iter()
        .find(|v| v["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
}

fn json_body(body: &Bytes) -> Result<Value, ScimError> {
    serde_json::from_slice(body).map_err(|e| {
        ScimError::new(
            400,
            Some("invalidSyntax"),
            format!("the body is not JSON: {e}"),
        )
    })
}

/// A resource with its ETag header (and Location on a create).
fn resource(status: u16, value: Value, rec: &Rec) -> Response {
    let mut resp = scim_json(status, &value);
    let headers = resp.headers_mut();
    if let Ok(tag) = HeaderValue::from_str(&rec.etag()) {
        headers.insert("etag", tag);
    }
    if status == 201 {
        if let Some(loc) = value["meta"]["location"]
            .as_str()
            .and_then(|l| HeaderValue::from_str(l).ok())
        {
            headers.insert("location", loc);
        }
    }
    resp
}

/// RFC 7232 §3.1: a precondition that names none of the current versions fails with 412.
fn if_match(headers: &HeaderMap, rec: &Rec) -> Result<(), ScimError> {
    let Some(wanted) = headers.get("if-match").and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let current = rec.etag();
    let weak = |t: &str| t.trim().trim_start_matches("W/").to_string();
    if wanted
        .split(',')
        .any(|t| t.trim() == "*" || weak(t) == weak(&current))
    {
        Ok(())
    } else {
        Err(ScimError::new(
            412,
            None,
            "the resource has changed (If-Match)",
        ))
    }
}

fn not_found(kind: Kind) -> ScimError {
    ScimError::not_found(kind.name())
}

/// The defects that act on a resource's attributes (a group's members) when it is written.
fn member_flaws(flaws: &Flaws, before: usize, body: &mut Map<String, Value>) {
    for attr in &flaws.ignored {
        body.remove(*attr);
    }
    let Some(Value::Array(members)) = body.get_mut("members") else {
        return;
    };
    if flaws.remove_truncates && before > 100 && members.len() < before {
        members.truncate(100);
    }
    if let Some(cap) = flaws.member_cap {
        members.truncate(cap);
    }
}

fn too_big(flaws: &Flaws, rendered: &Value) -> Result<(), ScimError> {
    match (flaws.big_get, rendered["members"].as_array()) {
        (Some(n), Some(m)) if m.len() > n => {
            Err(ScimError::new(500, None, "internal server error"))
        }
        _ => Ok(()),
    }
}

fn list(app: &App, kind: Kind, query: &Query) -> Result<Response, ScimError> {
    let filter = query.get("filter").map(Filter::parse).transpose()?;
    let mut all: Vec<Value> = {
        let store = app.store();
        store
            .table(kind)
            .iter()
            .map(|(id, rec)| store.render(kind, id, rec, &app.base))
            .filter(|r| filter.as_ref().is_none_or(|f| f.matches(r)))
            .collect()
    };
    if app.flaws.unstable_paging {
        all.shuffle(&mut rand::rng());
    }
    let (start, count) = page(&query.params);
    let total = all.len();
    let mut resources = Vec::new();
    for r in all.into_iter().skip(start - 1).take(count) {
        let r = query.project(r);
        too_big(&app.flaws, &r)?;
        resources.push(r);
    }
    Ok(scim_json(200, &list_response(total, start, resources)))
}

fn get(
    app: &App,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    query: &Query,
) -> Result<Response, ScimError> {
    let store = app.store();
    let rec = store
        .visible(kind, id, app.flaws.stale_lag)
        .ok_or_else(|| not_found(kind))?;
    let rendered = query.project(store.render(kind, id, &rec, &app.base));
    drop(store);
    too_big(&app.flaws, &rendered)?;
    let unchanged = headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.split(',')
                .any(|t| t.trim() == rec.etag() || t.trim() == "*")
        });
    if unchanged {
        let mut resp = axum::http::StatusCode::NOT_MODIFIED.into_response();
        if let Ok(tag) = HeaderValue::from_str(&rec.etag()) {
            resp.headers_mut().insert("etag", tag);
        }
        return Ok(resp);
    }
    Ok(resource(200, rendered, &rec))
}

/// The resource as it is now, rendered and projected, with `status`.
fn answer(
    app: &App,
    kind: Kind,
    id: &str,
    query: &Query,
    status: u16,
) -> Result<Response, ScimError> {
    let store = app.store();
    let rec = store.table(kind).get(id).ok_or_else(|| not_found(kind))?;
    Ok(resource(
        status,
        query.project(store.render(kind, id, rec, &app.base)),
        rec,
    ))
}

async fn create(app: &App, kind: Kind, query: &Query, body: &Bytes) -> Result<Response, ScimError> {
    let mut body = prepare(kind, json_body(body)?)?;
    let _slot = app.gate.write_slot(&app.flaws).await?;
    let user_name = body
        .get("userName")
        .and_then(Value::as_str)
        .map(str::to_string);
    let taken = |store: &Store| match &user_name {
        Some(name) if kind == Kind::User && store.user_name_taken(name, None) => Err(
            ScimError::new(409, Some("uniqueness"), format!("userName {name} is taken")),
        ),
        _ => Ok(()),
    };
    if app.flaws.duplicate_create && kind == Kind::User {
        taken(&app.store())?;
        race_pause().await;
    }
    let id = {
        let mut store = app.store();
        if !(app.flaws.duplicate_create && kind == Kind::User) {
            taken(&store)?;
        }
        if kind == Kind::Group {
            store.check_members(store_members(&body))?;
        }
        member_flaws(&app.flaws, 0, &mut body);
        store.create(kind, body)
    };
    answer(app, kind, &id, query, 201)
}

fn store_members(body: &Map<String, Value>) -> &[Value] {
    body.get("members")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Checks a new body of `id` against the store and writes it.
fn commit(
    app: &App,
    store: &mut Store,
    kind: Kind,
    id: &str,
    before: usize,
    mut body: Map<String, Value>,
) -> Result<(), ScimError> {
    if let Some(name) = body.get("userName").and_then(Value::as_str) {
        if kind == Kind::User && store.user_name_taken(name, Some(id)) {
            return Err(ScimError::new(
                409,
                Some("uniqueness"),
                format!("userName {name} is taken"),
            ));
        }
    }
    if kind == Kind::Group {
        store.check_members(store_members(&body))?;
    }
    member_flaws(&app.flaws, before, &mut body);
    store.write(kind, id, body);
    Ok(())
}

async fn put(
    app: &App,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    query: &Query,
    body: &Bytes,
) -> Result<Response, ScimError> {
    let body = prepare(kind, json_body(body)?)?;
    let _slot = app.gate.write_slot(&app.flaws).await?;
    if app.flaws.ignores_put {
        app.store()
            .table(kind)
            .get(id)
            .ok_or_else(|| not_found(kind))?;
        return answer(app, kind, id, query, 200);
    }
    {
        let mut store = app.store();
        let rec = store.table(kind).get(id).ok_or_else(|| not_found(kind))?;
        if_match(headers, rec)?;
        let before = rec.members().len();
        commit(app, &mut store, kind, id, before, body)?;
    }
    answer(app, kind, id, query, 200)
}

async fn patch(
    app: &App,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    query: &Query,
    body: &Bytes,
) -> Result<Response, ScimError> {
    let raw = json_body(body)?;
    match sets_active(&raw) {
        Some(false) if app.flaws.ignores_deactivation => return answer(app, kind, id, query, 200),
        Some(true) if app.flaws.refuses_reactivation => {
            return Err(ScimError::new(400, None, "reactivation is not supported"))
        }
        _ => {}
    }
    let ops = patch::operations(&raw)?;
    if let Some(limit) = app.flaws.patch_limit {
        let n = patch::member_value_count(&ops);
        if n > limit {
            return Err(ScimError::new(
                413,
                None,
                format!("{n} member values exceed the limit of {limit}"),
            ));
        }
    }
    let _slot = app.gate.write_slot(&app.flaws).await?;
    let read = |store: &Store| -> Result<Rec, ScimError> {
        let rec = store.table(kind).get(id).ok_or_else(|| not_found(kind))?;
        if_match(headers, rec)?;
        Ok(rec.clone())
    };
    let apply = |rec: &Rec| -> Result<Map<String, Value>, ScimError> {
        let mut body = rec.body.clone();
        patch::apply(&mut body, &ops)?;
        prepare(kind, Value::Object(body))
    };
    if app.flaws.lost_update && kind == Kind::Group && patch::touches_members(&ops) {
        // Read, pause with no lock held, write back what was read plus this change.
        let rec = read(&app.store())?;
        race_pause().await;
        let body = apply(&rec)?;
        let mut store = app.store();
        if store.table(kind).contains_key(id) {
            commit(app, &mut store, kind, id, rec.members().len(), body)?;
        }
    } else {
        let mut store = app.store();
        let rec = read(&store)?;
        let body = apply(&rec)?;
        commit(app, &mut store, kind, id, rec.members().len(), body)?;
    }
    answer(app, kind, id, query, 200)
}

async fn delete(
    app: &App,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
) -> Result<Response, ScimError> {
    let _slot = app.gate.write_slot(&app.flaws).await?;
    let mut store = app.store();
    let rec = store.table(kind).get(id).ok_or_else(|| not_found(kind))?;
    if_match(headers, rec)?;
    store.delete(kind, id);
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// The value a PatchOp sets `active` to (with a path or inside a path-less value), if any.
fn sets_active(body: &Value) -> Option<bool> {
    body.get("Operations")?.as_array()?.iter().find_map(|op| {
        match op.get("path").and_then(Value::as_str) {
            Some(p) if p.eq_ignore_ascii_case("active") => op.get("value")?.as_bool(),
            Some(_) => None,
            None => op.get("value")?.get("active")?.as_bool(),
        }
    })
}
