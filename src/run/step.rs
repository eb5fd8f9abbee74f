//! The pieces of the per-step loop: whether a step may run, what its answer lets later
//! steps use, and what a step that did not run still reports.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::check::{self, CheckStatus, Flow, StepContext};
use std::time::Duration;

use crate::exec::{Cancel, Exchange, TransportErrorKind};
use crate::plan::template::TemplateError;
use crate::result::StepResult;
use crate::scenario::{Pause, Step};
use crate::scim::json::lookup;
use crate::scim::{status_check_id, Severity, StepId};

pub(super) const DISOWNED_HINT: &str = "Answer with the resource the request is about; a create makes a new one (or answers 409), a read or write of /Users/{id} is about that id.";

/// Runs the step's checks; a bug in a check becomes a skipped check with the reason, never
/// a crash that would leave the run's resources behind.
pub(super) fn checked(ctx: &StepContext<'_>) -> (Vec<check::CheckOutcome>, Flow) {
    guarded(|| check::check_step(ctx))
}

/// [`checked`] for a set of requests.
pub(super) fn checked_set(ctx: &crate::check::SetContext<'_>) -> (Vec<check::CheckOutcome>, Flow) {
    guarded(|| check::check_set(ctx))
}

pub(super) fn guarded(
    checks: impl FnOnce() -> (Vec<check::CheckOutcome>, Flow),
) -> (Vec<check::CheckOutcome>, Flow) {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(checks)).unwrap_or_else(|panic| {
        let what = panic_text(panic.as_ref());
        let outcome = check::CheckOutcome::skip(
            "scimcheck.internal-error",
            "scimcheck",
            format!("scimcheck failed while checking this step ({what}); please report it"),
        );
        (vec![outcome], Flow::Continue)
    })
}

pub(super) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// What later steps may `need` and did not do what it was for: steps that failed or did
/// not run, and asserts that did not pass (a value a create may ignore), each with the
/// reason a step needing it is skipped for.
#[derive(Default)]
pub(super) struct Blocked {
    steps: BTreeMap<StepId, String>,
    asserts: BTreeMap<String, String>,
}

impl Blocked {
    /// `step` did not run (or was not sent): neither it nor its asserts can be built on.
    pub(super) fn not_run(&mut self, step: &Step, why: &str) {
        self.steps.insert(
            step.id.clone(),
            format!("step `{}` did not succeed: {why}", step.id),
        );
        for a in &step.expect.asserts {
            self.asserts
                .insert(a.id.clone(), "its step did not run".to_string());
        }
    }

    /// `step` ran: it is blocked for `failed` (its answer or an assert it relies on), and each
    /// of its asserts that did not pass is blocked with its outcome's message.
    pub(super) fn ran(
        &mut self,
        step: &Step,
        failed: Option<String>,
        checks: &[check::CheckOutcome],
    ) {
        if let Some(why) = failed {
            // A probe's own words say what its failure means for the steps built on it; a
            // step that did not run (above) has shown nothing, so it never gets them.
            let reason = match &step.when_failed {
                Some(meaning) => format!("{meaning}: see step `{}` ({why})", step.id),
                None => format!("step `{}` did not succeed: {why}", step.id),
            };
            self.steps.insert(step.id.clone(), reason);
        }
        for a in &step.expect.asserts {
            let why = match checks.iter().find(|c| c.id.as_str() == a.id) {
                Some(c) if c.status == CheckStatus::Passed && !c.is_unmet() => continue,
                Some(c) => c.message.clone(),
                None => "it was not checked".into(),
            };
            self.asserts.insert(a.id.clone(), why);
        }
    }

    /// The reason to skip `step`: a step or an assert it needs is blocked.
    pub(super) fn need_of(&self, step: &Step) -> Option<String> {
        step.needs.iter().find_map(|need| {
            self.steps.get(need).cloned().or_else(|| {
                self.asserts
                    .get(need.as_str())
                    .map(|why| format!("`{need}` did not pass: {why}"))
            })
        })
    }
}

