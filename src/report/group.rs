//! One defect, one finding: the same generic check failing on many steps (say, itemsPerPage
//! equal to the requested count on eight list steps) is shown once with the steps it was
//! seen at, in the reports people read. JSON and JUnit keep one entry per step.

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
