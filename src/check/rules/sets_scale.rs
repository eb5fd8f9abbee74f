//! Okta's group push at size and a list walked page by page: every batch answered within
//! Okta's timeout, the largest batch a server accepts, and a walk that sees every resource once.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::sets::{ids, listed, OKTA_BATCH_REFERENCE, OKTA_TIMEOUT_REFERENCE, WALK_REFERENCE};
use crate::check::outcome::CheckOutcome;
use crate::check::set::{numbered, SetContext};
use crate::scenario::named_set::{BatchTimeArgs, WalkArgs};
use crate::scim::json::{clip, id_of, member, schemas_hold};
use crate::scim::{urn, Severity};

/// `okta.group.patch-time`: every request of the set was answered within Okta's timeout for
/// membership PATCHes; the slowest is reported either way.
pub fn batch_time(ctx: &SetContext<'_>, args: &BatchTimeArgs) -> CheckOutcome {
    const ID: &str = "okta.group.patch-time";
    let Some(slowest) = ctx.members.iter().max_by_key(|m| m.took_ms) else {
        return CheckOutcome::skip(ID, OKTA_TIMEOUT_REFERENCE, "nothing was sent");
    };
    let limit = args.seconds * 1000;
    let over: Vec<usize> = ctx
        .members
        .iter()
        .filter(|m| m.took_ms > limit)
        .map(|m| m.index)
        .collect();
    let figures = format!(
        "slowest #{} of {}: {:.2} s; p50 {:.2} s",
        slowest.index + 1,
        ctx.members.len(),
        slowest.took_ms as f64 / 1000.0,
        ctx.summary.p50_ms / 1000.0
    );
    if over.is_empty() {
        return CheckOutcome::pass(ID, OKTA_TIMEOUT_REFERENCE, figures);
    }
    CheckOutcome::fail(ID, Severity::Error, OKTA_TIMEOUT_REFERENCE, format!("{} request(s) took longer than {} s ({}), which Okta abandons: {figures}", over.len(), args.seconds, numbered(over.into_iter())), "Apply a PATCH of a batch of members in well under 60 s (a set insert, not one query per member), or declare a smaller batch size to Okta.")
}

