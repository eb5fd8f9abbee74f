//! What the runner tells the outside while it runs (for progress display). Results still flow
//! only through the returned data.

use crate::result::ScenarioResult;

/// What a run reports while it goes on (a progress bar); results still come back as data.
pub trait Events: Send + Sync {
    /// The plan is ready: this many scenarios will run.
    fn started(&self, _scenarios: usize) {}
    /// A scenario finished (its cleanup included).
    fn scenario_done(&self, _result: &ScenarioResult) {}
    /// A step that sends a set of requests has `done` of its `total` answered (reported
    /// about a hundred times per set, however large).
    fn set_progress(&self, _scenario: &str, _step: &str, _done: usize, _total: usize) {}
    /// Every scenario ran; cleanup comes next.
    fn finished(&self) {}
}

/// For callers that show no progress.
pub struct Silent;

impl Events for Silent {}
