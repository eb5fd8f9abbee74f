//! The report stage: renderings of one [`RunResult`](crate::result::RunResult), one format
//! per file behind one trait. Nothing else in the harness prints results.
//!
//! - [`human`]: the terminal report.
//! - [`json`]: the machine-readable report (contract in README, "JSON report").
//! - [`curl`]: reproduction commands for failed exchanges.

pub mod curl;
pub mod human;
pub mod json;

use std::io::{self, Write};

use crate::result::RunResult;

pub trait Reporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()>;
}

/// Report formats written with `--report KIND=PATH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Json,
}

impl ReportKind {
    pub const NAMES: &'static str = "json";

    pub fn parse(s: &str) -> Option<ReportKind> {
        match s {
            "json" => Some(ReportKind::Json),
            _ => None,
        }
    }

    pub fn reporter(self) -> Box<dyn Reporter> {
        match self {
            ReportKind::Json => Box::new(json::JsonReporter),
        }
    }
}
