//! What every set of requests is held to under load: throttled answers that say when to come
//! back and why, and faults the harness had to retry.

use super::sets::{RETRIED_FAULT, RETRY_AFTER, THROTTLED_BODY, THROTTLE_REFERENCE};
use crate::check::outcome::CheckOutcome;
use crate::check::set::{numbered, SetContext};
use crate::exec::Exchange;
use crate::scim::json::{clip, schemas_hold};
use crate::scim::{urn, Severity};

/// A 429 or 503 the harness waited out: `Retry-After` (a warning when missing) and a SCIM
/// error body (a warning when missing: RFC 6585 §4 "The response representations SHOULD
/// include details explaining the condition"). RFC 6585 makes Retry-After a MAY; it is a
/// warning here because Okta and Entra ID then back off blindly.
pub fn throttled(ctx: &SetContext<'_>) -> Vec<CheckOutcome> {
    let mut without_after = Vec::new();
    let mut without_body = Vec::new();
    let mut total = 0usize;
    for m in ctx.members {
        let final_429 = m
            .exchange
            .response
            .as_ref()
            .filter(|r| matches!(r.status, 429 | 503));
        for t in &m.exchange.throttled {
            total += 1;
            if t.retry_after.is_none() {
                without_after.push(m.index);
            }
            if !t.error_body {
                without_body.push(m.index);
            }
        }
        if let Some(r) = final_429 {
            total += 1;
            if r.header("retry-after").is_none() {
                without_after.push(m.index);
            }
            if !r.json.as_ref().is_some_and(|b| schemas_hold(b, urn::ERROR)) {
                without_body.push(m.index);
            }
        }
    }
    if total == 0 {
        return vec![];
    }
    let verdict = |id: &str, missing: &[usize], what: &str, hint: &str| {
        if missing.is_empty() {
            CheckOutcome::pass(
                id,
                THROTTLE_REFERENCE,
                format!("all {total} throttled answers carried {what}"),
            )
        } else {
            let mut who = missing.to_vec();
            who.dedup();
            CheckOutcome::fail(
                id,
                Severity::Warning,
                THROTTLE_REFERENCE,
                format!(
                    "{} of {total} throttled answers came without {what} (requests {})",
                    missing.len(),
                    numbered(who.into_iter())
                ),
                hint,
            )
        }
    };
    vec![
        verdict(RETRY_AFTER, &without_after, "Retry-After", "Send Retry-After with every 429 (and a 503 that is a rate limit), so the IdP waits as long as you need instead of guessing."),
        verdict(THROTTLED_BODY, &without_body, "a SCIM error body", "Send a SCIM error body (RFC 7644 §3.12) with a 429, saying why and for how long."),
    ]
}

/// Answers that failed (5xx, a dropped connection) and were sent again by the harness: each
/// fault is the server's, even when the retry succeeded. A warning: no RFC sentence forbids
/// a transient failure, but an IdP that does not retry loses the change.
pub fn retried_faults(ctx: &SetContext<'_>) -> Vec<CheckOutcome> {
    let faulty: Vec<&crate::check::set::SetMember<'_>> = ctx
        .members
        .iter()
        .filter(|m| !m.retried.is_empty())
        .collect();
    let Some(first) = faulty.first() else {
        return vec![];
    };
    let what = |x: &Exchange| match (&x.response, &x.error) {
        (Some(r), _) => r.status.to_string(),
        (None, Some(e)) => clip(&e.message, 80),
        _ => "no answer".into(),
    };
    vec![CheckOutcome::fail(
        RETRIED_FAULT,
        Severity::Warning,
        "the step's reference (faults under load)",
        format!(
            "{} of {} requests failed and were sent again ({}); the first, #{}: {} {} → {}",
            faulty.len(),
            ctx.members.len(),
            numbered(faulty.iter().map(|m| m.index)),
            first.index + 1,
            first.retried[0].request.method.as_str(),
            clip(&first.retried[0].request.url, 120),
            what(&first.retried[0])
        ),
        "Answer every request under the IdP's parallel load: a 5xx or a dropped connection makes the IdP retry or give up.",
    )]
}
