//! POST /Bulk (RFC 7644 §3.7): a BulkRequest's operations, each routed as the request it
//! stands for, with `bulkId:` references resolved to the ids earlier operations created.
//!
//! Whether the server offers bulk at all is its [`super::behaviour::Behaviour`]'s choice: the
//! `/ServiceProviderConfig` value and the route's guard both read it.

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderValue, Method};
use serde_json::{json, Value};

use super::error::ScimError;
use super::filter::member;
use super::http::{json_body, kind_of, resource_route, App, Params, Reply, MAX_BODY};
use crate::scim::urn;

/// The most operations one BulkRequest may hold.
pub const MAX_OPERATIONS: usize = 100;
/// The largest BulkRequest body, in bytes: the server reads no larger body anyway.
pub const MAX_PAYLOAD_SIZE: usize = MAX_BODY;

/// The `bulk` member of `/ServiceProviderConfig`, for a server that offers bulk or not.
pub fn service_provider_config(enabled: bool) -> Value {
    if enabled {
        json!({"supported": true, "maxOperations": MAX_OPERATIONS, "maxPayloadSize": MAX_PAYLOAD_SIZE})
    } else {
        json!({"supported": false, "maxOperations": 0, "maxPayloadSize": 0})
    }
}

/// One operation of the request, as read.
struct Operation {
    method: Method,
    path: String,
    bulk_id: Option<String>,
    version: Option<String>,
    data: Option<Value>,
}

/// Answers a BulkRequest with a BulkResponse (200), or the whole request with an error:
/// 413 past [`MAX_OPERATIONS`] or [`MAX_PAYLOAD_SIZE`] (§3.7.4), 400 for a malformed one.
pub(super) fn bulk(app: &App, body: &[u8]) -> Result<Reply, ScimError> {
    if body.len() > MAX_PAYLOAD_SIZE {
        return Err(ScimError::new(
            413,
            None,
            format!("the bulk request's size exceeds the maxPayloadSize ({MAX_PAYLOAD_SIZE})"),
        ));
    }
    let request = json_body(body)?;
    let obj = request
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("a BulkRequest must be a JSON object"))?;
    let schemas = member(obj, "schemas").and_then(Value::as_array);
    if !schemas.is_some_and(|s| {
        s.iter().any(|u| {
            u.as_str()
                .is_some_and(|u| u.eq_ignore_ascii_case(urn::BULK_REQUEST))
        })
    }) {
        return Err(ScimError::invalid_syntax(format!(
            "a BulkRequest's schemas must hold {}",
            urn::BULK_REQUEST
        )));
    }
    let ops = member(obj, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::invalid_syntax("a BulkRequest needs an Operations array"))?;
    if ops.len() > MAX_OPERATIONS {
        return Err(ScimError::new(
            413,
            None,
            format!(
                "the bulk request holds {} operations, more than the maxOperations ({MAX_OPERATIONS})",
                ops.len()
            ),
        ));
    }
    let fail_on_errors = match member(obj, "failOnErrors") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|n| *n >= 1)
                .ok_or_else(|| ScimError::invalid_value("failOnErrors must be an integer ≥ 1"))?,
        ),
    };
    let parsed: Vec<Result<Operation, ScimError>> = ops.iter().map(operation).collect();
    let results = run(app, &parsed, fail_on_errors);
    Ok(Reply::json(
        200,
        json!({"schemas": [urn::BULK_RESPONSE], "Operations": results}),
    ))
}

