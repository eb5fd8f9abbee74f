//! List answers: the order a request defined, and what a snapshot can hold of a page whose
//! order it did not define.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use crate::exec::Exchange;
use crate::scim::json::{member, member_mut};

/// Whether a list answer has an order the request defined: `sortBy` in its query or in a
/// `/.search` body. Without one RFC 7644 §3.4.2.3 defines no order, so a server may list
/// the same resources differently on every run: a snapshot holds them in an order of its own.
pub(super) fn ordered(x: &Exchange) -> bool {
    let in_query = x.request.url.split_once('?').is_some_and(|(_, q)| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k.eq_ignore_ascii_case("sortBy"))
    });
    in_query
        || x.request
            .body
            .as_ref()
            .is_some_and(|b| member(b, "sortBy").is_some())
}

/// A list body's `Resources` sorted by their normalised id, then their whole text: the
/// placeholders are numbered in `stable_order`, so the order is the same on every run.
pub(super) fn sort_resources(body: &mut Value) {
    let Some(Value::Array(items)) = member_mut(body, "Resources") else {
        return;
    };
    items.sort_by_cached_key(|r| {
        let id = member(r, "id").map(Value::to_string).unwrap_or_default();
        (natural(&id), r.to_string())
    });
}

/// `s` with each run of digits padded, so that `[user-2]` sorts before `[user-10]`.
pub(super) fn natural(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut digits = String::new();
    for c in s.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            out.push_str(&format!("{digits:0>20}"));
            digits.clear();
        }
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

/// Whether a body is a list answer (a Location header there names no resource).
pub(super) fn is_list(body: Option<&Value>) -> bool {
    body.is_some_and(|b| member(b, "Resources").is_some() || member(b, "totalResults").is_some())
}

/// Whether a list answer without `sortBy` holds only part of its results. Without `sortBy`
/// RFC 7644 §3.4.2.3 defines no order, yet §3.4.2.4 lets the server page the list all the
/// same: which of the results land on a page is then not defined either, and a server that
/// orders by a random id puts different ones there on every run. A page that holds every
/// result (or none) is not partial: what it holds is defined.
pub(super) fn partial_page(x: &Exchange, body: &Value) -> bool {
    if ordered(x) {
        return false;
    }
    let Some(resources) = member(body, "Resources").and_then(Value::as_array) else {
        return false;
    };
    if resources.is_empty() {
        return false;
    }
    let total = member(body, "totalResults").and_then(|t| {
        t.as_u64()
            .or_else(|| t.as_str().and_then(|s| s.trim().parse().ok()))
    });
    match total {
        Some(total) => total > resources.len() as u64,
        // No usable count: a page was asked for, so it may be one.
        None => asks_for_page(x),
    }
}

/// Whether the request names `startIndex` or `count`, in its query or a `/.search` body.
fn asks_for_page(x: &Exchange) -> bool {
    let paging = |k: &str| k.eq_ignore_ascii_case("startIndex") || k.eq_ignore_ascii_case("count");
    let in_query =
        x.request.url.split_once('?').is_some_and(|(_, q)| {
            url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| paging(&k))
        });
    in_query
        || x.request
            .body
            .as_ref()
            .is_some_and(|b| b.as_object().is_some_and(|o| o.keys().any(|k| paging(k))))
}

/// The endpoint a request went to (`Users`, `Groups`, …): the kind of what it answers when
/// the resource does not say (`meta.resourceType`).
pub(super) fn endpoint(url: &str) -> Option<String> {
    url.split("/scim/v2/")
        .nth(1)
        .or_else(|| url.rsplit('/').nth(1))
        .and_then(|p| p.split(['/', '?']).next())
        .map(str::to_string)
}

/// A resource's kind: its `meta.resourceType`, else the endpoint that answered it.
pub(super) fn kind_of(resource: &Value, endpoint: Option<&str>) -> Option<String> {
    member(resource, "meta")
        .and_then(|m| member(m, "resourceType"))
        .and_then(Value::as_str)
        .or(endpoint)
        .map(str::to_string)
}

/// Every normalised value the scenario's resources hold at each attribute path, per kind of
/// resource (a successful answer's resource, or one in a list). A value held by every
/// resource of the run alike tells nothing about which resource it is; one that differs
/// between them does.
#[derive(Default)]
pub(super) struct Pool(HashMap<String, BTreeSet<String>>);

impl Pool {
    /// Adds a normalised, successful answer's body: a list's resources, or the resource.
    pub(super) fn add_body(&mut self, body: &Value, endpoint: Option<&str>) {
        if is_list(Some(body)) {
            for r in member(body, "Resources")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                self.add(&root(r, endpoint), r);
            }
        } else if body.is_object() {
            self.add(&root(body, endpoint), body);
        }
    }

    fn add(&mut self, path: &str, v: &Value) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    self.add(&child(path, k), v);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.add(path, i)),
            leaf => {
                self.0
                    .entry(path.to_string())
                    .or_default()
                    .insert(leaf.to_string());
            }
        }
    }

    /// Whether the run's resources hold different values at `path`.
    fn varies(&self, path: &str) -> bool {
        self.0.get(path).is_some_and(|values| values.len() > 1)
    }
}

/// The path of a resource's root in a [`Pool`]: its kind, lower-cased.
fn root(resource: &Value, endpoint: Option<&str>) -> String {
    kind_of(resource, endpoint)
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Attribute names are case-insensitive (RFC 7643 §2.1); array positions are dropped, since a
/// multi-valued attribute orders nothing.
fn child(path: &str, key: &str) -> String {
    format!("{path}.{}", key.to_ascii_lowercase())
}

/// What a snapshot says instead of a partial page's resources.
pub(super) const PAGE_NOTE: &str = "each resource by its shape: a page of a list without \
    sortBy holds results the request did not choose (RFC 7644 §3.4.2.3, §3.4.2.4)";

/// A normalised, canonical partial page with each resource replaced by its shape: every
/// attribute name, how many values each multi-valued attribute holds, and the values that all
/// of the run's resources share; a value that differs between them (an id, a userName, a
/// location) becomes its JSON type, so the page does not say which resource landed on it.
/// The resources are then put in the order of their text, since the server's says nothing.
/// Resources that hold different attributes (one user with a `title`, one without) still
/// show which of them landed on the page: that is the shape, and it stays visible.
pub(super) fn shape_page(body: &mut Value, pool: &Pool, endpoint: Option<&str>) {
    let Some(Value::Array(items)) = member_mut(body, "Resources") else {
        return;
    };
    for item in items.iter_mut() {
        let path = root(item, endpoint);
        *item = super::normalise::canonical(shape(item, pool, &path), None);
    }
    items.sort_by_cached_key(Value::to_string);
}

fn shape(v: &Value, pool: &Pool, path: &str) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), shape(v, pool, &child(path, k))))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| shape(i, pool, path)).collect()),
        leaf if pool.varies(path) => json!(format!("[{}]", type_name(leaf))),
        leaf => leaf.clone(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
