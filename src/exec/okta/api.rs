//! Okta's management API, as much of it as the CRUD test calls, answered in Okta's JSON
//! shapes (ids, status, profile, `_links`; never credentials). Any other call is answered as
//! Okta answers an unknown resource, and the step that made it is told which endpoint it was.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};

use super::org::{lock, OktaUser, OrgCall, OrgState};
use super::provision::Provisioner;

/// What the org answers.
const ANSWERS: &str = "GET /api/v1/apps/{appId}, POST /api/v1/users, GET|PUT|POST /api/v1/users/{id}, POST /api/v1/users/{id}/lifecycle/activate|deactivate, POST /api/v1/apps/{appId}/users, GET|DELETE /api/v1/apps/{appId}/users/{id}";

pub(super) fn router(state: Arc<OrgState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(
    State(org): State<Arc<OrgState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = org.next_request_id();
    let mut call = OrgCall::default();
    let (status, body) = answer(&org, &method, &uri, &headers, &body, &mut call).await;
    org.record(&request_id, call);
    let mut response = if status == StatusCode::NO_CONTENT {
        status.into_response()
    } else {
        (status, axum::Json(body)).into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-okta-request-id", v);
    }
    response
}

async fn answer(
    org: &OrgState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    call: &mut OrgCall,
) -> (StatusCode, Value) {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("SSWS "))
        .map(str::trim);
    if token != Some(org.token.as_str()) {
        return error(
            StatusCode::UNAUTHORIZED,
            "E0000011",
            "Invalid token provided",
        );
    }
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let body: Option<Value> = if body.is_empty() {
        None
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => Some(v),
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "E0000003",
                    &format!("The request body was not well-formed: {e}"),
                )
            }
        }
    };
    let mut scim = Provisioner::new(org);
    let out = match (method.as_str(), segments.as_slice()) {
        ("GET", ["api", "v1", "apps", app]) if known_app(org, app) => {
            (StatusCode::OK, app_json(org, app))
        }
        ("POST", ["api", "v1", "users"]) => create_user(org, uri, body),
        ("GET", ["api", "v1", "users", id]) => with_user(org, id, |u| user_json(org, u)),
        ("PUT" | "POST", ["api", "v1", "users", id]) => {
            update_user(org, id, body, method == Method::PUT, &mut scim).await
        }
        ("POST", ["api", "v1", "users", id, "lifecycle", "deactivate"]) => {
            deactivate(org, id, &mut scim).await
        }
        ("POST", ["api", "v1", "users", id, "lifecycle", "activate"]) => activate(org, id),
        ("POST", ["api", "v1", "apps", app, "users"]) if known_app(org, app) => {
            assign(org, app, body, &mut scim).await
        }
        ("GET", ["api", "v1", "apps", app, "users", id]) if known_app(org, app) => {
            with_user(org, id, |u| match u.assigned.as_deref() == Some(*app) {
                true => app_user_json(org, app, u),
                false => Value::Null,
            })
        }
        ("DELETE", ["api", "v1", "apps", app, "users", id]) if known_app(org, app) => {
            unassign(org, app, id, &mut scim).await
        }
        _ => {
            call.unsupported = Some(format!(
                "{method} {}: not an endpoint the embedded Okta org answers (it answers {ANSWERS})",
                uri.path()
            ));
            error(
                StatusCode::NOT_FOUND,
                "E0000007",
                &format!("Not found: Resource not found: {} ({method})", uri.path()),
            )
        }
    };
    call.provisioned = scim.done();
    match out {
        (StatusCode::OK, Value::Null) => error(
            StatusCode::NOT_FOUND,
            "E0000007",
            "Not found: Resource not found",
        ),
        other => other,
    }
}

fn known_app(org: &OrgState, app: &str) -> bool {
    lock(&org.apps).contains(app)
}

/// Okta's error body.
fn error(status: StatusCode, code: &str, summary: &str) -> (StatusCode, Value) {
    (
        status,
        json!({
            "errorCode": code,
            "errorSummary": summary,
            "errorLink": code,
            "errorId": "oaescimcheck",
            "errorCauses": []
        }),
    )
}

fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Okta's ids: a 3-letter prefix and 17 letters and digits.
fn okta_id(prefix: &str) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let tail: String = (0..17)
        .map(|_| char::from_digit(rng.random_range(0..36u32), 36).unwrap_or('0'))
        .collect();
    format!("{prefix}{tail}")
}

fn app_json(org: &OrgState, app: &str) -> Value {
    json!({
        "id": app,
        "name": "scimcheck_scim2",
        "label": "SCIM 2.0 app (scimcheck's embedded Okta org)",
        "status": "ACTIVE",
        "signOnMode": "AUTO_LOGIN",
        "features": ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS"],
        "settings": {"app": {"baseUrl": org.target, "authMode": "HEADER", "scimVersion": "2.0"}},
        "_links": {
            "users": {"href": format!("{}/api/v1/apps/{app}/users", org.url)},
            "self": {"href": format!("{}/api/v1/apps/{app}", org.url)}
        }
    })
}

fn user_json(org: &OrgState, u: &OktaUser) -> Value {
    json!({
        "id": u.id,
        "status": u.status,
        "created": u.created,
        "activated": u.created,
        "statusChanged": u.last_updated,
        "lastLogin": null,
        "lastUpdated": u.last_updated,
        "passwordChanged": u.created,
        "type": {"id": "otyscimcheckdefault"},
        "profile": u.profile,
        "_links": {"self": {"href": format!("{}/api/v1/users/{}", org.url, u.id)}}
    })
}

