//! JSON Schema findings of one response: the step's schemas (one finding per attribute,
//! however many resources of a list break it), the rules every returned resource gets, and
//! the Error schema beyond what the error rules already report.

use serde_json::Value;

use super::outcome::CheckOutcome;
use super::rules;
use super::schema::SchemaSet;
use super::step::StepContext;
use crate::scim::json::{clip, member};
use crate::scim::Severity;

/// The Error schema, for what the error rules do not already cover (`schemas` and `status`
/// have rules of their own, so one defect is reported once).
pub fn error_schema(body: &Value) -> CheckOutcome {
    const REFERENCE: &str = "RFC 7644 §3.12 (Error schema)";
    let violations: Vec<_> = SchemaSet::builtin()
        .validate("Error", body)
        .unwrap_or_default()
        .into_iter()
        .filter(|v| {
            !(v.pointer.starts_with("/schemas")
                || v.pointer.starts_with("/status")
                || (v.pointer.is_empty()
                    && (v.message.contains("\"schemas\"") || v.message.contains("\"status\""))))
        })
        .collect();
    match violations.first() {
        None => CheckOutcome::pass(
            "schema.Error",
            REFERENCE,
            "the error body matches the Error schema",
        ),
        Some(v) => CheckOutcome::fail(
            "schema.Error",
            Severity::Error,
            REFERENCE,
            format!("{}: {}", v.pointer, v.message),
            "Send scimType and detail as strings (RFC 7644 §3.12).",
        )
        .at(v.pointer.clone()),
    }
}

/// The step's schema checks and the resource rules, appended to `out`.
pub fn schema_checks(ctx: &StepContext<'_>, body: &Value, out: &mut Vec<CheckOutcome>) {
    let expect = &ctx.step.expect;
    let set = SchemaSet::builtin();
    let mut targets: Vec<(&str, String, &Value)> = Vec::new();
    if let Some(name) = &expect.schema {
        targets.push((name, String::new(), body));
    }
    if let Some(name) = &expect.resources_schema {
        for (i, r) in member(body, "Resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            targets.push((name, format!("/Resources/{i}"), r));
        }
    }
    let resource_rules = [&expect.schema, &expect.resources_schema]
        .into_iter()
        .flatten()
        .any(|n| matches!(n.as_str(), "User" | "Group"));
    // Per schema name: whether any validated value failed it. Named up front, so an empty
    // page still reports the check (the list of checks never depends on the data).
    let mut verdicts: Vec<(&str, bool)> = [&expect.schema, &expect.resources_schema]
        .into_iter()
        .flatten()
        .map(|n| (n.as_str(), false))
        .collect();
    verdicts.dedup();
    // The ListResponse rules speak for these members; the schema would repeat them.
    let list_rules = expect
        .checks
        .iter()
        .any(|c| c.id() == "rfc7644.list-response");
    let covered = |name: &str, pointer: &str| {
        list_rules
            && name == "ListResponse"
            && ([
                "/totalResults",
                "/startIndex",
                "/itemsPerPage",
                "/Resources",
            ]
            .contains(&pointer)
                || pointer.starts_with("/schemas"))
    };
    // One finding per schema attribute, however many resources of a list break it.
    let mut findings: Vec<(String, String, Vec<String>, String)> = Vec::new();
    for (name, base, value) in &targets {
        let Ok(violations) = set.validate(name, value) else {
            continue;
        };
        let violations: Vec<_> = violations
            .into_iter()
            .filter(|v| !covered(name, &v.pointer))
            .collect();
        let failed = !violations.is_empty();
        for v in violations {
            let pointer = format!("{base}{}", v.pointer);
            let attr = v
                .pointer
                .trim_start_matches('/')
                .split('/')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or("root");
            let id = format!("schema.{name}.{attr}");
            match findings.iter_mut().find(|f| f.0 == id) {
                Some(f) => f.2.push(pointer),
                None => findings.push((id, name.to_string(), vec![pointer], v.message)),
            }
        }
        match verdicts.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 |= failed,
            None => verdicts.push((name, failed)),
        }
    }
    for (id, name, pointers, message) in findings {
        let more = match pointers.len() {
            1 => String::new(),
            n => format!(
                " (also at {} more: {})",
                n - 1,
                clip(&pointers[1..].join(", "), 120)
            ),
        };
        out.push(
            CheckOutcome::fail(
                id,
                Severity::Error,
                &format!("RFC 7643 ({name} schema)"),
                format!("{}: {message}{more}", pointers[0]),
                format!("Make the response match the {name} schema of RFC 7643."),
            )
            .at(pointers[0].clone()),
        );
    }
    for (name, _) in verdicts.into_iter().filter(|(_, failed)| !failed) {
        out.push(CheckOutcome::pass(
            format!("schema.{name}"),
            &format!("RFC 7643 ({name} schema)"),
            format!("the response matches the {name} schema"),
        ));
    }
    let single = expect
        .schema
        .as_deref()
        .is_some_and(|n| matches!(n, "User" | "Group"));
    for rule in rules::BODY_RULES {
        if (rule.lists && resource_rules) || (!rule.lists && single) {
            out.push((rule.run)(ctx, body));
        }
    }
}
