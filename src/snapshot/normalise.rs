//! A scenario's exchanges as stable, secret-free data: server ids become `[user-1]`,
//! `[group-1]` (numbered in order of appearance, so references stay linked), timestamps
//! `[timestamp]`, ETags `[etag]`, the target `[base-url]`, the run id `[run]`, and generated
//! random values their variable's name.

use serde_json::{json, Map, Value};

use super::lists::{
    endpoint, is_list, kind_of, ordered, partial_page, shape_page, sort_resources, Pool, PAGE_NOTE,
};
use crate::result::ScenarioResult;
use crate::scenario::SnapshotMode;
use crate::scim::json::{clip, id_of, member};

/// Request headers worth recording: they change what the server does.
const REQUEST_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "user-agent",
];

struct Normaliser {
    /// Substrings replaced anywhere, longest first.
    substrings: Vec<(String, String)>,
    /// Server ids, replaced where a whole value or path segment equals one.
    ids: Vec<(String, String)>,
}

impl Normaliser {
    fn new(scenario: &ScenarioResult, base_url: &str, run_id: &str) -> Normaliser {
        let prefix = format!("scimcheck-{run_id}-");
        let mut substrings = vec![
            (base_url.to_string(), "[base-url]".to_string()),
            // Scenarios also send names upper-cased (`{{user1.userName | upper}}`).
            (prefix.to_uppercase(), "SCIMCHECK-[RUN]-".to_string()),
            (prefix, "scimcheck-[run]-".to_string()),
        ];
        substrings.extend(scenario.volatile.iter().cloned());
        // ... and generated values too (`{{user1.externalId | upper}}`).
        substrings.extend(
            scenario
                .volatile
                .iter()
                .map(|(from, to)| (from.to_uppercase(), to.to_uppercase()))
                .filter(|(from, _)| !scenario.volatile.iter().any(|(v, _)| v == from)),
        );
        substrings.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        let mut n = Normaliser {
            substrings,
            ids: vec![],
        };
        n.ids = with_encoded(collect_ids(scenario, &n));
        n
    }

    fn id(&self, s: &str) -> Option<&str> {
        self.ids
            .iter()
            .find(|(id, _)| id == s)
            .map(|(_, p)| p.as_str())
    }

    /// `s` with run-specific substrings replaced; a whole-value server id only where the
    /// value can be an id (`whole_id`), so that `"1"` as a count is never taken for user 1.
    fn text(&self, s: &str, whole_id: bool) -> String {
        if let Some(p) = self.id(s).filter(|_| whole_id) {
            return p.to_string();
        }
        if is_timestamp(s) {
            return "[timestamp]".into();
        }
        let mut out = s.to_string();
        for (from, to) in &self.substrings {
            if out.contains(from.as_str()) {
                out = out.replace(from.as_str(), to);
            }
        }
        if out.contains('"') {
            out = super::embedded::embedded_volatiles(&out);
        }
        // Inside any text too (an error's detail, a display value): a server that names the
        // id in what it says must not drift on every run.
        let path_or_quote = out.contains('/') || out.contains('"');
        for (id, p) in &self.ids {
            // A short id (`1`) only in a path or quotes: a whole value `1` is a count.
            let distinctive = id.chars().count() >= 6;
            if (distinctive || path_or_quote) && out.contains(id.as_str()) {
                out = replace_delimited(&out, id, p);
            }
        }
        replace_timestamps(&out)
    }

