//! A step that sends a set of requests (`fan_out`, `pages`): sent by [`super::fanout`],
//! judged together by the check stage, its captures gathered into lists in request order.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::Value;

use super::fanout::{self, SetEnv};
use super::step::{answered_as_expected, capture, checked_set, failed_assert, skipped_step};
use crate::check::{Flow, SetContext, SetMember};
use crate::exec::{Cancel, Client, Ledger, LedgerEntry};
use crate::plan::{self, Vars};
use crate::result::StepResult;
use crate::scenario::{Expect, Scenario, Step};

/// What a set step left for the scenario's loop.
pub(super) struct SetStepDone {
    pub result: StepResult,
    /// Why the steps that need it cannot build on it.
    pub failed: Option<String>,
    pub flow: Flow,
}

/// Sends and judges a `fan_out` or `pages` step.
#[allow(clippy::too_many_arguments)]
pub(super) async fn run_set_step(
    client: &Client,
    ledger: &Ledger,
    cancel: &Cancel,
    scenario: &Scenario,
    step: &Step,
    reference: &str,
    vars: &Vars,
    created: &mut Vec<LedgerEntry>,
    events: &dyn super::events::Events,
    keep_all: bool,
) -> SetStepDone {
    let then = step.fan_out.as_ref().and_then(|f| f.then.as_ref());
    // With a read after each write, the step's asserts judge the read.
    let mut primary = step.clone();
    let then_step = then.map(|request| {
        primary.expect.asserts.clear();
        Step {
            id: format!("{}-read", step.id).into(),
            request: request.clone(),
            expect: Expect {
                status: vec![200],
                asserts: step.expect.asserts.clone(),
                ..Expect::default()
            },
            fan_out: None,
            ..step.clone()
        }
    });
    let summary_unknown = crate::exec::SetSummary::default();
    let step_ctx = SetContext {
        scenario_id: &scenario.id,
        profile: scenario.profile,
        step,
        reference,
        primary_step: &primary,
        then_step: then_step.as_ref(),
        members: &[],
        summary: &summary_unknown,
    };
    // Each request is checked as it lands, so that a large set keeps no large body after.
    let judge = |sent: &fanout::SentMember| {
        let member = SetMember {
            index: 0,
            prepared: &sent.prepared,
            exchange: &sent.exchange,
            then: sent.then.as_ref(),
            settled: sent.settled_read.as_ref(),
            settled_after_ms: None,
            retried: &sent.retried,
            started_ms: 0,
            took_ms: 0,
            checked: None,
        };
        super::step::guarded(|| crate::check::check_member(&step_ctx, &member))
    };
    let not_sent = |why: String| SetStepDone {
        result: skipped_step(step, &scenario.id, reference, why.clone()),
        failed: Some(why),
        flow: Flow::Continue,
    };
    let made = Mutex::new(Vec::new());
    let env = SetEnv {
        client,
        ledger,
        cancel,
        headers: &scenario.headers,
        created: &made,
        events,
        scenario_id: scenario.id.as_str(),
        judge: &judge,
    };
    let sent = match (&step.fan_out, &step.pages) {
        (Some(f), _) => match plan::plan_fan_out(f, vars) {
            Ok(fan) => fanout::send_fan_out(&env, step, f, vars, &fan).await,
            Err(why) => return not_sent(why),
        },
        (None, Some(pages)) => fanout::walk(&env, step, vars, pages).await,
        (None, None) => return not_sent("the step sends neither a fan-out nor a walk".into()),
    };
    created.extend(made.into_inner().unwrap_or_else(|e| e.into_inner()));
    let members: Vec<SetMember<'_>> = sent
        .members
        .iter()
        .map(|x| SetMember {
            index: x.index,
            prepared: &x.value.prepared,
            exchange: &x.value.exchange,
            then: x.value.then.as_ref(),
            settled: x.value.settled_read.as_ref(),
            settled_after_ms: x
                .value
                .settled_after
                .map(|d| d.map(|d| d.as_millis() as u64)),
            retried: &x.value.retried,
            checked: x.value.checked.as_ref(),
            started_ms: x.started.as_millis() as u64,
            took_ms: x.took.as_millis() as u64,
        })
        .collect();
    let ctx = SetContext {
        members: &members,
        summary: &sent.summary,
        ..step_ctx
    };
    let (checks, flow) = checked_set(&ctx);
    let probe = step.fan_out.as_ref().is_some_and(|f| f.until_success);
    // Each capture gathers the values of the requests that succeeded, in request order.
    let mut captures: BTreeMap<String, Value> = step
        .capture
        .keys()
        .map(|name| (name.clone(), Value::Array(vec![])))
        .collect();
    let mut unanswered: Vec<(usize, String)> = Vec::new();
    for x in &sent.members {
        if let Err(why) = answered_as_expected(step, &x.value.exchange) {
            unanswered.push((x.index, why));
            continue;
        }
        for (name, value) in capture(step, &x.value.exchange) {
            if let Some(Value::Array(list)) = captures.get_mut(&name) {
                list.push(value);
            }
        }
    }
    let answered = match unanswered.first() {
        // A probe's refusals are what it looks for.
        Some(_) if probe => Ok(()),
        Some((i, why)) => Err(format!(
            "{} of {} requests did not succeed (the first, #{}: {why})",
            unanswered.len(),
            sent.members.len(),
            i + 1
        )),
        None if sent.members.is_empty() => Err("no request was sent".to_string()),
        None => Ok(()),
    };
    let failed = answered.err().or_else(|| failed_assert(step, &checks));
    let mut result = StepResult::of(step);
    result.exchange = sent.members.first().map(|x| x.value.exchange.clone());
    if keep_all {
        // Each request and the read sent after it, in the order they were sent.
        result.set_exchanges = sent
            .members
            .iter()
            .flat_map(|x| std::iter::once(&x.value.exchange).chain(&x.value.then))
            .cloned()
            .collect();
    }
    result.checks = checks;
    result.captures = captures;
    result.set = Some(sent.summary);
    SetStepDone {
        result,
        failed,
        flow,
    }
}
