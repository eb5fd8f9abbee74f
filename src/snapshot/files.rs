//! Snapshot files: one pretty JSON document per scenario, `DIR/<scenario-id>.json`.

use std::path::{Path, PathBuf};

use similar::TextDiff;

use super::normalise::snapshot_of;
use crate::check::CheckOutcome;
use crate::error::Error;
use crate::result::{RunResult, SnapshotOutcome, SnapshotStatus, Summary};
use crate::scim::Severity;

#[derive(Debug, Clone)]
pub struct SnapshotOptions {
    pub dir: PathBuf,
    /// Accept this run's exchanges as the new snapshots.
    pub update: bool,
    /// Severity of a drift finding.
    pub drift: Severity,
}

const CHECK_ID: &str = "snapshot.drift";
const REFERENCE: &str = "accepted snapshot (--snapshots)";

/// Renders, compares and writes every scenario's snapshot; adds the verdicts to the run.
pub fn apply(run: &mut RunResult, opts: &SnapshotOptions) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(&opts.dir).map_err(io(&opts.dir))?;
    let interrupted = run.interrupted.clone();
    for scenario in &mut run.scenarios {
        let name = format!("{}.json", scenario.id);
        let path = opts.dir.join(&name);
        let file = path.display().to_string();
        let (check, outcome) = if let Some(why) = &interrupted {
            (
                CheckOutcome::skip(CHECK_ID, REFERENCE, format!("not compared: {why}")),
                outcome(&file, SnapshotStatus::NotCompared, None),
            )
        } else {
            let doc = snapshot_of(scenario, &run.target.base_url, &run.run_id);
            let new = format!(
                "{}\n",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
            match std::fs::read_to_string(&path) {
                Ok(old) if old == new => (
                    CheckOutcome::pass(CHECK_ID, REFERENCE, format!("matches {name}")),
                    outcome(&file, SnapshotStatus::Matched, None),
                ),
                Ok(old) if !opts.update => {
                    let diff = TextDiff::from_lines(&old, &new)
                        .unified_diff()
                        .context_radius(3)
                        .header(&name, "this run")
                        .to_string();
                    let changed = diff
                        .lines()
                        .filter(|l| {
                            (l.starts_with('+') || l.starts_with('-'))
                                && !l.starts_with("+++")
                                && !l.starts_with("---")
                        })
                        .count();
                    let check = CheckOutcome::fail(CHECK_ID, opts.drift, REFERENCE, format!("differs from {name} ({changed} lines changed)"), "Review the diff; if the new behaviour is right, accept it with --update-snapshots.");
                    (check, outcome(&file, SnapshotStatus::Drifted, Some(diff)))
                }
                Ok(_) => {
                    std::fs::write(&path, &new).map_err(io(&path))?;
                    (
                        recorded(format!(
                            "recorded {name}: --update-snapshots accepted this run's exchanges"
                        )),
                        outcome(&file, SnapshotStatus::Updated, None),
                    )
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    std::fs::write(&path, &new).map_err(io(&path))?;
                    (
                        recorded(format!(
                            "recorded {name}: no accepted snapshot to compare with yet"
                        )),
                        outcome(&file, SnapshotStatus::Written, None),
                    )
                }
                Err(e) => return Err(Error::Io { path, source: e }),
            }
        };
        scenario.snapshot = Some(SnapshotOutcome {
            file: outcome.file,
            status: outcome.status,
            diff: outcome.diff,
            check,
        });
    }
    run.summary = Summary::of(run.checks().map(|(_, _, c)| c));
    Ok(())
}

/// The check of a snapshot this run wrote rather than compared: nothing was verified, so it
/// is skipped with the reason, never passed. Messages name the file, not the directory, so
/// a report handed on does not carry local paths.
fn recorded(message: String) -> CheckOutcome {
    CheckOutcome::skip(CHECK_ID, REFERENCE, message)
}

/// Where a scenario's snapshot stands, before its check is attached.
struct Outcome {
    file: String,
    status: SnapshotStatus,
    diff: Option<String>,
}

fn outcome(file: &str, status: SnapshotStatus, diff: Option<String>) -> Outcome {
    Outcome {
        file: file.to_string(),
        status,
        diff,
    }
}
