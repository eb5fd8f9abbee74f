//! Judging a set of requests sent together (a fan-out, a walk, a probe, a burst): each answer
//! gets the step's checks, and each finding is reported once with how many answers showed it
//! and which; the set rules then judge the answers together (exactly one racing create won,
//! a walk saw every resource once), and the answers a rate limit or a fault delayed are
//! counted.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::outcome::{CheckOutcome, CheckStatus};
use super::rules::sets;
use super::step::{check_step, Flow, StepContext};
use crate::exec::{Exchange, SetSummary};
use crate::plan::PreparedStep;
use crate::scenario::{NamedCall, Profile, Step};
use crate::scim::Severity;

/// One request of a set as the checks see it.
pub struct SetMember<'a> {
    /// Its position in the set (from 0).
    pub index: usize,
    /// Its step, rendered with its own item.
    pub prepared: &'a PreparedStep,
    /// What it sent and got (after any retry the harness made).
    pub exchange: &'a Exchange,
    /// The read sent right after its answer, with `then`.
    pub then: Option<&'a Exchange>,
    /// When that read did not show the write: the read again that first did.
    pub settled: Option<&'a Exchange>,
    /// When `then` did not show the write: how long after the write's answer a read again
    /// first did, in milliseconds (`None`: not within the harness's bound).
    pub settled_after_ms: Option<Option<u64>>,
    /// Earlier attempts that failed (a 5xx or no answer) and were retried.
    pub retried: &'a [Exchange],
    /// Its own checks, when they were run as it landed ([`check_member`]): a large set
    /// keeps no large answer body once it has been checked.
    pub checked: Option<&'a (Vec<CheckOutcome>, Flow)>,
    /// When it was sent, from the start of the set, in milliseconds.
    pub started_ms: u64,
    /// How long its answer took, in milliseconds.
    pub took_ms: u64,
}

/// What the checks of a set see.
pub struct SetContext<'a> {
    /// The scenario's id.
    pub scenario_id: &'a str,
    /// The scenario's profile.
    pub profile: Profile,
    /// The step as written.
    pub step: &'a Step,
    /// The step's reference, or the scenario's.
    pub reference: &'a str,
    /// The step's own answer checks run on each primary answer; the `then` read's run on
    /// each follow-up (what the step's asserts judge).
    pub primary_step: &'a Step,
    /// The follow-up read as a step, with `then`.
    pub then_step: Option<&'a Step>,
    /// Every request of the set, in order.
    pub members: &'a [SetMember<'a>],
    /// What the set did, counted.
    pub summary: &'a SetSummary,
}

/// Every check of a set, and whether the scenario goes on.
pub fn check_set(ctx: &SetContext<'_>) -> (Vec<CheckOutcome>, Flow) {
    // Checks run as a request landed are read where they are, not copied.
    let mut per_member: Vec<Cow<'_, [CheckOutcome]>> = Vec::with_capacity(ctx.members.len());
    let mut flow = Flow::Continue;
    for m in ctx.members {
        let (out, f) = match m.checked {
            Some((out, f)) => (Cow::Borrowed(out.as_slice()), Cow::Borrowed(f)),
            None => {
                let (out, f) = check_member(ctx, m);
                (Cow::Owned(out), Cow::Owned(f))
            }
        };
        if let Flow::SkipRest(reason) = f.as_ref() {
            flow = Flow::SkipRest(reason.clone());
        }
        per_member.push(out);
    }
    let total = ctx.members.len();
    let mut out = merge(&per_member, total);
    if let Some(lag) = lag_text(ctx) {
        // The reads' own findings say how long the writes took to show.
        for c in out.iter_mut().filter(|c| {
            c.is_failure()
                && ctx
                    .step
                    .expect
                    .asserts
                    .iter()
                    .any(|a| a.id == c.id.as_str())
        }) {
            c.message.push_str(&lag);
        }
    }
    let declined = declined(ctx);
    for (written, rendered) in ctx.step.expect.checks.iter().zip(first_checks(ctx)) {
        if !written.over_set() {
            continue;
        }
        if let Some(reason) = &declined {
            out.push(CheckOutcome::skip(written.id(), ctx.reference, reason));
            continue;
        }
        match rendered {
            Some(Ok(NamedCall::Load(call))) => out.extend(sets::run_set(ctx, call)),
            Some(Err(reason)) => out.push(CheckOutcome::skip(
                written.id(),
                ctx.reference,
                reason.clone(),
            )),
            _ => {}
        }
    }
    out.extend(sets::throttled(ctx));
    out.extend(sets::retried_faults(ctx));
    (out, flow)
}

