//! The human report as the run goes: each scenario's block is written to stdout the moment
//! that scenario ends (rendered whole, then written at once, so blocks never interleave), in
//! completion order, on a terminal and in a pipe alike. The progress bar steps aside while a
//! block is written; in CI, where there is no bar, stderr gets one line per finished scenario.
//! A scenario with a refused create waits for the trailer ([`HumanReporter::trailer`]): only
//! then is it known, in plan order, whether its refusal is the root cause or repeats one.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::human::HumanReporter;
use super::progress::ProgressEvents;
use super::text::{clean_scenario, duration, is_printable, outline};
use crate::check::CheckStatus;
use crate::result::{RunResult, ScenarioResult};
use crate::run::Events;

/// Streams scenario blocks to stdout; the run's header and trailer are the caller's.
pub struct StreamEvents {
    reporter: HumanReporter,
    progress: Option<ProgressEvents>,
    ci: bool,
    total: AtomicUsize,
    done: AtomicUsize,
    /// The run as known before it starts (target, id, profiles) with the scenarios written
    /// so far, in completion order, made printable; held while a block is rendered and
    /// written, so two blocks never mix. A later block needs only their checks (to tell a
    /// finding's first place from a repeat), so only their outlines are kept: a block costs
    /// its own scenario, not the run so far.
    finished: Mutex<RunResult>,
}

impl StreamEvents {
    /// Blocks rendered by `reporter` against `skeleton`, with a progress bar when the
    /// terminal shows one.
    pub fn new(reporter: HumanReporter, skeleton: RunResult, bar: bool) -> StreamEvents {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        StreamEvents {
            reporter,
            progress: if bar {
                ProgressEvents::for_terminal()
            } else {
                None
            },
            ci,
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            finished: Mutex::new(skeleton),
        }
    }

    fn ci_line(&self, result: &ScenarioResult) -> String {
        let n = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        let total = self.total.load(Ordering::SeqCst);
        let checks: Vec<_> = result.steps.iter().flat_map(|s| &s.checks).collect();
        let verdict = if result.skipped.is_some() {
            "skipped"
        } else if checks.iter().any(|c| c.status == CheckStatus::Failed) {
            "FAILED"
        } else if checks.iter().any(|c| c.status == CheckStatus::Warning) {
            "warnings"
        } else {
            "passed"
        };
        format!(
            "[{n}/{total}] {verdict:<8} {}  ({}, {})",
            result.id,
            super::grammar::count(result.steps.len(), "step"),
            duration(result.duration_ms)
        )
    }
}

impl Events for StreamEvents {
    fn started(&self, scenarios: usize) {
        self.total.store(scenarios, Ordering::SeqCst);
        if let Some(p) = &self.progress {
            p.started(scenarios);
        }
    }

    fn scenario_done(&self, result: &ScenarioResult) {
        let mut finished = self.finished.lock().unwrap_or_else(|e| e.into_inner());
        // Which refused create is the root cause (shown in full) and which repeat it is
        // known at the end, in plan order: such a scenario is written with the trailer.
        let mut block = Vec::new();
        if !crate::run::refuses_a_create(result) {
            let mut outline = outline(result);
            clean_scenario(&mut outline);
            finished.scenarios.push(outline);
            // Rendered as it is when it is already printable, which it nearly always is.
            let cleaned;
            let shown = if is_printable(result) {
                result
            } else {
                let mut copy = result.clone();
                clean_scenario(&mut copy);
                cleaned = copy;
                &cleaned
            };
            let _ = self.reporter.last_scenario(&finished, shown, &mut block);
        }
        let line = self.ci_line(result);
        let write = || {
            let mut stdout = std::io::stdout().lock();
            // A closed stdout (`| head`) is not a harness failure.
            let _ = stdout.write_all(&block).and_then(|()| stdout.flush());
        };
        match &self.progress {
            Some(p) => p.suspend(write),
            None => write(),
        }
        if self.ci && self.progress.is_none() {
            eprintln!("{line}");
        }
        if let Some(p) = &self.progress {
            p.scenario_done(result);
        }
    }

    fn set_progress(&self, scenario: &str, step: &str, done: usize, total: usize) {
        if let Some(p) = &self.progress {
            p.set_progress(scenario, step, done, total);
        }
    }

    fn finished(&self) {
        if let Some(p) = &self.progress {
            p.finished();
        }
    }
}
