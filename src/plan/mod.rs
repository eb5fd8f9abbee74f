//! The plan stage: which scenarios run, with which variables.
//!
//! - [`vars`]: the run id, generated people and groups, captured values.
//! - [`template`]: `{{variable}}` rendering.
//! - [`request`]: a step's request made concrete; [`step`]: the whole step, asserts and named
//!   checks included.
//! - [`check`]: every variable a scenario uses is defined (a load-time rule).

pub mod check;
pub mod request;
pub mod step;
pub mod template;
pub mod vars;

pub use check::{load, load_runscope};
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

/// Selects the scenarios of `profiles`, in a stable order, and gives each its variables
/// (`base_url` is the target's, for `{{target.base_url}}`).
pub fn plan(
    loaded: Vec<Loaded>,
    profiles: &[Profile],
    run: &RunId,
    caps: &Capabilities,
    base_url: &str,
) -> Vec<PlannedScenario> {
    loaded
        .into_iter()
        .filter(|l| profiles.contains(&l.scenario.profile))
        .map(|l| {
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
                });
            let mut vars = vars::builtins(run, &l.scenario.id);
            vars.insert(
                crate::scenario::runscope::TARGET_BASE_URL,
                serde_json::Value::String(base_url.to_string()),
            );
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