/// `okta.group.patch-size`: the largest PATCH of members a limit probe saw accepted, as a
/// note for the Okta setting; refusing even Okta's smallest setting (100) is an error under
/// Okta's rules, and so is a refusal that is not a 413 or 400 with a SCIM error body (a 5xx
/// or a dropped connection reads to Okta as a failure to retry, not a limit).
pub fn batch_limit(ctx: &SetContext<'_>) -> CheckOutcome {
    const ID: &str = "okta.group.patch-size";
    let size = |m: &crate::check::set::SetMember<'_>| -> usize {
        m.exchange.request.body.as_ref().map_or(0, |b| {
            b.get("Operations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|op| op.get("value"))
                .map(|v| v.as_array().map_or(1, Vec::len))
                .sum()
        })
    };
    let bad_refusal = ctx.members.iter().find(|m| {
        let st = m.exchange.status();
        let scim_error = m
            .exchange
            .json()
            .is_some_and(|b| schemas_hold(b, urn::ERROR));
        let accepted = st.is_some_and(|s| (200..300).contains(&s));
        let refused_as_too_large = matches!(st, Some(400 | 413)) && scim_error;
        !(accepted || refused_as_too_large)
    });
    if let Some(m) = bad_refusal {
        let what = m
            .exchange
            .status()
            .map_or_else(|| "no answer".to_string(), |s| s.to_string());
        return CheckOutcome::fail(ID, Severity::Error, OKTA_BATCH_REFERENCE, format!("a PATCH of {} members was answered {what}, not accepted and not refused as too large (413, or 400 with a SCIM error)", size(m)), "Refuse a PATCH larger than you accept with 413 (or 400) and a SCIM error body, and accept at least 100 members per PATCH.");
    }
    let accepted = ctx
        .members
        .iter()
        .find(|m| m.exchange.status().is_some_and(|s| (200..300).contains(&s)));
    let refused: Vec<usize> = ctx
        .members
        .iter()
        .filter(|m| !m.exchange.status().is_some_and(|s| (200..300).contains(&s)))
        .map(size)
        .collect();
    let refused_text = if refused.is_empty() {
        String::new()
    } else {
        format!(
            " (refused: {})",
            refused
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    match accepted {
        Some(m) => CheckOutcome::note(ID, OKTA_BATCH_REFERENCE, format!("a PATCH of {} members was accepted{refused_text}: set Okta's membership changes per PATCH to at most {}", size(m), size(m))),
        None => {
            let smallest = refused.iter().min().copied().unwrap_or(0);
            if smallest <= 100 {
                CheckOutcome::fail(ID, Severity::Error, OKTA_BATCH_REFERENCE, format!("every PATCH was refused{refused_text}, down to {smallest} members: Okta's smallest setting is 100 per PATCH"), "Accept at least 100 member changes in one PATCH: Okta cannot be set lower.")
            } else {
                CheckOutcome::note(ID, OKTA_BATCH_REFERENCE, format!("every PATCH tried was refused{refused_text}; below {smallest} members was not tried"))
            }
        }
    }
}

/// The `rfc7644.paging-walk` outcomes: a list walked page by page (startIndex advancing by
/// what each page held) sees every expected id exactly once, `totalResults` stays the same
/// (and, under a filter that selects only the run's resources, equals their number), no
/// page holds more than `count`, and the walk ends. RFC 7644 §3.4.2.4: startIndex is "The
/// 1-based index of the first query result" and count "the desired maximum number of query
/// results per page"; errors, because Okta's import skips and repeats users otherwise.
pub fn paging_walk(ctx: &SetContext<'_>, args: &WalkArgs) -> Vec<CheckOutcome> {
    let expected = ids(&args.expected);
    let mut seen: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut totals: BTreeSet<u64> = BTreeSet::new();
    let mut oversized = Vec::new();
    let count = ctx
        .step
        .pages
        .as_ref()
        .map_or(u64::MAX, |p| u64::from(p.count));
    for m in ctx.members {
        let Some(body) = m.exchange.json() else {
            continue;
        };
        if let Some(t) = member(body, "totalResults").and_then(Value::as_u64) {
            totals.insert(t);
        }
        let resources = member(body, "Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if resources.len() as u64 > count {
            oversized.push(format!("page {} held {}", m.index + 1, resources.len()));
        }
        for r in &resources {
            if let Some(id) = id_of(r) {
                seen.entry(id.to_string()).or_default().push(m.index + 1);
            }
        }
    }
    let pages = ctx.members.len();
    let fail = |id: &str, msg: String, hint: &str| {
        CheckOutcome::fail(id, Severity::Error, WALK_REFERENCE, msg, hint)
    };
    let mut out = Vec::new();
    let repeated: Vec<String> = seen
        .iter()
        .filter(|(_, p)| p.len() > 1)
        .map(|(id, p)| {
            format!(
                "`{}` on pages {}",
                clip(id, 40),
                p.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let missing: Vec<&String> = expected
        .iter()
        .filter(|id| !seen.contains_key(*id))
        .collect();
    out.push(if repeated.is_empty() && missing.is_empty() {
        CheckOutcome::pass("rfc7644.walk.each-once", WALK_REFERENCE, format!("{pages} pages held each of the {} expected resources once", expected.len()))
    } else {
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("{} of {} never appeared: {}", missing.len(), expected.len(), listed(&missing)));
        }
        if !repeated.is_empty() {
            let n = repeated.len();
            let shown: Vec<String> = repeated.into_iter().take(5).collect();
            parts.push(format!("{n} appeared more than once: {}", shown.join("; ")));
        }
        fail("rfc7644.walk.each-once", format!("walking {pages} pages: {}", parts.join("; ")), "Order every page of a list the same way (by id or creation), so that startIndex walks partition the results.")
    });
    let want_total = expected.len() as u64;
    out.push(match (totals.len(), totals.iter().next()) {
        (1, Some(t)) if !args.exact_total || *t == want_total => CheckOutcome::pass("rfc7644.walk.total-stable", WALK_REFERENCE, format!("totalResults {t} on every page")),
        (1, Some(t)) => fail("rfc7644.walk.total-stable", format!("totalResults is {t} on every page, but the filter selects the {want_total} resources this run created"), "Count the resources the filter matches in totalResults."),
        (0, _) => fail("rfc7644.walk.total-stable", "no page carried totalResults".into(), "Send totalResults on every page (RFC 7644 §3.4.2: REQUIRED)."),
        _ => fail("rfc7644.walk.total-stable", format!("totalResults changed during the walk: {}", totals.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")), "Keep totalResults stable while the list does not change."),
    });
    out.push(if oversized.is_empty() {
        CheckOutcome::pass(
            "rfc7644.walk.page-size",
            WALK_REFERENCE,
            format!("no page held more than {count}"),
        )
    } else {
        fail(
            "rfc7644.walk.page-size",
            format!(
                "pages held more than the count of {count} asked for: {}",
                oversized.join(", ")
            ),
            "Return at most `count` resources per page.",
        )
    });
    let ended = ctx.summary.stopped.is_none()
        && ctx
            .members
            .last()
            .is_some_and(|m| m.exchange.status() == Some(200));
    out.push(if ended {
        CheckOutcome::pass(
            "rfc7644.walk.ends",
            WALK_REFERENCE,
            format!("the walk ended after {pages} pages"),
        )
    } else {
        fail(
            "rfc7644.walk.ends",
            format!(
                "the walk did not end cleanly after {pages} pages (the last answered {})",
                ctx.members
                    .last()
                    .and_then(|m| m.exchange.status())
                    .map_or("nothing".into(), |s| s.to_string())
            ),
            "Answer every page of a walk with 200, an empty page past the end.",
        )
    });
    out
}
