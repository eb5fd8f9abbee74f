//! Named checks: SCIM rules a declarative assert cannot state. A scenario step invokes them
//! by id (`checks: [rfc7644.list-response]`); some run on every matching response.

mod echo;
mod error;
mod list;
mod paging;
mod resource;

use serde_json::{Map, Value};

use super::outcome::CheckOutcome;
use super::step::StepContext;

pub use error::{error_response, error_response_check, REFERENCE as ERROR_REFERENCE};
pub use resource::{one_primary, password_never_returned};

/// A rule implemented in code, with the reference `scimcheck list` shows.
pub struct NamedCheck {
    pub id: &'static str,
    pub reference: &'static str,
    pub summary: &'static str,
    pub run: fn(&StepContext<'_>, &Map<String, Value>) -> Vec<CheckOutcome>,
}

pub const ALL: &[NamedCheck] = &[
    NamedCheck {
        id: "rfc7644.list-response",
        reference: list::REFERENCE,
        summary: "ListResponse invariants: schemas, integer counts, itemsPerPage = len(Resources), totalResults ≥ that, startIndex echoed, count honoured",
        run: list::list_response,
    },
    NamedCheck {
        id: "rfc7644.error-response",
        reference: error::REFERENCE,
        summary: "SCIM error body: Error URN in schemas, status a string equal to the HTTP status, detail, scimType (args: scim_type, scim_type_severity)",
        run: error::error_response_check,
    },
    NamedCheck {
        id: "rfc7644.created-resource",
        reference: resource::CREATED_REFERENCE,
        summary: "A created resource: Location header equal to meta.location, meta.resourceType (args: resource_type)",
        run: resource::created_resource,
    },
    NamedCheck {
        id: "rfc7644.echo",
        reference: echo::REFERENCE,
        summary: "The returned resource holds the values the request sent (userName ignoring case)",
        run: echo::echo,
    },
    NamedCheck {
        id: "rfc7644.paging-consistent",
        reference: paging::REFERENCE,
        summary: "Pages fetched with startIndex/count hold no duplicates and miss none of the expected ids (args: pages, expected)",
        run: paging::paging_consistent,
    },
];

pub fn find(id: &str) -> Option<&'static NamedCheck> {
    ALL.iter().find(|c| c.id == id)
}

pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}
