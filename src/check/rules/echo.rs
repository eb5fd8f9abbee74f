//! The resource a server returns after a write should hold what was written. A server may
//! drop attributes it does not support (RFC 7644 §3.3), so only `userName` and a group's
//! `displayName` are errors; the rest are interop warnings, because the IdP reads them back.

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scim::json::{equal, lookup, same_value_as_string, short};
use crate::scim::Severity;

/// The sections the echo rule rests on, for `scimcheck list` and each outcome.
pub const REFERENCE: &str = "RFC 7644 §3.3, §3.5.1";

/// Attributes compared, with whether case is ignored and the severity of a mismatch.
const COMPARED: &[(&str, bool, Severity)] = &[
    ("/userName", true, Severity::Error),
    ("/displayName", false, Severity::Warning),
    ("/externalId", false, Severity::Warning),
    ("/active", false, Severity::Warning),
    ("/name/givenName", false, Severity::Warning),
    ("/name/familyName", false, Severity::Warning),
    ("/locale", false, Severity::Warning),
];

/// The named check `rfc7644.echo`: each attribute of `COMPARED` the request sent (not null)
/// and the `emails` values, compared with the returned resource.
///
/// The RFC makes no echo a MUST on create: RFC 7644 §3.3 says "The response body SHOULD
/// contain the service provider's representation of the newly created resource" and "the
/// server is free to alter and/or ignore POSTed content"; on replace, §3.5.1 says of readWrite
/// attributes "Any values provided SHALL replace the existing attribute values". userName (and
/// a group's displayName) are errors because IdPs match users by them (RFC 7643 §4.1.1:
/// userName "is REQUIRED and is case insensitive"); the rest are interop warnings. A request
/// without a body, or a response without JSON, yields nothing.
pub fn echo(ctx: &StepContext<'_>) -> Vec<CheckOutcome> {
    let (Some(sent), Some(got)) = (ctx.exchange.request.body.as_ref(), ctx.exchange.json()) else {
        return vec![];
    };
    let is_group = got.get("members").is_some() || sent.get("members").is_some();
    let mut out = Vec::new();
    for &(pointer, ignore_case, severity) in COMPARED {
        let Some(expected) = lookup(sent, pointer).filter(|v| !v.is_null()) else {
            continue;
        };
        let severity = if is_group && pointer == "/displayName" {
            Severity::Error
        } else {
            severity
        };
        let actual = lookup(got, pointer);
        // `"true"` for true is a type defect the schema check reports; here it counts as echoed.
        let ok = actual
            .is_some_and(|a| equal(a, expected, ignore_case) || same_value_as_string(a, expected));
        let name = pointer.trim_start_matches('/').replace('/', ".");
        out.push(
            CheckOutcome::verdict(
                ok,
                &format!("rfc7644.echo.{name}"),
                severity,
                REFERENCE,
                format!(
                    "sent {}, got {}",
                    short(expected, 80),
                    actual.map_or("nothing".into(), |a| short(a, 80))
                ),
                &format!("Store and return {name} as sent."),
            )
            .at(pointer),
        );
    }
    if let Some(sent_emails) = lookup(sent, "/emails").and_then(Value::as_array) {
        let got_values: Vec<String> = lookup(got, "/emails")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("value").and_then(Value::as_str))
            .map(str::to_lowercase)
            .collect();
        let missing: Vec<&str> = sent_emails
            .iter()
            .filter_map(|e| e.get("value").and_then(Value::as_str))
            .filter(|v| !got_values.contains(&v.to_lowercase()))
            .collect();
        out.push(
            CheckOutcome::verdict(
                missing.is_empty(),
                "rfc7644.echo.emails",
                Severity::Warning,
                REFERENCE,
                if missing.is_empty() {
                    "every email sent is returned".to_string()
                } else {
                    format!("emails not returned: {}", missing.join(", "))
                },
                "Store and return the emails as sent.",
            )
            .at("/emails"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::testing::{assert_outcome, outcome, Fixture};
    use crate::check::CheckStatus::{Failed, Passed, Warning};
    use serde_json::json;

    fn run(sent: Value, got: Value) -> Vec<CheckOutcome> {
        echo(
            &Fixture::json(201, &got, "http://h/scim/v2/Users")
                .sent(sent)
                .ctx(),
        )
    }

    fn user() -> Value {
        json!({
            "userName": "Zoe@Example.org",
            "displayName": "Zoë Ångström",
            "externalId": "ext-1",
            "active": true,
            "name": {"givenName": "Zoë", "familyName": "Ångström"},
            "locale": "sv-SE",
            "emails": [{"value": "zoe@example.org"}, {"value": "z@example.org"}],
        })
    }

    const IDS: [(&str, Severity); 8] = [
        ("rfc7644.echo.userName", Severity::Error),
        ("rfc7644.echo.displayName", Severity::Warning),
        ("rfc7644.echo.externalId", Severity::Warning),
        ("rfc7644.echo.active", Severity::Warning),
        ("rfc7644.echo.name.givenName", Severity::Warning),
        ("rfc7644.echo.name.familyName", Severity::Warning),
        ("rfc7644.echo.locale", Severity::Warning),
        ("rfc7644.echo.emails", Severity::Warning),
    ];

    #[test]
    fn every_attribute_returned_as_sent_passes() {
        let mut got = user();
        got["userName"] = json!("zoe@example.org");
        got["emails"] = json!([{"value": "Z@EXAMPLE.ORG"}, {"value": "zoe@example.org"}]);
        let out = run(user(), got);
        assert_eq!(out.len(), IDS.len());
        for (id, severity) in IDS {
            assert_outcome(outcome(&out, id), Passed, severity, &[]);
        }
        assert_outcome(
            outcome(&out, "rfc7644.echo.userName"),
            Passed,
            Severity::Error,
            &["sent \"Zoe@Example.org\", got \"zoe@example.org\""],
        );
        assert_outcome(
            outcome(&out, "rfc7644.echo.emails"),
            Passed,
            Severity::Warning,
            &["every email sent is returned"],
        );
    }

    #[test]
    fn every_attribute_changed_or_dropped_fails_with_its_severity() {
        let got = json!({
            "userName": "someone-else",
            "displayName": "zoë ångström",
            "externalId": "ext-2",
            "active": false,
            "name": {"givenName": "Zoe"},
            "emails": [{"value": "zoe@example.org"}],
        });
        let out = run(user(), got);
        for (id, severity) in IDS {
            let status = if severity == Severity::Error {
                Failed
            } else {
                Warning
            };
            assert_outcome(outcome(&out, id), status, severity, &[]);
        }
        assert_outcome(
            outcome(&out, "rfc7644.echo.userName"),
            Failed,
            Severity::Error,
            &["sent \"Zoe@Example.org\", got \"someone-else\""],
        );
        // Only userName ignores case.
        assert_outcome(
            outcome(&out, "rfc7644.echo.displayName"),
            Warning,
            Severity::Warning,
            &["got \"zoë ångström\""],
        );
        let family = outcome(&out, "rfc7644.echo.name.familyName");
        assert_outcome(family, Warning, Severity::Warning, &["got nothing"]);
        assert_eq!(family.pointer.as_deref(), Some("/name/familyName"));
        assert_outcome(
            outcome(&out, "rfc7644.echo.emails"),
            Warning,
            Severity::Warning,
            &["emails not returned: z@example.org"],
        );
    }

    #[test]
    fn a_group_display_name_is_an_error() {
        let sent = json!({"displayName": "Engineering", "members": []});
        let out = run(sent.clone(), json!({"displayName": "Engineering"}));
        assert_outcome(
            outcome(&out, "rfc7644.echo.displayName"),
            Passed,
            Severity::Error,
            &[],
        );
        let out = run(sent, json!({"displayName": "Sales"}));
        assert_outcome(
            outcome(&out, "rfc7644.echo.displayName"),
            Failed,
            Severity::Error,
            &["sent \"Engineering\", got \"Sales\""],
        );
    }

    #[test]
    fn a_value_returned_as_its_string_counts_as_echoed() {
        let out = run(json!({"active": true}), json!({"active": "True"}));
        assert_eq!(out.len(), 1);
        assert_outcome(
            outcome(&out, "rfc7644.echo.active"),
            Passed,
            Severity::Warning,
            &["sent true, got \"True\""],
        );
    }

    #[test]
    fn only_what_was_sent_is_compared() {
        let out = run(
            json!({"userName": "a", "locale": null}),
            json!({"userName": "a"}),
        );
        let ids: Vec<&str> = out.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["rfc7644.echo.userName"]);
        let no_request = Fixture::json(200, &json!({"userName": "a"}), "http://h/scim/v2/Users");
        assert!(echo(&no_request.ctx()).is_empty());
    }
}
