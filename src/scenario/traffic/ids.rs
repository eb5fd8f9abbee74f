//! Server-assigned values the recording reuses: each id a later request sends is captured
//! where an answer first showed it, and each ETag a later `If-Match` sends where it was given.

use std::collections::HashMap;

use serde_json::Value;

use super::convert::{header_value, Parsed};
use super::rewrite::quoted;
use super::Recorded;
use crate::scim::Method;

/// One capture a step makes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Capture {
    /// The variable (`user1_id`, `etag1`).
    pub var: String,
    /// Where in the answer (`/id`, `/Resources/0/id`, `header:ETag`).
    pub source: String,
    /// The recorded id it stands for, which later requests' text is rewritten from.
    pub recorded: Option<String>,
}

/// What every step captures, and what each precondition header sends.
#[derive(Debug, Default)]
pub(super) struct IdPlan {
    /// Step index → its captures.
    pub captures: HashMap<usize, Vec<Capture>>,
    /// (step index, lower-case header name) → the variable its value is.
    pub etags: HashMap<(usize, String), String>,
    /// What the replay cannot reproduce.
    pub notes: Vec<String>,
}

/// Where an answer showed an id.
struct Sight {
    step: usize,
    pointer: String,
    kind: &'static str,
    /// How surely the replay's answer shows the same resource there: a create's answer, then
    /// a read of one resource, then a filtered list, then an unfiltered one (whatever else
    /// the server holds decides what comes first).
    rank: u8,
}

/// The captures that let the replay send, for each id and ETag, the value its own server gave.
pub(super) fn plan_ids(traffic: &[Recorded], parsed: &[Parsed]) -> IdPlan {
    let mut sights: HashMap<String, Vec<Sight>> = HashMap::new();
    // Each used id, in the order first used, with where it was first used.
    let mut order: Vec<(String, usize)> = Vec::new();
    let mut ordered: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut plan = IdPlan::default();
    for (j, (r, p)) in traffic.iter().zip(parsed).enumerate() {
        // What this request sends that an earlier answer gave.
        let mut texts: Vec<String> = r.path.split('/').map(str::to_string).collect();
        for (_, v) in &r.query {
            texts.push(v.clone());
            texts.extend(quoted(v).map(str::to_string));
        }
        if let Some(body) = &p.request {
            strings(body, &mut texts);
        }
        for t in texts {
            if sights.contains_key(&t) && ordered.insert(t.clone()) {
                order.push((t, j));
            }
        }
        if let Some(id) = &p.path_id {
            if p.is_resource() && !sights.contains_key(id) {
                plan.notes.push(format!(
                    "step {}: {} {} names an id no earlier answer gave (a resource the recording did not create); the replay sends it as recorded",
                    j + 1,
                    r.method.as_str(),
                    r.path
                ));
            }
        }
        for header in ["if-match", "if-none-match"] {
            let Some(value) = header_value(&r.request_headers, header) else {
                continue;
            };
            if value.trim() == "*" {
                continue;
            }
            let given = (0..j)
                .rev()
                .find_map(|i| etag_of(&traffic[i], &parsed[i], value).map(|s| (i, s)));
            match given {
                Some((i, source)) => {
                    let captures = plan.captures.entry(i).or_default();
                    let var = match captures.iter().find(|c| c.source == source && c.var.starts_with("etag")) {
                        Some(c) => c.var.clone(),
                        None => {
                            let n = plan.etags.len() + 1;
                            let var = format!("etag{n}");
                            captures.push(Capture { var: var.clone(), source, recorded: None });
                            var
                        }
                    };
                    plan.etags.insert((j, header.to_string()), var);
                }
                None => plan.notes.push(format!(
                    "step {}: `{header}` sends a version no earlier answer gave; the replay sends it as recorded",
                    j + 1
                )),
            }
        }
        // What this answer shows first.
        let Some(answer) = p
            .response
            .as_ref()
            .filter(|_| (200..300).contains(&r.status))
        else {
            continue;
        };
        if !p.is_resource() {
            continue;
        }
        let kind = if p.endpoint.eq_ignore_ascii_case("Users") {
            "user"
        } else {
            "group"
        };
        let mut shown: Vec<(String, String, u8)> = Vec::new();
        match answer.get("Resources").and_then(Value::as_array) {
            Some(resources) => {
                let filtered = r
                    .query
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("filter"));
                for (k, res) in resources.iter().enumerate() {
                    if let Some(id) = res.get("id").and_then(Value::as_str) {
                        let rank = if filtered { 2 } else { 3 };
                        shown.push((id.to_string(), format!("/Resources/{k}/id"), rank));
                    }
                }
            }
            None => {
                if let Some(id) = answer.get("id").and_then(Value::as_str) {
                    let rank = if r.method == Method::Post { 0 } else { 1 };
                    shown.push((id.to_string(), "/id".to_string(), rank));
                }
            }
        }
        for (id, pointer, rank) in shown.into_iter().filter(|s| !s.0.is_empty()) {
            sights.entry(id).or_default().push(Sight {
                step: j,
                pointer,
                kind,
                rank,
            });
        }
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (id, used_at) in &order {
        // The surest answer before the first use; the earliest of equals.
        let Some(sight) = sights[id]
            .iter()
            .filter(|s| s.step < *used_at)
            .min_by_key(|s| (s.rank, s.step))
        else {
            continue;
        };
        let n = counts.entry(sight.kind).or_default();
        *n += 1;
        plan.captures.entry(sight.step).or_default().push(Capture {
            var: format!("{}{}_id", sight.kind, n),
            source: sight.pointer.clone(),
            recorded: Some(id.clone()),
        });
    }
    plan
}

/// Where exchange `r`'s answer gave `version`: its ETag header, or its `meta.version`.
fn etag_of(r: &Recorded, p: &Parsed, version: &str) -> Option<String> {
    if header_value(&r.response_headers, "etag") == Some(version) {
        return Some("header:ETag".into());
    }
    let meta = p.response.as_ref()?.get("meta")?.get("version")?.as_str()?;
    (meta == version).then(|| "/meta/version".into())
}

/// Every string in `value`, and the quoted literals inside each.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            out.push(s.clone());
            out.extend(quoted(s).map(str::to_string));
            // A bulk operation's path.
            if s.starts_with('/') {
                out.extend(s.split('/').map(str::to_string));
            }
        }
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.extend(quoted(k).map(str::to_string));
                strings(v, out);
            }
        }
        _ => {}
    }
}
