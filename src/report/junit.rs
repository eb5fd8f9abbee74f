//! JUnit XML: one testsuite per scenario, one testcase per check. Failures carry the message
//! and the exchange; skipped checks are skipped; warnings pass with a note in system-out, since
//! JUnit has no warning state. A snapshot only written (nothing to compare with) is skipped
//! with "recorded", never a pass. One defect seen at many steps is one finding: its first
//! failure carries the evidence and lists the other steps; each later one names the first.
//!
//! The first testcase of each step carries the step's measured time (the request, retries
//! included, or the whole burst of a burst step); the step's other checks judge that same
//! exchange and take no time of their own, so a suite's testcase times add up to the time
//! its requests took, never more than the suite's own time. Each
//! testsuite carries `<properties>` naming the run: target, run id, tool version, profiles,
//! and the report's labels when given. (quick-junit puts properties on testsuites only.)

use std::io::{self, Write};
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::exchange_text::exchange_text;
use super::group::{place, Repeats};
use super::text::display_copy;
use super::Reporter;
use crate::check::CheckStatus;
use crate::result::{RunResult, ScenarioResult, StepRef, StepResult};

pub struct JunitReporter;

/// The step's measured time: a burst's whole span, else its one exchange; zero when it did
/// not run.
fn step_time(step: &StepResult) -> Duration {
    let ms = match (&step.set, &step.exchange) {
        (Some(b), _) => b.elapsed_ms,
        (None, Some(x)) => x.duration_ms,
        (None, None) => 0,
    };
    Duration::from_millis(ms)
}

/// The base URL without any user or password it might hold, so the report never carries a
/// credential (the command line refuses them too; a report can be rendered from a file).
fn target_without_credentials(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.as_str().trim_end_matches('/').to_string()
        }
        _ => base_url.to_string(),
    }
}

/// The run's properties, the same on every testsuite.
fn properties(run: &RunResult) -> Vec<Property> {
    let profiles: Vec<&str> = run.profiles.iter().map(|p| p.as_str()).collect();
    let mut out = vec![
        Property::new("target", target_without_credentials(&run.target.base_url)),
        Property::new(
            "target.embedded",
            if run.target.embedded { "true" } else { "false" },
        ),
        Property::new("run_id", run.run_id.as_str()),
        Property::new("tool", "scimcheck"),
        Property::new("tool_version", run.tool_version.as_str()),
        Property::new("profiles", profiles.join(",")),
        Property::new("started_at", run.started_at.as_str()),
    ];
    out.extend(run.labels.given().map(|(name, v)| Property::new(name, v)));
    // The counts every report states, in the same words.
    out.push(Property::new(
        "checks",
        super::group::checks_phrase(&run.summary),
    ));
    out.push(Property::new(
        "findings",
        super::group::Tally::of(run).phrase(),
    ));
    out
}

/// The other places the finding of `check` at `at` was seen, when it is their first.
fn others_of(
    run: &RunResult,
    scenario: &ScenarioResult,
    at: StepRef<'_>,
    check: &crate::check::CheckOutcome,
) -> Vec<String> {
    let here = place(scenario, at);
    super::group::findings(run)
        .into_iter()
        .find(|f| {
            let first = f.first();
            first.check.id == check.id && place(first.scenario, first.step) == here
        })
        .map(|f| {
            f.seen[1..]
                .iter()
                .map(|s| place(s.scenario, s.step))
                .collect()
        })
        .unwrap_or_default()
}

