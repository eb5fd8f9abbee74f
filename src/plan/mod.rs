//! The plan stage: which scenarios run, with which variables.
//!
//! - [`vars`]: the run id, generated people and groups, captured values.
//! - [`template`]: `{{variable}}` rendering.
//! - [`request`]: a step's request made concrete; [`step`]: the whole step, asserts and named
//!   checks included.
//! - [`user`]: the user's `{{vars.NAME}}` and `{{secrets.NAME}}`.
//! - [`generated`]: scenarios generated at run time from the attributes `/Schemas` publishes.
//! - [`check`]: every variable a scenario uses is defined (a load-time rule); `sendable`:
//!   every step is one the ledger would let through (another).

pub mod check;
pub mod fanout;
pub mod generated;
pub mod request;
mod sendable;
pub mod step;
pub mod template;
pub mod user;
pub mod vars;

pub use check::{load, load_runscope};
pub use fanout::{
    first_request_vars, plan_fan_out, FanOutPlan, LoadSettings, FAN_OUT_VARS, START_INDEX,
};
pub use request::{prepare, PreparedRequest};
pub use sendable::first_unsendable;
pub use step::{prepare_step, prepare_step_with, PreparedBurst, PreparedStep};
pub use user::UserVars;
pub use vars::{RunId, Vars};

/// Built-in variables plus a value for every name a built-in scenario captures, so tests can
/// run any step's checks.
#[cfg(test)]
pub fn builtins_for_tests(run: &RunId) -> Vars {
    let mut vars = vars::builtins(run, "test");
    LoadSettings::default().insert_into(&mut vars);
    for loaded in crate::scenario::builtin().unwrap_or_default() {
        for step in &loaded.scenario.steps {
            for name in step.capture.keys() {
                vars.insert(name.clone(), captured_for_tests(step, "captured-value"));
            }
        }
    }
    // A captured repeat count is a number.
    for loaded in crate::scenario::builtin().unwrap_or_default() {
        for r in loaded
            .scenario
            .steps
            .iter()
            .filter_map(|s| s.request.repeat.as_ref())
        {
            for p in template::placeholders(&r.times).unwrap_or_default() {
                vars.insert(p.name.to_string(), serde_json::json!(2));
            }
        }
    }
    vars
}

/// A stand-in for what `step` captures: a value, or a list of one where the step sends a
/// set (its captures are lists in request order).
#[cfg(test)]
pub fn captured_for_tests(step: &crate::scenario::Step, value: &str) -> serde_json::Value {
    if step.fan_out.is_some() || step.pages.is_some() {
        serde_json::json!([value])
    } else {
        serde_json::json!(value)
    }
}

use crate::scenario::{Capability, Dialect, Loaded, Profile, Scenario};

/// Which of the loaded scenarios a run plans.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The profiles whose scenarios run.
    pub profiles: Vec<Profile>,
    /// Only this Entra ID PATCH dialect (scenarios without a dialect run either way); both
    /// when `None`.
    pub entra_dialect: Option<Dialect>,
    /// Whether and how long bursts run.
    pub burst: BurstPolicy,
    /// The user's variables and secrets, for every scenario.
    pub user: UserVars,
    /// `--parallel`, `--scale`, `--okta-batch`.
    pub load: LoadSettings,
}

/// Bursts put load on the target: on a loopback target they run, elsewhere only when the
/// user says so (`--burst`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BurstPolicy {
    /// Whether scenarios with a burst step run.
    pub allowed: bool,
    /// Overrides every burst's duration (`--burst-seconds`).
    pub seconds: Option<u32>,
}

impl BurstPolicy {
    /// The policy for a target: bursts run on loopback, or anywhere with `--burst`.
    pub fn for_target(loopback: bool, burst_flag: bool, seconds: Option<u32>) -> BurstPolicy {
        BurstPolicy {
            allowed: loopback || burst_flag,
            seconds,
        }
    }

    /// Why `scenario` (its bursts given their final duration) does not run, if it does not.
    pub fn skip_reason(&self, scenario: &Scenario) -> Option<String> {
        let burst = scenario.steps.iter().find_map(|s| s.burst.as_ref())?;
        (!self.allowed).then(|| {
            format!(
                "it sends a burst of {} requests ({}/s for {} s); against a target that is not on loopback bursts run only with --burst",
                u64::from(burst.rate) * u64::from(burst.seconds),
                burst.rate,
                burst.seconds
            )
        })
    }
}

impl Selection {
    /// Whether `scenario` is one this run plans.
    pub fn selects(&self, scenario: &Scenario) -> bool {
        self.profiles.contains(&scenario.profile)
            && match (scenario.dialect, self.entra_dialect) {
                (Some(own), Some(wanted)) => own == wanted,
                _ => true,
            }
    }
}

/// One scenario as this run will execute it.
#[derive(Debug, Clone)]
pub struct PlannedScenario {
    /// The file it came from.
    pub file: String,
    /// The scenario.
    pub scenario: Scenario,
    /// Its variables: the built-ins, then what its steps capture.
    pub vars: Vars,
    /// Set when the scenario cannot apply to this target; every step is skipped with it.
    pub skip: Option<String>,
}

/// What the target advertises in `/ServiceProviderConfig`; `None` = not known.
#[derive(Debug, Clone, Default)]
pub struct Capabilities(pub Option<serde_json::Value>);

