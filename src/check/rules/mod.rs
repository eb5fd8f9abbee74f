//! The rule registry: every SCIM rule the harness checks in code, in one table that the check
//! stage runs and `scimcheck list` prints. A row is either a named check a step invokes
//! (`checks: [rfc7644.list-response]`) or a rule that runs on every response it applies to,
//! with its condition. A rule's severity may depend on the scenario's profile; the row says
//! where and why.

mod bulk;
mod discoverable;
mod discovery;
mod echo;
mod error;
mod list;
mod meta;
mod paging;
mod query;
#[cfg(test)]
mod registry_tests;
mod resource;
mod schema_defs;
pub mod sets;
mod sets_load;
mod sets_scale;
#[cfg(test)]
pub(crate) mod testing;
pub mod throughput;
mod when;

use serde_json::Value;

use super::outcome::CheckOutcome;
use super::step::StepContext;
use crate::scenario::{NamedCall, Profile};
use crate::scim::Severity;

pub use error::{error_response, error_response_check, REFERENCE as ERROR_REFERENCE};
pub use when::{Decision, When};

/// When a rule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// When a step names it in `checks`; it reports these outcome ids (`*` stands for an
    /// attribute name).
    Named {
        /// The ids of the outcomes it reports.
        produces: &'static [&'static str],
    },
    /// On every response that meets the condition, without a step asking.
    Always {
        /// The condition (`scimcheck list` prints its text).
        when: When,
    },
    /// As one outcome of a named check.
    Part {
        /// The named check.
        of: &'static str,
    },
}

/// A profile in which a rule's finding takes another severity than the RFC's word gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileSeverity {
    /// The profile.
    pub profile: Profile,
    /// The severity there.
    pub severity: Severity,
    /// Why: the IdP behaviour that makes it so.
    pub why: &'static str,
}

/// One rule of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Its id (for an automatic rule with several outcomes, their common pattern).
    pub id: &'static str,
    /// The RFC section or IdP behaviour it enforces.
    pub reference: &'static str,
    /// One line for `scimcheck list`.
    pub summary: &'static str,
    /// When it runs.
    pub applies: Applies,
    /// Where its profile-dependent finding takes another severity.
    pub profiles: &'static [ProfileSeverity],
}

impl Rule {
    /// The severity of the rule's profile-dependent finding in `profile`; `default` elsewhere.
    pub fn severity(&self, profile: Profile, default: Severity) -> Severity {
        self.profiles
            .iter()
            .find(|p| p.profile == profile)
            .map_or(default, |p| p.severity)
    }
}

/// A rule that is one outcome of a named check, listed for the severity it takes in a
/// profile.
const fn part_of(
    id: &'static str,
    check: &'static str,
    reference: &'static str,
    summary: &'static str,
    profiles: &'static [ProfileSeverity],
) -> Rule {
    Rule {
        id,
        reference,
        summary,
        applies: Applies::Part { of: check },
        profiles,
    }
}

/// The content-type rule's id.
pub const CONTENT_TYPE: &str = "rfc7644.content-type";

/// A create answered with a resource other than the one it sent (an existing one, an id
/// another create got, an id no URL can address). RFC 7644 §3.3: "When the service provider
/// successfully creates the new resource, an HTTP response SHALL be returned with HTTP status
/// code 201 (Created)." The ledger decides it (`exec/ledger.rs` spells the id itself: the
/// execute stage comes before this one).
pub const NEW_RESOURCE: &str = "rfc7644.create.new-resource";

/// A read or write of `/Users/{id}` (or `/Groups/{id}`) answered with another resource.
/// RFC 7644 §3.4.1: "If the resource exists, the server responds with HTTP status code 200
/// (OK) and includes the result in the body of the response"; §3.5.2: "the server either
/// MUST return a 200 OK response code and the entire resource within the response body
/// [...] or MAY return HTTP status code 204". The ledger decides it, as above.
pub const SAME_RESOURCE: &str = "rfc7644.resource.same-resource";

/// A step whose URL leaves the target: not sent. Not an RFC rule but the harness's own
/// safety promise (README, "What it touches"): requests and credentials go only to the target.
pub const OFF_ORIGIN: &str = "scimcheck.off-origin";