/// Whether the server answered at all, and with a status of the expected class. A 200 where
/// the RFC says 201 is a finding of its own, but the resource exists, so the steps that
/// build on it still run and report their own findings.
pub(super) fn answered_as_expected(step: &Step, exchange: &Exchange) -> Result<(), String> {
    if let Some(err) = &exchange.error {
        return Err(match err.kind {
            TransportErrorKind::Refused => "it was not sent".into(),
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
pub(super) fn failed_assert(step: &Step, checks: &[check::CheckOutcome]) -> Option<String> {
    checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .find(|c| step.expect.asserts.iter().any(|a| a.id == c.id.as_str()))
        .map(|c| format!("`{}` failed", c.id))
}

pub(super) fn missing_reason(e: &TemplateError, step: &Step, all: &[Step]) -> String {
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
pub(super) fn skipped_step(
    step: &Step,
    scenario_id: &str,
    reference: &str,
    reason: String,
) -> StepResult {
    // A step that expects no particular status (an imported test's) has no status check.
    let mut checks: Vec<check::CheckOutcome> = (!step.expect.status.is_empty())
        .then(|| {
            check::CheckOutcome::skip(
                status_check_id(scenario_id, &step.id),
                reference,
                reason.clone(),
            )
        })
        .into_iter()
        .collect();
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
    if step.burst.is_some() {
        checks.push(check::CheckOutcome::skip(
            check::rules::throughput::ID,
            reference,
            reason.clone(),
        ));
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
        set: None,
        provisioned: vec![],
        set_exchanges: vec![],
    }
}

/// A step whose URL left the target's base URL: not sent, one finding, its checks skipped.
pub(super) fn off_origin(step: &Step, scenario_id: &str, reference: &str, why: &str) -> StepResult {
    let mut result = skipped_step(step, scenario_id, reference, "it was not sent".into());
    result.checks.insert(
        0,
        check::CheckOutcome::fail(
            check::rules::OFF_ORIGIN,
            Severity::Error,
            "scimcheck safety: requests and credentials go only to the target",
            why.to_string(),
            "Point the step's URL below the SCIM root ({{SCIMBaseURL}}); scimcheck sends nothing elsewhere.",
        ),
    );
    result
}

/// A pause step: waited out when it asks to be (ended early by a stop), otherwise only
/// reported.
pub(super) async fn paused(step: &Step, pause: Pause, cancel: &Cancel) -> StepResult {
    let skipped = if pause.org {
        Some(format!(
            "a pause of {} s, shortened to 0 s: the embedded Okta org provisions before it answers, so what the pause waits for has happened",
            pause.seconds
        ))
    } else if pause.wait {
        let wait = Duration::from_secs_f64(pause.seconds);
        tokio::select! {
            () = tokio::time::sleep(wait) => None,
            () = cancel.cancelled() => Some("the run was stopped during the pause".to_string()),
        }
    } else {
        Some(format!(
            "a pause of {} s, not waited (--runscope-pauses waits)",
            pause.seconds
        ))
    };
    StepResult {
        id: step.id.clone(),
        title: step.title.clone(),
        skipped,
        exchange: None,
        checks: vec![],
        captures: BTreeMap::new(),
        snapshot: step.snapshot,
        needs: step.needs.clone(),
        set: None,
        provisioned: vec![],
        set_exchanges: vec![],
    }
}

pub(super) fn capture(step: &Step, exchange: &Exchange) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Some(resp) = exchange.response.as_ref() else {
        return out;
    };
    for (name, source) in &step.capture {
        let value = match source.strip_prefix("header:") {
            None if source == "status" => Some(Value::from(resp.status)),
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

/// `--secret` values out of what a step reports in words: check messages and fixes, the
/// reason it was skipped, what it captured, why its request failed (a refusal quotes the
/// path). Its request and response were recorded redacted already.
pub(super) fn scrub_step(step: &mut StepResult, secrets: &[String]) {
    let scrub = |s: &mut String| {
        for secret in secrets {
            if s.contains(secret.as_str()) {
                *s = s.replace(secret.as_str(), crate::exec::REDACTED);
            }
        }
    };
    for c in &mut step.checks {
        scrub(&mut c.message);
        if let Some(hint) = c.hint.as_mut() {
            scrub(hint);
        }
    }
    if let Some(reason) = step.skipped.as_mut() {
        scrub(reason);
    }
    if let Some(error) = step.exchange.as_mut().and_then(|x| x.error.as_mut()) {
        scrub(&mut error.message);
    }
    for value in step.captures.values_mut() {
        scrub_value(value, &scrub);
    }
}

fn scrub_value(value: &mut Value, scrub: &impl Fn(&mut String)) {
    match value {
        Value::String(s) => scrub(s),
        Value::Array(items) => items.iter_mut().for_each(|i| scrub_value(i, scrub)),
        Value::Object(map) => map.values_mut().for_each(|v| scrub_value(v, scrub)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(yaml: &str) -> Step {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn a_step_needing_an_assert_is_blocked_until_it_passes() {
        let read = step(
            "id: read\ntitle: t\nrequest: { method: GET, path: /Users/x }\nexpect:\n  asserts:\n    - { id: a.kept, pointer: /title, exists: true, may_ignore: true }\n",
        );
        let patch = step(
            "id: patch\ntitle: t\nneeds: [a.kept]\nrequest: { method: GET, path: /Users/x }\n",
        );
        let mut blocked = Blocked::default();
        blocked.ran(
            &read,
            None,
            &[check::CheckOutcome::pass("a.kept", "r", "present")],
        );
        assert_eq!(blocked.need_of(&patch), None);
        blocked.ran(
            &read,
            None,
            &[check::CheckOutcome::skip(
                "a.kept",
                "r",
                "not kept by the create",
            )],
        );
        assert_eq!(
            blocked.need_of(&patch).as_deref(),
            Some("`a.kept` did not pass: not kept by the create")
        );
        // An info assert that did not hold is a note, not a pass: what needs it stands down.
        let mut noted = Blocked::default();
        noted.ran(
            &read,
            None,
            &[check::CheckOutcome::unmet_note(
                "a.kept",
                "r",
                "/title: expected \"Alone\", got nothing",
                "h",
            )],
        );
        assert_eq!(
            noted.need_of(&patch).as_deref(),
            Some("`a.kept` did not pass: /title: expected \"Alone\", got nothing")
        );
        let mut never = Blocked::default();
        never.not_run(&read, "it was skipped");
        assert_eq!(
            never.need_of(&patch).as_deref(),
            Some("`a.kept` did not pass: its step did not run")
        );
    }

    #[test]
    fn a_failed_probe_gives_its_own_reason_and_a_skipped_one_does_not() {
        let probe = step(
            "id: probe\ntitle: t\nwhen_failed: every filter here is sent wrapped\nrequest: { method: GET, path: /Users }\n",
        );
        let later =
            step("id: later\ntitle: t\nneeds: [probe]\nrequest: { method: GET, path: /Users }\n");
        let mut blocked = Blocked::default();
        blocked.ran(&probe, Some("it answered 400".into()), &[]);
        assert_eq!(
            blocked.need_of(&later).as_deref(),
            Some("every filter here is sent wrapped: see step `probe` (it answered 400)")
        );
        let mut skipped = Blocked::default();
        skipped.not_run(&probe, "it was skipped");
        assert_eq!(
            skipped.need_of(&later).as_deref(),
            Some("step `probe` did not succeed: it was skipped")
        );
    }

    #[test]
    fn secrets_leave_messages_reasons_and_captures() {
        let mut step = StepResult {
            id: "s".into(),
            title: "t".into(),
            skipped: Some(
                "{{secrets.k}} is `hunter2-xyz`, which cannot stand in a URL path".into(),
            ),
            exchange: Some(Exchange {
                request: crate::exec::RecordedRequest {
                    method: crate::scim::Method::Delete,
                    url: "http://h/Users/[redacted]".into(),
                    headers: Default::default(),
                    body: None,
                    raw_body: None,
                },
                response: None,
                error: Some(crate::exec::TransportError {
                    kind: TransportErrorKind::Refused,
                    message: "DELETE /Users/hunter2-xyz: not created by this run".into(),
                }),
                started: None,
                duration_ms: 0,
                throttled: vec![],
            }),
            checks: vec![check::CheckOutcome::fail(
                "a.b",
                Severity::Error,
                "r",
                "expected \"hunter2-xyz\", got \"x\"",
                "Send hunter2-xyz back.",
            )],
            captures: BTreeMap::from([(
                "body".to_string(),
                serde_json::json!({"a": ["hunter2-xyz!"]}),
            )]),
            snapshot: Default::default(),
            needs: vec![],
            set: None,
            provisioned: vec![],
            set_exchanges: vec![],
        };
        scrub_step(&mut step, &["hunter2-xyz".to_string()]);
        let text = serde_json::to_string(&step).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }
}
