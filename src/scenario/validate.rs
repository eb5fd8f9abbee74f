//! Checks a parsed scenario cannot express in its types: unique ids, `needs` that name
//! earlier steps or findings, known schemas, well-formed paths, statuses and captures. (Each
//! assert's single operator and each named check's arguments are checked by their types;
//! the plan stage checks that every `{{variable}}` is defined before it is used.)

use std::collections::HashSet;

use serde_json::Value;

use super::load::{LoadError, Loaded};
use super::model::{Burst, Scenario, Step};
use super::spans::At;
use crate::scim::schemas;

/// The first rule any of `all` breaks, as a load error with file, line and column.
pub fn validate_all(all: &[Loaded]) -> Result<(), LoadError> {
    let mut ids = HashSet::new();
    for loaded in all {
        let err = |(at, msg): (At, String)| loaded.error_at(at, msg);
        if !ids.insert(loaded.scenario.id.as_str()) {
            return Err(err((
                At::Scenario,
                format!(
                    "scenario id `{}` is used by another scenario; ids must be unique",
                    loaded.scenario.id
                ),
            )));
        }
        validate(&loaded.scenario).map_err(err)?;
    }
    Ok(())
}

/// The first rule `s` breaks, with where it is broken.
fn validate(s: &Scenario) -> Result<(), (At, String)> {
    if s.id.is_empty()
        || !s
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err((
            At::Scenario,
            format!(
                "scenario id `{}`: use lowercase letters, digits, `.`, `-` and `_`",
                s.id
            ),
        ));
    }
    if s.dialect.is_some() && s.profile != super::model::Profile::Entra {
        return Err((
            At::Scenario,
            format!(
                "scenario `{}`: `dialect` names an Entra ID PATCH dialect; only an entra scenario has one",
                s.id
            ),
        ));
    }
    if let Some(bad) = s
        .extensions
        .iter()
        .find(|e| !e.to_ascii_lowercase().starts_with("urn:"))
    {
        return Err((
            At::Scenario,
            format!(
                "scenario `{}`: extensions: `{bad}` is not a schema URN (e.g. urn:ietf:params:scim:schemas:extension:enterprise:2.0:User)",
                s.id
            ),
        ));
    }
    if s.steps.is_empty() {
        return Err((At::Scenario, format!("scenario `{}` has no steps", s.id)));
    }
    let mut step_ids = HashSet::new();
    // A step may need a value an earlier create was to keep: an assert of an earlier step.
    let mut earlier_asserts: HashSet<&str> = HashSet::new();
    for (index, step) in s.steps.iter().enumerate() {
        let at = |msg: String| {
            (
                At::Step(index),
                format!("scenario `{}`, step `{}`: {msg}", s.id, step.id),
            )
        };
        if !step_ids.insert(step.id.as_str()) {
            return Err(at("step id is used twice in this scenario".into()));
        }
        if let Some(missing) = step.needs.iter().find(|n| {
            (!step_ids.contains(n.as_str()) || **n == step.id)
                && !earlier_asserts.contains(n.as_str())
        }) {
            return Err(at(format!(
                "needs `{missing}`, which is neither an earlier step of this scenario nor an assert of one"
            )));
        }
        validate_step(step).map_err(|(part, msg)| {
            let (_, msg) = at(msg);
            (part.locate(index), msg)
        })?;
        earlier_asserts.extend(step.expect.asserts.iter().map(|a| a.id.as_str()));
        for (name, source) in &step.capture {
            if !(source.is_empty()
                || source.starts_with('/')
                || source.starts_with("header:")
                || source == "status")
            {
                return Err(at(format!(
                    "capture `{name}: {source}`: expected a JSON pointer (`/id`), `header:Name`, `status`, or \"\" for the whole body"
                )));
            }
        }
    }
    Ok(())
}

/// The part of a step a message is about.
pub(crate) enum Part {
    Step,
    Assert(usize),
    Check(usize),
}

impl Part {
    /// Where in the file the part of step `step` is.
    pub(crate) fn locate(self, step: usize) -> At {
        match self {
            Part::Step => At::Step(step),
            Part::Assert(j) => At::Assert(step, j),
            Part::Check(j) => At::Check(step, j),
        }
    }
}

