//! Pages fetched one after another must partition the result set: Okta's import walks
//! `startIndex` 1, 101, … and loses or duplicates users if the order is not stable.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scenario::PagingArgs;
use crate::scim::json::member;
use crate::scim::Severity;

pub const REFERENCE: &str = "RFC 7644 §3.4.2.4; Okta import paging";

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
