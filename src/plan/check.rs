//! The plan stage's load-time rule: every `{{variable}}` a step uses is a built-in variable or
//! captured by an earlier step, and every filter is known. Reported with file, line and column
//! like the loader's own rules.

use std::collections::HashSet;

use serde_json::Value;

use super::template;
use super::user::{self, UserVars};
use super::vars;
use crate::scenario::{At, LoadError, Loaded, Part, Repeat, Step, Subject};

/// Scenario files (built-in and `--scenarios`: files or directories), loaded and with their
/// variables checked; `user` is what the run defines under `vars.` and `secrets.` (`None`:
/// not checked, for `scimcheck list`, which sends nothing).
pub fn load(
    paths: &[std::path::PathBuf],
    user: Option<&UserVars>,
) -> Result<Vec<Loaded>, LoadError> {
    let mut all = crate::scenario::with_user_paths(paths)?;
    // The generated scenarios' ids are known before the run reads /Schemas.
    all.extend(super::generated::placeholders());
    crate::scenario::validate_all(&all)?;
    check_variables(&all, user)?;
    super::sendable::check_sendable(&all)?;
    Ok(all)
}

/// Runscope exports (`--runscope`), converted and with their variables checked.
pub fn load_runscope(
    files: &[&std::path::Path],
    opts: &crate::scenario::runscope::RunscopeOptions,
    user: &UserVars,
) -> Result<Vec<Loaded>, LoadError> {
    let all = crate::scenario::runscope::load_all(files, opts)?;
    check_variables(&all, Some(user))?;
    Ok(all)
}

/// The first use of an undefined variable or unknown filter in `all`.
pub fn check_variables(all: &[Loaded], user: Option<&UserVars>) -> Result<(), LoadError> {
    for loaded in all {
        let s = &loaded.scenario;
        let mut defined: HashSet<String> = s.variables.iter().map(|v| v.name.clone()).collect();
        for (index, step) in s.steps.iter().enumerate() {
            step_variables(step, &s.headers, &defined, user).map_err(|(part, msg)| {
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
    user: Option<&UserVars>,
) -> Result<(), (Part, String)> {
    let step_part = |m: String| (Part::Step, m);
    // What a fan-out's or a walk's own requests see besides the scenario's variables.
    let local: &[&str] = match (&step.fan_out, &step.pages) {
        (Some(_), _) => &crate::plan::FAN_OUT_VARS,
        (None, Some(_)) => &[crate::plan::START_INDEX],
        (None, None) => &[],
    };
    let known = |name: &str, filter: Option<&str>| -> Result<(), String> {
        if local.contains(&name) {
            return Ok(());
        }
        let in_namespace = name.starts_with(user::VARS) || name.starts_with(user::SECRETS);
        match user.and_then(|u| u.check(name, filter)) {
            Some(verdict) => verdict,
            // Without a run (`scimcheck list`) the user's names cannot be checked yet.
            None if in_namespace && user.is_none() => Ok(()),
            None if vars::is_builtin(name) || defined.contains(name) => Ok(()),
            None => Err(undefined(name)),
        }
    };
    let check_text = |s: &str| -> Result<(), String> {
        for p in template::placeholders(s).map_err(|e| e.to_string())? {
            if let Some(f) = p.filter {
                template::check_filters(f)?;
            }
            known(p.name, p.filter)?;
        }
        Ok(())
    };
    let check_value = |v: &Value| -> Result<(), String> {
        let mut found = Vec::new();
        template::value_placeholder_filters(v, &mut found).map_err(|e| e.to_string())?;
        found
            .iter()
            .try_for_each(|(name, filter)| known(name, filter.as_deref()))
    };
    if let Some(f) = &step.fan_out {
        // The items are the scenario's to name: a fan-out's own variables do not exist yet.
        for v in std::iter::once(&f.each).chain(&f.batch).chain(&f.in_flight) {
            let mut found = Vec::new();
            template::value_placeholder_filters(v, &mut found)
                .map_err(|e| step_part(e.to_string()))?;
            for (name, filter) in &found {
                if crate::plan::FAN_OUT_VARS.contains(&name.as_str()) {
                    return Err(step_part(format!(
                        "`{{{{{name}}}}}` names one request of the fan-out; its items cannot use it"
                    )));
                }
                known(name, filter.as_deref()).map_err(step_part)?;
            }
        }
    }
    let mix = step.burst.iter().flat_map(|b| &b.mix);
    let fanned = step
        .fan_out
        .iter()
        .flat_map(|f| f.mix.iter().chain(&f.then));
    for req in std::iter::once(&step.request).chain(mix).chain(fanned) {
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
        if let Some(raw) = &req.raw_body {
            check_text(raw).map_err(step_part)?;
        }
        if let Some(r) = &req.repeat {
            check_text(&r.times).map_err(step_part)?;
            let mut found = Vec::new();
            template::value_placeholder_filters(&r.item, &mut found)
                .map_err(|e| step_part(e.to_string()))?;
            found
                .iter()
                .filter(|(name, _)| name != Repeat::INDEX)
                .try_for_each(|(name, filter)| known(name, filter.as_deref()))
                .map_err(step_part)?;
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
        check_variables(
            &crate::scenario::builtin().unwrap(),
            Some(&UserVars::default()),
        )
        .unwrap();
    }

    #[test]
    fn an_undefined_variable_is_located() {
        let text = "id: a.b\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: \"/Users/{{nope}}\" }\n";
        let loaded = Loaded::parse("x.yaml", text).unwrap();
        let err = check_variables(&[loaded], Some(&UserVars::default())).unwrap_err();
        assert!(err.message.contains("{{nope}}"), "{}", err.message);
        assert_eq!(err.line, Some(6));
    }
}
