//! Checks a parsed scenario cannot express in its types: one operator per assert, known
//! schemas and named checks, and every `{{variable}}` defined before it is used.

use std::collections::HashSet;

use serde_json::Value;

use super::load::{LoadError, Loaded};
use super::model::{Assert, Scenario, Step};
use super::spans::At;
use crate::check::{rules, SchemaSet};
use crate::plan::{template, vars};

pub fn validate_all(all: &[Loaded]) -> Result<(), LoadError> {
    let mut ids = HashSet::new();
    for loaded in all {
        let err = |(at, msg): (At, String)| {
            let mut e = LoadError::new(&loaded.file, msg);
            if let Some((line, column)) = loaded.spans.locate(at) {
                e.line = Some(line);
                e.column = Some(column);
            }
            e
        };
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
    if s.steps.is_empty() {
        return Err((At::Scenario, format!("scenario `{}` has no steps", s.id)));
    }
    let mut step_ids = HashSet::new();
    let mut defined: HashSet<String> = HashSet::new();
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
        if step.id == crate::snapshot::STEP_ID {
            return Err(at(format!(
                "step id `{}` is reserved for the snapshot verdict; choose another",
                step.id
            )));
        }
        if let Some(missing) = step
            .needs
            .iter()
            .find(|n| !step_ids.contains(n.as_str()) || n.as_str() == step.id)
        {
            return Err(at(format!(
                "needs `{missing}`, which is not an earlier step of this scenario"
            )));
        }
        validate_step(step, &s.headers, &defined).map_err(|(part, msg)| {
            let (_, msg) = at(msg);
            (part.locate(index), msg)
        })?;
        for (name, source) in &step.capture {
            if !(source.is_empty() || source.starts_with('/') || source.starts_with("header:")) {
                return Err(at(format!(
                    "capture `{name}: {source}`: expected a JSON pointer (`/id`), `header:Name`, or \"\" for the whole body"
                )));
            }
            defined.insert(name.clone());
        }
    }
    Ok(())
}

/// The part of a step a message is about.
enum Part {
    Step,
    Assert(usize),
    Check(usize),
}

impl Part {
    fn locate(self, step: usize) -> At {
        match self {
            Part::Step => At::Step(step),
            Part::Assert(j) => At::Assert(step, j),
            Part::Check(j) => At::Check(step, j),
        }
    }
}

fn validate_step(
    step: &Step,
    scenario_headers: &std::collections::BTreeMap<String, Option<String>>,
    defined: &HashSet<String>,
) -> Result<(), (Part, String)> {
    for (j, a) in step.expect.asserts.iter().enumerate() {
        validate_assert(a).map_err(|m| (Part::Assert(j), m))?;
        let earlier = &step.expect.asserts[..j];
        let reported = |n: &str| {
            earlier.iter().any(|e| e.id == n)
                || n.starts_with("schema.")
                || step.expect.checks.iter().any(|c| {
                    rules::find(c.id()).is_some_and(|r| {
                        r.produces.iter().any(|p| match p.strip_suffix('*') {
                            Some(prefix) => n.starts_with(prefix),
                            None => *p == n,
                        })
                    })
                })
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
    for (j, check) in step.expect.checks.iter().enumerate() {
        if !rules::is_known(check.id()) {
            return Err((
                Part::Check(j),
                format!(
                    "unknown named check `{}` (run `scimcheck list` for the known checks)",
                    check.id()
                ),
            ));
        }
    }
    step_rules(step, scenario_headers, defined).map_err(|m| (Part::Step, m))
}

fn step_rules(
    step: &Step,
    scenario_headers: &std::collections::BTreeMap<String, Option<String>>,
    defined: &HashSet<String>,
) -> Result<(), String> {
    let req = &step.request;
    let mut used = Vec::new();
    let mut text = |s: &str| -> Result<(), String> {
        for p in template::placeholders(s).map_err(|e| e.to_string())? {
            if let Some(f) = p.filter {
                if f != "upper" && f != "lower" {
                    return Err(format!(
                        "unknown template filter `{f}` (known: upper, lower)"
                    ));
                }
            }
            used.push(p.name.to_string());
        }
        Ok(())
    };
    text(&req.path)?;
    if !req.path.starts_with('/') {
        return Err(format!("request path `{}` must start with `/`", req.path));
    }
    for (name, value) in &req.query {
        match value {
            Value::String(s) => text(s)?,
            Value::Number(_) | Value::Bool(_) => {}
            _ => return Err(format!("query `{name}` must be a string or a number")),
        }
    }
    for value in req
        .headers
        .values()
        .chain(scenario_headers.values())
        .flatten()
    {
        text(value)?;
    }
    for a in &step.expect.asserts {
        for s in [&a.pointer, &a.header].into_iter().flatten() {
            text(s)?;
        }
    }
    let mut in_values = Vec::new();
    let values = req
        .body
        .iter()
        .chain(req.set.values())
        .chain(step.expect.asserts.iter().flat_map(assert_values));
    for v in values {
        template::value_placeholders(v, &mut in_values).map_err(|e| e.to_string())?;
    }
    for check in &step.expect.checks {
        if let Some(args) = check.args() {
            for v in args.values() {
                template::value_placeholders(v, &mut in_values).map_err(|e| e.to_string())?;
            }
        }
    }
    used.extend(in_values);
    for name in used {
        if !vars::is_builtin(&name) && !defined.contains(&name) {
            return Err(format!(
                "`{{{{{name}}}}}` is neither a built-in variable nor captured by an earlier step"
            ));
        }
    }
    for name in [&step.expect.schema, &step.expect.resources_schema]
        .into_iter()
        .flatten()
    {
        if SchemaSet::builtin().validate(name, &Value::Null).is_err() {
            return Err(format!(
                "unknown schema `{name}` (known: {})",
                SchemaSet::builtin().names().join(", ")
            ));
        }
    }
    for code in step
        .expect
        .status
        .iter()
        .chain(&step.expect.status_warning)
        .chain(step.expect.skip_if_status.keys())
    {
        if !(100..=599).contains(code) {
            return Err(format!("`{code}` is not an HTTP status"));
        }
    }
    for (pointer, _) in &req.set {
        if !pointer.starts_with('/') {
            return Err(format!("`set` key `{pointer}` must be a JSON pointer"));
        }
    }
    Ok(())
}

fn assert_values(a: &Assert) -> impl Iterator<Item = &Value> {
    [&a.equals, &a.not_equals, &a.contains, &a.not_contains]
        .into_iter()
        .flatten()
        .chain(a.one_of.iter().flatten())
}

fn validate_assert(a: &Assert) -> Result<(), String> {
    let ops = [
        a.equals.is_some(),
        a.not_equals.is_some(),
        a.exists.is_some(),
        a.absent.is_some(),
        a.type_.is_some(),
        a.contains.is_some(),
        a.not_contains.is_some(),
        a.one_of.is_some(),
        a.length.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if ops != 1 {
        return Err(format!(
            "assert `{}` needs exactly one of equals, not_equals, exists, absent, type, contains, not_contains, one_of, length (found {ops})",
            a.id
        ));
    }
    match (&a.pointer, &a.header) {
        (Some(p), None) if p.is_empty() || p.starts_with('/') => Ok(()),
        (Some(p), None) => Err(format!(
            "assert `{}`: pointer `{p}` must start with `/` (RFC 6901)",
            a.id
        )),
        (None, Some(_)) => Ok(()),
        _ => Err(format!(
            "assert `{}` needs exactly one of `pointer` or `header`",
            a.id
        )),
    }
}
