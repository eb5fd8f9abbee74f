//! Results are data: `RunResult → ScenarioResult → StepResult`. Every report and snapshot
//! is a rendering of one `RunResult`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::check::{CheckOutcome, CheckStatus};
pub use crate::exec::{Cleanup, CleanupFailure};
use crate::exec::{Exchange, StopReason};
use crate::scenario::{Profile, SnapshotMode};
use crate::scim::{ScenarioId, StepId};

/// Bumped when the JSON report changes incompatibly.
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub report_version: u32,
    pub tool_version: String,
    pub run_id: String,
    pub target: Target,
    pub profiles: Vec<Profile>,
    /// RFC 3339 UTC.
    pub started_at: String,
    pub duration_ms: u64,
    pub summary: Summary,
    /// Rate-limit answers waited out before the first scenario (the reachability probe).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preflight_throttled: Vec<crate::exec::Throttle>,
    pub scenarios: Vec<ScenarioResult>,
    pub cleanup: Cleanup,
    /// Why the run stopped before every step ran (signal, deadline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<StopReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub base_url: String,
    /// The run used the embedded reference server.
    pub embedded: bool,
    /// TLS certificates were not verified (`--insecure`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub warnings: usize,
    pub skipped: usize,
}

impl Summary {
    pub fn of<'a>(checks: impl IntoIterator<Item = &'a CheckOutcome>) -> Summary {
        let mut s = Summary::default();
        for c in checks {
            match c.status {
                CheckStatus::Passed => s.passed += 1,
                CheckStatus::Failed => s.failed += 1,
                CheckStatus::Warning => s.warnings += 1,
                CheckStatus::Skipped => s.skipped += 1,
            }
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub id: ScenarioId,
    pub title: String,
    pub profile: Profile,
    pub reference: String,
    pub file: String,
    /// Why the whole scenario did not run, if it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Why the steps after one were skipped when the server lacks the feature the scenario
    /// tests (a 400 for a filter it does not support): the scenario says nothing either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    pub steps: Vec<StepResult>,
    pub duration_ms: u64,
    /// Generated values that differ on every run (random externalIds, passwords, GUIDs), with
    /// the placeholder snapshots write instead.
    #[serde(skip)]
    pub volatile: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotOutcome>,
}

/// What the snapshot stage concluded for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotOutcome {
    /// The snapshot file.
    pub file: String,
    /// Written, matched, drifted, updated, or not compared.
    pub status: SnapshotStatus,
    /// Unified diff from the accepted snapshot to this run, when they differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// The `snapshot.drift` check: counted and reported like every other check.
    pub check: CheckOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotStatus {
    /// No snapshot existed; this run's was written.
    Written,
    Matched,
    Drifted,
    /// `--update-snapshots` accepted this run's.
    Updated,
    /// The run stopped early, so the exchanges were not compared.
    #[serde(rename = "not-compared")]
    NotCompared,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    pub id: StepId,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Exchange>,
    pub checks: Vec<CheckOutcome>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub captures: BTreeMap<String, Value>,
    #[serde(skip)]
    pub snapshot: SnapshotMode,
    /// The earlier steps this one builds on (its `needs`), so a report can show the request
    /// that set up what this step found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<StepId>,
}

/// The step id under which reports list a scenario's snapshot check.
pub const SNAPSHOT_STEP: &str = "snapshot";
/// The title reports give the snapshot check's place.
pub const SNAPSHOT_TITLE: &str = "Snapshot of the normalised exchanges";

/// Where a check was made: a step, or the scenario's snapshot.
#[derive(Debug, Clone, Copy)]
pub struct StepRef<'a> {
    /// The step's id ([`SNAPSHOT_STEP`] for the snapshot).
    pub id: &'a str,
    /// The step's title.
    pub title: &'a str,
}

impl RunResult {
    /// Every check of the run, with its scenario and where it was made.
    pub fn checks(&self) -> impl Iterator<Item = (&ScenarioResult, StepRef<'_>, &CheckOutcome)> {
        self.scenarios.iter().flat_map(|sc| sc.checks())
    }
}

impl ScenarioResult {
    /// The scenario's checks: its steps', then its snapshot's.
    pub fn checks(&self) -> impl Iterator<Item = (&ScenarioResult, StepRef<'_>, &CheckOutcome)> {
        self.steps
            .iter()
            .flat_map(move |st| {
                let at = StepRef {
                    id: st.id.as_str(),
                    title: &st.title,
                };
                st.checks.iter().map(move |c| (self, at, c))
            })
            .chain(self.snapshot.iter().map(move |s| {
                let at = StepRef {
                    id: SNAPSHOT_STEP,
                    title: SNAPSHOT_TITLE,
                };
                (self, at, &s.check)
            }))
    }
}
