//! List queries (RFC 7644 §3.4.2): a small filter language (`attr op "value"`, `pr`, joined by
//! `and`), 1-based paging, and `attributes` / `excludedAttributes`.

use serde_json::{json, Map, Value};

use super::error::ScimError;
use super::store::ENTERPRISE_URN;

pub const MAX_RESULTS: usize = 200;
const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// A parsed `filter`: comparisons that must all hold.
pub struct Filter(Vec<(String, String, Option<Value>)>);

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, ScimError> {
        let invalid = || {
            ScimError::new(
                400,
                Some("invalidFilter"),
                format!("unsupported filter: {text}"),
            )
        };
        let mut terms = Vec::new();
        for term in split_and(text) {
            let term = term.trim();
            let (attr, rest) = term.split_once(' ').ok_or_else(invalid)?;
            let (op, value) = match rest.trim().split_once(' ') {
                Some((op, v)) => (
                    op.to_ascii_lowercase(),
                    Some(literal(v.trim()).ok_or_else(invalid)?),
                ),
                None => (rest.trim().to_ascii_lowercase(), None),
            };
            let known = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];
            match (&value, op.as_str()) {
                (None, "pr") => {}
                (Some(_), op) if known.contains(&op) => {}
                _ => return Err(invalid()),
            }
            if attr.contains('[') || attr.contains('(') {
                return Err(invalid());
            }
            terms.push((attr.to_string(), op, value));
        }
        Ok(Filter(terms))
    }

    pub fn matches(&self, resource: &Value) -> bool {
        self.0.iter().all(|(attr, op, value)| {
            let found = lookup(resource, attr);
            match value {
                None => found.iter().any(|v| !v.is_null()),
                Some(want) => found.iter().any(|v| compare(attr, op, v, want)),
            }
        })
    }
}

/// Splits on ` and ` outside quoted strings.
fn split_and(text: &str) -> Vec<String> {
    let (mut parts, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let words: Vec<&str> = text.split(' ').collect();
    for (i, w) in words.iter().enumerate() {
        if !quoted && w.eq_ignore_ascii_case("and") && i > 0 {
            parts.push(std::mem::take(&mut cur));
            continue;
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
        quoted ^= w.matches('"').count() % 2 == 1;
    }
    parts.push(cur);
    parts
}

fn literal(v: &str) -> Option<Value> {
    if let Some(s) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return Some(json!(s.replace("\\\"", "\"")));
    }
    serde_json::from_str(v).ok()
}

/// The values at a dotted attribute path, reaching into multi-valued attributes; names are
/// case-insensitive.
fn lookup<'a>(resource: &'a Value, attr: &str) -> Vec<&'a Value> {
    let (start, rest) = match attr.get(..ENTERPRISE_URN.len()) {
        Some(head) if head.eq_ignore_ascii_case(ENTERPRISE_URN) => (
            field(resource, ENTERPRISE_URN),
            attr[ENTERPRISE_URN.len()..].trim_start_matches(':'),
        ),
        _ => (Some(resource), attr),
    };
    let mut current: Vec<&Value> = start.into_iter().collect();
    for part in rest.split('.') {
        current = current
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().filter_map(|i| field(i, part)).collect(),
                v => field(v, part).into_iter().collect::<Vec<_>>(),
            })
            .collect();
    }
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect(),
            v => vec![v],
        })
        .collect()
}

fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn compare(attr: &str, op: &str, have: &Value, want: &Value) -> bool {
    // id and externalId are caseExact (RFC 7643 §3.1); the rest these profiles filter on is not.
    let exact = ["id", "externalId"]
        .iter()
        .any(|a| attr.eq_ignore_ascii_case(a));
    let (Some(h), Some(w)) = (have.as_str(), want.as_str()) else {
        return match op {
            "eq" => have == want,
            "ne" => have != want,
            _ => false,
        };
    };
    let (h, w) = if exact {
        (h.to_string(), w.to_string())
    } else {
        (h.to_lowercase(), w.to_lowercase())
    };
    match op {
        "eq" => h == w,
        "ne" => h != w,
        "co" => h.contains(&w),
        "sw" => h.starts_with(&w),
        "ew" => h.ends_with(&w),
        "gt" => h > w,
        "ge" => h >= w,
        "lt" => h < w,
        _ => h <= w,
    }
}

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
