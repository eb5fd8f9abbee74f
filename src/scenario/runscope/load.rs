//! Reading exports: the file, its JSON, the scenario, and the loader's usual rules.

use std::path::Path;

use super::{convert, model};
use crate::scenario::load::{LoadError, Loaded};
use crate::scenario::spans::Spans;
use crate::scenario::validate::validate_all;

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
        given: true,
    })
}
