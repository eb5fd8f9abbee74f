//! The scenario file format. Every struct rejects unknown keys so that a typo in a scenario
//! is an error with a line number, never a silently ignored expectation.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use super::assert::{Assert, JsonType, Op, Subject};
pub use super::comparison::{Comparison, Pause, Variable};
pub use super::named::{
    BulkArgs, CreatedArgs, DiscoverableArgs, ErrorArgs, MetaTimesArgs, NamedCall, PagingArgs,
    ResourceTypesArgs, ResultSetArgs, SortCompare, SortedArgs,
};
use std::collections::BTreeMap;
use std::fmt;

use super::version::FormatVersion;
use crate::scim::{Method, ScenarioId, StepId};

/// A scenario: one IdP sequence (or RFC rule family) replayed as ordered steps.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The format the file is written in (`version: 1`; absent means 1).
    #[serde(default)]
    pub version: FormatVersion,
    /// Stable id, e.g. `okta.users.create`; check ids of its steps start with it.
    pub id: ScenarioId,
    /// One line: what the scenario replays.
    pub title: String,
    /// The profile it belongs to.
    pub profile: Profile,
    /// The Entra ID PATCH dialect it replays, when it replays only one; `--entra-dialect`
    /// keeps the scenarios of one dialect and those without this key.
    #[serde(default)]
    pub dialect: Option<Dialect>,
    /// The IdP behaviour or RFC section the scenario replays.
    pub reference: String,
    /// More words, for `scimcheck list`.
    #[serde(default)]
    pub description: Option<String>,
    /// Capabilities from `/ServiceProviderConfig` the scenario needs (e.g. `patch`).
    #[serde(default)]
    pub requires: Vec<Capability>,
    /// Schema extensions the scenario sends and reads (`urn:…:enterprise:2.0:User`). A server
    /// that declares none of them, neither in `/ResourceTypes` nor in `/Schemas`, is free to
    /// refuse or drop them (RFC 7643 §6, §7): the scenario is then skipped with that reason.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Headers every step sends (a step's own headers override them), e.g. the IdP's
    /// `User-Agent`.
    #[serde(default)]
    pub headers: BTreeMap<String, Option<String>>,
    /// Its steps, run in order.
    pub steps: Vec<Step>,
    /// Variables defined before the first step by where the scenario came from (a Runscope
    /// export's initial values and `--variable`), in order; not written in YAML files.
    #[serde(skip)]
    pub variables: Vec<Variable>,
}

/// A family of scenarios `--profile` selects: a built-in one, or a name a user's scenario
/// files give themselves (`profile: acme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Profile {
    /// Okta's provisioning traffic.
    Okta,
    /// Microsoft Entra ID's provisioning traffic.
    Entra,
    /// The wider rules of RFC 7643 and RFC 7644.
    Rfc,
    /// IdP traffic sent in parallel (opt-in).
    Concurrency,
    /// Large groups and directories (opt-in).
    Scale,
    /// A user's own profile. The name is interned once per distinct name (a handful per
    /// process), which keeps `Profile` `Copy` like the built-in ones.
    Custom(&'static str),
}

impl Profile {
    /// The profile's name on the command line: a built-in one's from its row in
    /// [`PROFILES`](super::PROFILES).
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Custom(name) => name,
            builtin => super::profiles::info(builtin).map_or("", |row| row.name),
        }
    }

    /// The profile called `name`: a built-in one, or a custom one when the name is well
    /// formed (lowercase letters, digits, `-`, `_`; not `all`, which `--profile` reserves).
    pub fn named(name: &str) -> Result<Profile, String> {
        if let Some(row) = super::PROFILES.iter().find(|p| p.name == name) {
            return Ok(row.profile);
        }
        let well_formed = !name.is_empty()
            && name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_".contains(&b));
        if !well_formed || name == "all" {
            let builtin: Vec<&str> = super::PROFILES.iter().map(|p| p.name).collect();
            return Err(format!(
                "`{name}` is not a profile name: {}, or your own (lowercase letters, digits, `-`, `_`; not `all`)",
                builtin.join(", ")
            ));
        }
        Ok(Profile::Custom(intern(name)))
    }
}