/// Why the set rules cannot judge the set: a request was answered with a status the step
/// declares a missing feature (`skip_if_status`, `unsupported_if_status`), so a walk that
/// stopped at its first page, say, says nothing about paging.
fn declined(ctx: &SetContext<'_>) -> Option<String> {
    let expect = &ctx.step.expect;
    ctx.members.iter().find_map(|m| {
        let status = m.exchange.status()?;
        expect
            .unsupported_if_status
            .get(&status)
            .or_else(|| expect.skip_if_status.get(&status))
            .map(|why| format!("the server answered {status}: {why}"))
    })
}

/// How long the writes whose first read was stale took to show, read again.
fn lag_text(ctx: &SetContext<'_>) -> Option<String> {
    let stale: Vec<Option<u64>> = ctx
        .members
        .iter()
        .filter_map(|m| m.settled_after_ms)
        .collect();
    if stale.is_empty() {
        return None;
    }
    let shown: Vec<u64> = stale.iter().flatten().copied().collect();
    let never = stale.len() - shown.len();
    let mut text = match shown.iter().max() {
        Some(max) => format!(
            "; read again, {} of {} showed the write within {max} ms of its answer",
            shown.len(),
            stale.len()
        ),
        None => String::new(),
    };
    if never > 0 {
        text.push_str(&format!("; {never} did not within 2 s"));
    }
    Some(text)
}

/// The step's own checks on one request of the set (and on its `then` read), the set rules
/// aside: what each answer gets before the answers are judged together. Only the fields of
/// `ctx` that describe the step are read, so it may run as the request lands.
pub fn check_member(ctx: &SetContext<'_>, m: &SetMember<'_>) -> (Vec<CheckOutcome>, Flow) {
    let one = StepContext {
        scenario_id: ctx.scenario_id,
        profile: ctx.profile,
        step: ctx.primary_step,
        prepared: m.prepared,
        reference: ctx.reference,
        exchange: m.exchange,
    };
    let (mut out, flow) = check_step(&one);
    out.retain(|c| !is_set_outcome(ctx.step, c));
    if let (Some(then_step), Some(read)) = (ctx.then_step, m.then) {
        let after = StepContext {
            step: then_step,
            exchange: read,
            ..one
        };
        let mut read_checks = check_step(&after).0;
        // A note on what the server keeps at all (an `info` assert) is judged on the read
        // that showed the write, however late: its lag is another assert's finding.
        if let Some(settled) = m.settled {
            for (a, rendered) in then_step.expect.asserts.iter().zip(&m.prepared.asserts) {
                if a.severity != Some(crate::scim::Severity::Info) {
                    continue;
                }
                if let Some(c) = read_checks.iter_mut().find(|c| c.id.as_str() == a.id) {
                    *c = super::asserts::evaluate(a, rendered, settled, ctx.reference);
                }
            }
        }
        out.extend(read_checks);
    }
    (out, flow)
}

/// The first member's rendered named checks (a set rule's arguments never use `{{item}}`).
fn first_checks<'a>(ctx: &'a SetContext<'a>) -> Vec<Option<&'a Result<NamedCall, String>>> {
    let first = ctx.members.first();
    (0..ctx.step.expect.checks.len())
        .map(|i| first.and_then(|m| m.prepared.checks.get(i)))
        .collect()
}

/// Outcomes of a set rule, which `check_step` reports per answer only as skipped.
fn is_set_outcome(step: &Step, c: &CheckOutcome) -> bool {
    step.expect
        .checks
        .iter()
        .any(|call| call.over_set() && (call.id() == c.id.as_str() || call.reports(c.id.as_str())))
}

