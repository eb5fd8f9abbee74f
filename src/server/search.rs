//! `POST …/.search` (RFC 7644 §3.4.3): a SearchRequest body read as the query parameters
//! of a GET would be, on one resource type or, at the root, on users then groups.

use serde_json::Value;

use super::error::ScimError;
use super::query::{self, ListQuery, Projection};
use super::store::{Kind, Store};

/// A SearchRequest body (RFC 7644 §3.4.3) as a list query.
fn search_query(v: &Value, sort: bool) -> Result<ListQuery, ScimError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("a SearchRequest must be a JSON object"))?;
    let get = |k: &str| super::filter::member(obj, k);
    // RFC 7644 §3.4.3 gives these as arrays; a comma-separated string, as in the query
    // parameters, is read the same way rather than silently ignored.
    let list = |k: &str| match get(k) {
        Some(Value::Array(a)) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let int = |k: &str| -> Result<Option<i64>, ScimError> {
        match get(k) {
            None | Some(Value::Null) => Ok(None),
            // Past i64 (serde_json reads it as u64 or f64) saturates, as for query parameters.
            Some(v) => v
                .as_i64()
                .or_else(|| v.as_u64().map(|_| i64::MAX))
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| ScimError::invalid_value(format!("{k} must be an integer"))),
        }
    };
    Ok(ListQuery {
        filter: get("filter").and_then(Value::as_str).map(str::to_string),
        start_index: int("startIndex")?,
        count: int("count")?,
        sort_by: get("sortBy")
            .and_then(Value::as_str)
            .filter(|_| sort)
            .map(str::to_string),
        descending: get("sortOrder")
            .and_then(Value::as_str)
            .is_some_and(|o| o.eq_ignore_ascii_case("descending")),
        projection: Projection::parse(
            list("attributes").as_deref(),
            list("excludedAttributes").as_deref(),
        ),
    })
}

pub(super) fn search(store: &Store, kind: Kind, body: &Value) -> Result<Value, ScimError> {
    let q = search_query(body, store.behaviour().sort)?;
    query::check_filter_attributes(&q, &[kind])?;
    let (total, start, page) = query::list(store, kind, &q)?;
    Ok(query::list_response(total, start, page))
}

/// POST /.search: users, then groups, paged as one list.
pub(super) fn root_search(store: &Store, body: &Value) -> Result<Value, ScimError> {
    let q = search_query(body, store.behaviour().sort)?;
    query::check_filter_attributes(&q, &[Kind::User, Kind::Group])?;
    let count = q
        .count
        .unwrap_or(query::MAX_RESULTS as i64)
        .clamp(0, query::MAX_RESULTS as i64);
    let start = q.start_index.unwrap_or(1).max(1);
    let (users_total, _, mut page) = query::list(store, Kind::User, &q)?;
    let remaining = count - page.len() as i64;
    let group_start = (start - users_total as i64).max(1);
    let (groups_total, _, groups) = query::list(
        store,
        Kind::Group,
        &ListQuery {
            start_index: Some(group_start),
            count: Some(remaining.max(0)),
            ..q.clone()
        },
    )?;
    if start <= users_total as i64 + groups_total as i64 {
        page.extend(groups);
    }
    Ok(query::list_response(
        users_total + groups_total,
        start as usize,
        page,
    ))
}
