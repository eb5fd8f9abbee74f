//! A Runscope export as a scimcheck scenario: each request step a step titled with its
//! note, each assertion an assert `runscope.<file-stem>.<step>.<n>`, each capture a step
//! capture, each pause a step that does not send, each construct scimcheck cannot run (a
//! condition, a subtest, a disabled step) a step listed with the reason, and (unless asked
//! not to, or the export drives an Okta org) a first step that creates one prefixed user so
//! the export's first read finds someone.

use std::collections::{BTreeMap, HashSet};

use serde_json::{json, Map, Value};

use super::checks::{assertions, captures, scripts};
use super::load::RunscopeOptions;
use super::model::{Export, RawStep};
use super::paths::split_url;
use super::variables::{self, is_auth, ORG_URL};
use crate::scenario::{Expect, Pause, Profile, Request, Scenario, SnapshotMode, Step};
use crate::scim::urn::USER as USER_SCHEMA;
use crate::scim::Method;

/// What converting one step needs to know about the rest of the export.
pub(super) struct Context<'a> {
    /// The scenario's id; check ids start with it.
    pub scenario: &'a str,
    /// The export's name, for hints.
    pub test: &'a str,
    /// Variables defined so far: provided, given with `--variable`, or captured earlier.
    pub defined: HashSet<String>,
    /// `--variable auth=…` was given: `{{auth}}` is then an ordinary variable.
    pub auth_given: bool,
    /// Variables captured from answers about data outside the run (an unfiltered list).
    pub foreign: HashSet<String>,
}

/// The scenario id of an export read from `file`: `runscope.<file-stem>`, in the alphabet
/// scenario ids use.
pub(crate) fn scenario_id(file: &str) -> String {
    let stem = std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug: String = stem
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-' | '_') => c,
            _ => '-',
        })
        .collect();
    let slug = slug.trim_matches('-');
    format!("runscope.{}", if slug.is_empty() { "test" } else { slug })
}

/// The scenario an export describes; `Err` is a message naming the step.
pub(crate) fn convert(
    file: &str,
    export: &Export,
    opts: &RunscopeOptions,
) -> Result<Scenario, String> {
    let id = scenario_id(file);
    let name = export
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("Runscope test {id}"));
    let org = uses_org(export);
    let variables = variables::defaults(&opts.variables, org);
    let mut ctx = Context {
        scenario: &id,
        test: &name,
        defined: variables.iter().map(|v| v.name.clone()).collect(),
        auth_given: variables.iter().any(|v| is_auth(&v.name)),
        foreign: HashSet::new(),
    };
    let mut steps = Vec::with_capacity(export.steps.len() + 1);
    // A CRUD test makes its own user through the org; only the SPEC test reads one first.
    if opts.seed && !org {
        steps.push(seed_step());
    }
    if export.steps.is_empty() {
        return Err("the export has no steps".into());
    }
    for (i, raw) in export.steps.iter().enumerate() {
        let n = i + 1;
        let step = match raw.step_type.as_deref().unwrap_or("request") {
            _ if raw.skipped == Some(true) => Ok(not_run_step(
                n,
                raw,
                "disabled in the export (Runscope skips it too)".into(),
            )),
            "request" => match cannot_send(raw) {
                Some(why) => Ok(not_run_step(n, raw, why)),
                None => request_step(n, raw, &mut ctx),
            },
            "pause" => pause_step(n, raw, opts.pauses, org),
            other => Ok(not_run_step(n, raw, not_run_reason(other))),
        };
        steps.push(step.map_err(|e| match &raw.note {
            Some(note) if !note.trim().is_empty() => format!("step {n} (\"{}\"): {e}", note.trim()),
            _ => format!("step {n}: {e}"),
        })?);
    }
    let file_name = std::path::Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |f| f.to_string_lossy().into_owned());
    Ok(Scenario {
        version: Default::default(),
        id: id.clone().into(),
        title: name.clone(),
        profile: Profile::Okta,
        reference: format!("{name} (Runscope export {file_name})"),
        description: export.description.clone(),
        dialect: None,
        requires: vec![],
        extensions: vec![],
        headers: BTreeMap::new(),
        steps,
        variables,
    })
}

