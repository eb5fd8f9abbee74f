//! Where things are in a scenario file, so that a rule the loader checks after parsing
//! (an undefined variable, an unknown check) still names the line and column.
//!
//! The file is read a second time into these shadow types, which keep only ids and their
//! locations and ignore every other key; the strict parse has already vetted the file.

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

/// What a validation message points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The scenario itself.
    Scenario,
    /// A step, by index.
    Step(usize),
    /// Step index, assert index.
    Assert(usize, usize),
    /// Step index, index in `expect.checks`.
    Check(usize, usize),
}

/// Line and column of the scenario's parts, as the parser saw them.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    scenario: Option<(u64, u64)>,
    steps: Vec<StepSpans>,
}

#[derive(Debug, Clone, Default)]
struct StepSpans {
    at: Option<(u64, u64)>,
    asserts: Vec<Option<(u64, u64)>>,
    checks: Vec<Option<(u64, u64)>>,
}

#[derive(Deserialize)]
struct ScenarioShadow {
    id: Spanned<serde::de::IgnoredAny>,
    #[serde(default)]
    steps: Vec<StepShadow>,
}

#[derive(Deserialize)]
struct StepShadow {
    id: Spanned<serde::de::IgnoredAny>,
    #[serde(default)]
    expect: Option<ExpectShadow>,
}

#[derive(Deserialize)]
struct ExpectShadow {
    #[serde(default)]
    asserts: Vec<AssertShadow>,
    #[serde(default)]
    checks: Vec<Spanned<serde::de::IgnoredAny>>,
}

#[derive(Deserialize)]
struct AssertShadow {
    id: Spanned<serde::de::IgnoredAny>,
}

fn known(loc: Location) -> Option<(u64, u64)> {
    (loc.line() > 0).then(|| (loc.line(), loc.column()))
}

impl Spans {
    /// The locations in `text`; empty (every lookup `None`) if the text does not parse.
    pub fn of(text: &str) -> Spans {
        let Ok(shadow) = serde_saphyr::from_str::<ScenarioShadow>(text) else {
            return Spans::default();
        };
        Spans {
            scenario: known(shadow.id.referenced),
            steps: shadow
                .steps
                .into_iter()
                .map(|s| {
                    let (asserts, checks) = s.expect.map_or((vec![], vec![]), |e| {
                        (
                            e.asserts
                                .into_iter()
                                .map(|a| known(a.id.referenced))
                                .collect(),
                            e.checks.into_iter().map(|c| known(c.referenced)).collect(),
                        )
                    });
                    StepSpans {
                        at: known(s.id.referenced),
                        asserts,
                        checks,
                    }
                })
                .collect(),
        }
    }

    /// Line and column of `at`, falling back to the enclosing step, then the scenario id.
    pub fn locate(&self, at: At) -> Option<(u64, u64)> {
        let step = |i: usize| self.steps.get(i);
        let inner = match at {
            At::Scenario => None,
            At::Step(i) => step(i).and_then(|s| s.at),
            At::Assert(i, j) => step(i).and_then(|s| s.asserts.get(j).copied().flatten().or(s.at)),
            At::Check(i, j) => step(i).and_then(|s| s.checks.get(j).copied().flatten().or(s.at)),
        };
        inner.or(self.scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "id: a.b\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: first\n    title: t\n    request: { method: GET, path: /Users }\n  - title: t\n    id: second\n    request: { method: GET, path: /Users }\n    expect:\n      checks: [rfc7644.list-response, { id: x.y }]\n      asserts:\n        - pointer: /a\n          id: my.assert\n          exists: true\n          hint: h\n";

    #[test]
    fn steps_asserts_and_checks_are_located() {
        let spans = Spans::of(TEXT);
        assert_eq!(spans.locate(At::Scenario), Some((1, 5)));
        assert_eq!(spans.locate(At::Step(0)), Some((6, 9)));
        assert_eq!(spans.locate(At::Step(1)), Some((10, 9)));
        assert_eq!(spans.locate(At::Check(1, 0)), Some((13, 16)));
        assert_eq!(spans.locate(At::Check(1, 1)).map(|l| l.0), Some(13));
        assert_eq!(spans.locate(At::Assert(1, 0)), Some((16, 15)));
    }

    #[test]
    fn missing_parts_fall_back_to_the_enclosing_one() {
        let spans = Spans::of(TEXT);
        assert_eq!(spans.locate(At::Assert(0, 3)), Some((6, 9)));
        assert_eq!(spans.locate(At::Step(9)), Some((1, 5)));
        assert_eq!(Spans::of("not: [yaml").locate(At::Step(0)), None);
    }
}
