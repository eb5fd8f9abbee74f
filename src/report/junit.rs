//! JUnit XML: one testsuite per scenario, one testcase per check. Failures carry the message
//! and the exchange; skipped checks are skipped; warnings pass with a note in system-out, since
//! JUnit has no warning state.

use std::io::{self, Write};
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::exchange_text::exchange_text;
use super::text::display_copy;
use super::Reporter;
use crate::check::CheckStatus;
use crate::result::RunResult;

pub struct JunitReporter;

impl Reporter for JunitReporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        let run = &display_copy(run);
        let mut report = Report::new(format!("scimcheck {}", run.target.base_url));
        report.set_time(Duration::from_millis(run.duration_ms));
        let started = chrono::DateTime::parse_from_rfc3339(&run.started_at).ok();
        if let Some(at) = started {
            report.set_timestamp(at);
        }
        for scenario in &run.scenarios {
            let mut suite = TestSuite::new(scenario.id.as_str());
            suite.set_time(Duration::from_millis(scenario.duration_ms));
            if let Some(at) = started {
                suite.set_timestamp(at);
            }
            for block in super::blocks(scenario) {
                let step = block.step.as_ref();
                // The step's time goes to its first check, so the cases add up to the suite.
                let mut step_time = step
                    .exchange
                    .as_ref()
                    .map_or(Duration::ZERO, |x| Duration::from_millis(x.duration_ms));
                for check in &step.checks {
                    let status = match check.status {
                        CheckStatus::Passed | CheckStatus::Warning => TestCaseStatus::success(),
                        CheckStatus::Skipped => {
                            let mut s = TestCaseStatus::skipped();
                            s.set_message(check.message.as_str());
                            s
                        }
                        CheckStatus::Failed => {
                            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                            s.set_message(check.message.as_str());
                            s.set_type(check.id.as_str());
                            let mut description = format!("rule: {}\n", check.reference);
                            if let Some(hint) = &check.hint {
                                description.push_str(&format!("fix: {hint}\n"));
                            }
                            if let Some(pointer) = &check.pointer {
                                description.push_str(&format!("at: {pointer}\n"));
                            }
                            if let Some(x) = &step.exchange {
                                description.push('\n');
                                description.push_str(&exchange_text(x));
                            }
                            if let Some(diff) = block.snapshot.and_then(|s| s.diff.as_deref()) {
                                description.push('\n');
                                description.push_str(diff);
                            }
                            s.set_description(description);
                            s
                        }
                    };
                    let mut case = TestCase::new(format!("{} › {}", step.id, check.id), status);
                    case.set_classname(scenario.id.as_str());
                    case.set_time(std::mem::take(&mut step_time));
                    if check.status == CheckStatus::Warning {
                        case.set_system_out(format!(
                            "WARNING ({}): {} [{}]",
                            check.severity.as_str(),
                            check.message,
                            check.reference
                        ));
                    }
                    suite.add_test_case(case);
                }
            }
            report.add_test_suite(suite);
        }
        report.serialize(&mut *out).map_err(io::Error::other)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_of_a_fixed_run() {
        let mut out = Vec::new();
        JunitReporter
            .render(&super::super::fixture::run(), &mut out)
            .unwrap();
        let xml = String::from_utf8(out).unwrap();
        insta::assert_snapshot!(xml);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let suites: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testsuite"))
            .collect();
        assert_eq!(suites.len(), 2);
        let create = suites
            .iter()
            .find(|s| s.attribute("name") == Some("okta.users.create"))
            .unwrap();
        assert_eq!(create.attribute("tests"), Some("7"));
        assert_eq!(create.attribute("failures"), Some("3"));
        assert_eq!(create.attribute("skipped"), Some("2"));
        let failure = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert!(failure
            .attribute("message")
            .unwrap()
            .contains("is not of type"));
        assert!(
            failure.text().unwrap().contains("reproduce: curl"),
            "failures carry the exchange"
        );
        assert_eq!(
            xml.matches("Bearer ").count(),
            xml.matches("Bearer $SCIM_TOKEN").count(),
            "no credentials"
        );
    }
}