/// Runs the operations: in order, except that one whose `bulkId:` reference names an
/// operation further down waits until that one has run (§3.7.2). Stops once
/// `fail_on_errors` operations have failed (§3.7.3). The results keep the request's order.
fn run(app: &App, ops: &[Result<Operation, ScimError>], fail_on_errors: Option<u64>) -> Vec<Value> {
    let mut results: Vec<Option<Value>> = vec![None; ops.len()];
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut errors = 0u64;
    let declared: Vec<&str> = ops
        .iter()
        .filter_map(|o| o.as_ref().ok()?.bulk_id.as_deref())
        .collect();
    let mut pending: Vec<usize> = (0..ops.len()).collect();
    loop {
        let mut progressed = false;
        let mut waiting = Vec::new();
        for i in pending {
            if fail_on_errors.is_some_and(|n| errors >= n) {
                break;
            }
            let result = match &ops[i] {
                Err(e) => Some(failed(None, None, e)),
                Ok(op) => match unresolved(op, &ids) {
                    // A reference to an operation yet to run waits for it.
                    Some(r) if declared.contains(&r.as_str()) && !done(&results, ops, &r) => None,
                    Some(r) => Some(failed(
                        Some(op),
                        None,
                        &ScimError::new(
                            409,
                            None,
                            format!("bulkId:{r} names no operation of this request that succeeded"),
                        ),
                    )),
                    None => Some(execute(app, op, &mut ids)),
                },
            };
            match result {
                Some(r) => {
                    if is_error(&r) {
                        errors += 1;
                    }
                    results[i] = Some(r);
                    progressed = true;
                }
                None => waiting.push(i),
            }
        }
        pending = waiting;
        if pending.is_empty() || fail_on_errors.is_some_and(|n| errors >= n) {
            break;
        }
        if !progressed {
            // What still waits references itself in a circle: §3.7.2 allows a 409.
            for i in pending.drain(..) {
                if let Ok(op) = &ops[i] {
                    results[i] = Some(failed(
                        Some(op),
                        None,
                        &ScimError::new(409, None, "circular bulkId references"),
                    ));
                }
            }
            break;
        }
    }
    results.into_iter().flatten().collect()
}

/// Whether the operation with `bulk_id` has run (successfully or not).
fn done(results: &[Option<Value>], ops: &[Result<Operation, ScimError>], bulk_id: &str) -> bool {
    ops.iter().zip(results).any(|(o, r)| {
        r.is_some() && o.as_ref().ok().and_then(|o| o.bulk_id.as_deref()) == Some(bulk_id)
    })
}

fn is_error(result: &Value) -> bool {
    result["status"]
        .as_str()
        .and_then(|s| s.parse::<u16>().ok())
        .is_none_or(|s| s >= 400)
}

/// Reads one operation; a malformed one fails alone.
fn operation(v: &Value) -> Result<Operation, ScimError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("an operation must be a JSON object"))?;
    let text = |k: &str| member(obj, k).and_then(Value::as_str).map(str::to_string);
    let method = match text("method").map(|m| m.to_ascii_uppercase()).as_deref() {
        Some("POST") => Method::POST,
        Some("PUT") => Method::PUT,
        Some("PATCH") => Method::PATCH,
        Some("DELETE") => Method::DELETE,
        other => {
            return Err(ScimError::invalid_syntax(format!(
                "an operation's method must be POST, PUT, PATCH or DELETE, not {other:?}"
            )))
        }
    };
    let path =
        text("path").ok_or_else(|| ScimError::invalid_syntax("an operation needs a path"))?;
    let bulk_id = text("bulkId");
    if method == Method::POST && bulk_id.is_none() {
        return Err(ScimError::invalid_syntax(
            "a POST operation needs a bulkId (RFC 7644 §3.7)",
        ));
    }
    Ok(Operation {
        method,
        path,
        bulk_id,
        version: text("version"),
        data: member(obj, "data").cloned(),
    })
}

/// The first `bulkId:` reference of `op` that has no id yet.
fn unresolved(op: &Operation, ids: &HashMap<String, String>) -> Option<String> {
    let mut refs = Vec::new();
    references(&Value::String(op.path.clone()), &mut refs);
    if let Some(d) = &op.data {
        references(d, &mut refs);
    }
    refs.into_iter().find(|r| !ids.contains_key(r))
}

fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            for part in s.split('/') {
                if let Some(r) = part.strip_prefix("bulkId:") {
                    out.push(r.to_string());
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| references(v, out)),
        Value::Object(o) => o.values().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// `v` with every `bulkId:<id>` (a whole string, or a path segment) replaced by the id.
fn resolve(v: &Value, ids: &HashMap<String, String>) -> Value {
    match v {
        Value::String(s) => Value::String(
            s.split('/')
                .map(|part| {
                    part.strip_prefix("bulkId:")
                        .and_then(|r| ids.get(r))
                        .map_or(part, String::as_str)
                })
                .collect::<Vec<_>>()
                .join("/"),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| resolve(v, ids)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), resolve(v, ids)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Runs one operation as the request it stands for.
fn execute(app: &App, op: &Operation, ids: &mut HashMap<String, String>) -> Value {
    let path = match resolve(&Value::String(op.path.clone()), ids) {
        Value::String(p) => p,
        _ => op.path.clone(),
    };
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let target = match (segments.as_slice(), op.method == Method::POST) {
        ([collection], true) => kind_of(collection).map(|k| (k, None)),
        ([collection, id], false) => kind_of(collection).map(|k| (k, Some(*id))),
        _ => None,
    };
    let Some((kind, id)) = target else {
        return failed(
            Some(op),
            None,
            &ScimError::invalid_path(format!(
                "{} {path}: a bulk operation POSTs to /Users or /Groups, or changes /Users/{{id}} or /Groups/{{id}}",
                op.method
            )),
        );
    };
    let mut headers = HeaderMap::new();
    if let Some(v) = op
        .version
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert("if-match", v);
    }
    let data = op.data.as_ref().map(|d| resolve(d, ids));
    let body = data
        .as_ref()
        .map(|d| serde_json::to_vec(d).unwrap_or_default())
        .unwrap_or_default();
    let reply = match resource_route(
        app,
        &op.method,
        kind,
        id,
        &Params::parse(None),
        &headers,
        &body,
    ) {
        Ok(r) => r,
        Err(e) => return failed(Some(op), id.map(|id| app.store.location(kind, id)), &e),
    };
    let header = |name: &str| {
        reply
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if reply.status >= 400 {
        let e = ScimError::new(reply.status, None, "");
        let mut out = failed(Some(op), id.map(|id| app.store.location(kind, id)), &e);
        if let Some(b) = reply.body {
            out["response"] = b;
        }
        return out;
    }
    let new_id = reply
        .body
        .as_ref()
        .and_then(|b| b.get("id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let location = match (id, &new_id) {
        (Some(id), _) => Some(app.store.location(kind, id)),
        (None, Some(new)) => Some(app.store.location(kind, new)),
        (None, None) => header("location"),
    };
    if let (Some(bulk_id), Some(new), true) = (&op.bulk_id, &new_id, op.method == Method::POST) {
        ids.insert(bulk_id.clone(), new.clone());
    }
    let mut out = json!({"method": op.method.as_str(), "status": reply.status.to_string()});
    if let Some(b) = &op.bulk_id {
        out["bulkId"] = json!(b);
    }
    if let Some(l) = location {
        out["location"] = json!(l);
    }
    if let Some(v) = header("etag") {
        out["version"] = json!(v);
    }
    out
}

/// The result of an operation that failed: its status and the SCIM error as `response`.
fn failed(op: Option<&Operation>, location: Option<String>, e: &ScimError) -> Value {
    let mut out = json!({"status": e.status.to_string(), "response": e.body()});
    if let Some(op) = op {
        out["method"] = json!(op.method.as_str());
        if let Some(b) = &op.bulk_id {
            out["bulkId"] = json!(b);
        }
    }
    if let Some(l) = location {
        out["location"] = json!(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_resolved_in_paths_and_values() {
        let ids = HashMap::from([("u1".to_string(), "abc".to_string())]);
        let v = json!({"members": [{"value": "bulkId:u1"}], "path": "/Users/bulkId:u1"});
        assert_eq!(
            resolve(&v, &ids),
            json!({"members": [{"value": "abc"}], "path": "/Users/abc"})
        );
        let mut refs = Vec::new();
        references(&json!({"a": ["bulkId:u2", "bulkId:u1"]}), &mut refs);
        assert_eq!(refs, ["u2", "u1"]);
    }

    #[test]
    fn a_post_needs_a_bulk_id_and_a_known_method() {
        let e = operation(&json!({"method": "POST", "path": "/Users", "data": {}}))
            .err()
            .unwrap();
        assert!(e.detail.contains("bulkId"), "{}", e.detail);
        assert!(operation(&json!({"method": "GET", "path": "/Users"})).is_err());
        let op = operation(&json!({"method": "delete", "path": "/Users/x"})).unwrap();
        assert_eq!(op.method, Method::DELETE);
    }
}
