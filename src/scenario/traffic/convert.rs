//! Recorded exchanges as a scenario: one step per exchange, in order.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use super::ids::{plan_ids, IdPlan};
use super::rewrite::Rewriter;
use super::written::{How, Written};
use super::{Recorded, Source};
use crate::scenario::{to_yaml, Scenario, WriteError};
use crate::scim::Method;

/// A recording written as a scenario.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The scenario, as it loads back.
    pub scenario: Scenario,
    /// The scenario file: the header comment, then the YAML.
    pub yaml: String,
    /// What the replay cannot do as the recording did, one line each (an id the recording
    /// never saw assigned, a value replaced because it was a secret).
    pub notes: Vec<String>,
}

/// Why a recording could not be written as a scenario.
#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    /// Nothing to replay.
    #[error("the recording holds no SCIM requests")]
    NoScimRequests,
    /// The source's id, title or profile is not one a scenario file may have.
    #[error("{0}")]
    Source(String),
    /// The writer refused a part of the scenario.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Request headers the replay sends as the IdP did; the rest (credentials above all) are the
/// run's own.
const KEPT_HEADERS: [&str; 3] = ["user-agent", "accept", "content-type"];

/// The scenario that replays `traffic` in order.
pub fn to_scenario(traffic: &[Recorded], source: &Source) -> Result<Converted, TrafficError> {
    if traffic.is_empty() {
        return Err(TrafficError::NoScimRequests);
    }
    let parsed: Vec<Parsed> = traffic.iter().map(Parsed::of).collect();
    let mut rw = Rewriter {
        secrets: source.secrets.clone(),
        ..Rewriter::default()
    };
    rw.secrets.retain(|s| !s.is_empty());
    // Longest first, so a secret that holds another is masked whole.
    rw.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for name in names(&parsed) {
        rw.add_name(&name);
    }
    let plan = plan_ids(traffic, &parsed);
    let mut notes = plan.notes.clone();
    let user_agent = common_header(traffic, "user-agent");
    // Where the recording kept credentials, a request sent without them is replayed so.
    let kept_credentials = traffic
        .iter()
        .any(|r| header_value(&r.request_headers, "authorization").is_some());
    let mut written = Written::default();
    let mut capturing: HashMap<String, String> = HashMap::new();
    let mut steps = Vec::with_capacity(traffic.len());
    let step_ids: Vec<String> = traffic
        .iter()
        .enumerate()
        .map(|(i, r)| step_id(i, r))
        .collect();
    let name_writers = name_writers(traffic, &parsed);
    for (i, (r, p)) in traffic.iter().zip(&parsed).enumerate() {
        let step_id = step_ids[i].clone();
        let mut step = Map::new();
        step.insert("id".into(), json!(step_id));
        step.insert("title".into(), json!(title(r, &rw)));
        let mut request = request(r, p, user_agent.is_some(), &plan, i, &mut rw);
        let sent_credentials = header_value(&r.request_headers, "authorization").is_some();
        // Credentials the server refused cannot be replayed (the file never holds them): the
        // replay sends none, which a server refuses the same way (RFC 7644 §3.12).
        let refused = sent_credentials && matches!(r.status, 401 | 403);
        if refused {
            notes.push(format!(
                "step {}: {} {} was answered {} to the credentials it sent; the replay sends none",
                i + 1,
                r.method.as_str(),
                rw.shown(&r.path),
                r.status
            ));
        }
        if (kept_credentials && !sent_credentials) || refused {
            let headers = request.entry("headers").or_insert_with(|| json!({}));
            headers["Authorization"] = Value::Null;
        }
        let (expect, writers) = expect(r, p, i, &step_id, &source.id, &mut written, &mut rw);
        // The steps that captured what this one sends, wrote what its answer is held to, or
        // created the names it looks for: where one failed, this one would fail for it too.
        let mut needs: Vec<String> = Vec::new();
        let mut need = |id: &String| {
            if *id != step_id && !needs.contains(id) {
                needs.push(id.clone());
            }
        };
        for var in rw.take_used() {
            if let Some(s) = capturing.get(&var) {
                need(s);
            }
        }
        for w in writers.iter().filter(|w| **w < i) {
            need(&step_ids[*w]);
        }
        for name in rw.take_names() {
            if let Some(k) = name_writers.get(&name).filter(|k| **k < i) {
                need(&step_ids[*k]);
            }
        }
        needs.sort_by_key(|n| step_ids.iter().position(|s| s == n));
        if !needs.is_empty() {
            step.insert("needs".into(), json!(needs));
        }
        step.insert("request".into(), Value::Object(request));
        step.insert("expect".into(), Value::Object(expect));
        let captures = plan.captures.get(&i);
        if let Some(captures) = captures {
            let map: Map<String, Value> = captures
                .iter()
                .map(|c| (c.var.clone(), json!(c.source)))
                .collect();
            step.insert("capture".into(), Value::Object(map));
            for c in captures {
                capturing.insert(c.var.clone(), step_id.clone());
                if let Some(value) = &c.recorded {
                    rw.ids.insert(value.clone(), c.var.clone());
                }
            }
        }
        if p.is_list(r.method) && !has_filter(r) {
            // An unfiltered list depends on what else the server holds.
            step.insert("snapshot".into(), json!("status"));
        }
        steps.push(Value::Object(step));
    }
    // In step order; what applies to the whole file last.
    notes.sort_by_key(|n| {
        n.strip_prefix("step ")
            .and_then(|rest| rest.split(':').next())
            .and_then(|k| k.parse::<usize>().ok())
            .unwrap_or(usize::MAX)
    });
    notes.extend(rw.altered.iter().cloned());
    let mut file = Map::new();
    file.insert("id".into(), json!(source.id));
    file.insert("title".into(), json!(source.title));
    file.insert("profile".into(), json!(source.profile));
    file.insert(
        "reference".into(),
        json!("Recorded IdP traffic: the recorded server's answers"),
    );
    let extensions = extensions(&parsed);
    if !extensions.is_empty() {
        file.insert("extensions".into(), json!(extensions));
    }
    if let Some(agent) = user_agent {
        file.insert("headers".into(), json!({ "User-Agent": rw.plain(&agent) }));
    }
    file.insert("steps".into(), Value::Array(steps));
    let scenario: Scenario = serde_json::from_value(Value::Object(file))
        .map_err(|e| TrafficError::Source(e.to_string()))?;
    let mut yaml = String::new();
    for line in &source.header {
        for part in line.lines() {
            yaml.push_str("# ");
            yaml.push_str(&rw.shown(part));
            yaml.push('\n');
        }
    }
    yaml.push_str(&to_yaml(&scenario)?);
    Ok(Converted {
        scenario,
        yaml,
        notes,
    })
}

