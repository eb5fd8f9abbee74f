//! A progress bar on the terminal while scenarios run: only on a TTY, never in CI (`CI` set),
//! never with --json or --quiet, and on stderr so stdout stays the report.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::result::ScenarioResult;
use crate::run::Events;

pub struct ProgressEvents {
    bar: ProgressBar,
}

impl ProgressEvents {
    /// A progress bar when the terminal can show one.
    pub fn for_terminal() -> Option<ProgressEvents> {
        use std::io::IsTerminal;
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        if ci || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {pos}/{len} scenarios {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Some(ProgressEvents { bar })
    }
}

impl ProgressEvents {
    /// Runs `f` (a write to the terminal) with the bar cleared, then redraws it.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }
}

impl Events for ProgressEvents {
    fn started(&self, scenarios: usize) {
        self.bar.set_length(scenarios as u64);
        self.bar
            .enable_steady_tick(std::time::Duration::from_millis(120));
    }

    fn scenario_done(&self, result: &ScenarioResult) {
        self.bar.set_message(result.id.to_string());
        self.bar.inc(1);
    }

    fn set_progress(&self, scenario: &str, step: &str, done: usize, total: usize) {
        self.bar
            .set_message(format!("{scenario} › {step}: {done}/{total} requests"));
    }

    fn finished(&self) {
        self.bar.finish_and_clear();
    }
}