    fn value(&self, v: &Value, key: Option<&str>) -> Value {
        let is = |name: &str| key.is_some_and(|k| k.eq_ignore_ascii_case(name));
        match v {
            Value::String(_) if is("version") => json!("[etag]"),
            Value::String(s) => Value::String(self.text(s, is("id") || is("value"))),
            // A numeric id (a schema finding of its own) is still an id that changes per run.
            Value::Number(n) if is("id") || is("value") => match self.id(&n.to_string()) {
                Some(p) => json!(p),
                None => v.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i, key)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.text(k, false), self.value(v, Some(k))))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// RFC 3339, or the same without a zone (which some servers send): both vary per run.
pub(super) fn is_timestamp(s: &str) -> bool {
    if time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok() {
        return true;
    }
    let b = s.as_bytes();
    b.len() >= 19
        && b.iter().enumerate().take(19).all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T' || *c == b't' || *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
        && b[19..]
            .iter()
            .all(|c| c.is_ascii_digit() || b".:+-Zz".contains(c))
}

/// `s` with every RFC 3339 timestamp inside it (`… at 2026-12-03T01:02:03Z`) replaced.
fn replace_timestamps(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() < 19 || !b.contains(&b':') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    while i + 19 <= b.len() {
        let starts_word = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if starts_word && s.is_char_boundary(i) && is_timestamp_head(&b[i..i + 19]) {
            let mut end = i + 19;
            while end < b.len() && (b[end].is_ascii_digit() || b".:+-Zz".contains(&b[end])) {
                end += 1;
            }
            out.push_str(&s[copied..i]);
            out.push_str("[timestamp]");
            copied = end;
            i = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[copied..]);
    out
}

/// `YYYY-MM-DDThh:mm:ss`.
fn is_timestamp_head(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        10 => *c == b'T' || *c == b't' || *c == b' ',
        13 | 16 => *c == b':',
        _ => c.is_ascii_digit(),
    })
}

/// A body in a canonical form: members sorted by name and multi-valued attributes by value,
/// since SCIM gives neither an order (RFC 7643 §2.4); a ListResponse's `Resources` and a
/// PatchOp's `Operations` keep theirs here (`sortBy` defines the one, PATCH the other; an
/// unsorted list is put in order by `sort_resources`).
pub(super) fn canonical(v: Value, key: Option<&str>) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let v = canonical(v, Some(&k));
                        (k, v)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(|i| canonical(i, None)).collect();
            if !key.is_some_and(|k| {
                k.eq_ignore_ascii_case("Resources") || k.eq_ignore_ascii_case("Operations")
            }) {
                items.sort_by_cached_key(|i| i.to_string());
            }
            Value::Array(items)
        }
        other => other,
    }
}

/// Replaces `id` where it stands as a path segment or a quoted value, never inside a word. An
/// id of six characters or more is also replaced where it stands as a word of running text
/// ("Group 53078f0e-… not found"); a shorter one (`1`) only in a path or quotes, so that a
/// count is never taken for an id.
fn replace_delimited(s: &str, id: &str, placeholder: &str) -> String {
    let word_boundary =
        |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'));
    let distinctive = id.chars().count() >= 6;
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find(id) {
        let before = rest[..pos].chars().last();
        let after = rest[pos + id.len()..].chars().next();
        let delimited = (matches!(before, None | Some('/' | '"'))
            && matches!(after, None | Some('/' | '"' | '?')))
            || (distinctive && word_boundary(before) && word_boundary(after));
        out.push_str(&rest[..pos]);
        out.push_str(if delimited { placeholder } else { id });
        rest = &rest[pos + id.len()..];
    }
    out.push_str(rest);
    out
}

/// The list's resources in an order that does not depend on the server's: by the run's own
/// names (normalised, so they compare the same on every run), then by id (the same on every
/// run for resources the run did not create).
fn stable_order<'v>(n: &Normaliser, resources: &'v [Value]) -> Vec<&'v Value> {
    let key = |r: &Value| {
        let name = ["userName", "displayName", "externalId"]
            .iter()
            .find_map(|k| member(r, k).and_then(Value::as_str))
            .map(|s| n.text(s, false))
            .unwrap_or_default();
        (name, id_of(r).unwrap_or_default())
    };
    let mut sorted: Vec<&Value> = resources.iter().collect();
    sorted.sort_by_cached_key(|r| key(r));
    sorted
}

