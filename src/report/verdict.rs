//! The one-word verdict of a run or a scenario, the same in every report.

use crate::check::CheckStatus;
use crate::exec::StopReason;
use crate::result::{RunResult, ScenarioResult, SnapshotStatus, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Failed,
    /// Stopped by a signal or the deadline before every step ran.
    Incomplete,
    Warnings,
    /// Nothing was checked (the scenario did not apply, or every step was skipped).
    Skipped,
    Passed,
}

impl Verdict {
    pub fn of_run(run: &RunResult) -> Verdict {
        let s = run.summary;
        if s.failed > 0 {
            Verdict::Failed
        } else if run.interrupted.is_some() {
            Verdict::Incomplete
        } else {
            Verdict::of_counts(&s)
        }
    }

    /// A scenario's verdict from its own checks; the snapshot comparison adds to it only when
    /// it found drift, so a scenario that never ran is not "passed" by matching its snapshot.
    /// One that a signal or the deadline cut short is incomplete, and one whose feature the
    /// server lacks says nothing (skipped), whatever its setup steps passed.
    pub fn of_scenario(sc: &ScenarioResult, interrupted: Option<&StopReason>) -> Verdict {
        let counts = scenario_counts(sc);
        if counts.failed > 0 {
            return Verdict::Failed;
        }
        let cut = interrupted.is_some_and(|why| {
            let why = why.to_string();
            sc.steps
                .iter()
                .any(|st| st.skipped.as_deref() == Some(why.as_str()))
        });
        if cut {
            Verdict::Incomplete
        } else if (sc.not_applicable.is_some() || refused_like_earlier(sc).is_some())
            && counts.warnings == 0
        {
            Verdict::Skipped
        } else {
            Verdict::of_counts(&counts)
        }
    }

    pub fn of_counts(s: &Summary) -> Verdict {
        if s.failed > 0 {
            Verdict::Failed
        } else if s.warnings > 0 {
            Verdict::Warnings
        } else if s.passed == 0 {
            Verdict::Skipped
        } else {
            Verdict::Passed
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Failed => "FAILED",
            Verdict::Incomplete => "INCOMPLETE",
            Verdict::Warnings => "WARNINGS",
            Verdict::Skipped => "SKIPPED",
            Verdict::Passed => "PASSED",
        }
    }

    /// The CSS class of the HTML report's badge.
    pub fn class(self) -> &'static str {
        match self {
            Verdict::Failed => "fail",
            Verdict::Incomplete | Verdict::Warnings => "warn",
            Verdict::Skipped => "skip",
            Verdict::Passed => "pass",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Verdict::Failed => "❌",
            Verdict::Incomplete => "⏸️",
            Verdict::Warnings => "⚠️",
            Verdict::Skipped => "➖",
            Verdict::Passed => "✅",
        }
    }
}

/// When the scenario's create was refused for the same reason as an earlier one and nothing
/// after it passed (the steps that needed it could not run), that check's message: `same
/// root cause as okta.users.create › create: the server refused this create too (400 …)`.
/// Such a scenario did not pass, whatever a lookup before the create did: it could not run,
/// and every report calls it skipped with this reason.
pub fn refused_like_earlier(sc: &ScenarioResult) -> Option<&str> {
    let (at, message) = sc.steps.iter().enumerate().find_map(|(i, st)| {
        st.checks
            .iter()
            .find(|c| c.status == CheckStatus::Skipped && crate::run::root_of(&c.message).is_some())
            .map(|c| (i, c.message.as_str()))
    })?;
    let ran_after = sc.steps[at + 1..]
        .iter()
        .flat_map(|st| &st.checks)
        .any(|c| c.status == CheckStatus::Passed);
    (!ran_after).then_some(message)
}

/// How every report names a scenario's snapshot: one only written (a first run, or
/// `--update-snapshots`) was compared with nothing, so it is "recorded", never "passed".
pub fn snapshot_word(status: SnapshotStatus) -> &'static str {
    match status {
        SnapshotStatus::Written | SnapshotStatus::Updated => "recorded",
        SnapshotStatus::Matched => "matched",
        SnapshotStatus::Drifted => "drifted",
        SnapshotStatus::NotCompared => "not compared",
    }
}

/// The snapshot words in the order the summaries count them.
pub const SNAPSHOT_WORDS: [&str; 4] = ["recorded", "matched", "drifted", "not compared"];

/// `3 recorded, 2 matched, 1 drifted`: the run's snapshots counted by [`snapshot_word`];
/// `None` when the run kept no snapshots.
pub fn snapshot_counts(run: &RunResult) -> Option<String> {
    let words: Vec<&str> = run
        .scenarios
        .iter()
        .filter_map(|s| s.snapshot.as_ref())
        .map(|s| snapshot_word(s.status))
        .collect();
    if words.is_empty() {
        return None;
    }
    let parts: Vec<String> = SNAPSHOT_WORDS
        .iter()
        .filter_map(|w| {
            let n = words.iter().filter(|x| *x == w).count();
            (n > 0).then(|| format!("{n} {w}"))
        })
        .collect();
    Some(parts.join(", "))
}

