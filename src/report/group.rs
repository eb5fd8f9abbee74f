//! One defect, one finding: the same generic check failing on many steps (say, itemsPerPage
//! equal to the requested count on eight list steps) has one cause, and is shown once with
//! the steps it was seen at in the reports people read. The JSON report keeps one entry per
//! step, each naming its cause ([`cause_of`]); JUnit keeps one testcase per check, the later
//! ones pointing to the first.

use std::collections::HashMap;

use crate::check::{CheckOutcome, CheckStatus};
use crate::result::{RunResult, ScenarioResult, StepRef};
use crate::scim::CheckId;

/// Where a failing check was seen.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen<'a> {
    /// The scenario.
    pub scenario: &'a ScenarioResult,
    /// The step.
    pub step: StepRef<'a>,
    /// The outcome there.
    pub check: &'a CheckOutcome,
}

/// One finding: a check id failing with one status, and every place it did, in run order.
#[derive(Debug, Clone)]
pub(crate) struct Finding<'a> {
    /// Where it was seen, the first place first.
    pub seen: Vec<Seen<'a>>,
}

impl<'a> Finding<'a> {
    /// The first place it was seen.
    pub fn first(&self) -> Seen<'a> {
        self.seen[0]
    }

    /// Whether it is a failure (severity error), not a warning.
    pub fn is_failure(&self) -> bool {
        self.first().check.status == CheckStatus::Failed
    }
}

/// The findings of a run counted: failing checks and their causes, warnings and theirs.
/// Every report states these numbers in the same words ([`Tally::phrase`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Tally {
    /// Checks failed (severity error).
    pub failures: usize,
    /// Distinct causes of those failures.
    pub failure_causes: usize,
    /// Checks with a warning.
    pub warnings: usize,
    /// Distinct causes of those warnings.
    pub warning_causes: usize,
}

impl Tally {
    /// The findings of `run`, counted.
    pub fn of(run: &RunResult) -> Tally {
        let mut t = Tally::default();
        for f in findings(run) {
            if f.is_failure() {
                t.failures += f.seen.len();
                t.failure_causes += 1;
            } else {
                t.warnings += f.seen.len();
                t.warning_causes += 1;
            }
        }
        t
    }

    /// `53 failures from 12 causes, 151 warnings from 8 causes`.
    pub fn phrase(&self) -> String {
        use super::grammar::count;
        format!(
            "{} from {}, {} from {}",
            count(self.failures, "failure"),
            count(self.failure_causes, "cause"),
            count(self.warnings, "warning"),
            count(self.warning_causes, "cause")
        )
    }
}

/// `1764 checks: 878 passed, 53 failed, 151 warnings, 682 skipped`: the checks of a run as
/// every report counts them.
pub(crate) fn checks_phrase(s: &crate::result::Summary) -> String {
    use super::grammar::count;
    format!(
        "{}: {} passed, {} failed, {}, {} skipped",
        count(s.passed + s.failed + s.warnings + s.skipped, "check"),
        s.passed,
        s.failed,
        count(s.warnings, "warning"),
        s.skipped
    )
}

/// The cause a check shares with others, as the JSON report names it: a failure's or a
/// warning's own finding; for a create skipped because the server refused it for the same
/// reason as an earlier one, the cause of that earlier refusal. `None` for the rest.
pub(crate) fn cause_of(scenario: &ScenarioResult, check: &CheckOutcome) -> Option<String> {
    if check.is_failure() {
        return Some(cause_text(&key(scenario, check)));
    }
    let root = crate::run::root_of(&check.message)?;
    let (scenario, step) = root.split_once(" › ")?;
    let id = crate::scim::status_check_id(scenario, step);
    Some(cause_text(&(id, CheckStatus::Failed, String::new())))
}

/// `rfc7644.list.items-per-page:warning`; a snapshot's drift adds its scenario.
fn cause_text((id, status, own): &Key) -> String {
    let status = match status {
        CheckStatus::Passed => "passed",
        CheckStatus::Failed => "failed",
        CheckStatus::Warning => "warning",
        CheckStatus::Skipped => "skipped",
    };
    if own.is_empty() {
        format!("{id}:{status}")
    } else {
        format!("{id}:{status}@{own}")
    }
}

