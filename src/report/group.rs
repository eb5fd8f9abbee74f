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

/// One finding: a check id failing the same way (its message, normalised), and every place
/// it did, in plan order. One defect is one finding whatever its severity at each place
/// (`rfc7644.content-type` is an error under Entra ID and a warning elsewhere): it counts at
/// its highest, and the places say which was which.
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

    /// Whether it is a failure (severity error somewhere), not only a warning.
    pub fn is_failure(&self) -> bool {
        self.seen
            .iter()
            .any(|s| s.check.status == CheckStatus::Failed)
    }

    /// Whether it was an error at some places and a warning at others.
    pub fn is_mixed(&self) -> bool {
        let first = self.first().check.status;
        self.seen.iter().any(|s| s.check.status != first)
    }

    /// The places with `status`.
    pub fn at(&self, status: CheckStatus) -> impl Iterator<Item = &Seen<'a>> {
        self.seen.iter().filter(move |s| s.check.status == status)
    }

    /// For a finding that is an error at some places and a warning at others, which was
    /// which: `an error at 3 steps (entra), a warning at 2 (okta, rfc)`.
    pub fn severities(&self) -> Option<String> {
        if !self.is_mixed() {
            return None;
        }
        let part = |status: CheckStatus, what: &str| {
            let places: Vec<&Seen<'_>> = self.at(status).collect();
            let mut profiles: Vec<&str> = Vec::new();
            for s in &places {
                let p = s.scenario.profile.as_str();
                if !profiles.contains(&p) {
                    profiles.push(p);
                }
            }
            format!(
                "{what} at {} ({})",
                super::grammar::count(places.len(), "step"),
                profiles.join(", ")
            )
        };
        Some(format!(
            "{}, {}",
            part(CheckStatus::Failed, "an error"),
            part(CheckStatus::Warning, "a warning")
        ))
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
    /// Distinct causes of those warnings that are only warnings.
    pub warning_causes: usize,
    /// Of the warnings, those whose cause is an error elsewhere (counted in
    /// `failure_causes`).
    #[serde(skip_serializing_if = "is_zero")]
    pub warnings_of_failure_causes: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Tally {
    /// The findings of `run`, counted.
    pub fn of(run: &RunResult) -> Tally {
        let mut t = Tally::default();
        for f in findings(run) {
            let failed = f.at(CheckStatus::Failed).count();
            let warned = f.at(CheckStatus::Warning).count();
            t.failures += failed;
            t.warnings += warned;
            if f.is_failure() {
                t.failure_causes += 1;
                t.warnings_of_failure_causes += warned;
            } else {
                t.warning_causes += 1;
            }
        }
        t
    }

    /// `53 failures from 12 causes, 151 warnings from 8 causes`; warnings of a cause that
    /// is an error elsewhere are told apart (`3 warnings: 1 from 1 cause, 2 from causes
    /// counted with the failures`).
    pub fn phrase(&self) -> String {
        use super::grammar::count;
        let warnings = match self.warnings_of_failure_causes {
            0 => format!(
                "{} from {}",
                count(self.warnings, "warning"),
                count(self.warning_causes, "cause")
            ),
            mixed if mixed == self.warnings => format!(
                "{} from causes counted with the failures",
                count(self.warnings, "warning")
            ),
            mixed => format!(
                "{}: {} from {}, {mixed} from causes counted with the failures",
                count(self.warnings, "warning"),
                self.warnings - mixed,
                count(self.warning_causes, "cause")
            ),
        };
        format!(
            "{} from {}, {warnings}",
            count(self.failures, "failure"),
            count(self.failure_causes, "cause"),
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
pub(crate) fn cause_of(
    run: &RunResult,
    scenario: &ScenarioResult,
    check: &CheckOutcome,
) -> Option<String> {
    if check.is_failure() {
        return Some(cause_text(&key(scenario, check)));
    }
    let root = crate::run::root_of(&check.message)?;
    let (root_scenario, step) = root.split_once(" › ")?;
    let id = crate::scim::status_check_id(root_scenario, step);
    let refused = run
        .scenarios
        .iter()
        .filter(|sc| sc.id.as_str() == root_scenario)
        .flat_map(|sc| sc.steps.iter().map(move |st| (sc, st)))
        .filter(|(_, st)| st.id.as_str() == step)
        .find_map(|(sc, st)| {
            st.checks
                .iter()
                .find(|c| c.id == id && c.is_failure())
                .map(|c| (sc, c))
        });
    Some(match refused {
        Some((sc, c)) => cause_text(&key(sc, c)),
        None => id.to_string(),
    })
}

/// `rfc7644.list.items-per-page:3f2a9c1e`: the check id and a digest of its normalised
/// message, the same from run to run; a snapshot's drift adds its scenario.
fn cause_text((id, message, own): &Key) -> String {
    // FNV-1a: short, stable across runs and platforms, no dependency.
    let digest = message.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    if own.is_empty() {
        format!("{id}:{digest:08x}")
    } else {
        format!("{id}:{digest:08x}@{own}")
    }
}

/// What stays of a finding's message when what changes from step to step is taken out:
/// quoted and back-quoted text (a filter, a value sent), and every word with a digit, an
/// `@` or the run's prefix (ids, counts, names) become `#`, a run of them one `#`; case is
/// ignored. `itemsPerPage 20, Resources holds 0` and `itemsPerPage 5, Resources holds 3`
/// are one defect; `application/json instead of …` and `text/html instead of …` two.
pub(crate) fn normalise_message(message: &str) -> String {
    let mut plain = String::with_capacity(message.len());
    let mut quote: Option<char> = None;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '`' || c == '"' => {
                quote = Some(c);
                plain.push_str(" # ");
            }
            None => plain.push(c),
        }
    }
    let mut words: Vec<String> = Vec::new();
    for word in plain.split_whitespace() {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
        let generated = word == "#"
            || bare.contains("scimcheck-")
            || word.contains('@')
            || bare.chars().any(|c| c.is_ascii_digit());
        let word = if generated {
            "#".to_string()
        } else {
            word.to_lowercase()
        };
        if !(word == "#" && words.last().is_some_and(|w| w == "#")) {
            words.push(word);
        }
    }
    words.join(" ")
}

/// Every failure and warning of the run, grouped by check id and normalised message, errors
/// first and otherwise in run order.
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
    out.sort_by_key(|f| !f.is_failure());
    out
}

/// What makes two failures one finding: the check and its normalised message, whatever the
/// severity; a snapshot's drift is its scenario's own.
type Key = (CheckId, String, String);

fn key(scenario: &ScenarioResult, check: &CheckOutcome) -> Key {
    let own = if check.id.as_str() == "snapshot.drift" {
        scenario.id.to_string()
    } else {
        String::new()
    };
    (check.id.clone(), normalise_message(&check.message), own)
}

/// For a failing check at a place: the first place the same finding was seen, when this is
/// a later one, and how many places it was seen at in all.
pub(crate) struct Repeats {
    firsts: HashMap<Key, (String, usize)>,
    /// Built from the scenarios finished so far (a streamed report): the counts are not
    /// final, and the place shown first is the first to finish, not the first in plan order.
    pub partial: bool,
}

impl Repeats {
    /// The repeats of a run still going, from the scenarios finished so far.
    pub fn so_far(run: &RunResult) -> Repeats {
        Repeats {
            partial: true,
            ..Repeats::of(run)
        }
    }

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
        Repeats {
            firsts,
            partial: false,
        }
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

    #[test]
    fn a_message_is_normalised_to_the_defect_it_names() {
        let n = normalise_message;
        assert_eq!(
            n("itemsPerPage 20, Resources holds 0"),
            n("itemsPerPage 5, Resources holds 3")
        );
        assert_eq!(
            n("`userName eq \"A\"`: missing 5f2d-1, c719-2"),
            n("`title eq \"ENGINEER\"`: missing a438-9")
        );
        assert_ne!(
            n("Content-Type: application/json instead of application/scim+json"),
            n("Content-Type: text/html instead of application/scim+json")
        );
    }

    #[test]
    fn one_defect_at_two_severities_is_one_cause_at_the_higher() {
        let mut run = super::super::fixture::run();
        let message = "Content-Type: application/json instead of application/scim+json";
        let at = |severity| CheckOutcome::fail("rfc7644.content-type", severity, "r", message, "h");
        run.scenarios[0].profile = crate::scenario::Profile::Entra;
        run.scenarios[0].steps[0].checks = vec![at(Severity::Error)];
        let content_type = |run: &RunResult| {
            findings(run)
                .into_iter()
                .filter(|f| f.first().check.id.as_str() == "rfc7644.content-type")
                .count()
        };
        assert_eq!(content_type(&run), 1, "one cause, whatever the severity");
        let f = findings(&run)
            .into_iter()
            .find(|f| f.first().check.id.as_str() == "rfc7644.content-type")
            .unwrap();
        assert!(f.is_failure());
        assert_eq!(
            f.severities().as_deref(),
            Some("an error at 1 step (entra), a warning at 1 step (okta)")
        );
        let t = Tally::of(&run);
        assert_eq!(t.warnings_of_failure_causes, 1);
        assert_eq!(
            t.warnings,
            run.checks()
                .filter(|(_, _, c)| c.status == CheckStatus::Warning)
                .count()
        );
        assert!(
            t.phrase()
                .ends_with(", 1 warning from causes counted with the failures"),
            "{}",
            t.phrase()
        );
        let causes: std::collections::BTreeSet<String> = run
            .checks()
            .filter(|(_, _, c)| c.id.as_str() == "rfc7644.content-type")
            .filter_map(|(sc, _, c)| cause_of(&run, sc, c))
            .collect();
        assert_eq!(causes.len(), 1, "{causes:?}");
    }
}
