//! The resource a server returns after a write should hold what was written. A server may
//! ignore or alter attributes (RFC 7644 §3.3), so only `userName` and a group's `displayName`
//! are errors; another attribute returned otherwise is a note (severity info, never a
//! failure), except where an IdP profile depends on it: Okta's work email keeps its `type`
//! and `primary`, a warning under the okta profile.

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scim::json::{equal, lookup, same_value_as_string, short};
use crate::scim::Severity;

/// The sections the echo rule rests on, for `scimcheck list` and each outcome.
pub const REFERENCE: &str = "RFC 7644 §3.3, §3.5.1";

/// Attributes compared, with whether case is ignored and the severity of a mismatch (info:
/// a note, never a failure).
const COMPARED: &[(&str, bool, Severity)] = &[
    ("/userName", true, Severity::Error),
    ("/displayName", false, Severity::Info),
    ("/externalId", false, Severity::Info),
    ("/active", false, Severity::Info),
    ("/name/givenName", false, Severity::Info),
    ("/name/familyName", false, Severity::Info),
    ("/locale", false, Severity::Info),
];

/// Why an attribute that came back otherwise is only a note.
const MAY_IGNORE: &str =
    "RFC 7644 §3.3 lets a server ignore or alter attributes it does not support";

/// The verdict on one echoed value: pass, a note (info), or a failure of `severity`.
fn echoed(
    ok: bool,
    id: &str,
    severity: Severity,
    reference: &str,
    message: String,
    hint: &str,
) -> CheckOutcome {
    match (ok, severity) {
        (false, Severity::Info) => {
            CheckOutcome::note(id, reference, format!("{message}; {MAY_IGNORE}"))
        }
        _ => CheckOutcome::verdict(ok, id, severity, reference, message, hint),
    }
}

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
            echoed(
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
            echoed(
                missing.is_empty(),
                "rfc7644.echo.emails",
                Severity::Info,
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
        out.extend(email_marks(ctx, sent_emails, got));
    }
    out
}

/// Okta maps its user's email to the work email: `emails[type eq "work"]`, `primary: true`.
/// A server that keeps the address but drops its `type` or `primary` loses that mapping, so
/// the next Okta update cannot find the work email: a warning under the okta profile, a note
/// elsewhere (RFC 7643 §2.4 leaves `type` and `primary` to the client).
fn email_marks(ctx: &StepContext<'_>, sent: &[Value], got: &Value) -> Vec<CheckOutcome> {
    const OKTA: &str = "Okta attribute mapping: the user's email is the work email (emails[type eq \"work\"], primary)";
    let returned = lookup(got, "/emails")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let severity = super::severity(EMAIL_MARKS, ctx.profile, Severity::Info);
    let mut out = Vec::new();
    for (mark, id) in [
        ("type", "rfc7644.echo.emails.type"),
        ("primary", "rfc7644.echo.emails.primary"),
    ] {
        let lost: Vec<String> = sent
            .iter()
            .filter(|e| e.get(mark).is_some_and(|v| !v.is_null()))
            .filter_map(|e| {
                let value = e.get("value")?.as_str()?;
                let back = returned.iter().find(|r| {
                    r.get("value")
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.eq_ignore_ascii_case(value))
                })?;
                let kept = back
                    .get(mark)
                    .is_some_and(|b| equal(b, &e[mark], true) || same_value_as_string(b, &e[mark]));
                (!kept).then(|| format!("{value} ({mark} {} sent)", short(&e[mark], 20)))
            })
            .collect();
        if sent.iter().all(|e| e.get(mark).is_none_or(Value::is_null)) {
            continue;
        }
        out.push(
            echoed(
                lost.is_empty(),
                id,
                severity,
                OKTA,
                if lost.is_empty() {
                    format!("each email's {mark} is returned as sent")
                } else {
                    format!("{mark} not returned for {}", lost.join(", "))
                },
                &format!("Store and return each email's {mark}: Okta finds the work email by it."),
            )
            .at("/emails"),
        );
    }
    out
}

/// The rule id under which the work-email marks take the okta profile's severity.
pub const EMAIL_MARKS: &str = "rfc7644.echo";

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
        ("rfc7644.echo.displayName", Severity::Info),
        ("rfc7644.echo.externalId", Severity::Info),
        ("rfc7644.echo.active", Severity::Info),
        ("rfc7644.echo.name.givenName", Severity::Info),
        ("rfc7644.echo.name.familyName", Severity::Info),
        ("rfc7644.echo.locale", Severity::Info),
        ("rfc7644.echo.emails", Severity::Info),
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
            Severity::Info,
            &["every email sent is returned"],
        );
    }

    #[test]
    fn a_user_name_changed_fails_and_what_a_server_may_ignore_is_a_note() {
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
                Passed
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
            Passed,
            Severity::Info,
            &["got \"zoë ångström\"", "RFC 7644 §3.3 lets a server ignore"],
        );
        let family = outcome(&out, "rfc7644.echo.name.familyName");
        assert_outcome(family, Passed, Severity::Info, &["got nothing"]);
        assert_eq!(family.pointer.as_deref(), Some("/name/familyName"));
        assert_outcome(
            outcome(&out, "rfc7644.echo.emails"),
            Passed,
            Severity::Info,
            &["emails not returned: z@example.org"],
        );
    }

    #[test]
    fn okta_work_email_marks_dropped_are_a_warning_under_okta_only() {
        let sent = json!({"emails": [{"value": "z@example.org", "type": "work", "primary": true}]});
        let got = json!({"emails": [{"value": "z@example.org"}]});
        let okta = Fixture::json(201, &got, "http://h/scim/v2/Users")
            .sent(sent.clone())
            .under(crate::scenario::Profile::Okta);
        let out = echo(&okta.ctx());
        for id in ["rfc7644.echo.emails.type", "rfc7644.echo.emails.primary"] {
            assert_outcome(
                outcome(&out, id),
                Warning,
                Severity::Warning,
                &["not returned for z@example.org"],
            );
        }
        let kept = json!({"emails": [{"value": "Z@example.org", "type": "work", "primary": true}]});
        let out = echo(
            &Fixture::json(201, &kept, "http://h/scim/v2/Users")
                .sent(sent.clone())
                .under(crate::scenario::Profile::Okta)
                .ctx(),
        );
        assert_outcome(
            outcome(&out, "rfc7644.echo.emails.type"),
            Passed,
            Severity::Warning,
            &[],
        );
        let rfc = Fixture::json(201, &got, "http://h/scim/v2/Users").sent(sent);
        let out = echo(&rfc.ctx());
        assert_outcome(
            outcome(&out, "rfc7644.echo.emails.type"),
            Passed,
            Severity::Info,
            &["not returned"],
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
            Severity::Info,
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
