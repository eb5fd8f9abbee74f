//! A step of Okta's CRUD test that calls the embedded Okta org: its own asserts judge the
//! org's answer, and every SCIM request the org sent because of it is judged by scimcheck's
//! rules and the okta profile's asserts, as the step's other checks.

use std::collections::BTreeMap;

use super::step::{answered_as_expected, capture, checked, failed_assert};
use crate::check::{self, StepContext};
use crate::exec::okta::OktaOrg;
use crate::exec::LedgerEntry;
use crate::plan::PreparedStep;
use crate::result::StepResult;
use crate::scenario::{Profile, Step};
use crate::scim::Severity;

use crate::check::rules::OKTA_ORG_ENDPOINT as UNSUPPORTED;

/// What a call to the org gives the step loop.
pub(super) struct OrgStepDone {
    pub result: StepResult,
    /// Why later steps that need this one cannot build on it.
    pub failed: Option<String>,
}

/// Sends the step to the org; the SCIM requests it caused are judged with it, and what they
/// created joins `created` (cleaned up with the scenario).
pub(super) async fn run_org_step(
    org: Option<&OktaOrg>,
    scenario_id: &str,
    profile: Profile,
    step: &Step,
    plan: &PreparedStep,
    reference: &str,
    created: &mut Vec<LedgerEntry>,
) -> OrgStepDone {
    let Some(org) = org else {
        let why = "no embedded Okta org serves this run".to_string();
        return OrgStepDone {
            result: super::step::skipped_step(step, scenario_id, reference, why.clone()),
            failed: Some(why),
        };
    };
    let (exchange, call) = org.call(&plan.request).await;
    let ctx = StepContext {
        scenario_id,
        profile,
        step,
        prepared: plan,
        reference,
        exchange: &exchange,
    };
    let (mut checks, _) = checked(&ctx);
    if let Some(what) = &call.unsupported {
        checks.insert(
            0,
            check::CheckOutcome::fail(
                UNSUPPORTED,
                Severity::Error,
                "scimcheck's embedded Okta org",
                what.clone(),
                "Run this step against a real Okta org; the embedded org emulates the calls of Okta's CRUD test only.",
            ),
        );
    }
    let mut provisioned = Vec::with_capacity(call.provisioned.len());
    for (k, mut p) in call.provisioned.into_iter().enumerate() {
        p.step.id = format!("{}.scim-{}", step.id, k + 1).into();
        let reference = p.step.reference.clone().unwrap_or_default();
        let ctx = StepContext {
            scenario_id,
            profile,
            step: &p.step,
            prepared: &p.prepared,
            reference: &reference,
            exchange: &p.exchange,
        };
        let sent = format!(
            "Okta org → {} {}",
            p.exchange.request.method.as_str(),
            p.exchange.request.url
        );
        let (outcomes, _) = checked(&ctx);
        checks.extend(outcomes.into_iter().map(|mut c| {
            c.message = format!("{sent}: {}", c.message);
            c
        }));
        created.extend(p.created);
        provisioned.push(p.exchange);
    }
    let answered = answered_as_expected(step, &exchange);
    let captures = if answered.is_ok() {
        capture(step, &exchange)
    } else {
        BTreeMap::new()
    };
    let failed = answered
        .err()
        .or_else(|| call.unsupported.clone())
        .or_else(|| failed_assert(step, &checks));
    let mut result = StepResult::of(step);
    result.exchange = Some(exchange);
    result.checks = checks;
    result.captures = captures;
    result.provisioned = provisioned;
    OrgStepDone { result, failed }
}
