//! Declarative asserts from scenario files, evaluated against one exchange.

use serde_json::Value;

use super::compare::{compare, property_of, text};
use super::outcome::CheckOutcome;
use crate::exec::Exchange;
use crate::scenario::{Assert, Comparison, Op, Subject};
use crate::scim::json::{clip, contains, equal, lookup, same_value_as_string, short};
use crate::scim::Severity;

const SHOW: usize = 120;

/// Evaluates one assert, rendered by the plan stage (or the reason it could not be, which
/// skips it).
pub fn evaluate(
    a: &Assert,
    rendered: &Result<Assert, String>,
    exchange: &Exchange,
    reference: &str,
) -> CheckOutcome {
    let reference = a.reference.as_deref().unwrap_or(reference);
    let severity = a.severity.unwrap_or(Severity::Error);
    match rendered
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|r| evaluate_inner(r, exchange))
    {
        Ok((true, message, at)) => {
            let mut out = CheckOutcome::pass(&a.id, reference, message);
            out.severity = severity;
            out.pointer = at;
            out
        }
        Ok((false, message, at)) => {
            // The rendered assert, so a derived fix shows values rather than `{{variables}}`.
            let fix = rendered.as_ref().unwrap_or(a).fix();
            // `info` is for what the RFC leaves to the server (a MAY): never a finding, but
            // the asserts that need it are skipped.
            let mut out = if severity == Severity::Info {
                CheckOutcome::unmet_note(&a.id, reference, message, fix)
            } else {
                CheckOutcome::fail(&a.id, severity, reference, message, fix)
            };
            out.pointer = at;
            out
        }
        Err(reason) => CheckOutcome::skip(&a.id, reference, reason),
    }
}

type Verdict = (bool, String, Option<String>);

fn evaluate_inner(a: &Assert, exchange: &Exchange) -> Result<Verdict, String> {
    if let Op::Script(why) = &a.op {
        return Err(why.clone());
    }
    let response = exchange.response.as_ref().ok_or("no response to check")?;
    let (subject, actual): (String, Option<Value>) = match &a.subject {
        Subject::Pointer(p) => {
            let body = response
                .json
                .as_ref()
                .ok_or("the response body is not JSON")?;
            if !p.is_empty() && !body.is_object() {
                // The schema check reports the one defect; every pointer would only repeat it.
                return Err("the response body is not a JSON object".into());
            }
            (p.clone(), lookup(body, p).cloned())
        }
        Subject::Header(h) => {
            let v = response.header(h).map(|s| Value::String(s.to_string()));
            (format!("header {h}"), v)
        }
        Subject::Status => ("status".into(), Some(Value::from(response.status))),
        Subject::ResponseTime => (
            "response time (ms)".into(),
            Some(Value::from(exchange.duration_ms)),
        ),
    };
    let at = matches!(a.subject, Subject::Pointer(_)).then(|| subject.clone());
    if let Op::Compare(comparison, operand) = &a.op {
        return Ok(runscope_verdict(
            a,
            *comparison,
            operand,
            actual.as_ref(),
            at,
        ));
    }
    let shown = actual
        .as_ref()
        .map_or("nothing".to_string(), |v| short(v, SHOW));
    let present = actual.as_ref().is_some_and(|v| !v.is_null());
    let ic = a.ignore_case;
    // (passed, what a failure reports, what a pass reports)
    let (ok, failed, passed) = match &a.op {
        Op::Equals(expected) => {
            let ok = actual.as_ref().is_some_and(|v| equal(v, expected, ic));
            let stringly = !ok
                && actual
                    .as_ref()
                    .is_some_and(|v| same_value_as_string(v, expected));
            let note = if stringly {
                " (as a string: a type error reported by the schema checks)"
            } else {
                ""
            };
            (
                ok || stringly,
                format!("expected {}, got {shown}", short(expected, SHOW)),
                format!("{shown}, as expected{note}"),
            )
        }
        Op::NotEquals(unexpected) => {
            let ok = !actual.as_ref().is_some_and(|v| equal(v, unexpected, ic));
            (
                ok,
                format!("must differ from {}, got {shown}", short(unexpected, SHOW)),
                format!("{shown}, not {}", short(unexpected, SHOW)),
            )
        }
        Op::Present(want) => (
            present == *want,
            format!(
                "{} expected, got {shown}",
                if *want { "a value" } else { "no value" }
            ),
            if *want {
                format!("present: {shown}")
            } else {
                "absent, as expected".to_string()
            },
        ),
        Op::Type(t) => {
            let ok = actual.as_ref().is_some_and(|v| t.matches(v));
            (
                ok,
                format!("expected a JSON {}, got {shown}", t.as_str()),
                format!("a JSON {}: {shown}", t.as_str()),
            )
        }
        Op::Contains(expected) => {
            let ok = actual.as_ref().is_some_and(|v| contains(v, expected, ic));
            (
                ok,
                format!("expected to contain {}, got {shown}", short(expected, SHOW)),
                format!("contains {}", short(expected, SHOW)),
            )
        }
        Op::NotContains(expected) => {
            let ok = !actual.as_ref().is_some_and(|v| contains(v, expected, ic));
            (
                ok,
                format!("must not contain {}, got {shown}", short(expected, SHOW)),
                format!("does not contain {}", short(expected, SHOW)),
            )
        }
        Op::OneOf(options) => {
            let ok = actual
                .as_ref()
                .is_some_and(|v| options.iter().any(|o| equal(v, o, ic)));
            let listed = short(&Value::Array(options.clone()), SHOW);
            (
                ok,
                format!("expected one of {listed}, got {shown}"),
                format!("{shown}, one of {listed}"),
            )
        }
        Op::Compare(..) | Op::Script(_) => unreachable!("handled above"),
        Op::Length(n) => {
            // An empty multi-valued attribute may be omitted or null (RFC 7643 §2.5).
            let len = match &actual {
                None | Some(Value::Null) => Some(0),
                Some(Value::Array(items)) => Some(items.len()),
                Some(_) => None,
            };
            (
                len == Some(*n),
                format!("expected {n} element(s), got {shown}"),
                if *n == 0 && actual.is_none() {
                    "no elements (omitted, as RFC 7643 §2.5 allows)".to_string()
                } else {
                    format!("{n} element(s), as expected")
                },
            )
        }
    };
    let message = if ok { passed } else { failed };
    Ok((ok, format!("{subject}: {message}"), at))
}

