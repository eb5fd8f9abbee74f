//! The verdict of an imported test (a Runscope export such as Okta's SPEC test) on its own
//! terms: its assertions and scripts apart from scimcheck's rules run on the same exchanges,
//! so a vendor reads "Okta's test: 49/49 passed" first.

use crate::check::CheckOutcome;
use crate::result::{RunResult, ScenarioResult, StepResult, Summary};
use crate::scenario::runscope::{ID_PREFIX, SEED_STEP};

/// One imported test's result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ImportedSummary<'a> {
    /// The test's name.
    pub title: &'a str,
    /// Its own assertions and scripts.
    pub own: Summary,
    /// scimcheck's rules on the same exchanges (and the seed step's checks).
    pub rules: Summary,
    /// Whether scimcheck created a seed user before the test's first step.
    pub seeded: bool,
}

impl ImportedSummary<'_> {
    /// `Okta SCIM 2.0 SPEC Test: 49/49 passed`, then scimcheck's rules apart.
    pub fn lines(&self) -> (String, String) {
        let o = self.own;
        let total = o.passed + o.failed + o.warnings + o.skipped;
        let mut first = format!("{}: {}/{total} passed", self.title, o.passed);
        for (n, word) in [
            (o.failed, format!("{} failed", o.failed)),
            (o.warnings, super::grammar::count(o.warnings, "warning")),
            (o.skipped, format!("{} skipped", o.skipped)),
        ] {
            if n > 0 {
                first.push_str(&format!(", {word}"));
            }
        }
        let r = self.rules;
        let mut second = format!(
            "scimcheck's rules on the same exchanges: {} passed, {} failed, {}, {} skipped",
            r.passed,
            r.failed,
            super::grammar::count(r.warnings, "warning"),
            r.skipped
        );
        if self.seeded {
            second.push_str(" · scimcheck created one user with the run prefix first (--no-runscope-seed skips it)");
        }
        (first, second)
    }
}

/// Whether `sc` is an imported test.
pub(crate) fn is_imported(sc: &ScenarioResult) -> bool {
    sc.id.starts_with(ID_PREFIX)
}

/// Whether `c`, made at step `st` of `sc`, is one of the imported test's own checks
/// (`<scenario>.<step>.<n>` or `<scenario>.<step>.script-<n>`).
pub(crate) fn is_own(sc: &ScenarioResult, st: &StepResult, c: &CheckOutcome) -> bool {
    let prefix = format!("{}.{}.", sc.id, st.id);
    c.id.as_str().strip_prefix(&prefix).is_some_and(|rest| {
        let n = rest.strip_prefix("script-").unwrap_or(rest);
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The imported tests of a run, in order.
pub(crate) fn summaries(run: &RunResult) -> Vec<ImportedSummary<'_>> {
    run.scenarios
        .iter()
        .filter(|sc| is_imported(sc))
        .map(|sc| {
            let (own, rules): (Vec<_>, Vec<_>) = sc
                .steps
                .iter()
                .flat_map(|st| st.checks.iter().map(move |c| (st, c)))
                .partition(|(st, c)| is_own(sc, st, c));
            ImportedSummary {
                title: &sc.title,
                own: Summary::of(own.into_iter().map(|(_, c)| c)),
                rules: Summary::of(
                    rules
                        .into_iter()
                        .map(|(_, c)| c)
                        .chain(sc.snapshot.iter().map(|s| &s.check)),
                ),
                seeded: sc
                    .steps
                    .iter()
                    .any(|st| st.id == SEED_STEP && st.exchange.is_some()),
            }
        })
        .collect()
}
