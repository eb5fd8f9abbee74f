//! Runs planned scenarios: scenarios concurrently, steps in order, each exchange checked as
//! soon as it is recorded. Results come back in plan order whatever the completion order.

use std::collections::BTreeMap;
use std::time::Instant;

use futures::stream::{self, StreamExt};
use serde_json::Value;

use super::cancel::Cancel;
use super::client::Client;
use super::events::Events;
use super::ledger::{name_in, Ledger, LedgerEntry, Observed};
use super::retry::send_idempotent;
use crate::check::{self, json::lookup, CheckStatus, Flow, StepContext};
use crate::plan::{self, template::TemplateError, PlannedScenario};
use crate::result::{Cleanup, CleanupFailure, ScenarioResult, StepResult};
use crate::scenario::{Method, Step};

/// What one run shares across its scenarios.
pub struct RunScope<'a> {
    pub client: &'a Client,
    pub ledger: &'a Ledger,
    pub cancel: &'a Cancel,
    pub events: &'a dyn Events,
}

pub async fn run_scenarios(
    scope: &RunScope<'_>,
    planned: Vec<PlannedScenario>,
    concurrency: usize,
) -> Vec<ScenarioResult> {
    scope.events.started(planned.len());
    let mut results: Vec<(usize, ScenarioResult)> = stream::iter(planned.into_iter().enumerate())
        .map(|(i, p)| async move {
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
            let run = std::panic::AssertUnwindSafe(run_scenario(
                scope.client,
                scope.ledger,
                scope.cancel,
                p,
            ));
            let result = futures::FutureExt::catch_unwind(run)
                .await
                .unwrap_or_else(|panic| ScenarioResult {
                    steps: vec![StepResult {
                        id: "internal-error".into(),
                        title: "scimcheck stopped this scenario".into(),
                        skipped: None,
                        exchange: None,
                        checks: vec![check::CheckOutcome::fail(
                            "scimcheck.internal-error",
                            check::Severity::Error,
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
            scope.events.scenario_done(&result);
            (i, result)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    scope.events.finished();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

async fn run_scenario(
    client: &Client,
    ledger: &Ledger,
    cancel: &Cancel,
    planned: PlannedScenario,
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
    let mut blocked: BTreeMap<String, String> = BTreeMap::new();
    let mut skip_rest = skip.clone();
    let mut not_applicable = None;
    for step in &scenario.steps {
        let reference = step.reference.as_deref().unwrap_or(&scenario.reference);
        if let Some(reason) = cancel.reason() {
            skip_rest.get_or_insert(reason);
        }
        if let Some(reason) = skip_rest.clone().or_else(|| failed_need(step, &blocked)) {
            blocked.insert(step.id.clone(), "it was skipped".into());
            steps.push(skipped_step(step, &scenario.id, reference, reason));
            continue;
        }
        let prepared = match plan::prepare(&step.request, &scenario.headers, &vars) {
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
        let refusal = ledger.refusal(&prepared);
        let in_flight = refusal.is_none().then(|| ledger.sending(&prepared));
        let exchange = match refusal {
            Some(why) => client.refused(&prepared, why),
            None => client.send(&prepared).await,
        };
        let observed = ledger.observe(&prepared, &exchange);
        drop(in_flight);
        let observed = match observed {
            Observed::Created(entry) => read_back(client, ledger, &entry).await,
            other => other,
        };
        let ctx = StepContext {
            scenario_id: &scenario.id,
            step,
            reference,
            exchange: &exchange,
            vars: &vars,
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
                    check::Severity::Error,
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

const DISOWNED_HINT: &str = "Answer with the resource the request is about; a create makes a new one (or answers 409), a read or write of /Users/{id} is about that id.";

/// Runs the step's checks; a bug in a check becomes a skipped check with the reason, never
/// a crash that would leave the run's resources behind.
fn checked(ctx: &StepContext<'_>) -> (Vec<check::CheckOutcome>, Flow) {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check::check_step(ctx)))
        .unwrap_or_else(|panic| {
            let what = panic_text(panic.as_ref());
            let outcome = check::CheckOutcome::skip(
                "scimcheck.internal-error",
                "scimcheck",
                format!("scimcheck failed while checking this step ({what}); please report it"),
            );
            (vec![outcome], Flow::Continue)
        })
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// The reason to skip `step` because a step it needs did not do what it was for.
fn failed_need(step: &Step, blocked: &BTreeMap<String, String>) -> Option<String> {
    step.needs.iter().find_map(|need| {
        blocked
            .get(need)
            .map(|why| format!("step `{need}` did not succeed: {why}"))
    })
}

/// Whether the server answered at all, and with a status of the expected class. A 200 where
/// the RFC says 201 is a finding of its own, but the resource exists, so the steps that
/// build on it still run and report their own findings.
fn answered_as_expected(step: &Step, exchange: &crate::exec::Exchange) -> Result<(), String> {
    if let Some(err) = &exchange.error {
        return Err(match err.kind {
            crate::exec::TransportErrorKind::Refused => "it was not sent".into(),
            _ => "no response was received".into(),
        });
    }
    let Some(status) = exchange.status() else {
        return Err("no response was received".into());
    };
    let expected = &step.expect.status;
    if expected.is_empty()
        || expected.contains(&status)
        || expected
            .iter()
            .any(|e| e / 100 == status / 100 && status / 100 == 2)
    {
        Ok(())
    } else {
        Err(format!("it answered {status}"))
    }
}

/// The first of the step's own asserts (what the IdP relies on) that failed as an error.
/// Rule findings such as a schema violation do not hold the scenario up: the resource is
/// still there for the next step to use.
fn failed_assert(step: &Step, checks: &[check::CheckOutcome]) -> Option<String> {
    checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .find(|c| step.expect.asserts.iter().any(|a| a.id == c.id.as_str()))
        .map(|c| format!("`{}` failed", c.id))
}

fn missing_reason(e: &TemplateError, step: &Step, all: &[Step]) -> String {
    match e {
        TemplateError::Missing(name) => match all.iter().find(|s| s.capture.contains_key(name)) {
            Some(s) if s.id != step.id => format!(
                "needs {{{{{name}}}}}, which step `{}` did not capture",
                s.id
            ),
            _ => format!("needs {{{{{name}}}}}, which has no value"),
        },
        other => other.to_string(),
    }
}

/// A step that did not run still lists its checks, each skipped with the reason.
fn skipped_step(step: &Step, scenario_id: &str, reference: &str, reason: String) -> StepResult {
    let mut checks = vec![check::CheckOutcome::skip(
        format!("{scenario_id}.{}.status", step.id),
        reference,
        reason.clone(),
    )];
    for a in &step.expect.asserts {
        checks.push(check::CheckOutcome::skip(
            &a.id,
            a.reference.as_deref().unwrap_or(reference),
            reason.clone(),
        ));
    }
    for c in &step.expect.checks {
        if let Some(rule) = check::rules::find(c.id()) {
            checks.push(check::CheckOutcome::skip(
                rule.id,
                rule.reference,
                reason.clone(),
            ));
        }
    }
    StepResult {
        id: step.id.clone(),
        title: step.title.clone(),
        skipped: Some(reason),
        exchange: None,
        checks,
        captures: BTreeMap::new(),
        snapshot: step.snapshot,
        needs: step.needs.clone(),
    }
}

fn capture(step: &Step, exchange: &crate::exec::Exchange) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Some(resp) = exchange.response.as_ref() else {
        return out;
    };
    for (name, source) in &step.capture {
        let value = match source.strip_prefix("header:") {
            Some(h) => resp.header(h.trim()).map(|v| Value::String(v.to_string())),
            // The whole body is sent back (Okta's GET-then-PUT): only a JSON object can be.
            None if source.is_empty() => resp.json.as_ref().filter(|b| b.is_object()).cloned(),
            None => resp
                .json
                .as_ref()
                .and_then(|b| lookup(b, source))
                .filter(|v| !v.is_null())
                .cloned(),
        };
        if let Some(v) = value {
            out.insert(name.clone(), v);
        }
    }
    out
}

/// Reads a new resource back by the id its create was answered with, before any step
/// builds on it: a server that answers with another resource's id would otherwise have the
/// run change that resource.
async fn read_back(client: &Client, ledger: &Ledger, entry: &LedgerEntry) -> Observed {
    let Ok(path) = super::resource_path(entry.kind, entry.id.as_str()) else {
        return Observed::Nothing;
    };
    let read = send_idempotent(client, &plan::PreparedRequest::get(&path)).await;
    match name_of(entry.kind, &read) {
        Some(name) => ledger.confirm(entry, &name),
        None => Observed::Nothing,
    }
}

/// The userName or displayName of a 200 answer.
fn name_of(kind: super::ResourceKind, read: &crate::exec::Exchange) -> Option<String> {
    read.json()
        .filter(|_| read.status() == Some(200))
        .and_then(|b| name_in(kind, b))
        .map(str::to_string)
}

/// Deletes what the run created and still exists, groups before users. Each resource is
/// read first: one whose name no longer carries the run's prefix (a server that reused the
/// id) is left alone and reported.
pub async fn cleanup(client: &Client, ledger: &Ledger) -> Cleanup {
    let mut result = Cleanup::default();
    for d in ledger.undeletable() {
        result.failed.push(CleanupFailure {
            entry: d.entry,
            reason: format!("not deleted: {}", d.why),
        });
    }
    for entry in ledger.remaining() {
        let path = match super::resource_path(entry.kind, entry.id.as_str()) {
            Ok(p) => p,
            Err(why) => {
                result.failed.push(CleanupFailure {
                    entry,
                    reason: format!("not deleted: {why}"),
                });
                continue;
            }
        };
        let read = send_idempotent(client, &plan::PreparedRequest::get(&path)).await;
        if let Some(name) = name_of(entry.kind, &read).filter(|n| !ledger.is_ours(n)) {
            result.failed.push(CleanupFailure {
                entry,
                reason: format!(
                    "not deleted: {path} now holds `{name}`, which this run did not create"
                ),
            });
            continue;
        }
        // Deleted even when the read said 404: some servers hide deactivated users from GET.
        let outcome = delete(client, &entry).await;
        if outcome.is_ok() {
            ledger.mark_deleted(entry.kind, entry.id.as_str());
        }
        match outcome {
            Ok(()) => result.deleted.push(LedgerEntry {
                deleted: true,
                ..entry
            }),
            Err(reason) => result.failed.push(CleanupFailure { entry, reason }),
        }
    }
    result
}

/// Deletes one resource; a 404 means it is already gone. Transient failures are retried.
pub async fn delete(client: &Client, entry: &LedgerEntry) -> Result<(), String> {
    let req = plan::PreparedRequest {
        method: Method::Delete,
        ..plan::PreparedRequest::get(&super::resource_path(entry.kind, entry.id.as_str())?)
    };
    let exchange = send_idempotent(client, &req).await;
    match (exchange.status(), exchange.error) {
        (Some(200 | 204 | 404), _) => Ok(()),
        (Some(status), _) => Err(format!("DELETE answered {status}")),
        (None, Some(err)) => Err(err.message),
        (None, None) => Err("no response".into()),
    }
}