/// The scenario that replays `traffic`, leaving out each exchange the replay could never send
/// as recorded (`refuse` gives the first such step and why: a write to a resource the
/// recording did not create), each with a note.
pub fn to_replayable(
    traffic: &[Recorded],
    source: &Source,
    refuse: impl Fn(&Scenario) -> Option<(usize, String)>,
) -> Result<Converted, TrafficError> {
    let mut kept: Vec<(usize, &Recorded)> = traffic.iter().enumerate().collect();
    let mut left_out = Vec::new();
    loop {
        let exchanges: Vec<Recorded> = kept.iter().map(|(_, r)| (*r).clone()).collect();
        let mut converted = to_scenario(&exchanges, source)?;
        let Some((index, why)) = refuse(&converted.scenario) else {
            left_out.append(&mut converted.notes);
            converted.notes = left_out;
            return Ok(converted);
        };
        let (n, r) = kept.remove(index);
        left_out.push(format!(
            "request {} of the recording ({} {}) is left out: {why}",
            n + 1,
            r.method.as_str(),
            r.path
        ));
    }
}

/// An exchange's bodies parsed, and where it went.
#[derive(Debug)]
pub(super) struct Parsed {
    /// The request body as JSON.
    pub request: Option<Value>,
    /// The response body as JSON.
    pub response: Option<Value>,
    /// `Users` or `Groups` (or another endpoint), as the path names it.
    pub endpoint: String,
    /// The id the path names (`/Users/{id}`).
    pub path_id: Option<String>,
    /// A query by POST (`/Users/.search`, RFC 7644 §3.4.3): answered with a list.
    pub search: bool,
}