impl Capabilities {
    /// `Some(false)` only when the server explicitly says it lacks the capability.
    pub fn supports(&self, cap: Capability) -> Option<bool> {
        let config = self.0.as_ref()?;
        crate::scim::json::member(config, cap.config_key())
            .and_then(|c| crate::scim::json::member(c, "supported"))
            .and_then(serde_json::Value::as_bool)
    }
}

/// Selects the scenarios `selection` names, in a stable order, and gives each its variables
/// (`base_url` is the target's, for `{{target.base_url}}`; `okta_org_url` the embedded Okta
/// org's, for `{{okta.org_url}}`, when one serves the run).
pub fn plan(
    loaded: Vec<Loaded>,
    selection: &Selection,
    run: &RunId,
    caps: &Capabilities,
    base_url: &str,
    okta_org_url: Option<&str>,
) -> Vec<PlannedScenario> {
    loaded
        .into_iter()
        .filter(|l| selection.selects(&l.scenario))
        .map(|mut l| {
            if let Some(seconds) = selection.burst.seconds {
                for b in l.scenario.steps.iter_mut().filter_map(|s| s.burst.as_mut()) {
                    b.seconds = seconds;
                }
            }
            let mut skip = l
                .scenario
                .requires
                .iter()
                .find(|cap| caps.supports(**cap) == Some(false))
                .map(|cap| {
                    format!(
                        "the server's /ServiceProviderConfig says {} is not supported",
                        cap.config_key()
                    )
                })
                .or_else(|| selection.burst.skip_reason(&l.scenario));
            let mut vars = vars::builtins(run, &l.scenario.id);
            selection.load.insert_into(&mut vars);
            selection.user.insert_into(&mut vars);
            vars.insert(
                crate::scenario::runscope::TARGET_BASE_URL,
                serde_json::Value::String(base_url.to_string()),
            );
            if let Some(url) = okta_org_url {
                vars.insert(
                    crate::scenario::runscope::OKTA_ORG_URL,
                    serde_json::Value::String(url.to_string()),
                );
            }
            for v in &l.scenario.variables {
                match template::render_text(&v.value, &vars) {
                    Ok(value) => vars.insert(v.name.clone(), serde_json::Value::String(value)),
                    Err(e) => {
                        skip.get_or_insert(format!("variable `{}`: {e}", v.name));
                    }
                }
                if v.volatile {
                    vars.mark_volatile(v.name.clone());
                }
            }
            PlannedScenario {
                vars,
                file: l.file,
                scenario: l.scenario,
                skip,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned_ids(entra_dialect: Option<Dialect>) -> Vec<String> {
        let selection = Selection {
            profiles: vec![Profile::Entra],
            entra_dialect,
            burst: BurstPolicy::default(),
            user: UserVars::default(),
            load: LoadSettings::default(),
        };
        let loaded = crate::scenario::builtin().unwrap();
        plan(
            loaded,
            &selection,
            &RunId::random(),
            &Capabilities::default(),
            "http://h/scim/v2",
            None,
        )
        .into_iter()
        .map(|p| p.scenario.id.to_string())
        .collect()
    }

    #[test]
    fn an_entra_dialect_keeps_its_own_scenarios_and_the_neutral_ones() {
        let both = planned_ids(None);
        assert!(both.iter().any(|id| id.ends_with(".2017")));
        assert!(both.iter().any(|id| id.ends_with(".2020")));
        for (dialect, other) in [(Dialect::V2017, ".2020"), (Dialect::V2020, ".2017")] {
            let one = planned_ids(Some(dialect));
            assert!(one.iter().all(|id| !id.ends_with(other)), "{one:?}");
            assert!(one.iter().any(|id| id.ends_with(&format!(".{dialect}"))));
            assert!(
                one.contains(&"entra.groups".to_string()),
                "neutral ones still run"
            );
            assert_eq!(one.len(), both.len() - 2);
        }
    }

    fn throughput(policy: BurstPolicy) -> PlannedScenario {
        let selection = Selection {
            profiles: vec![Profile::Entra],
            entra_dialect: None,
            burst: policy,
            user: UserVars::default(),
            load: LoadSettings::default(),
        };
        plan(
            crate::scenario::builtin().unwrap(),
            &selection,
            &RunId::random(),
            &Capabilities::default(),
            "http://h/scim/v2",
            None,
        )
        .into_iter()
        .find(|p| p.scenario.steps.iter().any(|s| s.burst.is_some()))
        .expect("an entra scenario with a burst")
    }

    #[test]
    fn a_burst_runs_on_loopback_or_with_the_flag_only() {
        let remote = throughput(BurstPolicy::for_target(false, false, None));
        let reason = remote.skip.expect("skipped against a remote target");
        assert!(reason.contains("--burst"), "{reason}");
        assert!(reason.contains("250 requests"), "{reason}");
        assert!(throughput(BurstPolicy::for_target(false, true, None))
            .skip
            .is_none());
        assert!(throughput(BurstPolicy::for_target(true, false, None))
            .skip
            .is_none());
    }

    #[test]
    fn burst_seconds_override_the_scenario() {
        let p = throughput(BurstPolicy::for_target(true, false, Some(2)));
        let burst = p
            .scenario
            .steps
            .iter()
            .find_map(|s| s.burst.as_ref())
            .unwrap();
        assert_eq!(burst.seconds, 2);
        let reason = BurstPolicy::default().skip_reason(&p.scenario).unwrap();
        assert!(reason.contains("50 requests"), "{reason}");
    }
}