/// Each outcome id once: the worst status any answer got, with how many answers got it and
/// which (`#3, #7` count from 1, as the requests were numbered).
pub fn merge<M: AsRef<[CheckOutcome]>>(per_member: &[M], total: usize) -> Vec<CheckOutcome> {
    let mut order: Vec<String> = Vec::new();
    let mut by_id: BTreeMap<String, Vec<(usize, &CheckOutcome)>> = BTreeMap::new();
    for (i, outcomes) in per_member.iter().enumerate() {
        for c in outcomes.as_ref() {
            let key = c.id.as_str().to_string();
            if !by_id.contains_key(&key) {
                order.push(key.clone());
            }
            by_id.entry(key).or_default().push((i, c));
        }
    }
    order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .map(|seen| merged(&seen, total))
        .collect()
}

fn rank(c: &CheckOutcome) -> u8 {
    match (c.status, c.severity) {
        (CheckStatus::Failed, _) => 4,
        (CheckStatus::Warning, Severity::Warning | Severity::Error) => 3,
        (CheckStatus::Warning, Severity::Info) => 2,
        // A note that did not hold on some answer is what the steps that need it read.
        (CheckStatus::Passed, _) if c.is_unmet() => 2,
        (CheckStatus::Passed, _) => 1,
        (CheckStatus::Skipped, _) => 0,
    }
}

fn merged(seen: &[(usize, &CheckOutcome)], total: usize) -> CheckOutcome {
    let worst = seen.iter().map(|(_, c)| rank(c)).max().unwrap_or(0);
    let hits: Vec<&(usize, &CheckOutcome)> =
        seen.iter().filter(|(_, c)| rank(c) == worst).collect();
    let (first_index, first) = *hits[0];
    let mut out = first.clone();
    if total <= 1 {
        return out;
    }
    let which = numbered(hits.iter().map(|(i, _)| *i));
    out.message = match worst {
        // Every answer passed (or was skipped for the same reason): one line for all.
        0 | 1 if hits.len() == total => format!("all {total} requests: {}", first.message),
        0 | 1 => format!("{} of {total} requests: {}", hits.len(), first.message),
        _ if hits.len() == 1 => {
            format!("request #{} of {total}: {}", first_index + 1, first.message)
        }
        _ => format!(
            "{} of {total} requests ({which}); the first, #{}: {}",
            hits.len(),
            first_index + 1,
            first.message
        ),
    };
    out
}

/// `#1, #4, #9` for positions from 0, the first ten and how many more.
pub fn numbered(indexes: impl Iterator<Item = usize>) -> String {
    let all: Vec<usize> = indexes.collect();
    let mut text: Vec<String> = all.iter().take(10).map(|i| format!("#{}", i + 1)).collect();
    if all.len() > 10 {
        text.push(format!("{} more", all.len() - 10));
    }
    text.join(", ")
}

/// Rules a set reports that the registry lists.
pub fn set_rule_ids() -> impl Iterator<Item = &'static str> {
    [sets::RETRY_AFTER, sets::THROTTLED_BODY, sets::RETRIED_FAULT].into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_on_some_answers_is_reported_once_with_their_numbers() {
        let pass = CheckOutcome::pass("x.status", "r", "status 200");
        let fail = CheckOutcome::fail(
            "x.status",
            Severity::Error,
            "r",
            "expected status 200, got 500",
            "h",
        );
        let merged = merge(
            &[
                vec![pass.clone()],
                vec![fail.clone()],
                vec![pass.clone()],
                vec![fail],
            ],
            4,
        );
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].status, CheckStatus::Failed);
        assert_eq!(
            merged[0].message,
            "2 of 4 requests (#2, #4); the first, #2: expected status 200, got 500"
        );
        let all = merge(&[vec![pass.clone()], vec![pass]], 2);
        assert_eq!(all[0].message, "all 2 requests: status 200");
        let held = CheckOutcome::note("x.kept", "r", "/title: \"Alone\", as expected");
        let unmet = CheckOutcome::unmet_note("x.kept", "r", "/title: got nothing", "h");
        let noted = merge(&[vec![held], vec![unmet]], 2);
        assert!(noted[0].is_unmet(), "{noted:?}");
        assert_eq!(noted[0].message, "request #2 of 2: /title: got nothing");
    }

    #[test]
    fn numbers_stop_after_ten() {
        assert_eq!(
            numbered(0..12),
            "#1, #2, #3, #4, #5, #6, #7, #8, #9, #10, 2 more"
        );
    }
}
