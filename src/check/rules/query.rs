//! RFC 7644 §3.4.2.2 and §3.4.2.3: what a filtered or sorted list holds, judged on the
//! resources the run created.

use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeSet;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scenario::{ResultSetArgs, SortCompare, SortedArgs};
use crate::scim::json::{lookup, member};
use crate::scim::Severity;

/// The filter section.
pub(crate) const FILTER_REFERENCE: &str = "RFC 7644 §3.4.2.2";
/// The sorting section.
pub(crate) const SORT_REFERENCE: &str = "RFC 7644 §3.4.2.3";

fn ids_of(list: &Value) -> Vec<String> {
    member(list, "Resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| member(r, "id").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// RFC 7644 §3.4.2.2: "The "filter" parameter MUST contain at least one valid expression ...
/// Each expression MUST contain an attribute name followed by an attribute operator and
/// optional value." A filtered list returns the resources that match, all of them and no
/// other: the scenario's filters are ANDed with its prefix, so the expected ids are exact.
pub(crate) fn result_set(ctx: &StepContext<'_>, args: &ResultSetArgs) -> Vec<CheckOutcome> {
    let Some(body) = ctx.exchange.json().filter(|b| b.is_object()) else {
        return vec![];
    };
    let got: BTreeSet<String> = ids_of(body).into_iter().collect();
    let expected: BTreeSet<String> = args
        .expected
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let missing: Vec<&str> = expected.difference(&got).map(String::as_str).collect();
    let extra: Vec<&str> = got.difference(&expected).map(String::as_str).collect();
    let ok = missing.is_empty() && extra.is_empty();
    let filter = ctx.exchange.query_param("filter").unwrap_or_default();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        parts.push(format!("not matching but returned {}", extra.join(", ")));
    }
    vec![CheckOutcome::verdict(
        ok,
        "rfc7644.result.ids",
        Severity::Error,
        FILTER_REFERENCE,
        if ok {
            format!("{} resource(s), exactly those that match `{filter}`", got.len())
        } else {
            format!("`{filter}`: {}", parts.join("; "))
        },
        "Return every resource the filter matches and no other (RFC 7644 §3.4.2.2 gives each operator's meaning).",
    )
    .at("/Resources")]
}

fn compare(a: &Value, b: &Value, how: SortCompare) -> Option<Ordering> {
    match how {
        SortCompare::DateTime => {
            let parse = |v: &Value| {
                v.as_str().and_then(|s| {
                    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                        .ok()
                })
            };
            Some(parse(a)?.cmp(&parse(b)?))
        }
        SortCompare::CaseExact => Some(a.as_str()?.cmp(b.as_str()?)),
        SortCompare::String => Some(a.as_str()?.to_lowercase().cmp(&b.as_str()?.to_lowercase())),
    }
}

/// RFC 7644 §3.4.2.3: "If a value for "sortBy" is provided and no "sortOrder" is specified,
/// "sortOrder" SHALL default to ascending. ... "sortOrder" MUST sort according to the
/// attribute type; i.e., for case-insensitive attributes, sort the result using
/// case-insensitive Unicode alphabetic sort order with no specific locale implied, and for
/// case-exact attribute types, sort the result using case-sensitive Unicode alphabetic sort
/// order." Resources without the attribute are not judged (their place is the server's).
pub(crate) fn sorted(ctx: &StepContext<'_>, args: &SortedArgs) -> Vec<CheckOutcome> {
    let Some(body) = ctx.exchange.json().filter(|b| b.is_object()) else {
        return vec![];
    };
    let resources = member(body, "Resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let values: Vec<(String, &Value)> = resources
        .iter()
        .filter_map(|r| {
            let id = member(r, "id")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            lookup(r, &args.by)
                .filter(|v| !v.is_null())
                .map(|v| (id, v))
        })
        .collect();
    let wrong = values.windows(2).find(|w| {
        let ord = compare(w[0].1, w[1].1, args.compare);
        match ord {
            Some(o) if args.descending => o == Ordering::Less,
            Some(o) => o == Ordering::Greater,
            None => false,
        }
    });
    let order = if args.descending {
        "descending"
    } else {
        "ascending"
    };
    vec![CheckOutcome::verdict(
        wrong.is_none(),
        "rfc7644.sort.order",
        Severity::Error,
        SORT_REFERENCE,
        match wrong {
            None => format!("{} resource(s) in {order} order of {}", values.len(), args.by),
            Some(w) => format!(
                "not {order} by {}: {} ({}) before {} ({})",
                args.by, w[0].1, w[0].0, w[1].1, w[1].0
            ),
        },
        "Sort by the sortBy attribute, by its type (caseExact=false strings ignoring case), ascending unless sortOrder=descending.",
    )
    .at("/Resources")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::testing::ctx_with;
    use serde_json::json;

    #[test]
    fn the_result_set_is_exact() {
        let body = json!({"Resources": [{"id": "a"}, {"id": "c"}]});
        let args = ResultSetArgs {
            expected: vec![json!("a"), json!("b")],
        };
        let out = ctx_with(&body, "GET", "/Users?filter=x", |c| result_set(c, &args));
        assert!(out[0].is_failure());
        assert!(
            out[0]
                .message
                .contains("missing b; not matching but returned c"),
            "{}",
            out[0].message
        );
        let args = ResultSetArgs {
            expected: vec![json!("c"), json!("a")],
        };
        assert!(!ctx_with(&body, "GET", "/Users", |c| result_set(c, &args))[0].is_failure());
    }

    #[test]
    fn sorting_follows_the_type_and_order() {
        let body = json!({"Resources": [{"id": "1", "userName": "b"}, {"id": "2", "userName": "C"},
            {"id": "3"}, {"id": "4", "userName": "d"}]});
        let mut args = SortedArgs {
            by: "/userName".into(),
            ..Default::default()
        };
        assert!(!ctx_with(&body, "GET", "/Users", |c| sorted(c, &args))[0].is_failure());
        args.compare = SortCompare::CaseExact;
        assert!(ctx_with(&body, "GET", "/Users", |c| sorted(c, &args))[0].is_failure());
        let body = json!({"Resources": [{"id": "1", "meta": {"created": "2024-01-01T10:00:00Z"}},
            {"id": "2", "meta": {"created": "2024-01-01T09:00:00+00:00"}}]});
        let args = SortedArgs {
            by: "/meta/created".into(),
            descending: true,
            compare: SortCompare::DateTime,
        };
        assert!(!ctx_with(&body, "GET", "/Users", |c| sorted(c, &args))[0].is_failure());
    }
}