/// One leaked copy per distinct name.
fn intern(name: &str) -> &'static str {
    static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = names.iter().find(|n| **n == name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.push(leaked);
    leaked
}

impl Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Profile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Profile, D::Error> {
        let name = String::deserialize(d)?;
        Profile::named(&name).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Entra ID's two PATCH dialects: tenants without the `aadOptscim062020` flag send
/// capitalised ops, `"False"` strings and `Add` on single-valued attributes; tenants with it
/// send one path-less `replace` with dotted keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(try_from = "RawDialect", into = "String")]
pub enum Dialect {
    /// Without the `aadOptscim062020` flag.
    V2017,
    /// With the `aadOptscim062020` flag.
    V2020,
}

impl Dialect {
    /// The dialect's name in scenario files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::V2017 => "2017",
            Dialect::V2020 => "2020",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Dialect> for String {
    fn from(d: Dialect) -> String {
        d.as_str().to_string()
    }
}

/// A dialect as written: `dialect: 2017` reads as a number, `dialect: "2017"` as a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawDialect {
    Number(u64),
    Text(String),
}

impl TryFrom<RawDialect> for Dialect {
    type Error = String;

    fn try_from(raw: RawDialect) -> Result<Dialect, String> {
        let text = match raw {
            RawDialect::Number(n) => n.to_string(),
            RawDialect::Text(t) => t,
        };
        match text.as_str() {
            "2017" => Ok(Dialect::V2017),
            "2020" => Ok(Dialect::V2020),
            other => Err(format!("unknown dialect `{other}` (known: 2017, 2020)")),
        }
    }
}

/// Features a server advertises in `/ServiceProviderConfig` (RFC 7643 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    /// PATCH (RFC 7644 §3.5.2).
    Patch,
    /// Filtering (§3.4.2.2).
    Filter,
    /// Sorting (§3.4.2.3).
    Sort,
    /// ETags (§3.14).
    Etag,
    /// Bulk (§3.7).
    Bulk,
    /// Changing a user's password (RFC 7643 §5, `changePassword`).
    #[serde(rename = "changePassword")]
    ChangePassword,
}

impl Capability {
    /// The member of `/ServiceProviderConfig` whose `supported` flag advertises it.
    pub fn config_key(self) -> &'static str {
        match self {
            Capability::Patch => "patch",
            Capability::Filter => "filter",
            Capability::Sort => "sort",
            Capability::Etag => "etag",
            Capability::Bulk => "bulk",
            Capability::ChangePassword => "changePassword",
        }
    }
}

/// One request and what its response must show.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Short slug, unique within the scenario, e.g. `existence-check`.
    pub id: StepId,
    /// One line: what the step does.
    pub title: String,
    /// Overrides the scenario's reference for this step's checks.
    #[serde(default)]
    pub reference: Option<String>,
    /// Earlier steps this one depends on: if any of them failed, this step is skipped
    /// rather than failing again for the same root cause.
    #[serde(default)]
    pub needs: Vec<StepId>,
    /// Why the steps that `need` this one are skipped when it fails, where the step probes
    /// something every later step relies on (the form every filter is sent in): said instead
    /// of "step `…` did not succeed", followed by `: see step `…`` and what failed.
    #[serde(default)]
    pub when_failed: Option<String>,
    /// What to send.
    pub request: Request,
    /// What the response must show.
    #[serde(default)]
    pub expect: Expect,
    /// Variables taken from the response: `name: /json/pointer`, `name: header:ETag`,
    /// `name: status` for the status code, or `name: ""` for the whole body.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// What snapshots record of the response: `full` (default), or `status` for responses
    /// that depend on data outside the run (an unfiltered list of a shared tenant).
    #[serde(default)]
    pub snapshot: SnapshotMode,
    /// A step that waits instead of sending (a Runscope pause); its `request` is never sent.
    #[serde(skip)]
    pub pause: Option<Pause>,
    /// Why an imported step is listed but not run (a Runscope condition or subtest).
    #[serde(skip)]
    pub not_run: Option<String>,
    /// The request goes to the embedded Okta org's management API, not to the SCIM target:
    /// only the step's own asserts judge the answer, and the SCIM requests the org sent
    /// because of it are judged with it.
    #[serde(skip)]
    pub okta_api: bool,
    /// Send the request not once but as a paced burst of reads, to see whether the server
    /// sustains an IdP's request rate.
    #[serde(default)]
    pub burst: Option<Burst>,
    /// Send the request once per item, many at once, and judge the answers together.
    #[serde(default)]
    pub fan_out: Option<FanOut>,
    /// Walk a list page by page (`{{start_index}}` in the request), as an IdP imports.
    #[serde(default)]
    pub pages: Option<Pages>,
}