/// Server-assigned ids in order of first appearance, numbered per resource type; a list's
/// resources in [`stable_order`] when the request gave the list no order.
fn collect_ids(scenario: &ScenarioResult, n: &Normaliser) -> Vec<(String, String)> {
    let mut ids: Vec<(String, String)> = Vec::new();
    let mut counts = (0usize, 0usize, 0usize);
    let mut add = |id: &str, kind: Option<&str>| {
        if id.is_empty() || ids.iter().any(|(known, _)| known == id) {
            return;
        }
        let placeholder = match kind {
            Some(k) if k.eq_ignore_ascii_case("User") || k.eq_ignore_ascii_case("Users") => {
                counts.0 += 1;
                format!("[user-{}]", counts.0)
            }
            Some(k) if k.eq_ignore_ascii_case("Group") || k.eq_ignore_ascii_case("Groups") => {
                counts.1 += 1;
                format!("[group-{}]", counts.1)
            }
            _ => {
                counts.2 += 1;
                format!("[id-{}]", counts.2)
            }
        };
        ids.push((id.to_string(), placeholder));
    };
    // A partial page's resources are numbered last: which of them land on it is not
    // defined, and numbering them there would number the rest by the server's order.
    let mut pages: Vec<(&Value, Option<String>)> = vec![];
    for step in &scenario.steps {
        let Some(x) = &step.exchange else { continue };
        let endpoint = endpoint(&x.request.url);
        // A set's answers are not recorded one by one: the ids it captured, in request
        // order, are what later steps show.
        if step.set.is_some() {
            for value in step.captures.values() {
                for id in value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    add(id, endpoint.as_deref());
                }
            }
        }
        let Some(resp) = &x.response else { continue };
        if let Some(body) = &resp.json {
            if step.snapshot == SnapshotMode::Full {
                if partial_page(x, body) {
                    pages.push((body, endpoint.clone()));
                } else {
                    let items = resources(body);
                    let items = if ordered(x) {
                        items.iter().collect()
                    } else {
                        stable_order(n, items)
                    };
                    for r in items {
                        if let Some(id) = id_of(r) {
                            add(&id, kind_of(r, endpoint.as_deref()).as_deref());
                        }
                    }
                }
            }
            if let Some(id) = id_of(body) {
                add(&id, kind_of(body, endpoint.as_deref()).as_deref());
            }
        }
        // A Location on a list answer (some servers echo the request's URL) names no
        // resource, nor does one that ends in the endpoint itself (`…/Users`).
        if let Some(location) = resp
            .header("location")
            .filter(|_| !is_list(resp.json.as_ref()))
        {
            if let Some(id) = location.trim_end_matches('/').rsplit('/').next() {
                let is_endpoint = endpoint
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(id));
                if !is_endpoint {
                    add(id, endpoint.as_deref());
                }
            }
        }
    }
    for (body, endpoint) in pages {
        for r in stable_order(n, resources(body)) {
            if let Some(id) = id_of(r) {
                add(&id, kind_of(r, endpoint.as_deref()).as_deref());
            }
        }
    }
    ids
}

