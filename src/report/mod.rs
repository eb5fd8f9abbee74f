//! The report stage: renderings of one [`RunResult`](crate::result::RunResult), one format
//! per file behind one trait. Nothing else in the harness prints results.
//!
//! - [`human`]: the terminal report (a scenario's block in `human_scenario`, its end in
//!   `human_summary`); [`stream`]: the same, written scenario by scenario while the run goes
//!   on.
//! - [`json`]: the machine-readable report (contract in README, "JSON report").
//! - [`junit`]: JUnit XML for CI test viewers.
//! - [`markdown`]: a CI job summary.
//! - [`har`]: the exchanges as HAR 1.2, for devtools, HAR viewers and `har-to-k6`.
//! - [`html`]: the self-contained certification report; `html_sections`: its legend and
//!   coverage; `html_style`: its stylesheet; `coverage`: what a run covered, per profile;
//!   `coverage_areas`: area by area, tested or why not.
//! - [`progress`]: the progress bar while a run goes on.
//! - [`curl`], [`exchange_text`]: evidence embedded in the reports; `group`: one finding
//!   for one defect seen at many steps, its cause key, and the counts every report states.
//! - [`verdict`]: the one-word verdict of a run or scenario; [`text`]: server text made safe
//!   to show; [`grammar`]: counts in words ("1 warning", "2 warnings").
//! - `imported`: an imported test's (Runscope export's) own verdict, apart from the rules.

mod coverage;
mod coverage_areas;
pub mod curl;
pub mod exchange_text;
#[cfg(test)]
mod fixture;
pub mod grammar;
mod group;
pub mod har;
pub mod html;
mod html_sections;
mod html_style;
pub mod human;
mod human_scenario;
mod human_summary;
mod imported;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
pub mod stream;
pub mod text;
pub mod verdict;

use std::borrow::Cow;
use std::io::{self, Write};

use crate::result::{
    RunResult, ScenarioResult, SnapshotOutcome, StepResult, SNAPSHOT_STEP, SNAPSHOT_TITLE,
};

/// One block a report shows for a scenario: a step, or the scenario's snapshot check with
/// its diff.
pub(crate) struct Block<'a> {
    /// The step (for the snapshot, a view of its one check).
    pub step: Cow<'a, StepResult>,
    /// The snapshot outcome, on the snapshot's block.
    pub snapshot: Option<&'a SnapshotOutcome>,
}

/// The blocks of a scenario: its steps, then its snapshot check.
pub(crate) fn blocks(sc: &ScenarioResult) -> Vec<Block<'_>> {
    let mut out: Vec<Block<'_>> = sc
        .steps
        .iter()
        .map(|st| Block {
            step: Cow::Borrowed(st),
            snapshot: None,
        })
        .collect();
    if let Some(s) = &sc.snapshot {
        out.push(Block {
            step: Cow::Owned(StepResult {
                id: SNAPSHOT_STEP.into(),
                title: SNAPSHOT_TITLE.into(),
                skipped: None,
                exchange: None,
                checks: vec![s.check.clone()],
                captures: Default::default(),
                snapshot: Default::default(),
                needs: vec![],
                set: None,
                provisioned: vec![],
                set_exchanges: vec![],
            }),
            snapshot: Some(s),
        });
    }
    out
}

pub trait Reporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()>;
}

/// Report formats written with `--report KIND=PATH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Json,
    Junit,
    Markdown,
    Html,
    Har,
}

impl ReportKind {
    pub const NAMES: &'static str = "json, junit, markdown, html, har";

    pub fn parse(s: &str) -> Option<ReportKind> {
        match s {
            "json" => Some(ReportKind::Json),
            "junit" => Some(ReportKind::Junit),
            "markdown" | "md" => Some(ReportKind::Markdown),
            "html" => Some(ReportKind::Html),
            "har" => Some(ReportKind::Har),
            _ => None,
        }
    }

    pub fn reporter(self) -> Box<dyn Reporter> {
        match self {
            ReportKind::Json => Box::new(json::JsonReporter),
            ReportKind::Junit => Box::new(junit::JunitReporter),
            ReportKind::Markdown => Box::new(markdown::MarkdownReporter),
            ReportKind::Html => Box::new(html::HtmlReporter),
            ReportKind::Har => Box::new(har::HarReporter),
        }
    }
}
