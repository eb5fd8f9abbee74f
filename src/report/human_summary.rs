//! The end of the human report: snapshot drift of a streamed run, every finding once (one
//! line per cause, with the steps it was seen at), the summary (steps, checks and findings
//! counted), throttling, snapshots and cleanup.

use std::io::{self, Write};

use super::grammar::count;
use super::human::{HumanReporter, Paint};
use super::text::{display_outline, duration};
use crate::result::{RunResult, SnapshotStatus};

impl HumanReporter {
    /// Everything after the scenarios: the summary, throttling, snapshots, cleanup. After a
    /// streamed run (`streamed`), snapshot drift, known only once the run is over, comes first.
    pub fn trailer(&self, run: &RunResult, streamed: bool, out: &mut dyn Write) -> io::Result<()> {
        let recorded = run;
        let display;
        let run = if streamed {
            // The blocks are written: the rest reads checks, except in the scenarios held
            // back (rendered whole below) and imported tests (their seed step's exchange).
            display = display_outline(run, |sc| {
                crate::run::refuses_a_create(sc) || super::imported::is_imported(sc)
            });
            &display
        } else {
            run
        };
        let p = Paint(self.color);
        if streamed {
            self.held_back(&p, run, out)?;
            self.drift(&p, run, out)?;
        }
        writeln!(out)?;
        for imported in super::imported::summaries(run) {
            let (first, second) = imported.lines();
            let first = if imported.own.failed > 0 {
                p.red(&first)
            } else {
                p.green(&first)
            };
            writeln!(out, "{} {first}", p.bold("Imported test:"))?;
            writeln!(out, "  {}", p.dim(&second))?;
        }
        self.findings(&p, run, out)?;
        let s = run.summary;
        let steps: usize = run.scenarios.iter().map(|sc| sc.steps.len()).sum();
        let counts = format!(
            "{}, {}",
            count(steps, "step"),
            super::group::checks_phrase(&s)
        );
        let painted = if s.failed > 0 {
            p.red(&counts)
        } else if s.warnings > 0 {
            p.yellow(&counts)
        } else {
            p.green(&counts)
        };
        writeln!(
            out,
            "{} {painted} · {} in {}",
            p.bold("Summary:"),
            count(run.scenarios.len(), "scenario"),
            duration(run.duration_ms)
        )?;
        writeln!(
            out,
            "{} {}",
            p.bold("Findings:"),
            super::group::Tally::of(run).phrase()
        )?;
        // From the exchanges as recorded: the outline above has none.
        let throttles: Vec<_> = recorded
            .scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .filter_map(|s| s.exchange.as_ref())
            .flat_map(|x| &x.throttled)
            .chain(&recorded.preflight_throttled)
            .collect();
        if !throttles.is_empty() {
            let waited: u64 = throttles.iter().map(|t| t.waited_ms).sum();
            writeln!(
                out,
                "Throttled: {} 429/503 waited out and retried ({:.1} s in all)",
                count(throttles.len(), "answer"),
                waited as f64 / 1000.0
            )?;
        }
        if let Some(line) = snapshot_line(run) {
            writeln!(out, "{line}")?;
        }
        if let Some(why) = &run.interrupted {
            writeln!(
                out,
                "{} {why}: the remaining steps were skipped",
                p.yellow("Stopped early:")
            )?;
        }
        self.cleanup(&p, run, out)
    }