impl Reporter for JunitReporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        let run = &display_copy(run);
        let mut report = Report::new(match &run.labels.title {
            Some(title) => format!("scimcheck {} · {title}", run.target.base_url),
            None => format!("scimcheck {}", run.target.base_url),
        });
        report.set_time(Duration::from_millis(run.duration_ms));
        let started = chrono::DateTime::parse_from_rfc3339(&run.started_at).ok();
        if let Some(at) = started {
            report.set_timestamp(at);
        }
        let properties = properties(run);
        let repeats = Repeats::of(run);
        for scenario in &run.scenarios {
            let mut suite = TestSuite::new(scenario.id.as_str());
            suite.set_time(Duration::from_millis(scenario.duration_ms));
            suite.add_properties(properties.iter().cloned());
            if let Some(at) = started {
                suite.set_timestamp(at);
            }
            for block in super::blocks(scenario) {
                let step = block.step.as_ref();
                let time = step_time(step);
                for (index, check) in step.checks.iter().enumerate() {
                    let status = match check.status {
                        CheckStatus::Passed | CheckStatus::Warning => TestCaseStatus::success(),
                        CheckStatus::Skipped => {
                            let mut s = TestCaseStatus::skipped();
                            s.set_message(check.message.as_str());
                            s
                        }
                        CheckStatus::Failed => {
                            let at = StepRef {
                                id: step.id.as_str(),
                                title: &step.title,
                            };
                            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                            s.set_type(check.id.as_str());
                            if let (Some(first), seen) = repeats.of_check(scenario, at, check) {
                                s.set_message(format!(
                                    "{} (same finding as at {first}; {seen} steps in all)",
                                    check.message
                                ));
                                s.set_description(format!(
                                    "rule: {}\nsame finding as at {first}, whose failure carries the evidence\n",
                                    check.reference
                                ));
                                s
                            } else {
                                s.set_message(check.message.as_str());
                                let mut description = format!("rule: {}\n", check.reference);
                                if let Some(hint) = &check.hint {
                                    description.push_str(&format!("fix: {hint}\n"));
                                }
                                if let Some(pointer) = &check.pointer {
                                    description.push_str(&format!("at: {pointer}\n"));
                                }
                                let others = others_of(run, scenario, at, check);
                                if !others.is_empty() {
                                    description.push_str(&format!(
                                        "also seen at {}: {}\n",
                                        super::grammar::count(others.len(), "more step"),
                                        others.join(", ")
                                    ));
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
                        }
                    };
                    let mut case = TestCase::new(format!("{} › {}", step.id, check.id), status);
                    case.set_classname(scenario.id.as_str());
                    case.set_time(if index == 0 { time } else { Duration::ZERO });
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

    #[test]
    fn junit_properties_and_step_times() {
        let mut run = super::super::fixture::run();
        run.labels.title = Some("Acme certification".into());
        run.labels.vendor = Some("Acme & Sons".into());
        let mut out = Vec::new();
        JunitReporter.render(&run, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let mut lines = Vec::new();
        for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
            lines.push(format!("suite {}", suite.attribute("name").unwrap()));
            for p in suite.descendants().filter(|n| n.has_tag_name("property")) {
                let name = p.attribute("name").unwrap();
                let value = match name {
                    // Stable whatever the version, the run or the clock.
                    "tool_version" | "run_id" | "started_at" => format!("[{name}]"),
                    _ => p.attribute("value").unwrap().to_string(),
                };
                lines.push(format!("  property {name} = {value}"));
            }
            for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
                lines.push(format!(
                    "  case {} time={}",
                    case.attribute("name").unwrap(),
                    case.attribute("time").unwrap()
                ));
            }
        }
        let text = lines.join("\n");
        assert!(
            text.contains("property title = Acme certification"),
            "{text}"
        );
        assert!(text.contains("property vendor = Acme & Sons"), "{text}");
        assert!(!text.contains("property product"), "only the labels given");
        assert!(
            text.contains("case create › okta.users.create.create.status time=0.012"),
            "the step's first check carries the step's time: {text}"
        );
        assert!(
            text.contains("case create › schema.User.active time=0.000")
                && text.contains("case create › rfc7644.content-type time=0.000"),
            "the step's other checks take no time of their own: {text}"
        );
        assert!(
            text.contains("case get-by-id › okta.users.create.get-by-id.status time=0.000"),
            "a step that did not run took no time: {text}"
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_burst_step_takes_the_time_of_its_burst() {
        let mut run = super::super::fixture::run();
        run.scenarios[1].steps[0].set = Some(crate::exec::SetSummary {
            elapsed_ms: 10_000,
            ..Default::default()
        });
        let mut out = Vec::new();
        JunitReporter.render(&run, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(
            xml.contains("name=\"create › okta.users.create.create.status\" classname=\"okta.users.create\" time=\"10.000\""),
            "{xml}"
        );
    }

    #[test]
    fn a_recorded_snapshot_is_skipped_with_its_reason() {
        let mut out = Vec::new();
        JunitReporter
            .render(&super::super::fixture::run(), &mut out)
            .unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let case = doc
            .descendants()
            .find(|n| {
                n.attribute("name") == Some("snapshot › snapshot.drift")
                    && n.attribute("classname") == Some("okta.credentials")
            })
            .unwrap();
        let skipped = case
            .children()
            .find(|n| n.has_tag_name("skipped"))
            .expect("not a pass");
        assert!(skipped
            .attribute("message")
            .unwrap()
            .starts_with("recorded "));
        assert!(!xml.contains("/home/alice"), "no local path");
    }

    #[test]
    fn a_failure_seen_at_many_steps_is_one_finding_with_its_places() {
        let mut run = super::super::fixture::run();
        let echo = crate::check::CheckOutcome::fail(
            "rfc7644.list.items-per-page",
            crate::scim::Severity::Error,
            "RFC 7644 §3.4.2",
            "itemsPerPage 100, Resources holds 1",
            "Count the Resources.",
        );
        for st in &mut run.scenarios[1].steps {
            st.checks.push(echo.clone());
        }
        let mut out = Vec::new();
        JunitReporter.render(&run, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let failures: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .filter(|n| n.attribute("type") == Some("rfc7644.list.items-per-page"))
            .collect();
        assert_eq!(failures.len(), 3, "one testcase per check still");
        let first = failures[0].text().unwrap();
        assert!(
            first.contains("also seen at 2 more steps: okta.users.create › duplicate, okta.users.create › get-by-id"),
            "{first}"
        );
        assert!(first.contains("reproduce: curl"), "the evidence, once");
        for later in &failures[1..] {
            assert!(
                later
                    .attribute("message")
                    .unwrap()
                    .ends_with("(same finding as at okta.users.create › create; 3 steps in all)"),
                "{later:?}"
            );
            assert!(!later.text().unwrap().contains("reproduce: curl"));
        }
    }

    #[test]
    fn credentials_in_a_target_never_reach_the_properties() {
        assert_eq!(
            target_without_credentials("https://u:p@scim.example.com/scim/v2"),
            "https://scim.example.com/scim/v2"
        );
        assert_eq!(
            target_without_credentials("https://scim.example.com/scim/v2"),
            "https://scim.example.com/scim/v2"
        );
    }
}
