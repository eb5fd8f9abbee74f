//! The JSON report: the contract CI scripts read (README, "JSON report"). Field names are
//! stable; `report_version` changes when they do.

use std::io::{self, Write};

use serde::Serialize;

use super::group::{cause_of, Tally};
use super::Reporter;
use crate::check::CheckStatus;
use crate::exec::StopReason;
use crate::result::{Cleanup, Labels, RunResult, ScenarioResult, Summary, Target};
use crate::scenario::Profile;
use crate::scim::Severity;

pub struct JsonReporter;

#[derive(Serialize)]
struct JsonReport<'a> {
    report_version: u32,
    tool_version: &'a str,
    run_id: &'a str,
    target: &'a Target,
    profiles: &'a [Profile],
    started_at: &'a str,
    duration_ms: u64,
    summary: Summary,
    /// The failing and warning checks counted with their causes, as every report says them.
    findings: Tally,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    preflight_throttled: &'a [crate::exec::Throttle],
    checks: Vec<JsonCheck<'a>>,
    scenarios: &'a [ScenarioResult],
    cleanup: &'a Cleanup,
    #[serde(skip_serializing_if = "Option::is_none")]
    interrupted: Option<&'a StopReason>,
    #[serde(skip_serializing_if = "Labels::is_empty")]
    labels: &'a Labels,
}

#[derive(Serialize)]
struct JsonCheck<'a> {
    id: &'a str,
    scenario: &'a str,
    step: &'a str,
    status: CheckStatus,
    severity: Severity,
    reference: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    /// What this check shares with the others of its finding (one defect seen at many steps,
    /// or creates refused for one reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<String>,
}

impl Reporter for JsonReporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        let report = JsonReport {
            report_version: run.report_version,
            tool_version: &run.tool_version,
            run_id: &run.run_id,
            target: &run.target,
            profiles: &run.profiles,
            started_at: &run.started_at,
            duration_ms: run.duration_ms,
            summary: run.summary,
            findings: Tally::of(run),
            preflight_throttled: &run.preflight_throttled,
            checks: run
                .checks()
                .map(|(sc, st, c)| JsonCheck {
                    id: c.id.as_str(),
                    scenario: &sc.id,
                    step: st.id,
                    status: c.status,
                    severity: c.severity,
                    reference: &c.reference,
                    message: &c.message,
                    hint: c.hint.as_deref(),
                    pointer: c.pointer.as_deref(),
                    cause: cause_of(run, sc, c),
                })
                .collect(),
            scenarios: &run.scenarios,
            cleanup: &run.cleanup,
            interrupted: run.interrupted.as_ref(),
            labels: &run.labels,
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_report_of_a_fixed_run() {
        let mut out = Vec::new();
        JsonReporter
            .render(&super::super::fixture::run(), &mut out)
            .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            value["summary"],
            serde_json::json!({"passed": 3, "failed": 3, "warnings": 1, "skipped": 3})
        );
        let recorded = value["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "snapshot.drift" && c["scenario"] == "okta.credentials")
            .unwrap();
        assert_eq!(
            recorded["status"], "skipped",
            "a snapshot only written passed nothing"
        );
        assert!(recorded["message"]
            .as_str()
            .unwrap()
            .starts_with("recorded "));
        assert!(value.get("labels").is_none(), "no labels, no member");
        insta::assert_json_snapshot!(value);
    }

    #[test]
    fn labels_are_an_additive_member() {
        let mut run = super::super::fixture::run();
        run.labels.title = Some("Acme SCIM certification".into());
        run.labels.vendor = Some("Acme <Corp>".into());
        let mut out = Vec::new();
        JsonReporter.render(&run, &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            value["labels"],
            serde_json::json!({"title": "Acme SCIM certification", "vendor": "Acme <Corp>"})
        );
        assert_eq!(
            value["report_version"], 1,
            "an added member breaks no reader"
        );
    }
}
