//! One root cause, one failure: when the server refuses the IdP's create body, every scenario
//! that needs a user fails at its own create for the same reason. The first refusal (in plan
//! order) is reported as the root cause; the same refusal elsewhere, and everything that
//! needed it, is skipped with a pointer to it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::check::CheckStatus;
use crate::result::{ScenarioResult, StepResult};
use crate::scim::json::{lookup, member};
use crate::scim::{status_check_id, Method};

/// Rewrites `scenarios` so that one refused create is reported once.
pub(crate) fn once(scenarios: &mut [ScenarioResult]) {
    // (collection, status) → where it was first refused.
    let mut first: BTreeMap<(String, u16), String> = BTreeMap::new();
    for sc in scenarios.iter_mut() {
        let mut repeated: Vec<(String, String)> = Vec::new();
        for step in &mut sc.steps {
            let Some((collection, status)) = refused_create(&sc.id, step) else {
                continue;
            };
            let place = format!("{} › {}", sc.id, step.id);
            match first.get(&(collection.clone(), status)) {
                None => {
                    first.insert((collection, status), place);
                    explain_missing_attribute(&sc.id, step);
                }
                Some(root) => {
                    let why = format!(
                        "same root cause as {root}: the server refused this create too ({status})"
                    );
                    for c in step.checks.iter_mut().filter(|c| c.is_failure()) {
                        c.status = CheckStatus::Skipped;
                        c.message = why.clone();
                        c.hint = None;
                    }
                    repeated.push((step.id.to_string(), root.clone()));
                }
            }
        }
        for (step_id, root) in repeated {
            let blocked = format!("step `{step_id}` did not succeed");
            for step in &mut sc.steps {
                let reason = format!("because the create failed (see {root})");
                if step
                    .skipped
                    .as_deref()
                    .is_some_and(|r| r.starts_with(&blocked))
                {
                    step.skipped = Some(reason.clone());
                    for c in step.checks.iter_mut().filter(|c| {
                        c.status == CheckStatus::Skipped && c.message.starts_with(&blocked)
                    }) {
                        c.message = reason.clone();
                    }
                }
            }
        }
    }
}

/// The collection and status of a create the server refused with a 4xx, at its status check.
fn refused_create(scenario: &str, step: &StepResult) -> Option<(String, u16)> {
    let x = step.exchange.as_ref()?;
    if x.request.method != Method::Post {
        return None;
    }
    let path = x.request.url.split('?').next()?.trim_end_matches('/');
    let collection = path.rsplit('/').next()?;
    if !(collection.eq_ignore_ascii_case("Users") || collection.eq_ignore_ascii_case("Groups")) {
        return None;
    }
    let status = x.status().filter(|s| (400..500).contains(s))?;
    let id = status_check_id(scenario, &step.id);
    step.checks
        .iter()
        .any(|c| c.id == id && c.status == CheckStatus::Failed)
        .then(|| (collection.to_string(), status))
}

/// When the refusal names an attribute the request did not send (`name.formatted is
/// required`), the status check's fix says so and how to adapt the body.
fn explain_missing_attribute(scenario: &str, step: &mut StepResult) {
    let Some(x) = &step.exchange else { return };
    let detail = x
        .json()
        .and_then(|b| member(b, "detail"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let lower = detail.to_ascii_lowercase();
    if !(lower.contains("required") || lower.contains("missing")) {
        return;
    }
    let sent = x.request.body.as_ref();
    let missing = detail
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| w.len() > 2 && w.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter(|w| w.chars().any(|c| c.is_ascii_uppercase()) || w.contains('.'))
        .find(|w| {
            let pointer = format!("/{}", w.replace('.', "/"));
            sent.is_some_and(|b| lookup(b, &pointer).is_none())
        });
    let Some(attr) = missing else { return };
    let id = status_check_id(scenario, &step.id);
    if let Some(c) = step.checks.iter_mut().find(|c| c.id == id) {
        c.hint = Some(format!(
            "The server requires `{attr}`, which this create does not send. Accept the user without it (the IdP sends what its mapping has), or, to test the rest, copy the scenario, add `{attr}` to the body and run it with --scenarios DIR."
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckOutcome;
    use crate::exec::Exchange;
    use crate::scim::Severity;
    use serde_json::json;

    fn refused(scenario: &str) -> ScenarioResult {
        let mut x = Exchange::answered(
            Method::Post,
            "http://h/scim/v2/Users",
            400,
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400", "detail": "Attribute name.formatted is required"}),
        );
        x.request.body = Some(json!({"userName": "u", "name": {"givenName": "g"}}));
        let status = status_check_id(scenario, "create");
        ScenarioResult {
            id: scenario.into(),
            title: "t".into(),
            profile: crate::scenario::Profile::Okta,
            reference: "r".into(),
            file: "f".into(),
            skipped: None,
            not_applicable: None,
            steps: vec![
                StepResult {
                    id: "create".into(),
                    title: "Create".into(),
                    skipped: None,
                    exchange: Some(x),
                    checks: vec![CheckOutcome::fail(
                        status,
                        Severity::Error,
                        "r",
                        "expected status 201, got 400",
                        "h",
                    )],
                    captures: Default::default(),
                    snapshot: Default::default(),
                    needs: vec![],
                    burst: None,
                },
                StepResult {
                    id: "read".into(),
                    title: "Read".into(),
                    skipped: Some("step `create` did not succeed: it answered 400".into()),
                    exchange: None,
                    checks: vec![CheckOutcome::skip(
                        status_check_id(scenario, "read"),
                        "r",
                        "step `create` did not succeed: it answered 400",
                    )],
                    captures: Default::default(),
                    snapshot: Default::default(),
                    needs: vec!["create".into()],
                    burst: None,
                },
            ],
            duration_ms: 0,
            volatile: vec![],
            snapshot: None,
        }
    }

    #[test]
    fn a_refused_create_is_reported_once_with_the_missing_attribute() {
        let mut all = vec![refused("a"), refused("b"), refused("c")];
        once(&mut all);
        let first = &all[0].steps[0].checks[0];
        assert_eq!(first.status, CheckStatus::Failed);
        assert!(
            first.hint.as_deref().unwrap().contains("`name.formatted`"),
            "{first:?}"
        );
        assert!(first.hint.as_deref().unwrap().contains("--scenarios"));
        for sc in &all[1..] {
            let again = &sc.steps[0].checks[0];
            assert_eq!(again.status, CheckStatus::Skipped);
            assert!(
                again.message.contains("same root cause as a › create"),
                "{}",
                again.message
            );
            let dependent = &sc.steps[1];
            assert_eq!(
                dependent.skipped.as_deref(),
                Some("because the create failed (see a › create)")
            );
            assert_eq!(
                dependent.checks[0].message,
                "because the create failed (see a › create)"
            );
        }
        let failed = all
            .iter()
            .flat_map(|s| &s.steps)
            .flat_map(|s| &s.checks)
            .filter(|c| c.status == CheckStatus::Failed)
            .count();
        assert_eq!(failed, 1);
    }
}