fn app_user_json(org: &OrgState, app: &str, u: &OktaUser) -> Value {
    let profile = |k: &str| u.profile.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "id": u.id,
        "externalId": u.scim_id,
        "created": u.created,
        "lastUpdated": u.last_updated,
        "scope": "USER",
        "status": "PROVISIONED",
        "syncState": if u.sync_error { "ERROR" } else { "SYNCHRONIZED" },
        "profile": {"givenName": profile("firstName"), "familyName": profile("lastName"), "email": profile("email")},
        "_links": {
            "app": {"href": format!("{}/api/v1/apps/{app}", org.url)},
            "user": {"href": format!("{}/api/v1/users/{}", org.url, u.id)}
        }
    })
}

fn with_user(org: &OrgState, id: &str, f: impl FnOnce(&OktaUser) -> Value) -> (StatusCode, Value) {
    match lock(&org.users).get(id) {
        Some(u) => (StatusCode::OK, f(u)),
        None => (StatusCode::OK, Value::Null),
    }
}

fn profile_of(body: &Option<Value>) -> Option<Map<String, Value>> {
    body.as_ref()?.get("profile")?.as_object().cloned()
}

fn create_user(org: &OrgState, uri: &Uri, body: Option<Value>) -> (StatusCode, Value) {
    let Some(profile) = profile_of(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: profile",
        );
    };
    if profile.get("login").and_then(Value::as_str).is_none() {
        return error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: login",
        );
    }
    let activate = !uri.query().unwrap_or_default().contains("activate=false");
    let now = now();
    let user = OktaUser {
        id: okta_id("00u"),
        status: if activate { "ACTIVE" } else { "STAGED" },
        created: now.clone(),
        last_updated: now,
        profile,
        assigned: None,
        scim_id: None,
        sync_error: false,
    };
    let out = user_json(org, &user);
    lock(&org.users).insert(user.id.clone(), user);
    (StatusCode::OK, out)
}

async fn update_user(
    org: &OrgState,
    id: &str,
    body: Option<Value>,
    replace: bool,
    scim: &mut Provisioner<'_>,
) -> (StatusCode, Value) {
    let Some(changes) = profile_of(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: profile",
        );
    };
    let user = {
        let mut users = lock(&org.users);
        let Some(u) = users.get_mut(id) else {
            return (StatusCode::OK, Value::Null);
        };
        if replace {
            u.profile = changes;
        } else {
            u.profile.extend(changes);
        }
        u.last_updated = now();
        u.clone()
    };
    if let (Some(_), Some(scim_id)) = (&user.assigned, &user.scim_id) {
        let ok = scim.update(scim_id, &user).await;
        set_sync(org, id, ok);
    }
    with_user(org, id, |u| user_json(org, u))
}

async fn deactivate(org: &OrgState, id: &str, scim: &mut Provisioner<'_>) -> (StatusCode, Value) {
    let user = {
        let mut users = lock(&org.users);
        let Some(u) = users.get_mut(id) else {
            return (StatusCode::OK, Value::Null);
        };
        u.status = "DEPROVISIONED";
        u.last_updated = now();
        u.clone()
    };
    // Deactivating a user in Okta deprovisions its apps; it is re-assigned after activation.
    if let (Some(_), Some(scim_id)) = (&user.assigned, &user.scim_id) {
        let ok = scim.set_active(scim_id, false).await;
        set_sync(org, id, ok);
    }
    if let Some(u) = lock(&org.users).get_mut(id) {
        u.assigned = None;
    }
    (StatusCode::OK, json!({}))
}

fn activate(org: &OrgState, id: &str) -> (StatusCode, Value) {
    let mut users = lock(&org.users);
    let Some(u) = users.get_mut(id) else {
        return (StatusCode::OK, Value::Null);
    };
    u.status = "ACTIVE";
    u.last_updated = now();
    // Okta answers an activation with the activation token when it sends no email.
    (StatusCode::OK, json!({}))
}

async fn assign(
    org: &OrgState,
    app: &str,
    body: Option<Value>,
    scim: &mut Provisioner<'_>,
) -> (StatusCode, Value) {
    let Some(id) = body
        .as_ref()
        .and_then(|b| b.get("id"))
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: id",
        );
    };
    let Some(user) = lock(&org.users).get(&id).cloned() else {
        return error(
            StatusCode::NOT_FOUND,
            "E0000007",
            &format!("Not found: Resource not found: {id} (User)"),
        );
    };
    if user.status != "ACTIVE" {
        return error(
            StatusCode::BAD_REQUEST,
            "E0000001",
            "Api validation failed: the user is not active",
        );
    }
    let linked = scim.assign(&user).await;
    if let Some(u) = lock(&org.users).get_mut(&id) {
        u.assigned = Some(app.to_string());
        u.sync_error = linked.is_none();
        if linked.is_some() {
            u.scim_id = linked;
        }
    }
    with_user(org, &id, |u| app_user_json(org, app, u))
}

async fn unassign(
    org: &OrgState,
    app: &str,
    id: &str,
    scim: &mut Provisioner<'_>,
) -> (StatusCode, Value) {
    let Some(user) = lock(&org.users).get(id).cloned() else {
        return (StatusCode::OK, Value::Null);
    };
    if user.assigned.as_deref() != Some(app) {
        return (StatusCode::OK, Value::Null);
    }
    // Okta deactivates the app's user; it never deletes it.
    if let Some(scim_id) = &user.scim_id {
        scim.set_active(scim_id, false).await;
    }
    if let Some(u) = lock(&org.users).get_mut(id) {
        u.assigned = None;
    }
    (StatusCode::NO_CONTENT, Value::Null)
}

fn set_sync(org: &OrgState, id: &str, ok: bool) {
    if let Some(u) = lock(&org.users).get_mut(id) {
        u.sync_error = !ok;
    }
}