fn request_step(n: usize, raw: &RawStep, ctx: &mut Context<'_>) -> Result<Step, String> {
    let url = raw.url.as_deref().ok_or("a request step needs a `url`")?;
    let method_text = raw.method.as_deref().unwrap_or("GET").trim().to_uppercase();
    let method: Method =
        serde_json::from_value(Value::String(method_text.clone())).map_err(|_| {
            format!(
                "method `{method_text}` is not one scimcheck sends (GET, POST, PUT, PATCH, DELETE)"
            )
        })?;
    ctx.check_text("the url", url)?;
    let split = split_url(url)?;
    let mut headers = BTreeMap::new();
    let okta_api = is_org_root(&split.root);
    for (name, values) in raw.headers.iter().flatten() {
        let value = values.joined();
        let whole_auth = value
            .trim()
            .strip_prefix("{{")
            .and_then(|v| v.strip_suffix("}}"))
            .is_some_and(|v| is_auth(v.trim()));
        if name.eq_ignore_ascii_case("authorization") && whole_auth && !ctx.auth_given {
            // The run's own credentials, injected (and redacted) by the client.
            continue;
        }
        ctx.check_text(&format!("header `{name}`"), &value)?;
        headers.insert(name.clone(), Some(value));
    }
    let body =
        match raw.body.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                ctx.check_text("the body", text)?;
                Some(serde_json::from_str::<Value>(text).map_err(|e| {
                    format!("the body is not JSON ({e}); scimcheck sends JSON bodies")
                })?)
            }
        };
    let mut asserts = assertions(n, raw, ctx)?;
    asserts.extend(scripts(n, raw, ctx, asserts.first()));
    let capture = captures(raw)?;
    let expected = expected_status(&asserts);
    let (schema, resources_schema) = schemas_for(method, &split.path, expected);
    let title = match raw.note.as_deref().map(str::trim) {
        Some(note) if !note.is_empty() => note.to_string(),
        _ => format!("{method_text} {url}"),
    };
    // Snapshots record only the status of reads about the tenant's own data.
    let foreign = method == Method::Get
        && ((is_collection(&split.path) && !split.query.contains_key("filter"))
            || ctx
                .foreign
                .iter()
                .any(|v| split.path.contains(&format!("{{{{{v}}}}}"))));
    if foreign {
        ctx.foreign.extend(capture.keys().cloned());
    }
    ctx.defined.extend(capture.keys().cloned());
    Ok(Step {
        burst: None,
        fan_out: None,
        pages: None,
        id: n.to_string().into(),
        title,
        reference: None,
        needs: vec![],
        when_failed: None,
        request: Request {
            method,
            path: split.path,
            root: Some(split.root),
            query: split.query,
            headers,
            body,
            raw_body: None,
            set: Map::new(),
            remove: vec![],
            repeat: None,
        },
        expect: Expect {
            schema: schema.map(str::to_string),
            resources_schema: resources_schema.map(str::to_string),
            asserts,
            ..Expect::default()
        },
        capture,
        snapshot: if foreign {
            SnapshotMode::Status
        } else {
            SnapshotMode::Full
        },
        pause: None,
        not_run: None,
        okta_api,
    })
}

/// Whether any request of the export goes to `{{oktaOrgUrl}}`: Okta's CRUD test.
fn uses_org(export: &Export) -> bool {
    export
        .steps
        .iter()
        .filter_map(|s| s.url.as_deref())
        .filter_map(|u| split_url(u).ok())
        .any(|u| is_org_root(&u.root))
}

fn is_org_root(root: &str) -> bool {
    root.strip_prefix("{{")
        .and_then(|r| r.strip_suffix("}}"))
        .is_some_and(|r| r.trim() == ORG_URL)
}

/// Why a step of this type is listed but not run.
fn not_run_reason(step_type: &str) -> String {
    match step_type {
        "condition" => "a Runscope condition step (its branch depends on JavaScript-set variables and Runscope's evaluation), not run by scimcheck".into(),
        "subtest" => "a Runscope subtest (it runs another test of the Runscope account, which is not in this file), not run by scimcheck".into(),
        other => format!("a Runscope `{other}` step, which scimcheck does not run (it runs `request` and `pause` steps)"),
    }
}

/// A step listed with the reason it is not run: never a load error on the whole file.
/// Why scimcheck cannot send a request step as the export writes it, if so: a method it
/// does not send, or a body that is not JSON. The step is listed as not run; the file loads.
fn cannot_send(raw: &RawStep) -> Option<String> {
    let method = raw.method.as_deref().unwrap_or("GET").trim().to_uppercase();
    if serde_json::from_value::<Method>(Value::String(method.clone())).is_err() {
        return Some(format!(
            "method `{method}` is not one scimcheck sends (GET, POST, PUT, PATCH, DELETE)"
        ));
    }
    match raw.body.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => serde_json::from_str::<Value>(text)
            .err()
            .map(|e| format!("its body is not JSON ({e}); scimcheck sends JSON bodies")),
        _ => None,
    }
}

fn not_run_step(n: usize, raw: &RawStep, why: String) -> Step {
    let title = match raw.note.as_deref().map(str::trim) {
        Some(note) if !note.is_empty() => note.to_string(),
        _ => format!(
            "Runscope {} step",
            raw.step_type.as_deref().unwrap_or("request")
        ),
    };
    let mut step = pause_shell(n, title);
    step.not_run = Some(why);
    step
}

fn is_collection(path: &str) -> bool {
    matches!(path, "/Users" | "/Groups")
}

/// The status the export's status assertions ask for, when one asks for exactly one.
fn expected_status(asserts: &[crate::scenario::Assert]) -> Option<u16> {
    use crate::scenario::{Comparison, Op, Subject};
    asserts.iter().find_map(|a| match (&a.subject, &a.op) {
        (Subject::Status, Op::Compare(Comparison::Equal | Comparison::EqualNumber, v)) => {
            v.as_str().and_then(|s| s.trim().parse().ok())
        }
        _ => None,
    })
}

