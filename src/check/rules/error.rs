//! RFC 7644 §3.12: error responses are JSON with the Error URN and `status` as a string.

use serde_json::Value;

use crate::scenario::ErrorArgs;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::exec::Exchange;
use crate::scim::json::{member, schemas_hold, short};
use crate::scim::urn;
use crate::scim::Severity;

/// The section the error-response rules enforce, for `scimcheck list` and each outcome.
pub const REFERENCE: &str = "RFC 7644 §3.12";

/// The named-check entry: the expected `scimType`, a warning unless the step says otherwise
/// (RFC 7644 §3.12: `scimType` is "OPTIONAL"), but an error for `uniqueness` on a 409, which
/// RFC 7644 §3.3 requires: "the service provider MUST return HTTP status code 409 (Conflict)
/// with a "scimType" error code of "uniqueness"". A step names `scim_type_severity: error`
/// where another section requires its keyword (§3.4.2.2: "return an HTTP 400 error with a
/// "scimType" error of "invalidFilter""); elsewhere a missing `scimType` is only a note.
pub fn error_response_check(ctx: &StepContext<'_>, args: &ErrorArgs) -> Vec<CheckOutcome> {
    let required =
        args.scim_type.as_deref() == Some("uniqueness") && ctx.exchange.status() == Some(409);
    let severity = args.scim_type_severity.unwrap_or(if required {
        Severity::Error
    } else {
        Severity::Warning
    });
    error_response(
        ctx.exchange,
        args.scim_type.as_deref().map(|t| (t, severity)),
    )
}

