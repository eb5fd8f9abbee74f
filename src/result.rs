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

/// Everything one run found: every report and snapshot renders this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The JSON report's version.
    pub report_version: u32,
    /// The harness's version.
    pub tool_version: String,
    /// The run's id (its names' prefix).
    pub run_id: String,
    /// Where it ran.
    pub target: Target,
    /// The profiles that had scenarios to run.
    pub profiles: Vec<Profile>,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// Wall time of the run.
    pub duration_ms: u64,
    /// Checks counted by status.
    pub summary: Summary,
    /// Rate-limit answers waited out before the first scenario (the reachability probe).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preflight_throttled: Vec<crate::exec::Throttle>,
    /// Every scenario, in plan order.
    pub scenarios: Vec<ScenarioResult>,
    /// What cleanup did.
    pub cleanup: Cleanup,
    /// Why the run stopped before every step ran (signal, deadline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<StopReason>,
    /// What the report is about, as the user named it (`--title`, `--product`, `--vendor`).
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    /// The load the concurrency and scale profiles put on the target, stated before sending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadStatement>,
}

/// How much the concurrency and scale scenarios of a run send, as stated before they start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadStatement {
    /// Requests in flight at once at most (`--parallel`).
    pub parallel: usize,
    /// Users and group members of the scale scenarios (`--scale`), when they run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<usize>,
    /// Members per PATCH of Okta's group push (`--okta-batch`), when the scale scenarios run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta_batch: Option<usize>,
    /// About how many requests their steps send, cleanup's deletes aside.
    pub requests: usize,
}

/// The names a certification report carries: its title, the product tested and its vendor.
/// The user's own words, shown as given (escaped) and never used to decide anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// The report's title (`--title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The product under test (`--product`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Who makes it (`--vendor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
}

impl Labels {
    /// Whether no label was given.
    pub fn is_empty(&self) -> bool {
        self.title.is_none() && self.product.is_none() && self.vendor.is_none()
    }

    /// The labels given, each with its name (`title`, `product`, `vendor`), in that order.
    pub fn given(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("title", &self.title),
            ("product", &self.product),
            ("vendor", &self.vendor),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_deref().map(|v| (name, v)))
    }
}

impl RunResult {
    /// The run as known before it starts: no scenario, nothing counted. A streamed report
    /// prints its header from it and renders each finished scenario against it.
    pub fn before_run(run_id: String, target: Target, profiles: Vec<Profile>) -> RunResult {
        RunResult {
            report_version: REPORT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            run_id,
            target,
            profiles,
            started_at: String::new(),
            duration_ms: 0,
            summary: Summary::default(),
            preflight_throttled: vec![],
            scenarios: vec![],
            cleanup: Cleanup::default(),
            interrupted: None,
            labels: Labels::default(),
            load: None,
        }
    }
}

/// The server a run checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Its SCIM root.
    pub base_url: String,
    /// The run used the embedded reference server.
    pub embedded: bool,
    /// TLS certificates were not verified (`--insecure`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
}

/// Checks counted by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Passed.
    pub passed: usize,
    /// Failed with severity error.
    pub failed: usize,
    /// Failed with severity warning or info.
    pub warnings: usize,
    /// Could not apply.
    pub skipped: usize,
}

impl Summary {
    /// Counts `checks`.
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

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// The scenario's id.
    pub id: ScenarioId,
    /// Its title.
    pub title: String,
    /// Its profile.
    pub profile: Profile,
    /// The rule or IdP behaviour it replays.
    pub reference: String,
    /// The file it came from.
    pub file: String,
    /// Why the whole scenario did not run, if it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Why the steps after one were skipped when the server lacks the feature the scenario
    /// tests (a 400 for a filter it does not support): the scenario says nothing either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    /// Its steps, in order.
    pub steps: Vec<StepResult>,
    /// Wall time of its steps.
    pub duration_ms: u64,
    /// Generated values that differ on every run (random externalIds, passwords, GUIDs), with
    /// the placeholder snapshots write instead.
    #[serde(skip)]
    pub volatile: Vec<(String, String)>,
    /// What the snapshot stage concluded, with `--snapshots`.
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

/// How a scenario's snapshot compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotStatus {
    /// No snapshot existed; this run's was written.
    Written,
    /// Equal to the accepted one.
    Matched,
    /// Different from the accepted one.
    Drifted,
    /// `--update-snapshots` accepted this run's.
    Updated,
    /// The run stopped early, so the exchanges were not compared.
    #[serde(rename = "not-compared")]
    NotCompared,
}

/// One step's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// The step's id.
    pub id: StepId,
    /// Its title.
    pub title: String,
    /// Why it did not run, if it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// What was sent and received, if it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Exchange>,
    /// Its checks, in order.
    pub checks: Vec<CheckOutcome>,
    /// The values it captured for later steps.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub captures: BTreeMap<String, Value>,
    /// What snapshots record of it.
    #[serde(skip)]
    pub snapshot: SnapshotMode,
    /// The earlier steps this one builds on (its `needs`), so a report can show the request
    /// that set up what this step found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<StepId>,
    /// For a step that sent a set of requests (a burst, a fan-out, a walk, a probe): every
    /// request counted, and the latencies (`exchange` is its first request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<crate::exec::SetSummary>,
    /// For a call to the embedded Okta org: the SCIM requests the org sent because of it, in
    /// order. Their checks are among `checks`, each message starting with its request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisioned: Vec<Exchange>,
    /// Every request of a set step (and the read after each), in the order sent, when the
    /// run keeps them (`--report har`); not part of the JSON report, which keeps the first.
    #[serde(skip)]
    pub set_exchanges: Vec<Exchange>,
}

impl StepResult {
    /// A result for `step` with nothing recorded yet: no exchange, no check.
    pub fn of(step: &crate::scenario::Step) -> StepResult {
        StepResult {
            snapshot: step.snapshot,
            needs: step.needs.clone(),
            ..StepResult::named(step.id.clone(), &step.title)
        }
    }

    /// A result under `id` that no scenario step stands behind (the harness's own finding).
    pub fn named(id: StepId, title: &str) -> StepResult {
        StepResult {
            id,
            title: title.to_string(),
            skipped: None,
            exchange: None,
            checks: vec![],
            captures: BTreeMap::new(),
            snapshot: SnapshotMode::default(),
            needs: vec![],
            set: None,
            provisioned: vec![],
            set_exchanges: vec![],
        }
    }
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
