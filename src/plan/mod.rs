//! The plan stage: which scenarios run, with which variables.
//!
//! - [`vars`]: the run id, generated people and groups, captured values.
//! - [`template`]: `{{variable}}` rendering.
//! - [`request`]: a step's request made concrete; [`step`]: the whole step, asserts and named
//!   checks included.
//! - [`check`]: every variable a scenario uses is defined (a load-time rule); `sendable`:
//!   every step is one the ledger would let through (another).

pub mod check;
pub mod request;
mod sendable;
pub mod step;
pub mod template;
pub mod vars;

pub use check::load;
pub use request::{prepare, PreparedRequest};
pub use step::{prepare_step, PreparedStep};
pub use vars::{RunId, Vars};

/// Built-in variables plus a value for every name a built-in scenario captures, so tests can
/// run any step's checks.
#[cfg(test)]
pub fn builtins_for_tests(run: &RunId) -> Vars {
    let mut vars = vars::builtins(run, "test");
    for loaded in crate::scenario::builtin().unwrap_or_default() {
        for step in &loaded.scenario.steps {
            for name in step.capture.keys() {
                vars.insert(name.clone(), serde_json::json!("captured-value"));
            }
        }
    }
    vars
}

use crate::scenario::{Capability, Loaded, Profile, Scenario};

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

/// Selects the scenarios of `profiles`, in a stable order, and gives each its variables.
pub fn plan(
    loaded: Vec<Loaded>,
    profiles: &[Profile],
    run: &RunId,
    caps: &Capabilities,
) -> Vec<PlannedScenario> {
    loaded
        .into_iter()
        .filter(|l| profiles.contains(&l.scenario.profile))
        .map(|l| {
            let skip = l
                .scenario
                .requires
                .iter()
                .find(|cap| caps.supports(**cap) == Some(false))
                .map(|cap| {
                    format!(
                        "the server's /ServiceProviderConfig says {} is not supported",
                        cap.config_key()
                    )
                });
            PlannedScenario {
                vars: vars::builtins(run, &l.scenario.id),
                file: l.file,
                scenario: l.scenario,
                skip,
            }
        })
        .collect()
}