/// Checks an error body; `scim_type` is the expected `scimType` with its severity.
///
/// RFC 7644 §3.12: "implementers MUST return the errors in the body of the response in a
/// JSON format" (`rfc7644.error.json`, an error); "Error responses are identified using the
/// following "schema" URI: "urn:ietf:params:scim:api:messages:2.0:Error"" (`schemas`, an
/// error); `status` is "The HTTP status code ... expressed as a JSON string. REQUIRED."
/// (`status-is-string` and `status-matches`, errors); `detail` is "A detailed human-readable
/// message. OPTIONAL." (so a missing one is only a note, never a warning); `scimType` is "A SCIM
/// detail error keyword. See Table 9. OPTIONAL." in general, but some sections make one
/// mandatory (§3.3: "MUST return HTTP status code 409 (Conflict) with a "scimType" error
/// code of "uniqueness""), so the caller gives its severity: at `error` the keyword is
/// required, and a missing one fails; below, a missing one is a note (the RFC lets a server
/// leave it out) and only a different keyword takes the severity, since Table 9 gives each
/// keyword its meaning. No response yields nothing.
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
    let schemas_ok = schemas_hold(body, urn::ERROR);
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
    // OPTIONAL in the RFC, so a missing detail is a note (shown, never a warning); a detail
    // of the wrong type is the Error schema's finding, not this one's.
    let detail_ok = member(body, "detail")
        .and_then(Value::as_str)
        .is_some_and(|d| !d.trim().is_empty());
    out.push(
        if detail_ok {
            CheckOutcome::note("rfc7644.error.detail", REFERENCE, "detail explains the error")
        } else {
            CheckOutcome::note(
                "rfc7644.error.detail",
                REFERENCE,
                "detail is missing or empty (OPTIONAL; Okta shows it to administrators when present)",
            )
        }
        .at("/detail"),
    );
    if let Some((expected, severity)) = scim_type {
        let actual = member(body, "scimType").and_then(Value::as_str);
        if actual.is_none() && severity != Severity::Error {
            out.push(
                CheckOutcome::note(
                    "rfc7644.error.scim-type",
                    "RFC 7644 §3.12 (scimType: OPTIONAL)",
                    format!("scimType is missing (OPTIONAL; \"{expected}\" would name this error)"),
                )
                .at("/scimType"),
            );
            return out;
        }
        out.push(
            CheckOutcome::verdict(
                actual == Some(expected),
                "rfc7644.error.scim-type",
                severity,
                match expected {
                    "uniqueness" => "RFC 7644 §3.3 (409 with scimType uniqueness)",
                    "invalidFilter" if severity == Severity::Error => {
                        "RFC 7644 §3.4.2.2 (400 with scimType invalidFilter)"
                    }
                    _ => "RFC 7644 §3.12 (Table 9)",
                },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::testing::{assert_absent, assert_outcome, outcome, Fixture};
    use crate::check::CheckStatus::{Failed, Passed, Warning};
    use serde_json::json;

    const URL: &str = "http://h/scim/v2/Users";

    fn error(status: u16, extra: Value) -> Value {
        let mut body = json!({
            "schemas": [urn::ERROR],
            "status": status.to_string(),
            "detail": "userName is taken",
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    }

    fn run(status: u16, body: Value, args: ErrorArgs) -> Vec<CheckOutcome> {
        error_response_check(&Fixture::json(status, &body, URL).ctx(), &args)
    }

    fn uniqueness(severity: Option<Severity>) -> ErrorArgs {
        ErrorArgs {
            scim_type: Some("uniqueness".into()),
            scim_type_severity: severity,
        }
    }

    #[test]
    fn a_complete_error_body_passes_every_rule() {
        let out = run(
            409,
            error(409, json!({"scimType": "uniqueness"})),
            uniqueness(None),
        );
        let ids: Vec<&str> = out.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "rfc7644.error.json",
                "rfc7644.error.schemas",
                "rfc7644.error.status-is-string",
                "rfc7644.error.status-matches",
                "rfc7644.error.detail",
                "rfc7644.error.scim-type",
            ]
        );
        let e = Severity::Error;
        let json = outcome(&out, "rfc7644.error.json");
        assert_outcome(json, Passed, e, &["the error body is a JSON object"]);
        let schemas = outcome(&out, "rfc7644.error.schemas");
        assert_outcome(schemas, Passed, e, &["schemas holds the Error URN"]);
        let is_string = outcome(&out, "rfc7644.error.status-is-string");
        assert_outcome(is_string, Passed, e, &["status is \"409\""]);
        let matches = outcome(&out, "rfc7644.error.status-matches");
        assert_outcome(
            matches,
            Passed,
            e,
            &["body status \"409\" for HTTP status 409"],
        );
        let detail = outcome(&out, "rfc7644.error.detail");
        assert_outcome(
            detail,
            Passed,
            Severity::Info,
            &["detail explains the error"],
        );
        assert_outcome(
            outcome(&out, "rfc7644.error.scim-type"),
            Passed,
            Severity::Error,
            &["scimType is \"uniqueness\", expected \"uniqueness\""],
        );
    }

    #[test]
    fn a_body_that_is_not_a_json_object_fails_alone() {
        for (body, words) in [
            ("", "the 404 response has an empty body"),
            (
                "<html>Not Found</html>",
                "the 404 response body is not a JSON object: <html>Not Found</html>",
            ),
            ("[]", "the 404 response body is not a JSON object: []"),
        ] {
            let f = Fixture::new(404, &[("content-type", "text/html")], body, URL);
            let out = error_response_check(&f.ctx(), &ErrorArgs::default());
            assert_eq!(out.len(), 1, "{body}");
            let o = outcome(&out, "rfc7644.error.json");
            assert_outcome(o, Failed, Severity::Error, &[words]);
        }
    }

    #[test]
    fn schemas_without_the_error_urn_fail() {
        let mut body = error(400, json!({}));
        body["schemas"] = json!([urn::LIST_RESPONSE]);
        let out = run(400, body.clone(), ErrorArgs::default());
        assert_outcome(
            outcome(&out, "rfc7644.error.schemas"),
            Failed,
            Severity::Error,
            &[urn::LIST_RESPONSE, "not a list holding", urn::ERROR],
        );
        body.as_object_mut().unwrap().remove("schemas");
        let out = run(400, body, ErrorArgs::default());
        assert_outcome(
            outcome(&out, "rfc7644.error.schemas"),
            Failed,
            Severity::Error,
            &["schemas is missing"],
        );
    }

    #[test]
    fn an_integer_status_fails_as_a_string_but_matches() {
        let out = run(
            409,
            error(409, json!({"status": 409})),
            ErrorArgs::default(),
        );
        assert_outcome(
            outcome(&out, "rfc7644.error.status-is-string"),
            Failed,
            Severity::Error,
            &["status is 409, a JSON integer, not a string"],
        );
        assert_outcome(
            outcome(&out, "rfc7644.error.status-matches"),
            Passed,
            Severity::Error,
            &["body status 409 for HTTP status 409"],
        );
    }

    #[test]
    fn a_missing_status_fails_and_is_not_compared() {
        let mut body = error(404, json!({}));
        body.as_object_mut().unwrap().remove("status");
        let out = run(404, body, ErrorArgs::default());
        assert_outcome(
            outcome(&out, "rfc7644.error.status-is-string"),
            Failed,
            Severity::Error,
            &["status is missing"],
        );
        assert_absent(&out, "rfc7644.error.status-matches");
    }

    #[test]
    fn a_status_other_than_the_http_status_fails() {
        let out = run(409, error(400, json!({})), ErrorArgs::default());
        assert_outcome(
            outcome(&out, "rfc7644.error.status-matches"),
            Failed,
            Severity::Error,
            &["body status \"400\" for HTTP status 409"],
        );
    }

    #[test]
    fn a_missing_or_blank_detail_is_only_a_note() {
        for detail in [json!(" "), json!(null), json!(7)] {
            let out = run(
                400,
                error(400, json!({"detail": detail})),
                ErrorArgs::default(),
            );
            assert_outcome(
                outcome(&out, "rfc7644.error.detail"),
                Passed,
                Severity::Info,
                &["detail is missing or empty", "OPTIONAL"],
            );
        }
    }

    #[test]
    fn a_wrong_scim_type_takes_the_severity_the_step_gives() {
        let body = error(409, json!({"scimType": "invalidValue"}));
        let out = run(409, body.clone(), uniqueness(Some(Severity::Warning)));
        assert_outcome(
            outcome(&out, "rfc7644.error.scim-type"),
            Warning,
            Severity::Warning,
            &["scimType is \"invalidValue\", expected \"uniqueness\""],
        );
        // Without a severity, uniqueness on a 409 is the MUST of RFC 7644 §3.3.
        let out = run(409, body.clone(), uniqueness(None));
        let o = outcome(&out, "rfc7644.error.scim-type");
        assert_outcome(o, Failed, Severity::Error, &["expected \"uniqueness\""]);
        assert_eq!(o.reference, "RFC 7644 §3.3 (409 with scimType uniqueness)");
        let out = run(409, body, uniqueness(Some(Severity::Error)));
        let o = outcome(&out, "rfc7644.error.scim-type");
        assert_outcome(o, Failed, Severity::Error, &["expected \"uniqueness\""]);
        assert_eq!(o.reference, "RFC 7644 §3.3 (409 with scimType uniqueness)");
        let out = run(
            409,
            error(409, json!({})),
            uniqueness(Some(Severity::Error)),
        );
        assert_outcome(
            outcome(&out, "rfc7644.error.scim-type"),
            Failed,
            Severity::Error,
            &["scimType is missing, expected \"uniqueness\""],
        );
    }

    #[test]
    fn a_missing_optional_scim_type_is_a_note_and_a_different_one_a_warning() {
        let invalid_value = || ErrorArgs {
            scim_type: Some("invalidValue".into()),
            scim_type_severity: None,
        };
        let out = run(400, error(400, json!({})), invalid_value());
        let o = outcome(&out, "rfc7644.error.scim-type");
        assert_outcome(
            o,
            Passed,
            Severity::Info,
            &["scimType is missing", "OPTIONAL"],
        );
        assert_eq!(o.reference, "RFC 7644 §3.12 (scimType: OPTIONAL)");
        let out = run(
            400,
            error(400, json!({"scimType": "invalidSyntax"})),
            invalid_value(),
        );
        assert_outcome(
            outcome(&out, "rfc7644.error.scim-type"),
            Warning,
            Severity::Warning,
            &["scimType is \"invalidSyntax\", expected \"invalidValue\""],
        );
        // Where a section requires the keyword, its absence fails.
        let required = ErrorArgs {
            scim_type: Some("invalidFilter".into()),
            scim_type_severity: Some(Severity::Error),
        };
        let out = run(400, error(400, json!({})), required);
        assert_outcome(
            outcome(&out, "rfc7644.error.scim-type"),
            Failed,
            Severity::Error,
            &["scimType is missing, expected \"invalidFilter\""],
        );
    }

    #[test]
    fn without_an_expected_scim_type_none_is_judged() {
        let out = run(
            409,
            error(409, json!({"scimType": "anything"})),
            ErrorArgs::default(),
        );
        assert_absent(&out, "rfc7644.error.scim-type");
        let mut x = Exchange::answered(crate::scim::Method::Get, URL, 500, &json!({}));
        x.response = None;
        assert!(error_response(&x, Some(("uniqueness", Severity::Error))).is_empty());
    }
}