/// A list body's `Resources`, or none.
fn resources(body: &Value) -> &[Value] {
    member(body, "Resources")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Ids as they also stand in paths, percent-encoded (`auth0|x` as `auth0%7Cx`).
fn with_encoded(mut ids: Vec<(String, String)>) -> Vec<(String, String)> {
    let encoded: Vec<(String, String)> = ids
        .iter()
        .map(|(id, p)| (crate::scim::path::encode_segment(id), p.clone()))
        .filter(|(e, _)| !ids.iter().any(|(id, _)| id == e))
        .collect();
    ids.extend(encoded);
    ids
}

/// The snapshot document of one scenario.
pub fn snapshot_of(scenario: &ScenarioResult, base_url: &str, run_id: &str) -> Value {
    let n = Normaliser::new(scenario, base_url, run_id);
    let mut pool = Pool::default();
    for step in scenario
        .steps
        .iter()
        .filter(|s| s.snapshot == SnapshotMode::Full)
    {
        let Some(x) = &step.exchange else { continue };
        let Some(r) = x
            .response
            .as_ref()
            .filter(|r| (200..300).contains(&r.status))
        else {
            continue;
        };
        if let Some(j) = &r.json {
            pool.add_body(&n.value(j, None), endpoint(&x.request.url).as_deref());
        }
    }
    let steps: Vec<Value> = scenario
        .steps
        .iter()
        .map(|step| {
            let mut out = Map::new();
            out.insert("step".into(), json!(step.id));
            if let Some(reason) = &step.skipped {
                out.insert("skipped".into(), json!(n.text(reason, false)));
                return Value::Object(out);
            }
            let Some(x) = &step.exchange else {
                return Value::Object(out);
            };
            let (path, query) = x
                .request
                .url
                .split_once('?')
                .unwrap_or((&x.request.url, ""));
            let path = n.text(path, false);
            let mut request = Map::new();
            request.insert("method".into(), json!(x.request.method.as_str()));
            request.insert("path".into(), json!(path.trim_start_matches("[base-url]")));
            if !query.is_empty() {
                // Values only: a quoted id inside a filter is replaced, a number never.
                let pairs: Map<String, Value> = url::form_urlencoded::parse(query.as_bytes())
                    .map(|(k, v)| (k.into_owned(), json!(n.text(&v, false))))
                    .collect();
                request.insert("query".into(), Value::Object(pairs));
            }
            let headers: Map<String, Value> = x
                .request
                .headers
                .iter()
                .filter(|(k, _)| REQUEST_HEADERS.contains(&k.as_str()))
                .map(|(k, v)| {
                    (
                        k.clone(),
                        json!(if k.starts_with("if-") {
                            "[etag]".to_string()
                        } else {
                            n.text(v, false)
                        }),
                    )
                })
                .collect();
            request.insert("headers".into(), Value::Object(headers));
            if let Some(body) = &x.request.body {
                // A PUT sends back what the server answered, in the server's order.
                request.insert("body".into(), canonical(n.value(body, None), None));
            }
            if let Some(raw) = &x.request.raw_body {
                request.insert("raw_body".into(), json!(n.text(raw, false)));
            }
            out.insert("request".into(), Value::Object(request));
            // A set sent at once answers in no fixed order (which of K racing creates wins):
            // its answers are recorded as counts, the first request as the set's shape.
            if let Some(set) = step
                .set
                .as_ref()
                .filter(|s| s.mode != crate::exec::SetMode::Burst)
            {
                out.insert(
                    "set".into(),
                    json!({
                        "mode": set.mode,
                        "sent": set.sent,
                        "statuses": set.statuses,
                        "transport_errors": set.transport_errors,
                    }),
                );
                return Value::Object(out);
            }
            match (&x.response, &x.error) {
                (Some(r), _) => {
                    let mut response = Map::new();
                    response.insert("status".into(), json!(r.status));
                    if let Some(ct) = r.header("content-type") {
                        response.insert("content_type".into(), json!(ct));
                    }
                    if let Some(l) = r.header("location") {
                        response.insert("location".into(), json!(n.text(l, false)));
                    }
                    if r.header("etag").is_some() {
                        response.insert("etag".into(), json!("[etag]"));
                    }
                    let body = match (step.snapshot, &r.json) {
                        (SnapshotMode::Status, _) => {
                            Some(json!("[not recorded: depends on data outside this run]"))
                        }
                        (_, Some(j)) => {
                            let mut body = canonical(n.value(j, None), None);
                            if partial_page(x, j) {
                                shape_page(&mut body, &pool, endpoint(&x.request.url).as_deref());
                                response.insert("resources".into(), json!(PAGE_NOTE));
                            } else if !ordered(x) {
                                sort_resources(&mut body);
                            }
                            Some(body)
                        }
                        (_, None) if r.body.trim().is_empty() => None,
                        (_, None) => Some(json!(clip(&n.text(r.body.trim(), false), 2000))),
                    };
                    if let Some(b) = body {
                        response.insert("body".into(), b);
                    }
                    out.insert("response".into(), Value::Object(response));
                }
                (None, Some(e)) => {
                    out.insert("error".into(), json!(e.kind));
                }
                (None, None) => {}
            }
            Value::Object(out)
        })
        .collect();
    json!({"scenario": scenario.id, "title": scenario.title, "steps": steps})
}

#[cfg(test)]
#[path = "normalise_tests.rs"]
mod tests;
