//! Area by area (an endpoint, a query parameter, a feature), whether a run tested it: read
//! from the requests of the built-in scenarios and the requests the run recorded, and what
//! became of each, so the coverage statement cannot contradict the run.

use std::sync::OnceLock;

use serde_json::Value;

use super::coverage::skip_reason;
use super::verdict::Verdict;
use crate::check::CheckStatus;
use crate::exec::Exchange;
use crate::result::{RunResult, ScenarioResult, StepResult};
use crate::scenario::{Scenario, Step};
use crate::scim::Method;

/// One area of SCIM (an endpoint, a query parameter, a feature) in one profile of a run.
pub(crate) struct AreaCoverage {
    /// What it is, with its rule: `Bulk (RFC 7644 §3.7)`.
    pub area: &'static str,
    /// Tested, or why not.
    pub state: AreaState,
}

/// Whether a run tested an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AreaState {
    /// A step that sends such a request ran and reached a verdict: the scenarios it ran in.
    Tested(Vec<String>),
    /// The profile's scenarios send such requests, but none reached a verdict this run:
    /// why, with the scenario (`the server's /ServiceProviderConfig says bulk is not
    /// supported (rfc.bulk)`).
    NotRun(String),
    /// No built-in scenario of the profile sends such a request.
    NoScenario,
}

/// A step of a built-in scenario as coverage sees it.
pub(super) struct StepShape<'s> {
    method: Method,
    /// The path without the query: `/Users/{{uid}}`.
    path: &'s str,
    /// The query parameters' names, from `query:` and from the path itself.
    query: Vec<String>,
    /// The request's own header names, lower-case.
    headers: Vec<String>,
    body: Option<&'s Value>,
    burst: bool,
}

impl StepShape<'_> {
    pub(super) fn of(step: &Step) -> StepShape<'_> {
        let (path, inline) = step
            .request
            .path
            .split_once('?')
            .unwrap_or((step.request.path.as_str(), ""));
        let query = step
            .request
            .query
            .keys()
            .cloned()
            .chain(
                inline
                    .split('&')
                    .filter_map(|kv| kv.split('=').next())
                    .filter(|k| !k.is_empty())
                    .map(str::to_string),
            )
            .collect();
        StepShape {
            method: step.request.method,
            path,
            query,
            headers: step
                .request
                .headers
                .keys()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            body: step.request.body.as_ref(),
            burst: step.burst.is_some(),
        }
    }

    /// The request a step sent, as recorded: how scenarios built at run time (from the
    /// server's schemas) and the user's own count too. Every request carries credentials,
    /// so the Authorization header says nothing here.
    fn of_exchange<'x>(x: &'x Exchange, step: &StepResult, base: &str) -> StepShape<'x> {
        let url = x.request.url.as_str();
        let rest = url.strip_prefix(base.trim_end_matches('/')).unwrap_or(url);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        StepShape {
            method: x.request.method,
            path,
            query: query
                .split('&')
                .filter_map(|kv| kv.split('=').next())
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect(),
            headers: x
                .request
                .headers
                .keys()
                .map(|h| h.to_ascii_lowercase())
                .filter(|h| h != "authorization")
                .collect(),
            body: x.request.body.as_ref(),
            burst: step
                .set
                .as_ref()
                .is_some_and(|s| s.mode == crate::exec::SetMode::Burst),
        }
    }

    fn on(&self, endpoint: &str) -> bool {
        self.path == endpoint || self.path.starts_with(&format!("{endpoint}/"))
    }

    fn has_query(&self, names: &[&str]) -> bool {
        self.query
            .iter()
            .any(|q| names.iter().any(|n| q.eq_ignore_ascii_case(n)))
    }

    /// A PATCH operation whose path, or whose path-less value, names the password.
    fn patches_password(&self) -> bool {
        let named = |op: &Value| {
            op["path"]
                .as_str()
                .is_some_and(|p| p.eq_ignore_ascii_case("password"))
                || op["value"]
                    .as_object()
                    .is_some_and(|v| v.keys().any(|k| k.eq_ignore_ascii_case("password")))
        };
        self.method == Method::Patch
            && self
                .body
                .and_then(|b| b["Operations"].as_array())
                .is_some_and(|ops| ops.iter().any(named))
    }
}

