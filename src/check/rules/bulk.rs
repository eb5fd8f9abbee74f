//! RFC 7644 §3.7: the BulkResponse, judged against the BulkRequest the step sent.

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scenario::BulkArgs;
use crate::scim::json::{member, member_str};
use crate::scim::{urn, Severity};

/// The section these rules enforce.
pub(crate) const REFERENCE: &str = "RFC 7644 §3.7";

/// A bulk operation's status, written as a string or (wrongly) as a number.
fn status_of(op: &Value) -> Option<u16> {
    match member(op, "status")? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    }
}

/// The BulkResponse rules of RFC 7644 §3.7, each on every operation of the response:
///
/// - "schemas": the response is a BulkResponse (`urn:ietf:params:scim:api:messages:2.0:BulkResponse`).
/// - "Operations: Defines operations within a bulk job. ... REQUIRED." — and no more of
///   them than the request sent.
/// - "method: The HTTP method of the current operation. ... REQUIRED."
/// - "status: The HTTP response status code for the requested operation." Every example of
///   §3.7 writes it as a string, as §3.12 requires of an error's `status`; a number is a
///   warning, since §3.7 does not say so in words.
/// - "location: The resource endpoint URL. REQUIRED in a response, except in the event of a
///   POST failure."
/// - "response: ... When indicating a response with an HTTP status other than a 200-series
///   response, the response body MUST be included."
/// - "bulkId: ... enabling clients to uniquely identify newly created resources in the
///   response": a POST's result that does not carry its bulkId cannot be told apart — a
///   warning, as the response's bulkId is not called REQUIRED.
/// - §3.7.3: "failOnErrors: An integer specifying the number of errors that the service
///   provider will accept before the operation is terminated": no more errors than that.
/// - With `args.statuses`: each operation's status is the one expected (matched by bulkId,
///   else by position).
pub(crate) fn bulk_response(ctx: &StepContext<'_>, args: &BulkArgs) -> Vec<CheckOutcome> {
    let Some(body) = ctx.exchange.json().filter(|b| b.is_object()) else {
        return vec![CheckOutcome::skip(
            "rfc7644.bulk.schemas",
            REFERENCE,
            "the response has no JSON object body",
        )];
    };
    let sent = ctx.prepared.request.body.as_ref();
    let sent_ops: &[Value] = sent
        .and_then(|b| member(b, "Operations"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let schemas_ok = member(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter().any(|u| {
                u.as_str()
                    .is_some_and(|u| u.eq_ignore_ascii_case(urn::BULK_RESPONSE))
            })
        });
    let mut out = vec![CheckOutcome::verdict(
        schemas_ok,
        "rfc7644.bulk.schemas",
        Severity::Error,
        REFERENCE,
        format!("schemas {}", member(body, "schemas").unwrap_or(&Value::Null)),
        "Answer a BulkRequest with schemas [\"urn:ietf:params:scim:api:messages:2.0:BulkResponse\"].",
    )
    .at("/schemas")];
    let Some(ops) = member(body, "Operations").and_then(Value::as_array) else {
        out.push(
            CheckOutcome::fail(
                "rfc7644.bulk.operations",
                Severity::Error,
                REFERENCE,
                "the BulkResponse has no Operations array",
                "Return one entry in Operations per operation processed.",
            )
            .at("/Operations"),
        );
        return out;
    };
    out.push(
        CheckOutcome::verdict(
            sent_ops.is_empty() || ops.len() <= sent_ops.len(),
            "rfc7644.bulk.operations",
            Severity::Error,
            REFERENCE,
            format!(
                "{} results for {} operations sent",
                ops.len(),
                sent_ops.len()
            ),
            "Return one entry in Operations per operation processed, no more.",
        )
        .at("/Operations"),
    );
    let each =
        |id: &str, severity: Severity, bad: &dyn Fn(&Value) -> Option<String>, hint: &str| {
            let found = ops
                .iter()
                .enumerate()
                .find_map(|(i, op)| bad(op).map(|m| (i, m)));
            match found {
                Some((i, m)) => CheckOutcome::fail(
                    id,
                    severity,
                    REFERENCE,
                    format!("Operations[{i}]: {m}"),
                    hint,
                )
                .at(format!("/Operations/{i}")),
                None => CheckOutcome::verdict(
                    true,
                    id,
                    severity,
                    REFERENCE,
                    format!("every result ({})", ops.len()),
                    hint,
                ),
            }
        };
    out.push(each(
        "rfc7644.bulk.method",
        Severity::Error,
        &|op| {
            member_str(op, "method")
                .is_none()
                .then(|| "no method".to_string())
        },
        "Give every result the method of its operation.",
    ));
    out.push(each(
        "rfc7644.bulk.status",
        Severity::Error,
        &|op| {
            status_of(op).is_none().then(|| {
                format!(
                    "status {} is not an HTTP status",
                    member(op, "status").unwrap_or(&Value::Null)
                )
            })
        },
        "Give every result the HTTP status of its operation.",
    ));
    out.push(each(
        "rfc7644.bulk.status-is-string",
        Severity::Warning,
        &|op| match member(op, "status") {
            Some(Value::Number(n)) => {
                Some(format!("status is the number {n}, not the string \"{n}\""))
            }
            _ => None,
        },
        "Write each operation's status as a string (\"201\"), as RFC 7644 §3.7's examples do.",
    ));
    out.push(each(
        "rfc7644.bulk.location",
        Severity::Error,
        &|op| {
            let post_failed = member_str(op, "method")
                .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
                && status_of(op).is_none_or(|s| s >= 300);
            (!post_failed && member_str(op, "location").is_none_or(str::is_empty)).then(|| {
                format!(
                    "status {} without a location",
                    member(op, "status").unwrap_or(&Value::Null)
                )
            })
        },
        "Give every result the resource's location, except a POST that failed.",
    ));
    out.push(each(
        "rfc7644.bulk.error-response",
        Severity::Error,
        &|op| {
            status_of(op)
                .filter(|s| !(200..300).contains(s))
                .filter(|_| member(op, "response").is_none_or(|r| !r.is_object()))
                .map(|s| format!("status {s} without a response body"))
        },
        "Give every result whose status is not 2xx the SCIM error in `response` (RFC 7644 §3.12).",
    ));
    let sent_bulk_ids: Vec<&str> = sent_ops
        .iter()
        .filter(|o| member_str(o, "method").is_some_and(|m| m.eq_ignore_ascii_case("POST")))
        .filter_map(|o| member_str(o, "bulkId"))
        .collect();
    if !sent_bulk_ids.is_empty() {
        out.push(each(
            "rfc7644.bulk.bulk-id",
            Severity::Warning,
            &|op| {
                let post = member_str(op, "method").is_some_and(|m| m.eq_ignore_ascii_case("POST"));
                (post && !member_str(op, "bulkId").is_some_and(|b| sent_bulk_ids.contains(&b)))
                    .then(|| format!("a POST result with bulkId {}, none the request sent", member(op, "bulkId").unwrap_or(&Value::Null)))
            },
            "Return each POST operation's bulkId with its result, so the client can tell which resource is which.",
        ));
    }
    if let Some(limit) = sent
        .and_then(|b| member(b, "failOnErrors"))
        .and_then(Value::as_u64)
    {
        let errors = ops
            .iter()
            .filter(|op| status_of(op).is_some_and(|s| s >= 400))
            .count();
        out.push(
            CheckOutcome::verdict(
                errors as u64 <= limit,
                "rfc7644.bulk.fail-on-errors",
                Severity::Error,
                "RFC 7644 §3.7.3",
                format!("{errors} failed operation(s) with failOnErrors {limit}"),
                "Stop processing a bulk request once failOnErrors operations have failed.",
            )
            .at("/Operations"),
        );
    }
    if !args.statuses.is_empty() {
        out.push(expected_statuses(ops, sent_ops, &args.statuses));
    }
    out
}

/// Each sent operation's result has the expected status (by bulkId, else by position).
fn expected_statuses(ops: &[Value], sent: &[Value], expected: &[Value]) -> CheckOutcome {
    let want = |v: &Value| match v {
        Value::String(s) => s.trim().parse::<u16>().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    };
    for (i, exp) in expected.iter().enumerate() {
        let bulk_id = sent.get(i).and_then(|o| member_str(o, "bulkId"));
        let result = bulk_id
            .and_then(|b| ops.iter().find(|op| member_str(op, "bulkId") == Some(b)))
            .or_else(|| ops.get(i));
        let got = result.and_then(status_of);
        if got.is_none() || got != want(exp) {
            let what = bulk_id.map_or(format!("operation {i}"), |b| format!("bulkId {b}"));
            return CheckOutcome::fail(
                "rfc7644.bulk.statuses",
                Severity::Error,
                REFERENCE,
                format!(
                    "{what}: status {}, expected {exp}",
                    got.map_or("missing".into(), |s| s.to_string())
                ),
                "Process every operation of the bulk request as the request it stands for.",
            );
        }
    }
    CheckOutcome::pass(
        "rfc7644.bulk.statuses",
        REFERENCE,
        format!(
            "the expected status for each of {} operation(s)",
            expected.len()
        ),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::outcome::CheckStatus;
    use crate::check::rules::testing::{assert_absent, assert_outcome, outcome, Fixture};

    fn request() -> Value {
        json!({"schemas": [urn::BULK_REQUEST], "failOnErrors": 1, "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "u1", "data": {}},
            {"method": "DELETE", "path": "/Users/x"},
        ]})
    }

    fn run(response: Value, args: BulkArgs) -> Vec<CheckOutcome> {
        let f = Fixture::json(200, &response, "http://h/scim/v2/Bulk").requesting(request());
        bulk_response(&f.ctx(), &args)
    }

    fn good() -> Value {
        json!({"schemas": [urn::BULK_RESPONSE], "Operations": [
            {"method": "POST", "bulkId": "u1", "status": "201", "location": "http://h/scim/v2/Users/a"},
            {"method": "DELETE", "status": "404", "location": "http://h/scim/v2/Users/x",
             "response": {"schemas": [urn::ERROR], "status": "404"}},
        ]})
    }

    #[test]
    fn a_conforming_response_passes_every_rule() {
        let out = run(
            good(),
            BulkArgs {
                statuses: vec![json!(201), json!("404")],
            },
        );
        for o in &out {
            assert_eq!(o.status, CheckStatus::Passed, "{}: {}", o.id, o.message);
        }
        assert_eq!(out.len(), 10);
    }

    #[test]
    fn a_numeric_status_is_a_warning_and_nothing_else() {
        let mut body = good();
        body["Operations"][0]["status"] = json!(201);
        let out = run(
            body,
            BulkArgs {
                statuses: vec![json!(201), json!(404)],
            },
        );
        let o = outcome(&out, "rfc7644.bulk.status-is-string");
        assert_outcome(o, CheckStatus::Warning, Severity::Warning, &["201"]);
        assert!(out.iter().filter(|o| o.is_failure()).count() == 1);
    }

    #[test]
    fn missing_location_response_and_too_many_errors_fail() {
        let body = json!({"schemas": [urn::BULK_RESPONSE], "Operations": [
            {"method": "POST", "bulkId": "u1", "status": "201"},
            {"method": "DELETE", "status": "404", "location": "http://h/scim/v2/Users/x"},
            {"method": "DELETE", "status": "404", "location": "http://h/scim/v2/Users/x",
             "response": {}},
        ]});
        let out = run(body, BulkArgs::default());
        for id in [
            "rfc7644.bulk.location",
            "rfc7644.bulk.error-response",
            "rfc7644.bulk.fail-on-errors",
            "rfc7644.bulk.operations",
        ] {
            assert_outcome(outcome(&out, id), CheckStatus::Failed, Severity::Error, &[]);
        }
        assert_absent(&out, "rfc7644.bulk.statuses");
    }

    #[test]
    fn a_failed_post_needs_no_location_and_an_unexpected_status_fails() {
        let body = json!({"schemas": [urn::BULK_RESPONSE], "Operations": [
            {"method": "POST", "bulkId": "u1", "status": "409", "response": {"status": "409"}},
        ]});
        let out = run(
            body,
            BulkArgs {
                statuses: vec![json!(201)],
            },
        );
        assert_eq!(
            outcome(&out, "rfc7644.bulk.location").status,
            CheckStatus::Passed
        );
        let o = outcome(&out, "rfc7644.bulk.statuses");
        assert_outcome(
            o,
            CheckStatus::Failed,
            Severity::Error,
            &["bulkId u1", "409"],
        );
    }
}
