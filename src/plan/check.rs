//! The plan stage's load-time rule: every `{{variable}}` a step uses is a built-in variable or
//! captured by an earlier step, and every filter is known. Reported with file, line and column
//! like the loader's own rules.

use std::collections::HashSet;

use serde_json::Value;

use super::template;
use super::vars;
use crate::scenario::{At, LoadError, Loaded, Part, Step, Subject};

/// Scenario files (built-in and `--scenarios`: files or directories), loaded and with their
/// variables checked.
pub fn load(paths: &[std::path::PathBuf]) -> Result<Vec<Loaded>, LoadError> {
    let mut all = crate::scenario::with_user_paths(paths)?;
    // The generated scenarios' ids are known before the run reads /Schemas.
    all.extend(super::generated::placeholders());
    crate::scenario::validate_all(&all)?;
    check_variables(&all)?;
    super::sendable::check_sendable(&all)?;
    Ok(all)
}

/// Runscope exports (`--runscope`), converted and with their variables checked.
pub fn load_runscope(
    files: &[&std::path::Path],
    opts: &crate::scenario::runscope::RunscopeOptions,
) -> Result<Vec<Loaded>, LoadError> {
    let all = crate::scenario::runscope::load_all(files, opts)?;
    check_variables(&all)?;
    Ok(all)
}

/// The first use of an undefined variable or unknown filter in `all`.
pub fn check_variables(all: &[Loaded]) -> Result<(), LoadError> {
    for loaded in all {
        let s = &loaded.scenario;
        let mut defined: HashSet<String> = s.variables.iter().map(|v| v.name.clone()).collect();
        for (index, step) in s.steps.iter().enumerate() {
            step_variables(step, &s.headers, &defined).map_err(|(part, msg)| {
                let at: At = part.locate(index);
                loaded.error_at(
                    at,
                    format!("scenario `{}`, step `{}`: {msg}", s.id, step.id),
                )
            })?;
            defined.extend(step.capture.keys().cloned());
        }
    }
    Ok(())
}

fn step_variables(
    step: &Step,
    scenario_headers: &std::collections::BTreeMap<String, Option<String>>,
    defined: &HashSet<String>,
) -> Result<(), (Part, String)> {
    let known = |name: &str| vars::is_builtin(name) || defined.contains(name);
    let check_text = |s: &str| -> Result<(), String> {
        for p in template::placeholders(s).map_err(|e| e.to_string())? {
            if let Some(f) = p.filter {
                if f != "upper" && f != "lower" {
                    return Err(format!(
                        "unknown template filter `{f}` (known: upper, lower)"
                    ));
                }
            }
            if !known(p.name) {
                return Err(undefined(p.name));
            }
        }
        Ok(())
    };
    let check_value = |v: &Value| -> Result<(), String> {
        let mut names = Vec::new();
        template::value_placeholders(v, &mut names).map_err(|e| e.to_string())?;
        match names.iter().find(|n| !known(n)) {
            Some(name) => Err(undefined(name)),
            None => Ok(()),
        }
    };
    let step_part = |m: String| (Part::Step, m);
    let mix = step.burst.iter().flat_map(|b| &b.mix);
    for req in std::iter::once(&step.request).chain(mix) {
        check_text(&req.path).map_err(step_part)?;
        if let Some(root) = &req.root {
            check_text(root).map_err(step_part)?;
        }
        for value in req.query.values() {
            if let Value::String(s) = value {
                check_text(s).map_err(step_part)?;
            }
        }
        for value in req
            .headers
            .values()
            .chain(scenario_headers.values())
            .flatten()
        {
            check_text(value).map_err(step_part)?;
        }
        for v in req.body.iter().chain(req.set.values()) {
            check_value(v).map_err(step_part)?;
        }
    }
    for (j, a) in step.expect.asserts.iter().enumerate() {
        let part = |m: String| (Part::Assert(j), m);
        match &a.subject {
            Subject::Pointer(s) | Subject::Header(s) => check_text(s).map_err(part)?,
            Subject::Status | Subject::ResponseTime => {}
        }
        for v in a.op.values() {
            check_value(v).map_err(part)?;
        }
    }
    for (j, c) in step.expect.checks.iter().enumerate() {
        for v in c.values() {
            check_value(&v).map_err(|m| (Part::Check(j), m))?;
        }
    }
    Ok(())
}

fn undefined(name: &str) -> String {
    format!("`{{{{{name}}}}}` is neither a built-in variable nor captured by an earlier step")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_scenarios_use_only_defined_variables() {
        check_variables(&crate::scenario::builtin().unwrap()).unwrap();
    }

    #[test]
    fn an_undefined_variable_is_located() {
        let text = "id: a.b\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: \"/Users/{{nope}}\" }\n";
        let loaded = Loaded::parse("x.yaml", text).unwrap();
        let err = check_variables(&[loaded]).unwrap_err();
        assert!(err.message.contains("{{nope}}"), "{}", err.message);
        assert_eq!(err.line, Some(6));
    }
}
