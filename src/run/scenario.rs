//! Runs planned scenarios: scenarios concurrently, steps in order (prepare → send → ledger →
//! check → capture), each exchange checked as soon as it is recorded, and each scenario's
//! resources deleted as soon as it ends. The longest scenarios start first, so the run is not
//! kept waiting for one that started late; results come back in plan order whatever the start
//! and completion order.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use futures::stream::{self, StreamExt};

use super::events::Events;
use super::step::{
    answered_as_expected, capture, checked, failed_assert, missing_reason, off_origin, panic_text,
    paused, scrub_step, skipped_step, Blocked, DISOWNED_HINT,
};
use crate::check::rules::throughput;
use crate::check::{self, Flow, StepContext};
use crate::exec::cleanup::{self, Cleanup};
use crate::exec::{
    read_back, read_location, send_burst, Cancel, Client, Ledger, LedgerEntry, Observed, REDACTED,
};
use crate::plan::{self, PlannedScenario};
use crate::result::{ScenarioResult, StepResult};
use crate::scim::Severity;

/// What one run shares across its scenarios.
pub(crate) struct RunScope<'a> {
    /// The embedded Okta org, when an export drives one.
    pub org: Option<&'a crate::exec::okta::OktaOrg>,
    pub client: &'a Client,
    pub ledger: &'a Ledger,
    pub cancel: &'a Cancel,
    pub events: &'a dyn Events,
    /// Scenarios at once.
    pub concurrency: usize,
    /// Deletes at once in a scenario's cleanup.
    pub deletes: usize,
    /// Delete each scenario's resources when it ends (not with `--keep-resources`).
    pub clean_each: bool,
    /// Start no scenario after one has failed (those already running finish).
    pub fail_fast: bool,
    /// Keep every request of a set step in its result.
    pub keep_sets: bool,
}

/// Why scenarios not started under `--fail-fast` did not run.
const FAIL_FAST: &str = "not started: --fail-fast, and an earlier scenario failed";

