//! Runscope/BlazeMeter API-test exports (Okta's "SCIM 2.0 SPEC Test") read as scenarios,
//! so the rest of the pipeline runs them like any other. No JavaScript runs: the variables
//! Okta's initial script sets are provided natively, scripts are listed as skipped checks.
//!
//! - `model`: the export's serde types; `paths`: property paths and URLs;
//!   `variables`: Okta's variables; `convert` and `checks`: the scenario.

mod checks;
mod convert;
mod model;
mod paths;
mod variables;

use std::path::Path;

use super::load::{LoadError, Loaded};
use super::spans::Spans;
use super::validate::validate_all;

pub use convert::SEED_STEP;
pub(crate) use variables::TARGET_BASE_URL;

/// The prefix of every Runscope scenario's id (and of its checks' ids).
pub const ID_PREFIX: &str = "runscope.";

/// How Runscope exports are read.
#[derive(Debug, Clone, Default)]
pub struct RunscopeOptions {
    /// Create one prefixed user first, so the export's first `GET /Users?count=1` finds one.
    pub seed: bool,
    /// Wait out the export's pauses (otherwise they are reported and skipped).
    pub pauses: bool,
    /// `--variable NAME=VALUE`: set or override a variable.
    pub variables: Vec<(String, String)>,
}

/// Reads and converts each export; an error names the file, the step and what is wrong.
pub fn load_all(files: &[&Path], opts: &RunscopeOptions) -> Result<Vec<Loaded>, LoadError> {
    let loaded = files
        .iter()
        .map(|path| load(path, opts))
        .collect::<Result<Vec<_>, _>>()?;
    validate_all(&loaded)?;
    Ok(loaded)
}

fn load(path: &Path, opts: &RunscopeOptions) -> Result<Loaded, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| LoadError::new(&file, format!("cannot read: {e}")))?;
    let export = model::parse(&file, &text)?;
    let scenario =
        convert::convert(&file, &export, opts).map_err(|message| LoadError::new(&file, message))?;
    Ok(Loaded {
        file,
        scenario,
        spans: Spans::default(),
    })
}

#[cfg(test)]
mod tests;