/// A fan-out: the step's request sent once per item, up to `in_flight` at once. Each
/// request's templates see `{{item}}` (the item, or with `batch` the list of a batch's
/// items), `{{index}}` (from 0) and `{{number}}` (from 1). Every answer gets the step's
/// checks (each finding once, with how many answers showed it); set rules judge them all.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FanOut {
    /// The items: a template that renders to a list (`"{{users}}"`) or a number of items
    /// (`"{{parallel}}"`, `20`).
    pub each: Value,
    /// Items per request: each request's `{{item}}` is then a list of up to this many.
    #[serde(default)]
    pub batch: Option<Value>,
    /// Requests in flight at once at most (default `--parallel`).
    #[serde(default)]
    pub in_flight: Option<Value>,
    /// Requests started per second at most (an IdP's pace); none: as `in_flight` allows.
    #[serde(default)]
    pub rate: Option<u32>,
    /// Requests sent in turn with the step's own: request `i` is `[request, mix…][i % n]`.
    #[serde(default)]
    pub mix: Vec<Request>,
    /// A read sent as soon as each request is answered; the step's asserts judge its answer
    /// (what a read right after the write shows).
    #[serde(default)]
    pub then: Option<Request>,
    /// One request at a time, stopping at the first answered 2xx: a limit probe.
    #[serde(default)]
    pub until_success: bool,
}

impl FanOut {
    /// The most requests one fan-out may send.
    pub const MAX_ITEMS: usize = 200_000;
    /// The most requests in flight at once.
    pub const MAX_IN_FLIGHT: usize = 200;
}

/// A paged walk: the request (holding `{{start_index}}`) sent with startIndex 1, then
/// 1 + count, … until a page comes back empty or the walk passes `totalResults`. A walk
/// stops after twice the pages the first page's `totalResults` calls for (plus two), so a
/// server whose pages never end cannot keep it going.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pages {
    /// The page size asked for (the request's `count`).
    pub count: u32,
}

impl Pages {
    /// The most pages any walk fetches.
    pub const MAX_PAGES: usize = 10_000;
}

/// A burst: the step's request and each of `mix`, in turn, sent at `rate` requests per
/// second for `seconds`. Only reads (GET without a body) may be sent this way, so a burst
/// changes nothing on the server. The first answer is checked like any step's; the
/// `throughput.sustained` rule judges them all.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    /// Requests per second (`--max-rps` wins when it is lower).
    pub rate: u32,
    /// For how long (`--burst-seconds` overrides it).
    pub seconds: u32,
    /// Requests sent in turn with the step's own.
    #[serde(default)]
    pub mix: Vec<Request>,
}

impl Burst {
    /// The largest rate a scenario may ask for.
    pub const MAX_RATE: u32 = 1000;
    /// The longest burst a scenario may ask for.
    pub const MAX_SECONDS: u32 = 600;
}

/// What snapshots record of a step's response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotMode {
    /// The whole normalised exchange.
    #[default]
    Full,
    /// Only the status.
    Status,
}