/// Every failure and warning of the run, grouped by check id and status, errors first and
/// otherwise in run order.
pub(crate) fn findings(run: &RunResult) -> Vec<Finding<'_>> {
    let mut order: Vec<Key> = Vec::new();
    let mut groups: HashMap<Key, Vec<Seen<'_>>> = HashMap::new();
    for (scenario, step, check) in run.checks().filter(|(_, _, c)| c.is_failure()) {
        let key = key(scenario, check);
        let seen = Seen {
            scenario,
            step,
            check,
        };
        match groups.get_mut(&key) {
            Some(list) => list.push(seen),
            None => {
                order.push(key.clone());
                groups.insert(key, vec![seen]);
            }
        }
    }
    let mut out: Vec<Finding<'_>> = order
        .into_iter()
        .filter_map(|key| groups.remove(&key))
        .map(|seen| Finding { seen })
        .collect();
    out.sort_by_key(|f| f.first().check.status != CheckStatus::Failed);
    out
}

/// What makes two failures one finding: the check and its status; a snapshot's drift is its
/// scenario's own.
type Key = (CheckId, CheckStatus, String);

fn key(scenario: &ScenarioResult, check: &CheckOutcome) -> Key {
    let own = if check.id.as_str() == "snapshot.drift" {
        scenario.id.to_string()
    } else {
        String::new()
    };
    (check.id.clone(), check.status, own)
}

/// For a failing check at a place: the first place the same finding was seen, when this is
/// a later one, and how many places it was seen at in all.
pub(crate) struct Repeats {
    firsts: HashMap<Key, (String, usize)>,
}

impl Repeats {
    /// The repeats of `run`.
    pub fn of(run: &RunResult) -> Repeats {
        let firsts = findings(run)
            .into_iter()
            .map(|f| {
                let first = f.first();
                (
                    key(first.scenario, first.check),
                    (place(first.scenario, first.step), f.seen.len()),
                )
            })
            .collect();
        Repeats { firsts }
    }

    /// `Some((first place, count))` when `check` at this place repeats an earlier finding;
    /// the count alone (with `None`) for the first place.
    pub fn of_check(
        &self,
        scenario: &ScenarioResult,
        step: StepRef<'_>,
        check: &CheckOutcome,
    ) -> (Option<&str>, usize) {
        match self.firsts.get(&key(scenario, check)) {
            Some((first, n)) if *first == place(scenario, step) => (None, *n),
            Some((first, n)) => (Some(first.as_str()), *n),
            None => (None, 1),
        }
    }
}

/// `scenario › step`, as reports name a place.
pub(crate) fn place(scenario: &ScenarioResult, step: StepRef<'_>) -> String {
    format!("{} › {}", scenario.id, step.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckOutcome;
    use crate::scim::Severity;

    #[test]
    fn one_generic_finding_on_many_steps_is_one_group_errors_first() {
        let mut run = super::super::fixture::run();
        let warn = CheckOutcome::fail(
            "rfc7644.list.items-per-page",
            Severity::Warning,
            "r",
            "m",
            "h",
        );
        for st in &mut run.scenarios[1].steps {
            st.checks.push(warn.clone());
        }
        let groups = findings(&run);
        let items: Vec<_> = groups
            .iter()
            .filter(|g| g.first().check.id.as_str() == "rfc7644.list.items-per-page")
            .collect();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].seen.len(), run.scenarios[1].steps.len());
        assert_eq!(groups[0].first().check.status, CheckStatus::Failed);
        let repeats = Repeats::of(&run);
        let sc = &run.scenarios[1];
        let at = |i: usize| StepRef {
            id: sc.steps[i].id.as_str(),
            title: &sc.steps[i].title,
        };
        assert_eq!(repeats.of_check(sc, at(0), &warn).0, None);
        assert_eq!(
            repeats.of_check(sc, at(1), &warn),
            (Some(place(sc, at(0)).as_str()), sc.steps.len())
        );
    }
}
