//! A request step's assertions, scripts and captures in scimcheck's terms.

use std::collections::BTreeMap;

use serde_json::Value;

use super::convert::Context;
use super::model::RawStep;
use super::paths::pointer_of;
use crate::scenario::{Assert, Comparison, JsonType, Op, Subject};

const SOURCES: &str = "response_status, response_json, response_headers, response_time";

/// The step's assertions as asserts `<scenario>.<step>.<n>` (n counts from 1 in the
/// export's order). Status assertions come first, and the others need the first of them:
/// a wrong status is one finding, not one per assertion.
pub(super) fn assertions(
    n: usize,
    raw: &RawStep,
    ctx: &Context<'_>,
) -> Result<Vec<Assert>, String> {
    let mut out = Vec::new();
    for (k, a) in raw.assertions.iter().flatten().enumerate() {
        let at = format!("assertion {}", k + 1);
        let property = a.property.as_deref().unwrap_or("").trim();
        let (subject, label) = match a.source.as_str() {
            "response_status" => (Subject::Status, "status".to_string()),
            "response_time" => (Subject::ResponseTime, "response time (ms)".to_string()),
            "response_json" => (
                Subject::Pointer(pointer_of(property).map_err(|e| format!("{at}: {e}"))?),
                if property.is_empty() {
                    "the body".into()
                } else {
                    property.to_string()
                },
            ),
            "response_headers" | "response_header" if !property.is_empty() => (
                Subject::Header(property.to_string()),
                format!("header {property}"),
            ),
            "response_headers" | "response_header" => {
                return Err(format!(
                    "{at}: a header assertion needs the header's name in `property`"
                ))
            }
            other => {
                return Err(format!(
                    "{at}: source `{other}` is not supported (supported: {SOURCES})"
                ))
            }
        };
        let comparison = Comparison::parse(a.comparison.trim()).ok_or_else(|| {
            format!(
                "{at}: unknown comparison `{}` (supported: {})",
                a.comparison,
                Comparison::ALL.map(Comparison::name).join(", ")
            )
        })?;
        let value = a.value.as_ref().map(|v| v.text()).unwrap_or_default();
        if comparison.takes_value() {
            ctx.check_text(&format!("{at}'s value"), &value)?;
        }
        let shown = if comparison.takes_value() {
            format!(" {value}")
        } else {
            String::new()
        };
        out.push(Assert {
            id: format!("{}.{n}.{}", ctx.scenario, k + 1),
            subject,
            op: Op::Compare(comparison, Value::String(value.clone())),
            ignore_case: false,
            severity: None,
            reference: None,
            needs: vec![],
            may_ignore: false,
            hint: Some(format!(
                "{} expects {label} {}{shown}.",
                ctx.test,
                comparison.words()
            )),
        });
    }
    // Stable: the status assertions first, each group in the export's order.
    out.sort_by_key(|a| !matches!(a.subject, Subject::Status));
    if let Some(status) = out
        .first()
        .filter(|a| a.subject == Subject::Status)
        .map(|a| a.id.clone())
    {
        for a in out.iter_mut().filter(|a| !a.subject.is_response_level()) {
            a.needs.push(status.clone());
        }
    }
    Ok(out)
}

/// The step's scripts as asserts `<scenario>.<step>.script-<j>`: skipped with their first
/// line, since scimcheck runs no JavaScript, except Okta's "Resources is an array" check,
/// which is checked natively.
pub(super) fn scripts(
    n: usize,
    raw: &RawStep,
    ctx: &Context<'_>,
    status: Option<&Assert>,
) -> Vec<Assert> {
    let before = raw
        .before_scripts
        .iter()
        .flatten()
        .map(|s| ("before the request", s));
    let after = raw
        .scripts
        .iter()
        .flatten()
        .map(|s| ("after the response", s));
    let status = status
        .filter(|a| a.subject == Subject::Status)
        .map(|a| a.id.clone());
    before
        .chain(after)
        .filter(|(_, text)| !text.trim().is_empty())
        .enumerate()
        .map(|(j, (when, text))| {
            let id = format!("{}.{n}.script-{}", ctx.scenario, j + 1);
            if when == "after the response" && is_resources_array_check(text) {
                return Assert {
                    id,
                    subject: Subject::Pointer("/Resources".into()),
                    op: Op::Type(JsonType::Array),
                    ignore_case: false,
                    severity: None,
                    reference: None,
                    needs: status.iter().cloned().collect(),
                    hint: Some(
                        "Return `Resources` as a JSON array (Okta's script checks it).".into(),
                    ),
                    may_ignore: false,
                };
            }
            let first = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or_default();
            Assert {
                id,
                subject: Subject::Pointer(String::new()),
                op: Op::Script(format!(
                    "a script {when} was not run (scimcheck runs no JavaScript): {first}"
                )),
                ignore_case: false,
                severity: None,
                reference: None,
                needs: vec![],
                may_ignore: false,
                hint: None,
            }
        })
        .collect()
}

/// Okta's script: `var data = JSON.parse(response.body); assert.isArray(data.Resources…)`,
/// and nothing else that asserts or sets variables.
fn is_resources_array_check(script: &str) -> bool {
    let compact: String = script
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let Some((var, _)) = compact
        .strip_prefix("var")
        .or_else(|| compact.strip_prefix("let"))
        .or_else(|| compact.strip_prefix("const"))
        .and_then(|r| r.split_once("=JSON.parse(response.body);"))
    else {
        return false;
    };
    compact.contains(&format!("assert.isArray({var}.Resources"))
        && compact.matches("assert").count() == 1
        && !compact.contains("variables.")
}

/// Captures as a step's `capture` map: a JSON pointer, `header:Name` or `status`.
pub(super) fn captures(raw: &RawStep) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (k, c) in raw.variables.iter().flatten().enumerate() {
        let name = c.name.as_deref().unwrap_or("").trim();
        // A blank row (Okta's CRUD test has one) captures nothing, as in Runscope.
        if name.is_empty() {
            continue;
        }
        let at = format!("variable {} (`{name}`)", k + 1);
        if name.contains(['{', '}', '|']) {
            return Err(format!("{at}: a variable needs a plain `name`"));
        }
        let property = c.property.as_deref().unwrap_or("").trim();
        let source = match c.source.as_str() {
            "response_json" => pointer_of(property).map_err(|e| format!("{at}: {e}"))?,
            "response_header" | "response_headers" if !property.is_empty() => {
                format!("header:{property}")
            }
            "response_status" => "status".to_string(),
            other => {
                return Err(format!(
                    "{at}: source `{other}` is not supported (supported: response_json, response_header with the header's name, response_status)"
                ))
            }
        };
        out.insert(name.to_string(), source);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okta_array_script_is_recognised_and_others_are_not() {
        assert!(is_resources_array_check(
            "var data = JSON.parse(response.body);\nassert.isArray(data.Resources, \"Resources is an array\");"
        ));
        assert!(is_resources_array_check(
            "// Okta\nvar body=JSON.parse(response.body)\n;assert.isArray(body.Resources);"
        ));
        assert!(!is_resources_array_check(
            "var data = JSON.parse(response.body);\nassert.isArray(data.Resources);\nassert.equal(data.totalResults, 1);"
        ));
        assert!(!is_resources_array_check(
            "var data = JSON.parse(response.body);\nvariables.set('x', data.id);\nassert.isArray(data.Resources);"
        ));
        assert!(!is_resources_array_check(
            "assert.isArray(JSON.parse(response.body).Resources);"
        ));
    }
}