/// Every verdict and mark a report shows, with what it means: the legend of the HTML report.
pub const LEGEND: &[(&str, &str, &str)] = &[
    ("pass", "PASSED", "every check ran and passed"),
    ("fail", "FAILED", "at least one check failed: a MUST of the RFC, or something the identity provider cannot work with"),
    ("warn", "WARNINGS", "no failure, but at least one warning: a SHOULD of the RFC, or an interoperability risk"),
    ("warn", "INCOMPLETE", "the run stopped early (signal or deadline); the remaining steps were skipped"),
    ("skip", "SKIPPED", "nothing was checked: the scenario did not apply (a feature the server does not advertise or support, or an earlier step failed), with the reason"),
    ("rec", "RECORDED", "a snapshot written by this run (no accepted snapshot yet, or --update-snapshots): nothing was compared"),
    ("pass", "MATCHED", "the exchanges equal the accepted snapshot"),
    ("fail", "DRIFTED", "the exchanges differ from the accepted snapshot; the diff shows how"),
];

/// A scenario's counts: its steps' checks, and its snapshot check only when it found drift.
pub fn scenario_counts(sc: &ScenarioResult) -> Summary {
    Summary::of(
        sc.steps.iter().flat_map(|st| &st.checks).chain(
            sc.snapshot
                .iter()
                .map(|s| &s.check)
                .filter(|c| matches!(c.status, CheckStatus::Failed | CheckStatus::Warning)),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckOutcome;
    use crate::report::{fixture, html::HtmlReporter, markdown::MarkdownReporter, Reporter};

    fn render(r: &dyn Reporter, run: &RunResult) -> String {
        let mut out = Vec::new();
        r.render(run, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_interrupted_run_is_never_called_passed() {
        let mut run = fixture::run();
        run.scenarios.truncate(1);
        run.summary = Summary::of(run.checks().map(|(_, _, c)| c));
        assert_eq!(Verdict::of_run(&run), Verdict::Passed);
        run.interrupted = Some(StopReason::Interrupted("SIGINT".into()));
        assert_eq!(Verdict::of_run(&run), Verdict::Incomplete);
        let sc = &mut run.scenarios[0];
        sc.steps[0].skipped = Some("interrupted by SIGINT".into());
        assert_eq!(
            Verdict::of_scenario(sc, Some(&StopReason::Interrupted("SIGINT".into()))),
            Verdict::Incomplete
        );
        assert!(render(&HtmlReporter, &run).contains("verdict warn\">INCOMPLETE"));
        let md = render(&MarkdownReporter, &run);
        assert!(md.starts_with("## scimcheck: ⏸️ incomplete"), "{md}");
        assert!(md.contains("Stopped early"), "{md}");
    }

    #[test]
    fn a_scenario_that_never_ran_is_skipped_even_when_its_snapshot_matches() {
        let mut run = fixture::run();
        let sc = &mut run.scenarios[0];
        sc.skipped = Some("bulk is not supported".into());
        for st in &mut sc.steps {
            st.checks = vec![CheckOutcome::skip("x.status", "r", "bulk is not supported")];
        }
        sc.snapshot = Some(crate::result::SnapshotOutcome {
            file: "s.json".into(),
            status: crate::result::SnapshotStatus::Matched,
            diff: None,
            check: CheckOutcome::pass("snapshot.drift", "r", "matches"),
        });
        assert_eq!(Verdict::of_scenario(sc, None), Verdict::Skipped);
        sc.snapshot.as_mut().unwrap().check = CheckOutcome::fail(
            "snapshot.drift",
            crate::scim::Severity::Error,
            "r",
            "differs",
            "h",
        );
        assert_eq!(Verdict::of_scenario(sc, None), Verdict::Failed);
    }

    #[test]
    fn a_scenario_whose_create_repeats_an_earlier_refusal_is_skipped_in_every_report() {
        let mut run = fixture::run();
        let sc = &mut run.scenarios[1];
        let why = "same root cause as okta.a › create: the server refused this create too (400 invalidValue: primary not supported)";
        for st in &mut sc.steps {
            st.checks = vec![CheckOutcome::skip("x.status", "r", why)];
        }
        // A lookup before the create passed: still, the scenario could not run.
        sc.steps[0].checks = vec![CheckOutcome::pass("x.lookup", "r", "status 200")];
        sc.steps[1].checks = vec![CheckOutcome::skip("x.status", "r", why)];
        sc.snapshot = None;
        let sc = &run.scenarios[1];
        assert_eq!(refused_like_earlier(sc), Some(why));
        assert_eq!(Verdict::of_scenario(sc, None), Verdict::Skipped);
        run.summary = Summary::of(run.checks().map(|(_, _, c)| c));
        let md = render(&MarkdownReporter, &run);
        assert!(md.contains(&format!("| ➖ skipped: {why} |")), "{md}");
        let html = render(&HtmlReporter, &run);
        assert!(
            html.contains("<p>Skipped: same root cause as okta.a › create"),
            "{html}"
        );
        let mut text = Vec::new();
        crate::report::human::HumanReporter::default()
            .render(&run, &mut text)
            .unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.lines()
                .any(|l| l.starts_with("– ") && l.contains(&format!("skipped: {why}"))),
            "{text}"
        );
    }
}
