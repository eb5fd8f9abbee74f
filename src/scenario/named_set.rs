//! The named checks of the concurrency and scale scenarios: end states after many requests
//! (a group's members, a user's groups) and rules over a set of requests sent together
//! (exactly one racing create wins, a paged walk sees every resource once).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A named check of the concurrency and scale scenarios, with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadCall {
    /// `rfc7644.members-exactly`: a group holds exactly the expected members.
    MembersExactly(ExpectedArgs),
    /// `rfc7643.user-groups`: a user's `groups` lists every expected group.
    UserGroups(ExpectedArgs),
    /// `rfc7644.race-one-created`: of racing creates of one name, exactly one succeeds.
    RaceOneCreated(RaceArgs),
    /// `rfc7644.race-one-wins`: of racing conditional writes of one version, exactly one wins.
    RaceOneWins,
    /// `okta.batch-time`: every request of the set is answered within Okta's timeout.
    BatchTime(BatchTimeArgs),
    /// `okta.batch-limit`: the largest PATCH a limit probe saw accepted.
    BatchLimit,
    /// `rfc7644.paging-walk`: a walk page by page sees every expected resource once.
    PagingWalk(WalkArgs),
}

/// The ids a check must find, no more and no fewer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedArgs {
    /// The ids (a captured list).
    pub expected: Value,
}

/// Arguments of `rfc7644.race-one-created`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaceArgs {
    /// The name is unique only where the server says so (a group's displayName): several
    /// creates may then succeed, unless one was refused with 409.
    #[serde(default)]
    pub unique_if_enforced: bool,
}

/// Arguments of `okta.batch-time`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchTimeArgs {
    /// The longest an answer may take, in seconds.
    pub seconds: u64,
}

/// Arguments of `rfc7644.paging-walk`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkArgs {
    /// The ids the walk must see, each once (a captured list).
    pub expected: Value,
    /// `totalResults` must equal the expected count (a filter that selects only the run's
    /// resources); otherwise the list may hold others' resources too.
    #[serde(default)]
    pub exact_total: bool,
}

/// Every named check of this vocabulary: its id, whether it judges the whole set of a
/// fan-out or walk (rather than each answer), and the ids of the outcomes it reports.
pub const LOAD_CATALOGUE: &[(&str, bool, &[&str])] = &[
    (
        "rfc7644.members-exactly",
        false,
        &["rfc7644.patch.members-kept"],
    ),
    (
        "rfc7643.user-groups",
        false,
        &["rfc7643.user.groups-listed"],
    ),
    (
        "rfc7644.race-one-created",
        true,
        &["rfc7644.create.race-one-created"],
    ),
    (
        "rfc7644.race-one-wins",
        true,
        &["rfc7644.etag.race-one-wins"],
    ),
    ("okta.batch-time", true, &["okta.group.patch-time"]),
    ("okta.batch-limit", true, &["okta.group.patch-size"]),
    (
        "rfc7644.paging-walk",
        true,
        &[
            "rfc7644.walk.each-once",
            "rfc7644.walk.total-stable",
            "rfc7644.walk.page-size",
            "rfc7644.walk.ends",
        ],
    ),
];

impl LoadCall {
    /// The check's id.
    pub fn id(&self) -> &'static str {
        match self {
            LoadCall::MembersExactly(_) => "rfc7644.members-exactly",
            LoadCall::UserGroups(_) => "rfc7643.user-groups",
            LoadCall::RaceOneCreated(_) => "rfc7644.race-one-created",
            LoadCall::RaceOneWins => "rfc7644.race-one-wins",
            LoadCall::BatchTime(_) => "okta.batch-time",
            LoadCall::BatchLimit => "okta.batch-limit",
            LoadCall::PagingWalk(_) => "rfc7644.paging-walk",
        }
    }

    /// Whether it judges a set of requests together (once per step).
    pub fn over_set(&self) -> bool {
        LOAD_CATALOGUE
            .iter()
            .any(|(id, set, _)| *id == self.id() && *set)
    }

    /// The call with every argument passed through `f`.
    pub fn map_values<E>(
        &self,
        mut f: impl FnMut(&Value) -> Result<Value, E>,
    ) -> Result<LoadCall, E> {
        Ok(match self {
            LoadCall::MembersExactly(a) => LoadCall::MembersExactly(ExpectedArgs {
                expected: f(&a.expected)?,
            }),
            LoadCall::UserGroups(a) => LoadCall::UserGroups(ExpectedArgs {
                expected: f(&a.expected)?,
            }),
            LoadCall::PagingWalk(a) => LoadCall::PagingWalk(WalkArgs {
                expected: f(&a.expected)?,
                exact_total: a.exact_total,
            }),
            other => other.clone(),
        })
    }

    /// The call named `id` with `args`, `None` when `id` is not of this vocabulary.
    pub fn parse(id: &str, args: Map<String, Value>) -> Option<Result<LoadCall, String>> {
        use super::named::typed;
        let no_args = |call: LoadCall| super::named::no_args(id, &args).map(|()| call);
        Some(match id {
            "rfc7644.members-exactly" => typed(id, args).map(LoadCall::MembersExactly),
            "rfc7643.user-groups" => typed(id, args).map(LoadCall::UserGroups),
            "rfc7644.race-one-created" => typed(id, args).map(LoadCall::RaceOneCreated),
            "rfc7644.race-one-wins" => no_args(LoadCall::RaceOneWins),
            "okta.batch-time" => typed(id, args).map(LoadCall::BatchTime),
            "okta.batch-limit" => no_args(LoadCall::BatchLimit),
            "rfc7644.paging-walk" => typed(id, args).map(LoadCall::PagingWalk),
            _ => return None,
        })
    }
}