/// The schemas scimcheck's own rules check a successful answer against.
fn schemas_for(
    method: Method,
    path: &str,
    status: Option<u16>,
) -> (Option<&'static str>, Option<&'static str>) {
    if !matches!(status, Some(200 | 201)) {
        return (None, None);
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let kind = match segments.first() {
        Some(&"Users") => "User",
        Some(&"Groups") => "Group",
        _ => return (None, None),
    };
    match (method, segments.len()) {
        (Method::Get, 1) => (Some("ListResponse"), Some(kind)),
        (Method::Post, 1) => (Some(kind), None),
        (Method::Get | Method::Put | Method::Patch, 2) if status == Some(200) => (Some(kind), None),
        _ => (None, None),
    }
}

fn pause_step(n: usize, raw: &RawStep, wait: bool, org: bool) -> Result<Step, String> {
    let seconds = raw
        .duration
        .ok_or("a pause step needs a `duration` in seconds")?;
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!(
            "pause `duration` {seconds} is not a number of seconds from 0 to 86400"
        ));
    }
    let mut step = pause_shell(n, format!("Pause {seconds} s"));
    step.pause = Some(Pause {
        seconds,
        wait: wait && !org,
        org,
    });
    Ok(step)
}

/// A step that sends nothing.
fn pause_shell(n: usize, title: String) -> Step {
    Step {
        burst: None,
        fan_out: None,
        pages: None,
        id: n.to_string().into(),
        title,
        reference: None,
        needs: vec![],
        when_failed: None,
        request: Request {
            method: Method::Get,
            path: "/".into(),
            root: None,
            query: Map::new(),
            headers: BTreeMap::new(),
            body: None,
            raw_body: None,
            set: Map::new(),
            remove: vec![],
            repeat: None,
        },
        expect: Expect::default(),
        capture: BTreeMap::new(),
        snapshot: SnapshotMode::Full,
        pause: None,
        not_run: None,
        okta_api: false,
    }
}

/// The id of the step that creates the seed user.
pub const SEED_STEP: &str = "seed";

/// One prefixed user, so that `GET /Users?count=1` finds someone on an empty server; the
/// ledger records it and cleanup deletes it.
fn seed_step() -> Step {
    let user_name = "{{run.prefix}}seed-{{randomGivenName}}{{randomFamilyName}}@atko.com";
    Step {
        burst: None,
        fan_out: None,
        pages: None,
        id: SEED_STEP.into(),
        title: "scimcheck: create one user (run prefix, deleted at the end) so the export's first read finds a user".into(),
        reference: Some("scimcheck (--runscope-seed): not part of the export".into()),
        needs: vec![],
        when_failed: None,
        request: Request {
            method: Method::Post,
            path: "/Users".into(),
            root: None,
            query: Map::new(),
            headers: BTreeMap::new(),
            body: Some(json!({
                "schemas": [USER_SCHEMA],
                "userName": user_name,
                "name": {"givenName": "{{randomGivenName}}", "familyName": "{{randomFamilyName}}"},
                "emails": [{"primary": true, "value": user_name, "type": "work"}],
                "displayName": "{{randomGivenName}} {{randomFamilyName}}",
                "active": true
            })),
            raw_body: None,
            set: Map::new(),
            remove: vec![],
            repeat: None,
        },
        expect: Expect {
            status: vec![201],
            schema: Some("User".into()),
            ..Expect::default()
        },
        capture: BTreeMap::new(),
        snapshot: SnapshotMode::Full,
        pause: None,
        not_run: None,
        okta_api: false,
    }
}

impl Context<'_> {
    /// Every `{{variable}}` in `text` is defined; `{{auth}}` only as a whole Authorization
    /// header value, unless `--variable auth=…` was given.
    pub(super) fn check_text(&self, what: &str, text: &str) -> Result<(), String> {
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .ok_or_else(|| format!("{what}: unclosed `{{{{` in `{text}`"))?;
            let inner = &after[..end];
            let name = inner.split('|').next().unwrap_or_default().trim();
            if let Some(filter) = inner.split_once('|').map(|(_, f)| f.trim()) {
                if filter != "upper" && filter != "lower" {
                    return Err(format!(
                        "{what}: unknown template filter `{filter}` (known: upper, lower)"
                    ));
                }
            }
            if is_auth(name) && !self.auth_given {
                return Err(format!("{what}: {{{{{name}}}}} stands for the run's credentials and can only be the whole value of an Authorization header (or give --variable {name}=VALUE)"));
            }
            if !self.defined.contains(name) {
                return Err(format!(
                    "{what} uses {{{{{name}}}}}, which is not defined: it is not one of the variables scimcheck provides ({}), not captured by an earlier step, and not given with --variable {name}=VALUE",
                    variables::provided_names()
                ));
            }
            rest = &after[end + 2..];
        }
        Ok(())
    }
}
