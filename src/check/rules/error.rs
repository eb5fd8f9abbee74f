//! RFC 7644 §3.12: error responses are JSON with the Error URN and `status` as a string.

use serde_json::Value;

use crate::scenario::ErrorArgs;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::exec::Exchange;
use crate::scim::json::{member, short};
use crate::scim::urn;
use crate::scim::Severity;

/// The section every error-body rule cites.
pub const REFERENCE: &str = "RFC 7644 §3.12";

/// The named-check entry: the expected `scimType`, a warning unless the step says otherwise.
pub fn error_response_check(ctx: &StepContext<'_>, args: &ErrorArgs) -> Vec<CheckOutcome> {
    let severity = args.scim_type_severity.unwrap_or(Severity::Warning);
    error_response(
        ctx.exchange,
        args.scim_type.as_deref().map(|t| (t, severity)),
    )
}

/// Checks an error body; `scim_type` is the expected `scimType` with its severity.
pub fn error_response(
    exchange: &Exchange,
    scim_type: Option<(&str, Severity)>,
) -> Vec<CheckOutcome> {
    let Some(resp) = exchange.response.as_ref() else {
        return vec![];
    };
    let Some(body) = resp.json.as_ref().filter(|b| b.is_object()) else {
        let shown = crate::scim::json::clip(resp.body.trim(), 80);
        return vec![CheckOutcome::fail(
            "rfc7644.error.json",
            Severity::Error,
            REFERENCE,
            if shown.is_empty() {
                format!("the {} response has an empty body", resp.status)
            } else {
                format!("the {} response body is not a JSON object: {shown}", resp.status)
            },
            format!("Return errors as a SCIM Error JSON object: {{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"{}\",\"detail\":\"…\"}}", resp.status),
        )];
    };
    let mut out = vec![CheckOutcome::pass(
        "rfc7644.error.json",
        REFERENCE,
        "the error body is a JSON object",
    )];
    let schemas_ok = member(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(urn::ERROR)));
    out.push(
        CheckOutcome::verdict(
            schemas_ok,
            "rfc7644.error.schemas",
            Severity::Error,
            REFERENCE,
            if schemas_ok {
                "schemas holds the Error URN".to_string()
            } else {
                format!(
                    "schemas is {}, not a list holding {}",
                    member(body, "schemas").map_or("missing".into(), |v| short(v, 100)),
                    urn::ERROR
                )
            },
            "Set \"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:Error\"] in error bodies.",
        )
        .at("/schemas"),
    );
    let status = member(body, "status");
    let is_string = status.is_some_and(Value::is_string);
    out.push(
        CheckOutcome::verdict(
            is_string,
            "rfc7644.error.status-is-string",
            Severity::Error,
            REFERENCE,
            match status {
                None => "status is missing".to_string(),
                Some(v) if v.is_string() => format!("status is {}", short(v, 40)),
                Some(v) => format!(
                    "status is {}, a JSON {}, not a string",
                    short(v, 40),
                    crate::scenario::JsonType::of(v).as_str()
                ),
            },
            "Send \"status\" as a JSON string, e.g. \"status\": \"404\" (RFC 7644 §3.12).",
        )
        .at("/status"),
    );
    if let Some(s) = status {
        let text = s
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| s.to_string());
        let matches = text.trim() == resp.status.to_string();
        out.push(
            CheckOutcome::verdict(
                matches,
                "rfc7644.error.status-matches",
                Severity::Error,
                REFERENCE,
                format!(
                    "body status {} for HTTP status {}",
                    short(s, 40),
                    resp.status
                ),
                "Make the body's \"status\" equal the HTTP status code.",
            )
            .at("/status"),
        );
    }
    let detail_ok = member(body, "detail")
        .and_then(Value::as_str)
        .is_some_and(|d| !d.trim().is_empty());
    out.push(
        CheckOutcome::verdict(
            detail_ok,
            "rfc7644.error.detail",
            Severity::Warning,
            REFERENCE,
            if detail_ok {
                "detail explains the error"
            } else {
                "detail is missing or empty"
            },
            "Add a human-readable \"detail\"; Okta shows it to administrators.",
        )
        .at("/detail"),
    );
    if let Some((expected, severity)) = scim_type {
        let actual = member(body, "scimType").and_then(Value::as_str);
        out.push(
            CheckOutcome::verdict(
                actual == Some(expected),
                "rfc7644.error.scim-type",
                severity,
                "RFC 7644 §3.12 (Table 9)",
                format!(
                    "scimType is {}, expected \"{expected}\"",
                    actual.map_or("missing".into(), |a| format!("\"{a}\""))
                ),
                &format!("Set \"scimType\": \"{expected}\" for this error."),
            )
            .at("/scimType"),
        );
    }
    out
}
