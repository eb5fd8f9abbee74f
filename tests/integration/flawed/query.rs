//! List queries (RFC 7644 §3.4.2): 1-based paging, the ListResponse, and `attributes` /
//! `excludedAttributes`.

use serde_json::{json, Map, Value};

use super::store::{strip_core_urn, ENTERPRISE_URN};

pub const MAX_RESULTS: usize = 200;
const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// `startIndex` (1-based; below 1 reads as 1) and `count` (at most [`MAX_RESULTS`]).
pub fn page(params: &Map<String, Value>) -> (usize, usize) {
    let num = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
            .and_then(|v| v.parse::<i64>().ok())
    };
    let start = num("startIndex").unwrap_or(1).max(1) as usize;
    let count = num("count")
        .unwrap_or(MAX_RESULTS as i64)
        .clamp(0, MAX_RESULTS as i64) as usize;
    (start, count)
}

pub fn list_response(total: usize, start: usize, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_URN],
        "totalResults": total,
        "itemsPerPage": resources.len(),
        "startIndex": start,
        "Resources": resources,
    })
}

/// `attributes` keeps the named attributes (and `id`, `schemas`, `meta`), `excludedAttributes`
/// drops them; a dotted name selects or drops one sub-attribute.
pub fn project(resource: Value, attributes: Option<&str>, excluded: Option<&str>) -> Value {
    let Value::Object(mut map) = resource else {
        return resource;
    };
    let names = |list: &str| -> Vec<(String, Option<String>)> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(strip_core_urn)
            .map(|s| match s.get(..ENTERPRISE_URN.len()) {
                Some(h) if h.eq_ignore_ascii_case(ENTERPRISE_URN) && s.len() > h.len() => (
                    ENTERPRISE_URN.to_string(),
                    Some(s[h.len() + 1..].to_string()),
                ),
                _ => match s.split_once('.') {
                    Some((a, b)) if !s.starts_with("urn:") => (a.to_string(), Some(b.to_string())),
                    _ => (s.to_string(), None),
                },
            })
            .collect()
    };
    if let Some(list) = attributes {
        let wanted = names(list);
        let always = ["id", "schemas", "meta"];
        map = map
            .into_iter()
            .filter_map(|(k, v)| {
                if always.contains(&k.as_str()) {
                    return Some((k, v));
                }
                let subs: Vec<&Option<String>> = wanted
                    .iter()
                    .filter(|(a, _)| a.eq_ignore_ascii_case(&k))
                    .map(|(_, s)| s)
                    .collect();
                match (subs.is_empty(), subs.iter().any(|s| s.is_none()), v) {
                    (true, _, _) => None,
                    (false, true, v) => Some((k, v)),
                    (false, false, Value::Object(o)) => {
                        let kept: Map<String, Value> = o
                            .into_iter()
                            .filter(|(sk, _)| {
                                subs.iter()
                                    .filter_map(|s| s.as_deref())
                                    .any(|s| s.eq_ignore_ascii_case(sk))
                            })
                            .collect();
                        Some((k, Value::Object(kept)))
                    }
                    (false, false, v) => Some((k, v)),
                }
            })
            .collect();
    }
    if let Some(list) = excluded {
        for (attr, sub) in names(list) {
            if attr.eq_ignore_ascii_case("id") || attr.eq_ignore_ascii_case("schemas") {
                continue;
            }
            let Some(k) = map.keys().find(|k| k.eq_ignore_ascii_case(&attr)).cloned() else {
                continue;
            };
            match (sub, map.get_mut(&k)) {
                (Some(sub), Some(Value::Object(o))) => {
                    o.retain(|sk, _| !sk.eq_ignore_ascii_case(&sub))
                }
                (Some(_), _) => {}
                (None, _) => {
                    map.remove(&k);
                }
            }
        }
    }
    Value::Object(map)
}