fn validate_step(step: &Step) -> Result<(), (Part, String)> {
    for (j, a) in step.expect.asserts.iter().enumerate() {
        let earlier = &step.expect.asserts[..j];
        let reported = |n: &str| {
            earlier.iter().any(|e| e.id == n)
                || n.starts_with("schema.")
                || step.expect.checks.iter().any(|c| c.reports(n))
        };
        if let Some(missing) = a.needs.iter().find(|n| !reported(n)) {
            return Err((
                Part::Assert(j),
                format!(
                    "assert `{}` needs `{missing}`, which is neither an earlier assert of this step, a schema finding, nor reported by one of its named checks",
                    a.id
                ),
            ));
        }
    }
    step_rules(step).map_err(|m| (Part::Step, m))
}

fn step_rules(step: &Step) -> Result<(), String> {
    let req = &step.request;
    if !req.path.starts_with('/') {
        return Err(format!("request path `{}` must start with `/`", req.path));
    }
    for (name, value) in &req.query {
        if !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
            return Err(format!("query `{name}` must be a string or a number"));
        }
    }
    for name in [&step.expect.schema, &step.expect.resources_schema]
        .into_iter()
        .flatten()
    {
        if !schemas::is_known(name) {
            return Err(format!(
                "unknown schema `{name}` (known: {})",
                schemas::names().join(", ")
            ));
        }
    }
    for code in step
        .expect
        .status
        .iter()
        .chain(&step.expect.status_warning)
        .chain(step.expect.skip_if_status.keys())
        .chain(step.expect.unsupported_if_status.keys())
        .chain(step.expect.status_note.keys())
    {
        if !(100..=599).contains(code) {
            return Err(format!("`{code}` is not an HTTP status"));
        }
    }
    if req.raw_body.is_some()
        && (req.body.is_some() || !req.set.is_empty() || !req.remove.is_empty())
    {
        return Err(
            "`raw_body` is sent verbatim: it cannot be combined with `body`, `set` or `remove`"
                .into(),
        );
    }
    for (pointer, _) in &req.set {
        if !pointer.starts_with('/') {
            return Err(format!("`set` key `{pointer}` must be a JSON pointer"));
        }
    }
    if let Some(burst) = &step.burst {
        burst_rules(step, burst)?;
    }
    set_rules(step)
}

/// A step sends one request, a burst, a fan-out or a walk: never two of those at once.
fn set_rules(step: &Step) -> Result<(), String> {
    let modes = [
        step.burst.is_some(),
        step.fan_out.is_some(),
        step.pages.is_some(),
    ];
    if modes.iter().filter(|m| **m).count() > 1 {
        return Err("a step has at most one of `burst`, `fan_out` and `pages`".into());
    }
    if let Some(f) = &step.fan_out {
        for req in f.mix.iter().chain(&f.then) {
            if !req.path.starts_with('/') {
                return Err(format!("request path `{}` must start with `/`", req.path));
            }
        }
        if let Some(then) = &f.then {
            if then.method != crate::scim::Method::Get {
                return Err("fan_out `then` is the read sent after each write: a GET".into());
            }
            if f.until_success {
                return Err("a probe (`until_success`) has no `then` read".into());
            }
        }
        if f.rate.is_some_and(|r| !(1..=Burst::MAX_RATE).contains(&r)) {
            return Err(format!(
                "fan_out rate must be from 1 to {} requests per second",
                Burst::MAX_RATE
            ));
        }
    }
    if let Some(p) = &step.pages {
        if !(1..=1000).contains(&p.count) {
            return Err("pages count must be from 1 to 1000".into());
        }
        let req = &step.request;
        let uses_start = req.path.contains("start_index")
            || req
                .query
                .values()
                .any(|v| v.as_str().is_some_and(|s| s.contains("start_index")));
        if req.method != crate::scim::Method::Get || !uses_start {
            return Err(
                "a walk (`pages`) sends a GET whose query holds `startIndex: \"{{start_index}}\"`"
                    .into(),
            );
        }
    }
    Ok(())
}