/// scimcheck itself failed (a panic in a check or a scenario): a bug in the harness, reported
/// where it happened, never a verdict on the server.
pub const INTERNAL_ERROR: &str = "scimcheck.internal-error";

/// A Runscope step called an Okta API endpoint the embedded Okta org does not emulate: the
/// step fails with the endpoint named, since its effect on the SCIM server is unknown.
pub const OKTA_ORG_ENDPOINT: &str = "scimcheck.okta-org.endpoint";

const fn always(
    id: &'static str,
    reference: &'static str,
    when: When,
    summary: &'static str,
) -> Rule {
    Rule {
        id,
        reference,
        summary,
        applies: Applies::Always { when },
        profiles: &[],
    }
}

const fn named(
    call: &'static str,
    reference: &'static str,
    summary: &'static str,
    produces: &'static [&'static str],
) -> Rule {
    Rule {
        id: call,
        reference,
        summary,
        applies: Applies::Named { produces },
        profiles: &[],
    }
}

/// Every rule, automatic ones first.
pub const RULES: &[Rule] = &[
    always("<scenario>.<step>.status", "the step's reference", When::EveryStep, "the HTTP status is one the step expects (a tolerated one is a warning; a redirect is never followed)"),
    always("transport.*", "the step's reference", When::EveryStep, "a complete response arrived: timeout, connect, broken or body-too-large otherwise"),
    always(NEW_RESOURCE, "RFC 7644 §3.3", When::CreateAnswered2xx, "a create is answered with the resource it asked for, not an existing one (whose id the run then never uses)"),
    Rule {
        id: CONTENT_TYPE,
        reference: "RFC 7644 §3.1, §8.1",
        summary: "a body comes as application/scim+json (application/json is a warning)",
        applies: Applies::Always { when: When::JsonBody },
        profiles: &[ProfileSeverity {
            profile: Profile::Entra,
            severity: Severity::Error,
            why: "Entra's provisioning service rejects responses that are not application/scim+json",
        }],
    },
    always("rfc7644.body.json", "RFC 7644 §3.1", When::SuccessWithBody, "a success body is JSON"),
    always("rfc7644.body.present", "RFC 7644 §3.3, §3.4.1, §3.5.1, §3.5.2", When::SuccessNamingSchema, "a success other than 204 carries the resource the step checks"),
    always("schema.*", "RFC 7643, the named schema", When::StepNamesSchema, "the body, or each of a ListResponse's Resources, matches the step's JSON Schema (schema.User.emails names the attribute)"),
    always(resource::PASSWORD, "RFC 7643 §4.1.1", When::ResourceOrList, "no returned User or Group holds a password"),
    always(resource::ONE_PRIMARY, "RFC 7643 §2.4", When::ResourceOrList, "at most one value of a multi-valued attribute is primary"),
    always(resource::VERSION_ETAG, "RFC 7643 §3.1; RFC 7644 §3.14", When::Resource, "a returned User or Group carries the same entity tag in ETag and meta.version"),
    always("rfc7644.error.*", error::REFERENCE, When::ExpectedErrorStatus, "every expected error status gets the rfc7644.error-response rules"),
    always("schema.Error", "RFC 7644 §3.12 (Error schema)", When::ExpectedErrorStatus, "an error body matches the Error schema beyond schemas and status"),
    always(crate::check::stored::ID, crate::check::stored::REFERENCE, When::MayIgnore, "the values a create sent are kept; those the server ignored (RFC 7644 §3.3 allows it) are one warning that names them, and the steps that build on them are skipped"),
    always(throughput::ID, "the step's reference (Entra ID's gallery: 25 requests/s per tenant)", When::BurstStep, "every request of a burst of reads at the IdP's rate is answered without 429, 5xx or timeout, and the server keeps up; the message gives p50 and p95 latency"),
    always(sets::RETRY_AFTER, sets::THROTTLE_REFERENCE, When::FanOut, "a 429 (or a 503 rate limit) answered to a set of requests carries Retry-After (a warning: RFC 6585 makes it MAY, but the IdPs then back off blindly); the harness waits it out and retries"),
    always(sets::THROTTLED_BODY, sets::THROTTLE_REFERENCE, When::FanOut, "a 429 answered to a set of requests carries a SCIM error body (RFC 6585 §4: SHOULD include details, a warning)"),
    always(sets::RETRIED_FAULT, "the step's reference (faults under load)", When::FanOut, "requests of a set that failed (5xx, a dropped connection) and were sent again: reads, and creates after looking their name up; a warning naming them, even when the retry succeeded"),
    always("snapshot.drift", "the accepted snapshot of --snapshots", When::Snapshots, "the normalised exchanges equal the accepted snapshot"),
    always(SAME_RESOURCE, "RFC 7644 §3.4.1, §3.5.1, §3.5.2", When::RunDecided(Decision::OtherResource), "a read or write of a resource answers that resource, not another (whose data the run then never touches)"),
    always(OFF_ORIGIN, "scimcheck safety: requests and credentials go only to the target", When::RunDecided(Decision::OffOrigin), "a step whose URL leaves the SCIM root is not sent: one failed check, its other checks skipped"),
    always(OKTA_ORG_ENDPOINT, "scimcheck's embedded Okta org", When::RunDecided(Decision::OktaOrgEndpoint), "a Runscope step calling an Okta API endpoint the embedded org does not answer fails, naming the endpoint"),
    always(INTERNAL_ERROR, "scimcheck", When::RunDecided(Decision::HarnessFailure), "scimcheck failed while checking a step (the check is skipped) or running a scenario (the rest of the run goes on): a bug in scimcheck, never a verdict on the server"),
    part_of(list::RESOURCES_KEY, "rfc7644.list-response", "RFC 7643 §2.1; Okta and Entra ID clients", "a ListResponse's list is under the key `Resources` as spelt (another case is a note: RFC 7643 §2.1 makes names case-insensitive)", &[
        ProfileSeverity { profile: Profile::Okta, severity: Severity::Error, why: "Okta's client reads `Resources` as spelt and sees no users otherwise" },
        ProfileSeverity { profile: Profile::Entra, severity: Severity::Error, why: "Entra's client reads `Resources` as spelt and sees no users otherwise" },
    ]),
    named("rfc7644.list-response", list::REFERENCE, "ListResponse invariants: schemas, integer counts, itemsPerPage = len(Resources), totalResults ≥ that, startIndex echoed, count honoured; startIndex and itemsPerPage required on partial pages", produces("rfc7644.list-response")),
    named("rfc7644.error-response", error::REFERENCE, "SCIM error body: Error URN in schemas, status a string equal to the HTTP status, detail, scimType (args: scim_type, scim_type_severity)", produces("rfc7644.error-response")),
    named("rfc7644.created-resource", resource::CREATED_REFERENCE, "A created resource: Location header equal to meta.location, meta.resourceType (args: resource_type)", produces("rfc7644.created-resource")),
    Rule {
        id: echo::EMAIL_MARKS,
        reference: echo::REFERENCE,
        summary: "The returned resource holds the values the request sent (userName ignoring case); another attribute returned otherwise is a note, since a server may ignore what it does not support",
        applies: Applies::Named { produces: produces("rfc7644.echo") },
        profiles: &[ProfileSeverity {
            profile: Profile::Okta,
            severity: Severity::Warning,
            why: "an email returned without the type or primary Okta sent loses Okta's work-email mapping",
        }],
    },
    named("entra.schema-discoverable", discoverable::REFERENCE, "Every attribute named in args.attributes (`<schema URN>:<attribute>[.<sub>]`) is defined in the /Schemas ListResponse; id, externalId and meta are common to all (a warning: Entra ID's schema discovery offers only those)", produces("entra.schema-discoverable")),
    part_of(discoverable::EXTENSION_ID, "entra.schema-discoverable", discoverable::EXTENSION_REFERENCE, "an extension whose attributes Entra ID sends (the enterprise extension's department, employeeNumber, manager) is published in /Schemas: one error for the extension, and the scenarios that send it are skipped", &[]),
    named("rfc7644.paging-consistent", paging::REFERENCE, "Pages fetched with startIndex/count hold no duplicates and miss none of the expected ids (args: pages, expected, count: completeness is not judged when a page holds fewer than count)", produces("rfc7644.paging-consistent")),
    named("rfc7643.service-provider-config", discovery::SPC_REFERENCE, "authenticationSchemes each with type, name and description (a type RFC 7643 defines, else a warning); bulk and filter limits as integers", produces("rfc7643.service-provider-config")),
    named("rfc7643.resource-types", discovery::RESOURCE_TYPE_REFERENCE, "A ResourceType (or a list of them): endpoint relative to the base URL (not absolute, not repeating its path), schemaExtensions with schema and required, every schema named published at /Schemas (args: schemas)", produces("rfc7643.resource-types")),
    named("rfc7643.schema-definitions", schema_defs::REFERENCE, "A Schema (or a list of them): a URI id; every attribute and sub-attribute with a name, characteristics of the allowed values; omitted characteristics (type, whose RFC 7643 §2.2 default is string; caseExact and uniqueness only where the type has them, RFC 7643 §2.3), complex without subAttributes, reference without referenceTypes are warnings", produces("rfc7643.schema-definitions")),
    named("rfc7644.result-set", query::FILTER_REFERENCE, "A filtered list returns exactly the expected ids, in any order (args: expected)", produces("rfc7644.result-set")),
    named("rfc7643.meta-times", meta::REFERENCE, "meta.created is not after meta.lastModified (equal on a create), and lastModified never goes back after a modification (args: previous, created)", produces("rfc7643.meta-times")),
    named("rfc7644.bulk-response", bulk::REFERENCE, "A BulkResponse: its URN, Operations no more than sent, each with method, status (a string; a number is a warning), location except for a failed POST, the error as response when not 2xx, a POST's bulkId (a warning); no more errors than failOnErrors (args: statuses, the status each operation must get)", produces("rfc7644.bulk-response")),
    named("rfc7644.sorted", query::SORT_REFERENCE, "A sorted list is in the order of its sortBy attribute by type (args: by, descending, compare: string|caseExact|dateTime)", produces("rfc7644.sorted")),
    named("rfc7644.members-exactly", sets::MEMBERS_REFERENCE, "A group read back holds exactly the expected members; the lost ones are named, and a group that kept only the first N sent is said to cap at N (args: expected)", load_produces("rfc7644.members-exactly")),
    named("rfc7643.user-groups", sets::GROUPS_REFERENCE, "A user's groups (when returned) lists every group it is a member of; a warning (args: expected)", load_produces("rfc7643.user-groups")),
    named("rfc7644.race-one-created", sets::RACE_REFERENCE, "Set rule: of racing creates of one name exactly one succeeds, the others 409 with scimType uniqueness (args: unique_if_enforced, for a group's displayName)", load_produces("rfc7644.race-one-created")),
    named("rfc7644.race-one-wins", sets::IF_MATCH_REFERENCE, "Set rule: of racing writes with If-Match of one version exactly one succeeds and the others get 412", load_produces("rfc7644.race-one-wins")),
    named("okta.batch-time", sets::OKTA_TIMEOUT_REFERENCE, "Set rule: every request is answered within Okta's timeout; the slowest is reported (args: seconds)", load_produces("okta.batch-time")),
    named("okta.batch-limit", sets::OKTA_BATCH_REFERENCE, "Set rule on a probe: the largest PATCH of members accepted, as a note for the Okta setting; refusing even 100 members, or refusing with anything but 413 or 400 and a SCIM error, is an error", load_produces("okta.batch-limit")),
    named("rfc7644.paging-walk", sets::WALK_REFERENCE, "Set rule on a walk: every expected id exactly once, totalResults stable (and equal to the run's count under its own filter), no page over count, and an end (args: expected, exact_total)", load_produces("rfc7644.paging-walk")),
];