/// A Runscope comparison, worded as Runscope's editor shows it: `status equals 201`,
/// `Resources[0].name.givenName equals Runscope123`.
fn runscope_verdict(
    a: &Assert,
    comparison: Comparison,
    operand: &Value,
    actual: Option<&Value>,
    at: Option<String>,
) -> Verdict {
    let label = match &a.subject {
        Subject::Pointer(p) => property_of(p),
        Subject::Header(h) => format!("header {h}"),
        Subject::Status => "status".into(),
        Subject::ResponseTime => "response time (ms)".into(),
    };
    let operand = text(operand);
    let ok = compare(comparison, actual, &operand);
    let shown = if comparison.takes_value() {
        format!(" {}", clip(&operand, SHOW))
    } else {
        String::new()
    };
    let mut message = format!("{label} {}{shown}", comparison.words());
    if !ok {
        let got = actual.map_or("nothing".to_string(), |v| clip(&text(v), SHOW));
        message.push_str(&format!(": got {got}"));
    }
    (ok, message, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckStatus;
    use crate::exec::{RecordedRequest, RecordedResponse};
    use crate::scenario::JsonType;
    use crate::scim::Method;
    use serde_json::json;

    fn exchange(body: Value) -> Exchange {
        let mut headers = crate::exec::Headers::new();
        headers.insert("etag".into(), "W/\"1\"".into());
        Exchange {
            request: RecordedRequest {
                method: Method::Get,
                url: "http://h/scim/v2/Users/1".into(),
                headers: Default::default(),
                body: None,
                raw_body: None,
            },
            response: Some(RecordedResponse::new(200, headers, body.to_string(), false)),
            error: None,
            started: None,
            duration_ms: 1,
            throttled: vec![],
        }
    }

    fn assert_with(op: Op, f: impl FnOnce(&mut Assert)) -> Assert {
        let mut a = Assert {
            id: "t.check".into(),
            subject: Subject::Pointer("/active".into()),
            op,
            ignore_case: false,
            severity: None,
            reference: None,
            needs: vec![],
            hint: Some("fix it".into()),
            may_ignore: false,
        };
        f(&mut a);
        a
    }

    fn run(a: &Assert, body: Value) -> CheckOutcome {
        evaluate(a, &Ok(a.clone()), &exchange(body), "RFC 7643 §4.1.1")
    }

    #[test]
    fn equals_passes_and_fails() {
        let a = assert_with(Op::Equals(json!(false)), |_| {});
        assert_eq!(
            run(&a, json!({"active": false})).status,
            CheckStatus::Passed
        );
        let out = run(&a, json!({"active": true}));
        assert_eq!(out.status, CheckStatus::Failed);
        assert_eq!(out.message, "/active: expected false, got true");
        assert_eq!(out.pointer.as_deref(), Some("/active"));
        assert_eq!(out.hint.as_deref(), Some("fix it"));
    }

    #[test]
    fn without_a_hint_the_fix_is_said_from_the_rendered_assert() {
        let written = assert_with(Op::Equals(json!("{{want}}")), |a| a.hint = None);
        let rendered = assert_with(Op::Equals(json!(false)), |a| a.hint = None);
        let out = evaluate(
            &written,
            &Ok(rendered),
            &exchange(json!({"active": true})),
            "RFC 7643 §4.1.1",
        );
        assert_eq!(out.status, CheckStatus::Failed);
        assert_eq!(out.hint.as_deref(), Some("Make `/active` equal false."));
    }

    #[test]
    fn string_values_pass_with_a_note_so_the_type_check_reports_once() {
        let a = assert_with(Op::Equals(json!(false)), |_| {});
        let out = run(&a, json!({"active": "False"}));
        assert_eq!(out.status, CheckStatus::Passed);
        assert!(out.message.contains("as a string"), "{}", out.message);
        assert_eq!(
            run(&a, json!({"active": "yes"})).status,
            CheckStatus::Failed
        );
    }

    #[test]
    fn warning_severity_yields_warning_status() {
        let a = assert_with(Op::Present(true), |a| {
            a.severity = Some(Severity::Warning);
        });
        assert_eq!(run(&a, json!({})).status, CheckStatus::Warning);
    }

    #[test]
    fn an_info_assert_that_does_not_hold_is_an_unmet_note_not_a_finding() {
        let a = assert_with(Op::Present(true), |a| {
            a.severity = Some(Severity::Info);
        });
        let out = run(&a, json!({}));
        assert_eq!(
            (out.status, out.severity, out.is_unmet()),
            (CheckStatus::Passed, Severity::Info, true)
        );
        let held = run(&a, json!({"active": true}));
        assert!(!held.is_unmet());
    }

    #[test]
    fn contains_finds_a_matching_member() {
        let a = assert_with(Op::Contains(json!({"value": "u1"})), |a| {
            a.subject = Subject::Pointer("/members".into());
        });
        assert_eq!(
            run(&a, json!({"members": [{"value": "u1"}]})).status,
            CheckStatus::Passed
        );
        assert_eq!(run(&a, json!({"members": []})).status, CheckStatus::Failed);
    }

    #[test]
    fn length_treats_missing_as_empty() {
        let a = assert_with(Op::Length(0), |a| {
            a.subject = Subject::Pointer("/members".into());
        });
        assert_eq!(run(&a, json!({})).status, CheckStatus::Passed);
        assert_eq!(
            run(&a, json!({"members": [{"value": "u"}]})).status,
            CheckStatus::Failed
        );
    }

    #[test]
    fn type_distinguishes_integer_from_string() {
        let a = assert_with(Op::Type(JsonType::Integer), |a| {
            a.subject = Subject::Pointer("/totalResults".into());
        });
        assert_eq!(
            run(&a, json!({"totalResults": 1})).status,
            CheckStatus::Passed
        );
        assert_eq!(
            run(&a, json!({"totalResults": "1"})).status,
            CheckStatus::Failed
        );
    }

    #[test]
    fn header_asserts_read_response_headers() {
        let a = assert_with(Op::Present(true), |a| {
            a.subject = Subject::Header("ETag".into());
        });
        assert_eq!(run(&a, json!({})).status, CheckStatus::Passed);
    }

    #[test]
    fn an_assert_that_could_not_be_rendered_is_skipped_with_the_reason() {
        let a = assert_with(Op::Equals(json!("{{nope}}")), |_| {});
        let out = evaluate(
            &a,
            &Err("needs {{nope}}, which has no value".into()),
            &exchange(json!({"active": 1})),
            "r",
        );
        assert_eq!(out.status, CheckStatus::Skipped);
        assert!(out.message.contains("{{nope}}"), "{}", out.message);
    }

    #[test]
    fn absent_accepts_null() {
        let a = assert_with(Op::Present(false), |a| {
            a.subject = Subject::Pointer("/password".into());
        });
        assert_eq!(
            run(&a, json!({"password": null})).status,
            CheckStatus::Passed
        );
        assert_eq!(
            run(&a, json!({"password": "x"})).status,
            CheckStatus::Failed
        );
    }
}