/// The request a step sends, templated.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// Path below the base URL, e.g. `/Users/{{user_id}}`; with `root`, the path below it.
    pub path: String,
    /// An absolute URL template the path is appended to instead of the base URL (a Runscope
    /// step's `{{SCIMBaseURL}}`); the plan refuses the request unless the result is under the
    /// target's base URL. Not written in YAML files.
    #[serde(skip)]
    pub root: Option<String>,
    /// Query parameters in the order they are sent; values are strings or numbers.
    #[serde(default)]
    pub query: Map<String, Value>,
    /// Extra or replaced headers. A `null` value removes a default header
    /// (e.g. `Authorization: null` sends no credentials).
    #[serde(default)]
    pub headers: BTreeMap<String, Option<String>>,
    /// The JSON body, if any (templated).
    #[serde(default)]
    pub body: Option<Value>,
    /// A body sent verbatim instead of `body` (templated text), to send what is not valid
    /// JSON, such as a document cut short. Only a create to `/Users` or `/Groups` whose text
    /// holds the run prefix may carry one, so whatever a broken server makes of it is found
    /// and deleted.
    #[serde(default)]
    pub raw_body: Option<String>,
    /// JSON-pointer assignments applied to `body` after templating, e.g. to modify a
    /// resource fetched by an earlier step before a PUT.
    #[serde(default)]
    pub set: Map<String, Value>,
    /// JSON pointers removed from `body` after templating.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Copies of an item appended to an array of `body`, as many as a captured number says
    /// (a bulk request one operation past the server's `maxOperations`).
    #[serde(default)]
    pub repeat: Option<Repeat>,
}

/// Copies of `item` appended to the array at `into`: `times` (a template that renders to a
/// whole number) plus `plus` of them, at most [`Repeat::MAX`]. `{{repeat.index}}` in the
/// item is its position, from 1.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    /// A JSON pointer to the array in the body (created when missing).
    pub into: String,
    /// How many copies: e.g. `"{{bulk_max}}"`.
    pub times: String,
    /// Copies added to `times`.
    #[serde(default)]
    pub plus: u64,
    /// The item, templated once per copy.
    pub item: Value,
}

impl Repeat {
    /// The most copies a request may get: the step is skipped, with the reason, past it.
    pub const MAX: u64 = 1000;
    /// The variable holding a copy's position.
    pub const INDEX: &'static str = "repeat.index";
}

/// What a step's response must show.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Acceptable statuses; several where the RFC allows several (PATCH: 200 or 204).
    #[serde(default)]
    pub status: Vec<u16>,
    /// Statuses the IdP tolerates although the RFC does not: reported as a warning.
    #[serde(default)]
    pub status_warning: Vec<u16>,
    /// Statuses meaning the server lacks an optional feature this scenario needs: the rest of
    /// the scenario is skipped with the given reason instead of failing.
    #[serde(default)]
    pub skip_if_status: BTreeMap<u16, String>,
    /// Statuses meaning the server does not support what this one step asks (a filter
    /// operator it declines with 400 invalidFilter): this step's checks are skipped with the
    /// reason, and the scenario goes on.
    #[serde(default)]
    pub unsupported_if_status: BTreeMap<u16, String>,
    /// Statuses the RFC allows though the step's title names others, each with why: passed,
    /// with the reason as a note, and checked as an expected status. An error status passes
    /// so only with a SCIM Error body; any other body falls to `status_warning`.
    #[serde(default)]
    pub status_note: BTreeMap<u16, String>,
    /// JSON Schema (file in `schemas/`) the response body must satisfy.
    #[serde(default)]
    pub schema: Option<String>,
    /// JSON Schema each element of a ListResponse's `Resources` must satisfy.
    #[serde(default)]
    pub resources_schema: Option<String>,
    /// The fix a status outside `status` shows, where the request replays an IdP's quirk and
    /// "answer with 200" would not say what to change (e.g. "accept and ignore schema URNs you
    /// do not define: Entra sends … on every group create").
    #[serde(default)]
    pub status_hint: Option<String>,
    /// Declarative asserts on the body or headers.
    #[serde(default)]
    pub asserts: Vec<Assert>,
    /// Named checks from `src/check/rules`, with their typed arguments.
    #[serde(default)]
    pub checks: Vec<NamedCall>,
}

impl Expect {
    /// The statuses the step expects: `status`, or else the one its status asserts ask for
    /// (an imported test's `status equals 401`), so the rules know an error is expected.
    pub fn expected_statuses(&self) -> Vec<u16> {
        if !self.status.is_empty() {
            return self.status.clone();
        }
        self.asserts
            .iter()
            .filter_map(|a| match (&a.subject, &a.op) {
                (Subject::Status, Op::Compare(Comparison::Equal | Comparison::EqualNumber, v)) => {
                    v.as_str().and_then(|s| s.trim().parse().ok())
                }
                _ => None,
            })
            .take(1)
            .collect()
    }
}
