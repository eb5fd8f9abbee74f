//! Runscope/BlazeMeter API-test exports (Okta's "SCIM 2.0 SPEC Test") read as scenarios,
//! so the rest of the pipeline runs them like any other. No JavaScript runs: the variables
//! Okta's initial script sets are provided natively, scripts are listed as skipped checks.
//!
//! - `load`: the files, with the options they are read with.
//! - `model`: the export's serde types; `paths`: property paths and URLs;
//!   `variables`: Okta's variables; `convert` and `checks`: the scenario.

mod checks;
mod convert;
mod load;
mod model;
mod paths;
mod variables;

pub use convert::SEED_STEP;
pub use load::{load_all, RunscopeOptions};
pub(crate) use variables::TARGET_BASE_URL;
pub use variables::{OKTA_ORG_TOKEN, OKTA_ORG_URL};

/// The prefix of every Runscope scenario's id (and of its checks' ids).
pub const ID_PREFIX: &str = "runscope.";

#[cfg(test)]
mod tests;