/// The areas a coverage statement names, each with the requests that test it. The list
/// is what a vendor asks about; whether a run tested each is read from the run.
/// Whether a request tests an area.
type Tests = fn(&StepShape<'_>) -> bool;

pub(super) const AREAS: &[(&str, Tests)] = &[
    ("creating users (POST /Users, RFC 7644 §3.3)", |s| {
        s.method == Method::Post && s.path == "/Users"
    }),
    ("replacing a user (PUT, RFC 7644 §3.5.1)", |s| {
        s.method == Method::Put && s.on("/Users")
    }),
    ("modifying a user (PATCH, RFC 7644 §3.5.2)", |s| {
        s.method == Method::Patch && s.on("/Users")
    }),
    ("deleting users (DELETE, RFC 7644 §3.6)", |s| {
        s.method == Method::Delete && s.on("/Users")
    }),
    ("the Groups endpoint (/Groups, RFC 7644 §3)", |s| {
        s.on("/Groups")
    }),
    ("filters (filter, RFC 7644 §3.4.2.2)", |s| {
        s.has_query(&["filter"])
    }),
    ("sorting (sortBy, RFC 7644 §3.4.2.3)", |s| {
        s.has_query(&["sortBy", "sortOrder"])
    }),
    ("paging (startIndex, count; RFC 7644 §3.4.2.4)", |s| {
        s.has_query(&["startIndex", "count"])
    }),
    (
        "attributes and excludedAttributes (RFC 7644 §3.4.2.5)",
        |s| s.has_query(&["attributes", "excludedAttributes"]),
    ),
    ("ETags (If-Match, If-None-Match; RFC 7644 §3.14)", |s| {
        s.headers
            .iter()
            .any(|h| h == "if-match" || h == "if-none-match")
    }),
    ("password changes (RFC 7643 §4.1.1)", |s| {
        s.patches_password()
    }),
    ("Bulk (RFC 7644 §3.7)", |s| s.path == "/Bulk"),
    ("searching with POST .search (RFC 7644 §3.4.3)", |s| {
        s.method == Method::Post && s.path.ends_with("/.search")
    }),
    ("/Me (RFC 7644 §3.11)", |s| s.on("/Me")),
    (
        "the discovery endpoints (/ServiceProviderConfig, /Schemas, /ResourceTypes; RFC 7644 §4)",
        |s| s.on("/ServiceProviderConfig") || s.on("/Schemas") || s.on("/ResourceTypes"),
    ),
    (
        "authentication (missing or wrong credentials refused; RFC 7644 §2)",
        |s| s.headers.iter().any(|h| h == "authorization"),
    ),
    ("request rates (a burst of requests)", |s| s.burst),
];

/// Area by area, what the run did with the requests of the profile's built-in scenarios.
pub(super) fn areas_of(run: &RunResult, profile: &str) -> Vec<AreaCoverage> {
    let defs: Vec<&Scenario> = builtin_scenarios()
        .iter()
        .filter(|sc| sc.profile.as_str() == profile)
        .collect();
    AREAS
        .iter()
        .map(|(area, tests)| {
            let mut tested: Vec<String> = vec![];
            let mut not_run: Option<String> = None;
            for def in &defs {
                let steps: Vec<&Step> = def
                    .steps
                    .iter()
                    .filter(|st| tests(&StepShape::of(st)))
                    .collect();
                if steps.is_empty() {
                    continue;
                }
                let why = match run.scenarios.iter().find(|r| r.id == def.id) {
                    None => Err("left out of this run".to_string()),
                    Some(sc) => step_verdict(run, sc, &steps),
                };
                match why {
                    Ok(()) => tested.push(def.id.to_string()),
                    Err(why) => {
                        not_run.get_or_insert(format!("{why} ({})", def.id));
                    }
                }
            }
            // Scenarios without a file of their own (built from the server's schemas) are
            // read from what they sent.
            let sent = run
                .scenarios
                .iter()
                .filter(|sc| sc.profile.as_str() == profile && !tested.contains(&sc.id.to_string()))
                .filter(|sc| {
                    sc.steps.iter().any(|st| {
                        judged(st)
                            && st.exchange.as_ref().is_some_and(|x| {
                                tests(&StepShape::of_exchange(x, st, &run.target.base_url))
                            })
                    })
                })
                .map(|sc| sc.id.to_string())
                .collect::<Vec<_>>();
            tested.extend(sent);
            let state = match (tested.is_empty(), not_run) {
                (false, _) => AreaState::Tested(tested),
                (true, Some(why)) => AreaState::NotRun(why),
                (true, None) => AreaState::NoScenario,
            };
            AreaCoverage { area, state }
        })
        .collect()
}

/// Whether one of `steps` of the scenario `sc` ran and reached a verdict; if none did, why
/// (the step's skip reason, or its skipped check's: `/Me` answered 501, say).
fn step_verdict(run: &RunResult, sc: &ScenarioResult, steps: &[&Step]) -> Result<(), String> {
    if Verdict::of_scenario(sc, run.interrupted.as_ref()) == Verdict::Skipped {
        return Err(skip_reason(sc));
    }
    let mut why = None;
    for def in steps {
        let Some(st) = sc.steps.iter().find(|st| st.id == def.id) else {
            continue;
        };
        if judged(st) {
            return Ok(());
        }
        why.get_or_insert_with(|| {
            st.skipped.clone().unwrap_or_else(|| {
                st.checks
                    .iter()
                    .map(|c| c.message.clone())
                    .next()
                    .unwrap_or_else(|| "no check reached a verdict".into())
            })
        });
    }
    Err(why.unwrap_or_else(|| "no step that sends it ran".into()))
}

/// Whether a check of the step reached a verdict on its answer: the request was sent and
/// tested something.
fn judged(st: &StepResult) -> bool {
    st.checks.iter().any(|c| c.status != CheckStatus::Skipped)
}

/// The built-in scenarios, parsed once.
pub(super) fn builtin_scenarios() -> &'static [Scenario] {
    static BUILTIN: OnceLock<Vec<Scenario>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        crate::scenario::builtin()
            .map(|all| all.into_iter().map(|l| l.scenario).collect())
            .unwrap_or_default()
    })
}
