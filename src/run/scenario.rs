//! Runs planned scenarios: scenarios concurrently, steps in order (prepare → send → ledger →
//! check → capture), each exchange checked as soon as it is recorded, and each scenario's
//! resources deleted as soon as it ends. Results come back in plan order whatever the
//! completion order.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use futures::stream::{self, StreamExt};

use super::events::Events;
use super::step::{
    answered_as_expected, capture, checked, failed_assert, failed_need, missing_reason, panic_text,
    skipped_step, DISOWNED_HINT,
};
use crate::check::{self, Flow, StepContext};
use crate::exec::cleanup::{self, Cleanup};
use crate::exec::{read_back, Cancel, Client, Ledger, LedgerEntry, Observed};
use crate::plan::{self, PlannedScenario};
use crate::result::{ScenarioResult, StepResult};
use crate::scim::{Severity, StepId};

/// What one run shares across its scenarios.
pub(crate) struct RunScope<'a> {
    pub client: &'a Client,
    pub ledger: &'a Ledger,
    pub cancel: &'a Cancel,
    pub events: &'a dyn Events,
    /// Scenarios at once, and deletes at once in a scenario's cleanup.
    pub concurrency: usize,
    /// Delete each scenario's resources when it ends (not with `--keep-resources`).
    pub clean_each: bool,
    /// Start no scenario after one has failed (those already running finish).
    pub fail_fast: bool,
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
    let mut results: Vec<(usize, ScenarioResult)> = stream::iter(planned.into_iter().enumerate())
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
                scope.client,
                scope.ledger,
                scope.cancel,
                p,
                &mut created,
            ));
            let result = futures::FutureExt::catch_unwind(run).await;
            if scope.clean_each {
                // Off the critical path: the scenario's own resources go as soon as it ends,
                // while other scenarios still run.
                let mine = still_there(scope.ledger, &created);
                if !mine.is_empty() {
                    let done =
                        cleanup::delete_entries(scope.client, scope.ledger, mine, scope.concurrency)
                            .await;
                    cleaned_ref
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .absorb(done);
                }
            }
            let result = result.unwrap_or_else(|panic| ScenarioResult {
                    steps: vec![StepResult {
                        id: "internal-error".into(),
                        title: "scimcheck stopped this scenario".into(),
                        skipped: None,
                        exchange: None,
                        checks: vec![check::CheckOutcome::fail(
                            "scimcheck.internal-error",
                            Severity::Error,
                            "scimcheck",
                            format!(
                                "scimcheck failed while running this scenario ({}); the rest of the run went on",
                                panic_text(panic.as_ref())
                            ),
                            "This is a bug in scimcheck, not in the server: please report it with this message.",
                        )],
                        captures: BTreeMap::new(),
                        snapshot: Default::default(),
                        needs: vec![],
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

/// The resources of `created` that the ledger says still exist.
fn still_there(ledger: &Ledger, created: &[LedgerEntry]) -> Vec<LedgerEntry> {
    let mut out = ledger.remaining();
    out.retain(|e| created.iter().any(|c| c.kind == e.kind && c.id == e.id));
    out
}

async fn run_scenario(
    client: &Client,
    ledger: &Ledger,
    cancel: &Cancel,
    planned: PlannedScenario,
    created: &mut Vec<LedgerEntry>,
) -> ScenarioResult {
    let started = Instant::now();
    let PlannedScenario {
        file,
        scenario,
        mut vars,
        skip,
    } = planned;
    let mut steps: Vec<StepResult> = Vec::with_capacity(scenario.steps.len());
    // Why the steps that `need` a step cannot run, by step id.
    let mut blocked: BTreeMap<StepId, String> = BTreeMap::new();
    let mut skip_rest = skip.clone();
    let mut not_applicable = None;
    for step in &scenario.steps {
        let reference = step.reference.as_deref().unwrap_or(&scenario.reference);
        if let Some(reason) = cancel.reason() {
            skip_rest.get_or_insert(reason.to_string());
        }
        if let Some(reason) = skip_rest.clone().or_else(|| failed_need(step, &blocked)) {
            blocked.insert(step.id.clone(), "it was skipped".into());
            steps.push(skipped_step(step, &scenario.id, reference, reason));
            continue;
        }
        let step_plan = match plan::prepare_step(step, &scenario.headers, &vars) {
            Ok(p) => p,
            Err(e) => {
                blocked.insert(step.id.clone(), "it was skipped".into());
                steps.push(skipped_step(
                    step,
                    &scenario.id,
                    reference,
                    missing_reason(&e, step, &scenario.steps),
                ));
                continue;
            }
        };
        let prepared = &step_plan.request;
        let refusal = ledger.refusal(prepared);
        let in_flight = refusal.is_none().then(|| ledger.sending(prepared));
        let exchange = match refusal {
            Some(why) => client.refused(prepared, why),
            None => client.send(prepared).await,
        };
        let observed = ledger.observe(prepared, &exchange);
        drop(in_flight);
        let observed = match observed {
            Observed::Created(entry) => {
                created.push(entry.clone());
                read_back(client, ledger, &entry).await
            }
            other => other,
        };
        let ctx = StepContext {
            scenario_id: &scenario.id,
            profile: scenario.profile,
            step,
            prepared: &step_plan,
            reference,
            exchange: &exchange,
        };
        let (mut checks, flow) = checked(&ctx);
        let mut answered = answered_as_expected(step, &exchange);
        if let Observed::Disowned { check: id, why } = observed {
            // Its id must not reach a later step: that would change someone else's data. A
            // status already found wrong (a duplicate create accepted) speaks for itself.
            let status_failed = checks
                .iter()
                .any(|c| c.id.as_str().ends_with(".status") && c.is_failure());
            if !status_failed {
                checks.push(check::CheckOutcome::fail(
                    id,
                    Severity::Error,
                    "RFC 7644 §3.3, §3.4.1",
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
        if let Some(reason) = answered.err().or_else(|| failed_assert(step, &checks)) {
            blocked.insert(step.id.clone(), reason);
        }
        for (name, value) in &captures {
            vars.insert(name.clone(), value.clone());
        }
        if let Flow::SkipRest(reason) = flow {
            not_applicable = Some(reason.clone());
            skip_rest = Some(reason);
        }
        steps.push(StepResult {
            id: step.id.clone(),
            title: step.title.clone(),
            skipped: None,
            exchange: Some(exchange),
            checks,
            captures,
            snapshot: step.snapshot,
            needs: step.needs.clone(),
        });
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
