//! RFC 7644 §3.4.2: the ListResponse envelope and its paging numbers. Each rule is one
//! function, run in order by [`list_response`]; every one is an error, since each enforces a
//! MUST, SHALL or REQUIRED of §3.4.2 or §3.4.2.4, or the definition of a number there.

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::exec::Exchange;
use crate::scim::json::{member, schemas_hold, short};
use crate::scim::urn;
use crate::scim::Severity;

/// The section the ListResponse rules enforce, for `scimcheck list` and each outcome.
pub const REFERENCE: &str = "RFC 7644 §3.4.2";

/// The section of the paging rules (first page, start index, count honoured).
const PAGING_REFERENCE: &str = "RFC 7644 §3.4.2.4";

/// The named check `rfc7644.list-response`: every ListResponse rule on the step's body, in
/// order. A body that is not a JSON object is one skip; a `Resources` that is not an array
/// ends the check, since every later rule counts it.
pub fn list_response(ctx: &StepContext<'_>) -> Vec<CheckOutcome> {
    let Some(body) = ctx.exchange.json().filter(|b| b.is_object()) else {
        return vec![CheckOutcome::skip(
            "rfc7644.list.schemas",
            REFERENCE,
            "the response body is not a JSON object",
        )];
    };
    let mut out = vec![schemas(body), integer_counts(body)];
    let Some(page) = Page::read(ctx.exchange, body) else {
        out.push(resources_not_an_array());
        return out;
    };
    out.extend(resources_key(ctx, body));
    out.extend(total_results(&page));
    // Always reported when totalResults is, so the list of checks does not depend on the data.
    out.extend(resources(&page));
    out.extend(items_per_page(&page));
    out.extend(first_page(&page));
    out.extend(start_index(&page));
    out.extend(count_honoured(&page));
    out
}

/// What the rules after the envelope read: the body's paging numbers (those that are
/// integers), the page's length and the request's paging parameters.
struct Page<'a> {
    /// totalResults, when an integer.
    total: Option<u64>,
    /// startIndex, when an integer.
    start: Option<u64>,
    /// itemsPerPage as sent.
    per_page: Option<&'a Value>,
    /// Whether Resources is a JSON array.
    listed: bool,
    /// The number of resources on this page (0 when Resources is absent or null).
    len: u64,
    /// Fewer resources than totalResults: a page of a paged result.
    partial: bool,
    /// The request's startIndex, when a non-negative integer.
    asked_start: Option<u64>,
    /// The request's count, when a non-negative integer.
    asked_count: Option<u64>,
}