impl Parsed {
    fn of(r: &Recorded) -> Parsed {
        let parse = |text: &Option<String>| {
            text.as_deref()
                .filter(|t| !t.trim().is_empty())
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
        };
        let mut segments = r.path.split('/').filter(|s| !s.is_empty());
        let endpoint = segments.next().unwrap_or("").to_string();
        let second = segments.next();
        let search = second.is_some_and(|s| s.eq_ignore_ascii_case(".search"));
        let path_id = second.filter(|_| !search).map(str::to_string);
        Parsed {
            request: parse(&r.request_body),
            response: parse(&r.response_body),
            endpoint,
            path_id,
            search,
        }
    }

    /// A user or group endpoint.
    pub fn is_resource(&self) -> bool {
        self.is_users() || self.endpoint.eq_ignore_ascii_case("Groups")
    }

    fn is_users(&self) -> bool {
        self.endpoint.eq_ignore_ascii_case("Users")
    }

    /// A list of users or groups: a GET of the endpoint, or a search by POST.
    pub fn is_list(&self, method: Method) -> bool {
        self.is_resource()
            && self.path_id.is_none()
            && match method {
                Method::Get => !self.search,
                Method::Post => self.search,
                _ => false,
            }
    }
}

/// Names the requests wrote: userName, externalId, displayName, emails' values.
fn names(parsed: &[Parsed]) -> Vec<String> {
    fn walk(value: &Value, key: &str, out: &mut Vec<String>) {
        match value {
            Value::String(s) if !s.is_empty() => {
                let key = key.to_ascii_lowercase();
                let leaf = key.rsplit(['.', ':']).next().unwrap_or(&key);
                let named = ["username", "externalid", "displayname"].contains(&leaf)
                    || key.starts_with("emails");
                if named && !out.contains(s) {
                    out.push(s.clone());
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, key, out)),
            Value::Object(map) => {
                for (k, v) in map {
                    // An email's value is a name; a member's value is an id.
                    let key = match (k.as_str(), key.to_ascii_lowercase().starts_with("emails")) {
                        ("value", true) => key.to_string(),
                        ("value", false) => match map.get("path").and_then(Value::as_str) {
                            Some(path) => path.to_string(),
                            None => String::new(),
                        },
                        _ => k.clone(),
                    };
                    walk(v, &key, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for p in parsed.iter().filter(|p| p.is_resource()) {
        if let Some(body) = &p.request {
            walk(body, "", &mut out);
        }
    }
    out
}

fn step_id(i: usize, r: &Recorded) -> String {
    let target: String = r
        .path
        .split('/')
        .find(|s| !s.is_empty())
        .unwrap_or("root")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let one = r.path.split('/').filter(|s| !s.is_empty()).count() > 1;
    let target = match (one, target.strip_suffix('s')) {
        (true, Some(singular)) => singular.to_string(),
        _ => target,
    };
    format!(
        "s{:03}-{}-{}",
        i + 1,
        r.method.as_str().to_ascii_lowercase(),
        if target.is_empty() {
            "root".into()
        } else {
            target
        }
    )
}

fn title(r: &Recorded, rw: &Rewriter) -> String {
    let query: Vec<String> = r.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let target = match query.is_empty() {
        true => r.path.clone(),
        false => format!("{}?{}", r.path, query.join("&")),
    };
    let mut target = rw.shown(&target);
    if target.chars().count() > 100 {
        target = target.chars().take(99).chain(['…']).collect();
    }
    format!("{} {target} (recorded: {})", r.method.as_str(), r.status)
}

fn has_filter(r: &Recorded) -> bool {
    r.query
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("filter"))
}

/// The value every request sent for `header`, when they all sent the same.
fn common_header(traffic: &[Recorded], header: &str) -> Option<String> {
    let mut values = traffic
        .iter()
        .map(|r| header_value(&r.request_headers, header));
    let first = values.next()??;
    values.all(|v| v == Some(first)).then(|| first.to_string())
}

pub(super) fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn request(
    r: &Recorded,
    p: &Parsed,
    agent_shared: bool,
    plan: &IdPlan,
    i: usize,
    rw: &mut Rewriter,
) -> Map<String, Value> {
    let mut request = Map::new();
    request.insert("method".into(), json!(r.method.as_str()));
    request.insert("path".into(), json!(rw.path(&r.path)));
    if !r.query.is_empty() {
        let mut query = Map::new();
        for (k, v) in &r.query {
            let number = v.parse::<u64>().ok();
            let value = match (k.as_str(), number) {
                ("startIndex" | "count", Some(n)) => json!(n),
                _ if k.eq_ignore_ascii_case("filter") => json!(rw.expression(v)),
                _ => json!(rw.plain(v)),
            };
            query.insert(rw.plain(k), value);
        }
        request.insert("query".into(), Value::Object(query));
    }
    let mut headers = BTreeMap::new();
    for (name, value) in &r.request_headers {
        let lower = name.to_ascii_lowercase();
        let kept = KEPT_HEADERS.contains(&lower.as_str())
            && !(lower == "user-agent" && agent_shared)
            && !(lower == "content-type" && r.request_body.is_none());
        if kept {
            headers.insert(canonical(&lower), json!(rw.plain(value)));
        } else if lower == "if-match" || lower == "if-none-match" {
            let value = match plan.etags.get(&(i, lower.clone())) {
                Some(var) => {
                    rw.used.push(var.clone());
                    format!("{{{{{var}}}}}")
                }
                None => rw.plain(value),
            };
            headers.insert(canonical(&lower), json!(value));
        }
    }
    if !headers.is_empty() {
        request.insert("headers".into(), json!(headers));
    }
    match (&p.request, &r.request_body) {
        (Some(body), _) => {
            request.insert("body".into(), rw.json(body));
        }
        (None, Some(text)) if !text.trim().is_empty() => {
            request.insert("raw_body".into(), json!(rw.plain(text)));
        }
        _ => {}
    }
    request
}

/// `content-type` → `Content-Type`.
fn canonical(lower: &str) -> String {
    lower
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn expect(
    r: &Recorded,
    p: &Parsed,
    index: usize,
    step: &str,
    scope: &str,
    written: &mut Written,
    rw: &mut Rewriter,
) -> (Map<String, Value>, Vec<usize>) {
    let mut writers = Vec::new();
    let mut expect = Map::new();
    let ok = (200..300).contains(&r.status);
    let status: Vec<u16> = match (r.method, r.status) {
        // RFC 7644 §3.5.2: 200 with the resource, or 204.
        (Method::Patch, 200 | 204) => vec![200, 204],
        // Sent without credentials in the replay (see `to_scenario`): either refusal.
        (_, 401 | 403) if header_value(&r.request_headers, "authorization").is_some() => {
            vec![401, 403]
        }
        (_, s) => vec![s],
    };
    expect.insert("status".into(), json!(status));
    let group = !p.is_users();
    let object = p.response.as_ref().filter(|v| v.is_object());
    // A projection (RFC 7644 §3.4.2.5) answers part of a resource, which its schema's
    // required attributes would refuse.
    let projected = r.query.iter().any(|(k, _)| {
        k.eq_ignore_ascii_case("attributes") || k.eq_ignore_ascii_case("excludedAttributes")
    }) || p.request.as_ref().is_some_and(|b| {
        p.search && (b.get("attributes").is_some() || b.get("excludedAttributes").is_some())
    });
    if ok && p.is_resource() && object.is_some() && r.method != Method::Delete && !projected {
        match p.is_list(r.method) {
            true => {
                expect.insert("schema".into(), json!("ListResponse"));
                let schema = if group { "Group" } else { "User" };
                expect.insert("resources_schema".into(), json!(schema));
            }
            false => {
                expect.insert("schema".into(), json!(if group { "Group" } else { "User" }));
            }
        }
    }
    let mut asserts = Vec::new();
    let assert_step = format!("{scope}.{step}");
    // What this request wrote, as the server took it.
    if ok && p.is_resource() {
        let body = p.request.as_ref();
        match (r.method, &p.path_id, body) {
            (Method::Post, None, Some(body)) if !p.search => {
                if let Some(id) = object.and_then(|o| o.get("id")).and_then(Value::as_str) {
                    written.replace(id, body, How::Created, index);
                }
            }
            (Method::Put, Some(id), Some(body)) => written.replace(id, body, How::Put, index),
            (Method::Patch, Some(id), Some(body)) => written.patch(id, body, index),
            (Method::Delete, Some(id), _) => written.forget(id),
            _ => {}
        }
    }
    if let (true, Some(answer)) = (ok, object) {
        if p.is_list(r.method) {
            let total_id = format!("{assert_step}.total-results");
            let mut counted = false;
            if has_filter(r) {
                if let Some(total) = answer.get("totalResults").filter(|t| t.is_u64()) {
                    counted = true;
                    asserts.push(json!({
                        "id": total_id,
                        "pointer": "/totalResults",
                        "equals": total,
                        "reference": "RFC 7644 §3.4.2; recorded IdP traffic",
                        "hint": "The filter finds what it found when recorded: the names the IdP wrote, matched as RFC 7644 §3.4.2.2 says.",
                    }));
                }
            }
            let resources = answer.get("Resources").and_then(Value::as_array);
            // Only a list of one resource in all: of a page of several, which comes first is
            // the server's order (RFC 7644 §3.4.2.3 leaves it unspecified without sortBy).
            let one = answer.get("totalResults").and_then(Value::as_u64) == Some(1);
            if let (true, Some([only])) = (one, resources.map(Vec::as_slice)) {
                if let Some(id) = only.get("id").and_then(Value::as_str) {
                    let mut held =
                        written.asserts(id, only, "/Resources/0", group, &assert_step, rw);
                    // Without the one resource, its values say nothing more.
                    for a in held.asserts.iter_mut().filter(|_| counted) {
                        a["needs"] = json!([total_id]);
                    }
                    asserts.extend(held.asserts);
                    writers.extend(held.writers);
                }
            }
        } else if p.is_resource() && r.method != Method::Delete {
            let id = answer
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| p.path_id.clone());
            if let Some(id) = id {
                let held = written.asserts(&id, answer, "", group, &assert_step, rw);
                asserts.extend(held.asserts);
                writers.extend(held.writers);
            }
        }
    }
    if !asserts.is_empty() {
        expect.insert("asserts".into(), Value::Array(asserts));
    }
    (expect, writers)
}

/// The schema extensions whose attributes the requests write (RFC 7643 §3.3): a server that
/// declares none of them may refuse them, and the replay is then skipped with that reason
/// rather than failed.
fn extensions(parsed: &[Parsed]) -> Vec<String> {
    fn urn_of(text: &str) -> Option<String> {
        let lower = text.to_ascii_lowercase();
        if !lower.starts_with("urn:")
            || lower.starts_with("urn:ietf:params:scim:api:")
            || lower.starts_with("urn:ietf:params:scim:schemas:core:")
        {
            return None;
        }
        // `urn:…:User:department` names an attribute of the extension `urn:…:User`.
        let text = text.split('[').next().unwrap_or(text);
        let urn = match text.rfind(':') {
            Some(i) if text[i + 1..].starts_with(|c: char| c.is_ascii_lowercase()) => &text[..i],
            _ => text,
        };
        Some(urn.to_string())
    }
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    // Only an attribute written under it: Entra lists the enterprise URN in
                    // `schemas` of creates that hold none of its attributes.
                    let found = match (k.as_str(), v) {
                        ("schemas", _) => None,
                        ("path", Value::String(path)) => urn_of(path),
                        _ => urn_of(k),
                    };
                    if let Some(urn) = found {
                        if !out.iter().any(|u| u.eq_ignore_ascii_case(&urn)) {
                            out.push(urn);
                        }
                    }
                    walk(v, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for body in parsed
        .iter()
        .filter(|p| p.is_resource())
        .filter_map(|p| p.request.as_ref())
    {
        walk(body, &mut out);
    }
    out
}

/// Each name a create wrote → the step of the first create (answered 2xx) that wrote it.
fn name_writers(traffic: &[Recorded], parsed: &[Parsed]) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for (i, (r, p)) in traffic.iter().zip(parsed).enumerate() {
        let create = r.method == Method::Post && p.is_resource() && !p.search;
        if create && (200..300).contains(&r.status) {
            for name in names(std::slice::from_ref(p)) {
                out.entry(name).or_insert(i);
            }
        }
    }
    out
}