    /// Every finding once, errors first: its mark, check id and first message, and where it
    /// was seen (the first places, or every one with `-v`).
    fn findings(&self, p: &Paint, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        let findings = super::group::findings(run);
        if findings.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "{}",
            p.bold("Findings, one line per cause (errors first):")
        )?;
        for f in &findings {
            let first = f.first();
            let mark = if f.is_failure() {
                p.red("✗")
            } else {
                p.yellow("!")
            };
            let places: Vec<String> = f
                .seen
                .iter()
                .map(|s| super::group::place(s.scenario, s.step))
                .collect();
            let shown = if self.verbose { places.len() } else { 2 };
            let mut at = places
                .iter()
                .take(shown)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if places.len() > shown {
                at.push_str(&format!(" and {} more", places.len() - shown));
            }
            let mut at = if places.len() == 1 {
                format!("at {at}")
            } else {
                format!("at {}: {at}", count(places.len(), "step"))
            };
            if let Some(severities) = f.severities() {
                at.push_str(&format!("; {severities}"));
            }
            writeln!(
                out,
                "  {mark} {} {}  {}",
                first.check.id,
                crate::scim::json::clip(&first.check.message.replace('\n', " "), 100),
                p.dim(&format!("({at})"))
            )?;
        }
        writeln!(out)
    }

    /// The scenarios a streamed run held back (those with a refused create), in plan order,
    /// now that the root cause of each refusal is known. A finding is "shown above" when a
    /// streamed block or an earlier one of these showed it.
    fn held_back(&self, p: &Paint, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        if !run.scenarios.iter().any(crate::run::refuses_a_create) {
            return Ok(());
        }
        let (held, written): (Vec<_>, Vec<_>) = run
            .scenarios
            .iter()
            .cloned()
            .partition(crate::run::refuses_a_create);
        let mut shown = run.clone();
        shown.scenarios = written.into_iter().chain(held.iter().cloned()).collect();
        let repeats = super::group::Repeats::of(&shown);
        for sc in &held {
            self.scenario(p, &run.target.base_url, sc, &repeats, out)?;
        }
        Ok(())
    }

    /// Snapshot drift of a streamed run, which its scenario blocks could not show yet.
    fn drift(&self, p: &Paint, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        let mut drifted = false;
        for sc in &run.scenarios {
            let Some(diff) = sc.snapshot.as_ref().and_then(|s| s.diff.as_deref()) else {
                continue;
            };
            writeln!(out)?;
            writeln!(
                out,
                "{}  {}",
                p.bold("Snapshot drift"),
                p.dim(sc.id.as_str())
            )?;
            self.diff(p, diff, out)?;
            drifted = true;
        }
        if drifted {
            writeln!(
                out,
                "  {}",
                p.dim("if the new behaviour is right, accept it: rerun with --update-snapshots")
            )?;
        }
        Ok(())
    }

    pub(super) fn cleanup(
        &self,
        p: &Paint,
        run: &RunResult,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let c = &run.cleanup;
        // The embedded server's data ends with the run: nothing there to replay or remove.
        let remote = !run.target.embedded;
        if c.kept {
            writeln!(
                out,
                "Resources kept (--keep-resources): run id {}",
                run.run_id
            )?;
            if remote {
                // The token comes from SCIM_TOKEN, as on the curl lines: never printed.
                writeln!(
                    out,
                    "  remove them later with: scimcheck cleanup --base-url {} --run-id {}",
                    run.target.base_url, run.run_id
                )?;
            }
            return Ok(());
        }
        match c.deleted.len() {
            0 if c.failed.is_empty() => writeln!(out, "Cleanup: nothing to delete")?,
            n => writeln!(
                out,
                "Cleanup: deleted {} this run created",
                count(n, "resource")
            )?,
        }
        // A finding's curl line may read or change what was just deleted.
        let curl_lines = run.summary.failed + run.summary.warnings > 0;
        if remote && curl_lines && !c.deleted.is_empty() {
            writeln!(
                out,
                "  the curl lines name resources this run deleted: rerun with --keep-resources to replay them"
            )?;
        }
        for f in &c.failed {
            writeln!(
                out,
                "{} could not delete {}/{} ({}): {}",
                p.yellow("!"),
                f.entry.kind.endpoint(),
                f.entry.id,
                f.entry.name,
                f.reason
            )?;
        }
        if let Some(why) = &c.unverified {
            writeln!(
                out,
                "{} {why}; check with: scimcheck cleanup --base-url {} --run-id {} --dry-run",
                p.yellow("!"),
                run.target.base_url,
                run.run_id
            )?;
        }
        if !c.failed.is_empty() {
            writeln!(
                out,
                "  remove them with: scimcheck cleanup --base-url {} --run-id {}",
                run.target.base_url, run.run_id
            )?;
        }
        Ok(())
    }
}

/// `Snapshots: 5 matched, 1 drifted in snapshots/`, when the run kept snapshots. One only
/// written is "recorded": nothing was compared.
fn snapshot_line(run: &RunResult) -> Option<String> {
    let counts = super::verdict::snapshot_counts(run)?;
    let first = run.scenarios.iter().find_map(|s| s.snapshot.as_ref())?;
    let dir = std::path::Path::new(&first.file)
        .parent()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let had = |status| {
        run.scenarios
            .iter()
            .filter_map(|s| s.snapshot.as_ref())
            .any(|s| s.status == status)
    };
    let why = match (had(SnapshotStatus::Written), had(SnapshotStatus::Updated)) {
        (true, false) => " (recorded: no accepted snapshot to compare with yet)",
        (false, true) => " (recorded: accepted with --update-snapshots)",
        (true, true) => " (recorded: new, or accepted with --update-snapshots)",
        (false, false) => "",
    };
    Some(format!("Snapshots: {counts} in {dir}/{why}"))
}
