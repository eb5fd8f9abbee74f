//! The end of the human report: snapshot drift of a streamed run, the summary (steps and
//! checks counted), throttling, snapshots and cleanup.

use std::io::{self, Write};

use super::human::{HumanReporter, Paint};
use super::text::{display_copy, duration};
use crate::result::{RunResult, SnapshotStatus};

impl HumanReporter {
    /// Everything after the scenarios: the summary, throttling, snapshots, cleanup. After a
    /// streamed run (`streamed`), snapshot drift, known only once the run is over, comes first.
    pub fn trailer(&self, run: &RunResult, streamed: bool, out: &mut dyn Write) -> io::Result<()> {
        let display;
        let run = if streamed {
            display = display_copy(run);
            &display
        } else {
            run
        };
        let p = Paint(self.color);
        if streamed {
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
        let s = run.summary;
        let steps: usize = run.scenarios.iter().map(|sc| sc.steps.len()).sum();
        let checks = s.passed + s.failed + s.warnings + s.skipped;
        let counts = format!(
            "{steps} step{}, {checks} check{}: {} passed, {} failed, {} warning{}, {} skipped",
            if steps == 1 { "" } else { "s" },
            if checks == 1 { "" } else { "s" },
            s.passed,
            s.failed,
            s.warnings,
            if s.warnings == 1 { "" } else { "s" },
            s.skipped
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
            "{} {painted} · {} scenario{} in {}",
            p.bold("Summary:"),
            run.scenarios.len(),
            if run.scenarios.len() == 1 { "" } else { "s" },
            duration(run.duration_ms)
        )?;
        let throttles: Vec<_> = run
            .scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .filter_map(|s| s.exchange.as_ref())
            .flat_map(|x| &x.throttled)
            .chain(&run.preflight_throttled)
            .collect();
        if !throttles.is_empty() {
            let waited: u64 = throttles.iter().map(|t| t.waited_ms).sum();
            writeln!(
                out,
                "Throttled: {} answer(s) 429/503 waited out and retried ({:.1} s in all)",
                throttles.len(),
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

    /// Snapshot drift of a streamed run, which its scenario blocks could not show yet.
    fn drift(&self, p: &Paint, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
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
        if c.kept {
            writeln!(
                out,
                "Resources kept (--keep-resources): run id {}",
                run.run_id
            )?;
            return Ok(());
        }
        match c.deleted.len() {
            0 if c.failed.is_empty() => writeln!(out, "Cleanup: nothing to delete")?,
            n => writeln!(
                out,
                "Cleanup: deleted {n} resource{} this run created",
                if n == 1 { "" } else { "s" }
            )?,
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

/// `Snapshots: 5 matched, 1 drifted (in snapshots/)`, when the run compared snapshots.
fn snapshot_line(run: &RunResult) -> Option<String> {
    let outcomes: Vec<_> = run
        .scenarios
        .iter()
        .filter_map(|s| s.snapshot.as_ref())
        .collect();
    let dir = std::path::Path::new(&outcomes.first()?.file)
        .parent()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let parts: Vec<String> = [
        (SnapshotStatus::Matched, "matched"),
        (SnapshotStatus::Drifted, "drifted"),
        (SnapshotStatus::Written, "written (no snapshot yet)"),
        (SnapshotStatus::Updated, "updated"),
    ]
    .iter()
    .filter_map(|(status, word)| {
        let n = outcomes.iter().filter(|o| o.status == *status).count();
        (n > 0).then(|| format!("{n} {word}"))
    })
    .collect();
    Some(format!("Snapshots: {} in {dir}/", parts.join(", ")))
}