/// A burst sends only reads, at a bounded rate for a bounded time.
fn burst_rules(step: &Step, burst: &Burst) -> Result<(), String> {
    if !(1..=Burst::MAX_RATE).contains(&burst.rate) {
        return Err(format!(
            "burst rate {} must be from 1 to {} requests per second",
            burst.rate,
            Burst::MAX_RATE
        ));
    }
    if !(1..=Burst::MAX_SECONDS).contains(&burst.seconds) {
        return Err(format!(
            "burst seconds {} must be from 1 to {}",
            burst.seconds,
            Burst::MAX_SECONDS
        ));
    }
    for req in std::iter::once(&step.request).chain(&burst.mix) {
        let writes = req.method != crate::scim::Method::Get
            || req.body.is_some()
            || req.raw_body.is_some()
            || !req.set.is_empty()
            || !req.remove.is_empty();
        if writes {
            return Err(format!(
                "a burst sends only GET requests without a body (found {} {})",
                req.method.as_str(),
                req.path
            ));
        }
        if !req.path.starts_with('/') {
            return Err(format!("request path `{}` must start with `/`", req.path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::load::builtin;
    use super::super::model::Dialect;

    #[test]
    fn a_builtin_scenario_named_after_a_dialect_declares_it() {
        for l in builtin().unwrap() {
            let s = &l.scenario;
            let named = [Dialect::V2017, Dialect::V2020]
                .into_iter()
                .find(|d| s.id.ends_with(&format!(".{d}")));
            assert_eq!(s.dialect, named, "{}", s.id);
        }
    }

    #[test]
    fn a_dialect_outside_the_entra_profile_is_refused() {
        let text = "id: a.b\ntitle: t\nprofile: okta\ndialect: 2017\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n";
        let loaded = super::super::Loaded::parse("x.yaml", text).unwrap();
        let err = super::validate_all(&[loaded]).unwrap_err();
        assert!(
            err.message.contains("only an entra scenario"),
            "{}",
            err.message
        );
    }

    #[test]
    fn an_extension_that_is_not_a_urn_is_refused() {
        let text = "id: a.b\ntitle: t\nprofile: rfc\nreference: r\nextensions: [enterprise]\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n";
        let loaded = super::super::Loaded::parse("x.yaml", text).unwrap();
        let err = super::validate_all(&[loaded]).unwrap_err();
        assert!(
            err.message.contains("`enterprise` is not a schema URN"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_step_may_need_an_assert_of_an_earlier_step_but_not_a_later_one() {
        let steps = "steps:\n  - id: a\n    title: t\n    request: { method: GET, path: /Users }\n    expect:\n      asserts: [{ id: a.kept, pointer: /x, exists: true }]\n  - id: b\n    title: t\n    needs: [a.kept]\n    request: { method: GET, path: /Users }\n";
        let text = format!("id: a.b\ntitle: t\nprofile: rfc\nreference: r\n{steps}");
        let loaded = super::super::Loaded::parse("x.yaml", &text).unwrap();
        assert!(super::validate_all(&[loaded]).is_ok());
        let later = text.replace("needs: [a.kept]", "needs: [b.kept]");
        let loaded = super::super::Loaded::parse("x.yaml", &later).unwrap();
        let err = super::validate_all(&[loaded]).unwrap_err();
        assert!(
            err.message.contains("neither an earlier step"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_raw_body_beside_a_json_body_is_refused_where_it_is_written() {
        let text = "id: a.b\ntitle: t\nprofile: rfc\nreference: r\nsteps:\n  - id: s\n    title: t\n    request:\n      method: POST\n      path: /Users\n      body: { userName: x }\n      raw_body: '{\"userName\": '\n";
        let loaded = super::super::Loaded::parse("x.yaml", text).unwrap();
        let err = super::validate_all(&[loaded]).unwrap_err();
        assert!(
            err.message.contains("`raw_body` is sent verbatim"),
            "{}",
            err.message
        );
        assert_eq!((err.line, err.column), (Some(6), Some(9)));
    }

    #[test]
    fn an_unknown_dialect_is_refused() {
        let text = "id: a.b\ntitle: t\nprofile: entra\ndialect: 2019\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n";
        let err = super::super::Loaded::parse("x.yaml", text).unwrap_err();
        assert!(
            err.message.contains("unknown dialect `2019`"),
            "{}",
            err.message
        );
        assert_eq!(err.line, Some(4));
    }
}
