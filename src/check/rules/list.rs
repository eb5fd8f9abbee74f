//! RFC 7644 §3.4.2: the ListResponse envelope and its paging numbers.

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scim::json::{member, short};
use crate::scim::urn;
use crate::scim::Severity;

pub const REFERENCE: &str = "RFC 7644 §3.4.2";

pub fn list_response(ctx: &StepContext<'_>) -> Vec<CheckOutcome> {
    let Some(body) = ctx.exchange.json().filter(|b| b.is_object()) else {
        return vec![CheckOutcome::skip(
            "rfc7644.list.schemas",
            REFERENCE,
            "the response body is not a JSON object",
        )];
    };
    let mut out = Vec::new();
    let schemas_ok = member(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(urn::LIST_RESPONSE)));
    out.push(
        CheckOutcome::verdict(
            schemas_ok,
            "rfc7644.list.schemas",
            Severity::Error,
            REFERENCE,
            if schemas_ok {
                "schemas holds the ListResponse URN".into()
            } else {
                format!("schemas does not hold {}", urn::LIST_RESPONSE)
            },
            "Set \"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:ListResponse\"].",
        )
        .at("/schemas"),
    );

    let total = member(body, "totalResults");
    let start = member(body, "startIndex");
    let per_page = member(body, "itemsPerPage");
    let bad: Vec<String> = [
        ("totalResults", total, true),
        ("startIndex", start, false),
        ("itemsPerPage", per_page, false),
    ]
    .into_iter()
    .filter_map(|(name, v, required)| match v {
        Some(v) if v.is_u64() => None,
        None if !required => None,
        None => Some(format!("{name} is missing")),
        Some(v) => Some(format!(
            "{name} is {} (not a non-negative JSON integer)",
            short(v, 30)
        )),
    })
    .collect();
    out.push(CheckOutcome::verdict(
        bad.is_empty(),
        "rfc7644.list.integer-counts",
        Severity::Error,
        REFERENCE,
        if bad.is_empty() {
            "totalResults, startIndex and itemsPerPage are integers".into()
        } else {
            bad.join("; ")
        },
        "Send totalResults, startIndex and itemsPerPage as JSON integers (3, not \"3\").",
    ));

    let resources = member(body, "Resources");
    let len = match resources {
        None | Some(Value::Null) => Some(0),
        Some(Value::Array(items)) => Some(items.len() as u64),
        Some(_) => None,
    };
    let Some(len) = len else {
        out.push(
            CheckOutcome::fail(
                "rfc7644.list.resources",
                Severity::Error,
                REFERENCE,
                "Resources is not a JSON array",
                "Return the page's resources as a JSON array under \"Resources\".",
            )
            .at("/Resources"),
        );
        return out;
    };
    if let Some(total) = total.and_then(Value::as_u64) {
        out.push(
            CheckOutcome::verdict(
                total >= len,
                "rfc7644.list.total-results",
                Severity::Error,
                REFERENCE,
                format!("totalResults {total}, {len} resource(s) on this page"),
                "totalResults counts every match, so it can never be below the page's length.",
            )
            .at("/totalResults"),
        );
        // Always reported, so the list of checks does not depend on the data.
        {
            out.push(
                CheckOutcome::verdict(
                    total == 0 || resources.is_some_and(Value::is_array),
                    "rfc7644.list.resources",
                    Severity::Error,
                    REFERENCE,
                    format!(
                        "totalResults {total}; Resources {}",
                        if resources.is_some_and(Value::is_array) {
                            "present"
                        } else {
                            "missing"
                        }
                    ),
                    "Resources is REQUIRED when totalResults is non-zero.",
                )
                .at("/Resources"),
            );
        }
    }
    // startIndex and itemsPerPage are "REQUIRED when partial results are returned due to
    // pagination" (§3.4.2), and only then.
    let partial = total.and_then(Value::as_u64).is_some_and(|t| len < t);
    match per_page {
        Some(pp) if pp.is_u64() => {
            let pp = pp.as_u64().unwrap_or_default();
            out.push(
                CheckOutcome::verdict(
                    pp == len,
                    "rfc7644.list.items-per-page",
                    Severity::Error,
                    REFERENCE,
                    format!("itemsPerPage {pp}, Resources holds {len}"),
                    "itemsPerPage must equal the number of resources in this response.",
                )
                .at("/itemsPerPage"),
            );
        }
        Some(_) => {}
        None => out.push(CheckOutcome::verdict(
            !partial,
            "rfc7644.list.items-per-page",
            Severity::Error,
            REFERENCE,
            if partial {
                format!("no itemsPerPage on a partial page ({len} of the results)")
            } else {
                "no itemsPerPage; not required when every result is on this page".to_string()
            },
            "Send itemsPerPage with every page of a paged result.",
        )),
    }
    // A first page that is empty although there are results: startIndex read as 0-based.
    let asked_start = ctx
        .exchange
        .query_param("startIndex")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(1);
    // A count of 0 or below asks for no resources (RFC 7644 §3.4.2.4: "A negative value SHALL
    // be interpreted as "0"").
    let asked_count = ctx
        .exchange
        .query_param("count")
        .and_then(|s| s.parse::<i64>().ok());
    if let Some(total) = total.and_then(Value::as_u64) {
        if asked_start <= 1 && asked_count.is_none_or(|c| c > 0) {
            out.push(
                CheckOutcome::verdict(
                    total == 0 || len > 0,
                    "rfc7644.list.first-page",
                    Severity::Error,
                    "RFC 7644 §3.4.2.4",
                    format!("the first page holds {len} of {total} result(s)"),
                    "startIndex is 1-based: startIndex=1 is the first result, so the first page of a non-empty result is never empty.",
                )
                .at("/Resources"),
            );
        }
    }
    if let Some(asked) = ctx
        .exchange
        .query_param("startIndex")
        .and_then(|s| s.parse::<u64>().ok())
    {
        let (ok, severity, message) = match start.and_then(Value::as_u64) {
            Some(s) => (
                s == asked.max(1),
                Severity::Error,
                format!("asked startIndex {asked}, got {s}"),
            ),
            None if partial => (
                false,
                Severity::Error,
                format!("asked startIndex {asked}; a partial page without startIndex"),
            ),
            None => (
                true,
                Severity::Error,
                format!("asked startIndex {asked}; no startIndex, not required when every result is on this page"),
            ),
        };
        out.push(
            CheckOutcome::verdict(
                ok,
                "rfc7644.list.start-index",
                severity,
                "RFC 7644 §3.4.2.4",
                message,
                "Echo the 1-based startIndex of the request in the ListResponse.",
            )
            .at("/startIndex"),
        );
    }
    if let Some(count) = ctx
        .exchange
        .query_param("count")
        .and_then(|s| s.parse::<u64>().ok())
    {
        out.push(
            CheckOutcome::verdict(
                len <= count,
                "rfc7644.list.count-honoured",
                Severity::Error,
                "RFC 7644 §3.4.2.4",
                format!("asked count {count}, got {len} resource(s)"),
                "Return at most `count` resources per page.",
            )
            .at("/Resources"),
        );
    }
    out
}
