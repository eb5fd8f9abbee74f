//! The resource a server returns after a write should hold what was written. A server may
//! drop attributes it does not support (RFC 7644 §3.3), so only `userName` and a group's
//! `displayName` are errors; the rest are interop warnings, because the IdP reads them back.

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scim::json::{equal, lookup, same_value_as_string, short};
use crate::scim::Severity;

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
