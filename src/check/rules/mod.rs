//! Named checks: SCIM rules a declarative assert cannot state. A scenario step invokes them
//! by id (`checks: [rfc7644.list-response]`); some run on every matching response.

mod discoverable;
mod echo;
mod error;
mod list;
mod paging;
mod resource;

use serde_json::{Map, Value};

use super::outcome::CheckOutcome;
use super::step::StepContext;

pub use error::{error_response, error_response_check, REFERENCE as ERROR_REFERENCE};
pub use resource::{one_primary, password_never_returned, version_matches_etag};

/// A rule implemented in code, with the reference `scimcheck list` shows.
pub struct NamedCheck {
    pub id: &'static str,
    pub reference: &'static str,
    pub summary: &'static str,
    /// The ids of the outcomes it reports (`*` stands for an attribute name).
    pub produces: &'static [&'static str],
    pub run: fn(&StepContext<'_>, &Map<String, Value>) -> Vec<CheckOutcome>,
}

/// A check the harness runs on every response it applies to, without a step asking.
pub struct AutomaticCheck {
    /// `*` stands for a schema, attribute, scenario or step name.
    pub id: &'static str,
    pub reference: &'static str,
    pub summary: &'static str,
}

pub const AUTOMATIC: &[AutomaticCheck] = &[
    AutomaticCheck {
        id: "<scenario>.<step>.status",
        reference: "the step's reference",
        summary: "the HTTP status is one the step expects (a tolerated one is a warning; a redirect is never followed)",
    },
    AutomaticCheck {
        id: "transport.*",
        reference: "the step's reference",
        summary: "a complete response arrived: timeout, connect, broken or body-too-large otherwise",
    },
    AutomaticCheck {
        id: "rfc7644.create.new-resource",
        reference: "RFC 7644 §3.3",
        summary: "a create is answered with the resource it asked for, not an existing one (whose id the run then never uses)",
    },
    AutomaticCheck {
        id: "rfc7644.content-type",
        reference: "RFC 7644 §3.1, §8.1",
        summary: "a body comes as application/scim+json (application/json is a warning)",
    },
    AutomaticCheck {
        id: "rfc7644.body.json",
        reference: "RFC 7644 §3.1",
        summary: "a success body is JSON",
    },
    AutomaticCheck {
        id: "rfc7644.body.present",
        reference: "RFC 7644 §3.3, §3.4.1, §3.5.1, §3.5.2",
        summary: "a success other than 204 carries the resource the step checks",
    },
    AutomaticCheck {
        id: "schema.*",
        reference: "RFC 7643, the named schema",
        summary: "the body, or each of a ListResponse's Resources, matches the step's JSON Schema (schema.User.emails names the attribute)",
    },
    AutomaticCheck {
        id: "rfc7643.user.password-never-returned",
        reference: "RFC 7643 §4.1.1",
        summary: "no returned User or Group holds a password",
    },
    AutomaticCheck {
        id: "rfc7643.multi-valued.one-primary",
        reference: "RFC 7643 §2.4",
        summary: "at most one value of a multi-valued attribute is primary",
    },
    AutomaticCheck {
        id: "rfc7643.meta.version-matches-etag",
        reference: "RFC 7643 §3.1; RFC 7644 §3.14",
        summary: "a returned User or Group carries the same entity tag in ETag and meta.version",
    },
    AutomaticCheck {
        id: "rfc7644.error.*",
        reference: error::REFERENCE,
        summary: "every expected error status gets the rfc7644.error-response rules",
    },
    AutomaticCheck {
        id: "schema.Error",
        reference: "RFC 7644 §3.12 (Error schema)",
        summary: "an error body matches the Error schema beyond schemas and status",
    },
    AutomaticCheck {
        id: "snapshot.drift",
        reference: "the accepted snapshot of --snapshots",
        summary: "the normalised exchanges equal the accepted snapshot",
    },
];

pub const ALL: &[NamedCheck] = &[
    NamedCheck {
        id: "rfc7644.list-response",
        reference: list::REFERENCE,
        summary: "ListResponse invariants: schemas, integer counts, itemsPerPage = len(Resources), totalResults ≥ that, startIndex echoed, count honoured; startIndex and itemsPerPage required on partial pages",
        produces: &["rfc7644.list.schemas", "rfc7644.list.integer-counts", "rfc7644.list.resources", "rfc7644.list.total-results", "rfc7644.list.items-per-page", "rfc7644.list.first-page", "rfc7644.list.start-index", "rfc7644.list.count-honoured"],
        run: list::list_response,
    },
    NamedCheck {
        id: "rfc7644.error-response",
        reference: error::REFERENCE,
        summary: "SCIM error body: Error URN in schemas, status a string equal to the HTTP status, detail, scimType (args: scim_type, scim_type_severity)",
        produces: &["rfc7644.error.json", "rfc7644.error.schemas", "rfc7644.error.status-is-string", "rfc7644.error.status-matches", "rfc7644.error.detail", "rfc7644.error.scim-type"],
        run: error::error_response_check,
    },
    NamedCheck {
        id: "rfc7644.created-resource",
        reference: resource::CREATED_REFERENCE,
        summary: "A created resource: Location header equal to meta.location, meta.resourceType (args: resource_type)",
        produces: &["rfc7644.create.location-header", "rfc7644.create.location-is-resource", "rfc7644.create.location-matches-meta", "rfc7643.meta.resource-type"],
        run: resource::created_resource,
    },
    NamedCheck {
        id: "rfc7644.echo",
        reference: echo::REFERENCE,
        summary: "The returned resource holds the values the request sent (userName ignoring case)",
        produces: &["rfc7644.echo.*"],
        run: echo::echo,
    },
    NamedCheck {
        id: "rfc7644.paging-consistent",
        reference: paging::REFERENCE,
        summary: "Pages fetched with startIndex/count hold no duplicates and miss none of the expected ids (args: pages, expected, count: completeness is not judged when a page holds fewer than count)",
        produces: &["rfc7644.paging.no-duplicates", "rfc7644.paging.complete"],
        run: paging::paging_consistent,
    },
    NamedCheck {
        id: "entra.schema-discoverable",
        reference: discoverable::REFERENCE,
        summary: "Every attribute named in args.attributes (`<schema URN>:<attribute>[.<sub>]`) is defined in the /Schemas ListResponse; id, externalId and meta are common to all (a warning: Entra ID's schema discovery offers only those)",
        produces: &[discoverable::ID],
        run: discoverable::schema_discoverable,
    },
];

pub fn find(id: &str) -> Option<&'static NamedCheck> {
    ALL.iter().find(|c| c.id == id)
}

pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}