impl<'a> Page<'a> {
    /// Reads the page; `None` when Resources is not an array, so nothing can be counted.
    fn read(exchange: &Exchange, body: &'a Value) -> Option<Page<'a>> {
        let resources = member(body, "Resources");
        let len = match resources {
            None | Some(Value::Null) => 0,
            Some(Value::Array(items)) => items.len() as u64,
            Some(_) => return None,
        };
        let total = member(body, "totalResults").and_then(Value::as_u64);
        let asked = |name| {
            exchange
                .query_param(name)
                .and_then(|s| s.parse::<u64>().ok())
        };
        // RFC 7644 §3.4.2.4: "A negative value SHALL be interpreted as "0"" for count.
        let asked_count = exchange
            .query_param("count")
            .and_then(|s| s.parse::<i64>().ok())
            .map(|c| c.max(0) as u64);
        Some(Page {
            total,
            start: member(body, "startIndex").and_then(Value::as_u64),
            per_page: member(body, "itemsPerPage"),
            listed: resources.is_some_and(Value::is_array),
            len,
            // startIndex and itemsPerPage are "REQUIRED when partial results are returned due
            // to pagination" (§3.4.2), and only then.
            partial: total.is_some_and(|t| len < t),
            asked_start: asked("startIndex"),
            asked_count,
        })
    }
}

/// The id of the rule on how `Resources` is spelt.
pub const RESOURCES_KEY: &str = "rfc7644.list.resources-key";

/// RFC 7643 §2.1: "Attribute names are case insensitive", so `resources` is a legal spelling
/// of `Resources` and passes under the rfc profile; Okta's and Entra's clients read the key
/// `Resources` as spelt, so under their profiles another spelling is an error (they see an
/// empty list). Reported only when the key is spelt otherwise.
fn resources_key(ctx: &StepContext<'_>, body: &Value) -> Option<CheckOutcome> {
    let key = body
        .as_object()?
        .keys()
        .find(|k| k.eq_ignore_ascii_case("Resources"))?;
    if key == "Resources" {
        return None;
    }
    let severity = super::severity(RESOURCES_KEY, ctx.profile, Severity::Info);
    let message = format!("the list is under \"{key}\", not \"Resources\"");
    Some(
        match severity {
            Severity::Info => CheckOutcome::note(
                RESOURCES_KEY,
                "RFC 7643 §2.1 (attribute names are case insensitive)",
                format!("{message}, which RFC 7643 §2.1 allows"),
            ),
            _ => CheckOutcome::fail(
                RESOURCES_KEY,
                severity,
                "Okta and Entra ID clients read \"Resources\" as spelt",
                format!("{message}: the IdP sees no resources"),
                "Spell the key \"Resources\", as RFC 7644 §3.4.2 does; Okta and Entra ID read it as spelt.",
            ),
        }
        .at(format!("/{key}")),
    )
}

/// RFC 7644 §3.4.2: "Responses MUST be identified using the following URI:
/// "urn:ietf:params:scim:api:messages:2.0:ListResponse"."
fn schemas(body: &Value) -> CheckOutcome {
    let schemas_ok = schemas_hold(body, urn::LIST_RESPONSE);
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
    .at("/schemas")
}

/// RFC 7644 §3.4.2.4, Table 7: itemsPerPage and totalResults are each a "Non-negative
/// integer", startIndex "The 1-based index"; and §3.4.2: totalResults is "REQUIRED".
fn integer_counts(body: &Value) -> CheckOutcome {
    let bad: Vec<String> = [
        ("totalResults", member(body, "totalResults"), true),
        ("startIndex", member(body, "startIndex"), false),
        ("itemsPerPage", member(body, "itemsPerPage"), false),
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
    CheckOutcome::verdict(
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
    )
}

/// RFC 7644 §3.4.2: Resources is "A multi-valued list of complex objects"; anything but an
/// array (or nothing) cannot be counted.
fn resources_not_an_array() -> CheckOutcome {
    CheckOutcome::fail(
        "rfc7644.list.resources",
        Severity::Error,
        REFERENCE,
        "Resources is not a JSON array",
        "Return the page's resources as a JSON array under \"Resources\".",
    )
    .at("/Resources")
}

/// RFC 7644 §3.4.2: totalResults is "The total number of results returned by the list or
/// query operation. The value may be larger than the number of resources returned", never
/// smaller.
fn total_results(page: &Page<'_>) -> Option<CheckOutcome> {
    let (total, len) = (page.total?, page.len);
    Some(
        CheckOutcome::verdict(
            total >= len,
            "rfc7644.list.total-results",
            Severity::Error,
            REFERENCE,
            format!("totalResults {total}, {len} resource(s) on this page"),
            "totalResults counts every match, so it can never be below the page's length.",
        )
        .at("/totalResults"),
    )
}

/// RFC 7644 §3.4.2: Resources is "REQUIRED if "totalResults" is non-zero".
fn resources(page: &Page<'_>) -> Option<CheckOutcome> {
    let total = page.total?;
    Some(
        CheckOutcome::verdict(
            total == 0 || page.listed,
            "rfc7644.list.resources",
            Severity::Error,
            REFERENCE,
            format!(
                "totalResults {total}; Resources {}",
                if page.listed { "present" } else { "missing" }
            ),
            "Resources is REQUIRED when totalResults is non-zero.",
        )
        .at("/Resources"),
    )
}

/// RFC 7644 §3.4.2: itemsPerPage is "The number of resources returned in a list response
/// page. REQUIRED when partial results are returned due to pagination." One that is not an
/// integer is `integer-counts`' finding, not this rule's.
fn items_per_page(page: &Page<'_>) -> Option<CheckOutcome> {
    let (len, partial) = (page.len, page.partial);
    match page.per_page {
        Some(pp) if pp.is_u64() => {
            let pp = pp.as_u64().unwrap_or_default();
            Some(
                CheckOutcome::verdict(
                    pp == len,
                    "rfc7644.list.items-per-page",
                    Severity::Error,
                    REFERENCE,
                    format!("itemsPerPage {pp}, Resources holds {len}"),
                    "itemsPerPage must equal the number of resources in this response.",
                )
                .at("/itemsPerPage"),
            )
        }
        Some(_) => None,
        None => Some(CheckOutcome::verdict(
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
}

/// RFC 7644 §3.4.2.4: startIndex is "The 1-based index of the first query result. A value
/// less than 1 SHALL be interpreted as 1." A first page that is empty although there are
/// results read startIndex as 0-based. Not judged when count=0 asked for no resources.
fn first_page(page: &Page<'_>) -> Option<CheckOutcome> {
    let total = page.total?;
    let len = page.len;
    if page.asked_start.unwrap_or(1) > 1 || page.asked_count == Some(0) {
        return None;
    }
    Some(
        CheckOutcome::verdict(
            total == 0 || len > 0,
            "rfc7644.list.first-page",
            Severity::Error,
            PAGING_REFERENCE,
            format!("the first page holds {len} of {total} result(s)"),
            "startIndex is 1-based: startIndex=1 is the first result, so the first page of a non-empty result is never empty.",
        )
        .at("/Resources"),
    )
}

/// RFC 7644 §3.4.2.4, Table 7: the response's startIndex is "The 1-based index of the first
/// result in the current set of query results", so it is the one asked for (a value less
/// than 1 "SHALL be interpreted as 1"); §3.4.2: it is "REQUIRED when partial results are
/// returned due to pagination".
fn start_index(page: &Page<'_>) -> Option<CheckOutcome> {
    let asked = page.asked_start?;
    let (ok, severity, message) = match page.start {
        Some(s) => (
            s == asked.max(1),
            Severity::Error,
            format!("asked startIndex {asked}, got {s}"),
        ),
        None if page.partial => (
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
    Some(
        CheckOutcome::verdict(
            ok,
            "rfc7644.list.start-index",
            severity,
            PAGING_REFERENCE,
            message,
            "Echo the 1-based startIndex of the request in the ListResponse.",
        )
        .at("/startIndex"),
    )
}

/// RFC 7644 §3.4.2.4, Table 6: with count, "the service provider MUST NOT return more results
/// than specified, although it MAY return fewer results."
fn count_honoured(page: &Page<'_>) -> Option<CheckOutcome> {
    let count = page.asked_count?;
    let len = page.len;
    Some(
        CheckOutcome::verdict(
            len <= count,
            "rfc7644.list.count-honoured",
            Severity::Error,
            PAGING_REFERENCE,
            format!("asked count {count}, got {len} resource(s)"),
            "Return at most `count` resources per page.",
        )
        .at("/Resources"),
    )
}

#[cfg(test)]
#[path = "list_tests.rs"]
mod tests;