/// Runs every planned scenario; returns their results in plan order and what their
/// cleanups did.
pub(crate) async fn run_scenarios(
    scope: &RunScope<'_>,
    planned: Vec<PlannedScenario>,
) -> (Vec<ScenarioResult>, Cleanup) {
    scope.events.started(planned.len());
    let cleaned = Mutex::new(Cleanup::default());
    let cleaned_ref = &cleaned;
    let failed = std::sync::atomic::AtomicBool::new(false);
    let failed_ref = &failed;
    let mut results: Vec<(usize, ScenarioResult)> = stream::iter(start_order(planned))
        .map(|(i, mut p)| async move {
            if scope.fail_fast && failed_ref.load(std::sync::atomic::Ordering::SeqCst) {
                p.skip.get_or_insert_with(|| FAIL_FAST.into());
            }
            let shell = ScenarioResult {
                id: p.scenario.id.clone(),
                title: p.scenario.title.clone(),
                profile: p.scenario.profile,
                reference: p.scenario.reference.clone(),
                file: p.file.clone(),
                skipped: None,
                not_applicable: None,
                steps: vec![],
                duration_ms: 0,
                volatile: vec![],
                snapshot: None,
            };
            // A harness bug in one scenario costs that scenario, never the whole report.
            let mut created = Vec::new();
            let run = std::panic::AssertUnwindSafe(run_scenario(
                scope.org,
                scope.client,
                scope.ledger,
                scope.cancel,
                scope.events,
                p,
                &mut created,
                scope.keep_sets,
            ));
            let result = futures::FutureExt::catch_unwind(run).await;
            if scope.clean_each {
                // Off the critical path: the scenario's own resources go as soon as it ends,
                // while other scenarios still run.
                let mine = still_there(scope.ledger, &created);
                if !mine.is_empty() {
                    let done =
                        cleanup::delete_entries(scope.client, scope.ledger, mine, scope.deletes)
                            .await;
                    cleaned_ref
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .absorb(done);
                }
            }
            let result = result.unwrap_or_else(|panic| ScenarioResult {
                    steps: vec![StepResult {
                        checks: vec![check::CheckOutcome::fail(
                            check::rules::INTERNAL_ERROR,
                            Severity::Error,
                            "scimcheck",
                            format!(
                                "scimcheck failed while running this scenario ({}); the rest of the run went on",
                                panic_text(panic.as_ref())
                            ),
                            "This is a bug in scimcheck, not in the server: please report it with this message.",
                        )],
                        ..StepResult::named("internal-error".into(), "scimcheck stopped this scenario")
                    }],
                    ..shell
                });
            let has_failure = result
                .steps
                .iter()
                .flat_map(|s| &s.checks)
                .any(|c| c.status == check::CheckStatus::Failed);
            if has_failure {
                failed_ref.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            scope.events.scenario_done(&result);
            (i, result)
        })
        .buffer_unordered(scope.concurrency.max(1))
        .collect()
        .await;
    scope.events.finished();
    results.sort_by_key(|(i, _)| *i);
    let cleaned = cleaned.into_inner().unwrap_or_else(|e| e.into_inner());
    (results.into_iter().map(|(_, r)| r).collect(), cleaned)
}

/// The planned scenarios with their plan positions, in the order they start: most steps
/// first, plan order among equals. With more scenarios than slots, a long one started last
/// would otherwise set the run's length on its own.
fn start_order(planned: Vec<PlannedScenario>) -> Vec<(usize, PlannedScenario)> {
    let mut order: Vec<_> = planned.into_iter().enumerate().collect();
    // A stable sort: equals keep their plan order.
    order.sort_by_key(|(_, p)| std::cmp::Reverse(p.scenario.steps.len()));
    order
}

/// A create's Location that is not of the form `…/{id}` (a note of the check stage) is read:
/// the note becomes a pass when it answers the new resource, an error when it does not.
async fn confirm_location(
    client: &Client,
    entry: &LedgerEntry,
    exchange: &crate::exec::Exchange,
    checks: &mut [check::CheckOutcome],
) {
    const ID: &str = "rfc7644.create.location-is-resource";
    let Some(note) = checks
        .iter_mut()
        .find(|c| c.id.as_str() == ID && c.severity == Severity::Info)
    else {
        return;
    };
    let Some(location) = exchange
        .response
        .as_ref()
        .and_then(|r| r.header("location"))
    else {
        return;
    };
    let reference = note.reference.clone();
    match read_location(client, entry, location).await {
        Some(Ok(message)) => *note = check::CheckOutcome::pass(ID, &reference, message),
        Some(Err(why)) => {
            *note = check::CheckOutcome::fail(
                ID,
                Severity::Error,
                &reference,
                why,
                "The Location is the URI of the created resource (RFC 7644 §3.3): a GET there answers it.",
            )
        }
        None => {}
    }
}

/// The resources of `created` that the ledger says still exist.
fn still_there(ledger: &Ledger, created: &[LedgerEntry]) -> Vec<LedgerEntry> {
    let mine: std::collections::HashSet<(crate::scim::ResourceKind, &str)> =
        created.iter().map(|c| (c.kind, c.id.as_str())).collect();
    let mut out = ledger.remaining();
    out.retain(|e| mine.contains(&(e.kind, e.id.as_str())));
    out
}

#[allow(clippy::too_many_arguments)]
async fn run_scenario(
    org: Option<&crate::exec::okta::OktaOrg>,
    client: &Client,
    ledger: &Ledger,
    cancel: &Cancel,
    events: &dyn Events,
    planned: PlannedScenario,
    created: &mut Vec<LedgerEntry>,
    keep_sets: bool,
) -> ScenarioResult {
    let started = Instant::now();
    let PlannedScenario {
        file,
        scenario,
        mut vars,
        skip,
    } = planned;
    let mut steps: Vec<StepResult> = Vec::with_capacity(scenario.steps.len());
    // `--secret` values: sent, but never part of a result.
    let secrets = client.masked_values();
    // Why the steps and asserts later steps may `need` cannot be built on.
    let mut blocked = Blocked::default();
    let mut skip_rest = skip.clone();
    let mut not_applicable = None;
    for step in &scenario.steps {
        let reference = step.reference.as_deref().unwrap_or(&scenario.reference);
        if let Some(reason) = cancel.reason() {
            skip_rest.get_or_insert(reason.to_string());
        }
        if let Some(reason) = skip_rest.clone().or_else(|| blocked.need_of(step)) {
            blocked.not_run(step, "it was skipped");
            steps.push(skipped_step(step, &scenario.id, reference, reason));
            continue;
        }
        if let Some(pause) = step.pause {
            steps.push(paused(step, pause, cancel).await);
            continue;
        }
        if let Some(why) = &step.not_run {
            blocked.not_run(step, "it was not run");
            steps.push(skipped_step(step, &scenario.id, reference, why.clone()));
            continue;
        }
        if step.fan_out.is_some() || step.pages.is_some() {
            let done = super::set_step::run_set_step(
                client, ledger, cancel, &scenario, step, reference, &vars, created, events,
                keep_sets,
            )
            .await;
            blocked.ran(step, done.failed, &done.result.checks);
            for (name, value) in &done.result.captures {
                vars.insert(name.clone(), value.clone());
            }
            if let Flow::SkipRest(reason) = done.flow {
                not_applicable = Some(reason.clone());
                skip_rest = Some(reason);
            }
            steps.push(done.result);
            continue;
        }
        let step_plan = match plan::prepare_step(step, &scenario.headers, &vars) {
            Ok(p) => p,
            Err(e) => {
                blocked.not_run(step, "it was skipped");
                steps.push(skipped_step(
                    step,
                    &scenario.id,
                    reference,
                    missing_reason(&e, step, &scenario.steps),
                ));
                continue;
            }
        };
        if let Some(why) = &step_plan.refused {
            blocked.not_run(step, "it was not sent");
            steps.push(off_origin(step, &scenario.id, reference, why));
            continue;
        }
        if step.okta_api {
            let done = super::okta_step::run_org_step(
                org,
                &scenario.id,
                scenario.profile,
                step,
                &step_plan,
                reference,
                created,
            )
            .await;
            blocked.ran(step, done.failed, &done.result.checks);
            for (name, value) in &done.result.captures {
                vars.insert(name.clone(), value.clone());
            }
            steps.push(done.result);
            continue;
        }
        let mut location_read = None;
        let prepared = &step_plan.request;
        let burst_requests = step_plan.burst.iter().flat_map(|b| &b.requests);
        let refusal = std::iter::once(prepared)
            .chain(burst_requests)
            .find_map(|r| ledger.refusal(r));
        let in_flight = refusal.is_none().then(|| ledger.sending(prepared));
        let mut burst = None;
        let exchange = match (refusal, &step_plan.burst) {
            (Some(why), _) => client.refused(prepared, why),
            (None, Some(b)) => {
                let out = send_burst(client, cancel, &b.requests, b.rate, b.seconds).await;
                let first = out.first.clone();
                burst = Some(out);
                first
            }
            (None, None) => client.send(prepared).await,
        };
        let observed = ledger.observe(prepared, &exchange);
        drop(in_flight);
        let observed = match observed {
            Observed::Created(entry) => {
                created.push(entry.clone());
                let observed = read_back(client, ledger, &entry).await;
                location_read = Some(entry);
                observed
            }
            Observed::CreatedMany(entries) => {
                // Each is read back like a single create; the first that is not the run's
                // speaks for the step.
                let mut observed = Observed::Nothing;
                for entry in entries {
                    created.push(entry.clone());
                    let seen = read_back(client, ledger, &entry).await;
                    if matches!(observed, Observed::Nothing) {
                        observed = seen;
                    }
                }
                observed
            }
            other => other,
        };
        // The checks compare the step as a report shows it with the recorded exchange, where
        // secrets are already redacted: an echoed secret matches, and no message quotes one.
        let shown_plan = if secrets.is_empty() {
            None
        } else {
            let shown = plan::user::masked(&vars, &secrets, REDACTED);
            plan::prepare_step(step, &scenario.headers, &shown).ok()
        };
        let ctx = StepContext {
            scenario_id: &scenario.id,
            profile: scenario.profile,
            step,
            prepared: shown_plan.as_ref().unwrap_or(&step_plan),
            reference,
            exchange: &exchange,
        };
        let (mut checks, flow) = checked(&ctx);
        if let Some(entry) = location_read.take() {
            confirm_location(client, &entry, &exchange, &mut checks).await;
        }
        if let Some(out) = &burst {
            let first_bad = out.first_bad.as_ref().map(|(x, at)| (x, *at));
            checks.push(throughput::sustained(reference, &out.summary, first_bad));
        }
        let mut answered = answered_as_expected(step, &exchange);
        if let Observed::Disowned { check: id, why } = observed {
            // Its id must not reach a later step: that would change someone else's data. A
            // status already found wrong (a duplicate create accepted) speaks for itself.
            let status_failed = checks
                .iter()
                .any(|c| c.id.as_str().ends_with(".status") && c.is_failure());
            if !status_failed {
                // The row of the ledger's id cites the rule.
                let reference = check::rules::find(id).map_or("RFC 7644 §3.3", |r| r.reference);
                checks.push(check::CheckOutcome::fail(
                    id,
                    Severity::Error,
                    reference,
                    why.clone(),
                    DISOWNED_HINT,
                ));
            }
            answered = Err(why);
        }
        let captures = if answered.is_ok() {
            capture(step, &exchange)
        } else {
            BTreeMap::new()
        };
        let failed = answered.err().or_else(|| failed_assert(step, &checks));
        blocked.ran(step, failed, &checks);
        for (name, value) in &captures {
            vars.insert(name.clone(), value.clone());
        }
        if let Flow::SkipRest(reason) = flow {
            not_applicable = Some(reason.clone());
            skip_rest = Some(reason);
        }
        let mut result = StepResult::of(step);
        result.exchange = Some(exchange);
        result.checks = checks;
        result.captures = captures;
        result.set = burst.map(|b| b.summary);
        steps.push(result);
    }
    if !secrets.is_empty() {
        steps.iter_mut().for_each(|s| scrub_step(s, &secrets));
    }
    ScenarioResult {
        id: scenario.id.clone(),
        title: scenario.title.clone(),
        profile: scenario.profile,
        reference: scenario.reference.clone(),
        file,
        skipped: skip,
        not_applicable,
        steps,
        duration_ms: started.elapsed().as_millis() as u64,
        volatile: plan::vars::volatile(&vars),
        snapshot: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Capabilities, RunId};
    use crate::scenario::Profile;

    #[test]
    fn longest_scenarios_start_first_and_equals_keep_plan_order() {
        let planned = plan::plan(
            crate::scenario::builtin().unwrap(),
            &plan::Selection {
                profiles: vec![Profile::Okta],
                entra_dialect: None,
                burst: Default::default(),
                user: Default::default(),
                load: Default::default(),
            },
            &RunId::random(),
            &Capabilities::default(),
            "http://h/scim/v2",
            None,
        );
        let in_plan: Vec<String> = planned.iter().map(|p| p.scenario.id.to_string()).collect();
        let order = start_order(planned);
        for (i, p) in &order {
            assert_eq!(
                in_plan[*i],
                p.scenario.id.as_str(),
                "each keeps its plan position"
            );
        }
        let started: Vec<(&str, usize)> = order
            .iter()
            .map(|(_, p)| (p.scenario.id.as_str(), p.scenario.steps.len()))
            .collect();
        // deactivate and import both have 7 steps: deactivate comes first in the plan.
        assert_eq!(
            started,
            [
                ("okta.groups.push", 23),
                ("okta.users.create", 8),
                ("okta.users.deactivate", 7),
                ("okta.users.import", 7),
                ("okta.users.update", 5),
                ("okta.credentials", 3),
            ]
        );
    }
}
