//! Pages fetched one after another must partition the result set: Okta's import walks
//! `startIndex` 1, 101, … and loses or duplicates users if the order is not stable.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scenario::PagingArgs;
use crate::scim::json::member;
use crate::scim::Severity;

/// The section and IdP behaviour the paging rule rests on, for `scimcheck list` and each
/// outcome.
pub const REFERENCE: &str = "RFC 7644 §3.4.2.4; Okta import paging";

/// The named check `rfc7644.paging-consistent`: the `pages` a scenario captured, walked with
/// startIndex 1, 1 + count, …, hold each id once (`rfc7644.paging.no-duplicates`) and every
/// `expected` id (`rfc7644.paging.complete`).
///
/// RFC 7644 §3.4.2.4 defines startIndex as "The 1-based index of the first query result", so
/// consecutive pages partition the results; both findings are errors because Okta's import
/// loses or duplicates users otherwise. The RFC itself does not require a stable order:
/// "Because pagination is not stateful, clients MUST be prepared to handle inconsistent
/// results." Completeness is skipped when a page before the last holds fewer than `count`,
/// since the server "MAY return fewer results".
pub fn paging_consistent(_ctx: &StepContext<'_>, args: &PagingArgs) -> Vec<CheckOutcome> {
    let pages: Vec<&Value> = args.pages.iter().collect();
    let expected: BTreeSet<String> = args
        .expected
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        for resource in page.as_array().into_iter().flatten() {
            let Some(id) = member(resource, "id").and_then(Value::as_str) else {
                continue;
            };
            if let Some(first) = seen.insert(id.to_string(), i + 1) {
                duplicates.push(format!("{id} on pages {first} and {}", i + 1));
            }
        }
    }
    let missing: Vec<&String> = expected
        .iter()
        .filter(|id| !seen.contains_key(*id))
        .collect();
    // A server MAY return fewer than `count` (§3.4.2.4); then fixed-size pages cannot cover
    // the results, and completeness says nothing about the server's paging.
    let count = args.count;
    let short = count.and_then(|count| {
        pages
            .iter()
            .take(pages.len().saturating_sub(1))
            .enumerate()
            .find(|(_, p)| (p.as_array().map_or(0, Vec::len) as u64) < count)
            .map(|(i, p)| {
                format!(
                    "page {} held {} resource(s) for count={count}: the server pages in smaller steps, which the RFC allows",
                    i + 1,
                    p.as_array().map_or(0, Vec::len)
                )
            })
    });
    let complete = match short {
        Some(why) => CheckOutcome::skip("rfc7644.paging.complete", REFERENCE, why),
        None => CheckOutcome::verdict(
            missing.is_empty(),
            "rfc7644.paging.complete",
            Severity::Error,
            REFERENCE,
            if missing.is_empty() { format!("all {} expected resource(s) found across the pages", expected.len()) } else { format!("never returned on any page: {}", missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")) },
            "startIndex is 1-based: page n starts at 1 + (n-1)·count; no resource may fall between pages.",
        ),
    };
    vec![
        CheckOutcome::verdict(
            duplicates.is_empty(),
            "rfc7644.paging.no-duplicates",
            Severity::Error,
            REFERENCE,
            if duplicates.is_empty() { format!("{} resource(s) over {} page(s), each once", seen.len(), pages.len()) } else { format!("returned twice: {}", duplicates.join(", ")) },
            "Keep a stable order across pages (e.g. by creation time or id) so startIndex partitions the results.",
        ),
        complete,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::testing::{assert_outcome, outcome, Fixture};
    use crate::check::CheckStatus::{Failed, Passed, Skipped};
    use serde_json::json;

    /// A page of Resources with these ids.
    fn page(ids: &[&str]) -> Value {
        Value::Array(ids.iter().map(|id| json!({"id": id})).collect())
    }

    fn run(pages: &[&[&str]], expected: &[&str], count: Option<u64>) -> Vec<CheckOutcome> {
        let f = Fixture::json(
            200,
            &json!({}),
            "http://h/scim/v2/Users?startIndex=1&count=2",
        );
        let args = PagingArgs {
            pages: pages.iter().map(|p| page(p)).collect(),
            expected: expected.iter().map(|id| json!(id)).collect(),
            count,
        };
        paging_consistent(&f.ctx(), &args)
    }

    #[test]
    fn pages_that_partition_the_results_pass() {
        let out = run(
            &[&["a", "b"], &["c", "d"], &["e"]],
            &["a", "c", "e"],
            Some(2),
        );
        assert_eq!(out.len(), 2);
        assert_outcome(
            outcome(&out, "rfc7644.paging.no-duplicates"),
            Passed,
            Severity::Error,
            &["5 resource(s) over 3 page(s), each once"],
        );
        assert_outcome(
            outcome(&out, "rfc7644.paging.complete"),
            Passed,
            Severity::Error,
            &["all 3 expected resource(s) found across the pages"],
        );
    }

    #[test]
    fn a_resource_on_two_pages_fails() {
        let out = run(&[&["a", "b"], &["b", "c"]], &["a", "c"], Some(2));
        assert_outcome(
            outcome(&out, "rfc7644.paging.no-duplicates"),
            Failed,
            Severity::Error,
            &["returned twice: b on pages 1 and 2"],
        );
        let complete = outcome(&out, "rfc7644.paging.complete");
        assert_outcome(complete, Passed, Severity::Error, &[]);
    }

    #[test]
    fn a_resource_on_no_page_fails() {
        let out = run(&[&["a", "b"], &["d"]], &["a", "c", "d"], Some(2));
        assert_outcome(
            outcome(&out, "rfc7644.paging.complete"),
            Failed,
            Severity::Error,
            &["never returned on any page: c"],
        );
        let dups = outcome(&out, "rfc7644.paging.no-duplicates");
        assert_outcome(dups, Passed, Severity::Error, &[]);
    }

    #[test]
    fn completeness_is_not_judged_when_the_server_pages_in_smaller_steps() {
        // "it MAY return fewer results" (§3.4.2.4): page 1 holds 1 for count=2.
        let out = run(&[&["a"], &["b"]], &["a", "b", "c"], Some(2));
        assert_outcome(
            outcome(&out, "rfc7644.paging.complete"),
            Skipped,
            Severity::Error,
            &[
                "page 1 held 1 resource(s) for count=2",
                "which the RFC allows",
            ],
        );
        // The last page may always be short; without a count no page is.
        let out = run(&[&["a", "b"], &["c"]], &["a", "b", "c", "x"], Some(2));
        let complete = outcome(&out, "rfc7644.paging.complete");
        assert_outcome(complete, Failed, Severity::Error, &["x"]);
        let out = run(&[&["a"], &["b"]], &["a", "b", "c"], None);
        let complete = outcome(&out, "rfc7644.paging.complete");
        assert_outcome(
            complete,
            Failed,
            Severity::Error,
            &["never returned on any page: c"],
        );
    }
}