/// The outcome ids of a named check, from the scenario vocabulary's catalogue.
const fn produces(id: &str) -> &'static [&'static str] {
    let cat = crate::scenario::named::CATALOGUE;
    let mut i = 0;
    while i < cat.len() {
        if const_eq(cat[i].0, id) {
            return cat[i].1;
        }
        i += 1;
    }
    &[]
}

/// The outcome ids of a named check of the concurrency and scale scenarios.
const fn load_produces(id: &str) -> &'static [&'static str] {
    let cat = crate::scenario::named_set::LOAD_CATALOGUE;
    let mut i = 0;
    while i < cat.len() {
        if const_eq(cat[i].0, id) {
            return cat[i].2;
        }
        i += 1;
    }
    &[]
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The severity rule `id` has in `profile` for its profile-dependent finding.
pub fn severity(id: &str, profile: Profile, default: Severity) -> Severity {
    find(id).map_or(default, |r| r.severity(profile, default))
}

/// Runs a named check with its (rendered) arguments.
pub fn run_named(ctx: &StepContext<'_>, call: &NamedCall) -> Vec<CheckOutcome> {
    match call {
        NamedCall::ListResponse => list::list_response(ctx),
        NamedCall::ErrorResponse(args) => error::error_response_check(ctx, args),
        NamedCall::CreatedResource(args) => resource::created_resource(ctx, args),
        NamedCall::Echo => echo::echo(ctx),
        NamedCall::PagingConsistent(args) => paging::paging_consistent(ctx, args),
        NamedCall::SchemaDiscoverable(args) => discoverable::schema_discoverable(ctx, args),
        NamedCall::ServiceProviderConfig => discovery::service_provider_config(ctx),
        NamedCall::ResourceTypes(args) => discovery::resource_types(ctx, args),
        NamedCall::SchemaDefinitions => schema_defs::schema_definitions(ctx),
        NamedCall::ResultSet(args) => query::result_set(ctx, args),
        NamedCall::Sorted(args) => query::sorted(ctx, args),
        NamedCall::MetaTimes(args) => meta::meta_times(ctx, args),
        NamedCall::BulkResponse(args) => bulk::bulk_response(ctx, args),
        NamedCall::Load(call) => sets::run_exchange(ctx, call),
    }
}

/// A rule on every returned resource body: its row's id and what it concludes.
pub struct BodyRule {
    /// The row's id.
    pub id: &'static str,
    /// Whether it applies: to any User or Group body (`lists: true` includes a list's
    /// Resources), or only to a single one.
    pub lists: bool,
    /// The rule.
    pub run: fn(&StepContext<'_>, &Value) -> CheckOutcome,
}

/// The rules every returned User or Group gets, in order.
pub const BODY_RULES: &[BodyRule] = &[
    BodyRule {
        id: resource::PASSWORD,
        lists: true,
        run: |_, body| resource::password_never_returned(body),
    },
    BodyRule {
        id: resource::ONE_PRIMARY,
        lists: true,
        run: |_, body| resource::one_primary(body),
    },
    BodyRule {
        id: resource::VERSION_ETAG,
        lists: false,
        run: |ctx, _| resource::version_matches_etag(ctx.exchange),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_check_of_the_vocabulary_has_a_row_and_every_row_one_id() {
        for (id, produces) in crate::scenario::named::CATALOGUE {
            let rule = find(id).unwrap_or_else(|| panic!("{id} has no row"));
            assert_eq!(rule.applies, Applies::Named { produces });
        }
        for (id, _, produces) in crate::scenario::named_set::LOAD_CATALOGUE {
            let rule = find(id).unwrap_or_else(|| panic!("{id} has no row"));
            assert_eq!(rule.applies, Applies::Named { produces });
        }
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len(), "an id is listed twice");
        for b in BODY_RULES {
            assert!(find(b.id).is_some(), "{} has no row", b.id);
        }
    }

    #[test]
    fn content_type_is_an_error_under_entra_only() {
        assert_eq!(
            severity(CONTENT_TYPE, Profile::Entra, Severity::Warning),
            Severity::Error
        );
        assert_eq!(
            severity(CONTENT_TYPE, Profile::Okta, Severity::Warning),
            Severity::Warning
        );
    }
}
