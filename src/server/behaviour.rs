//! The choices the RFC leaves to a service provider, made explicit: the reference server makes
//! one set of them, the alternative ([`Behaviour::alternative`], `scimcheck serve
//! --alternative`) the other legal one everywhere. A harness whose verdicts hold on both
//! judges the rules, not one server's taste.
//!
//! Not choices, so both servers answer alike: 201 to a create (RFC 7644 §3.3: "an HTTP
//! response SHALL be returned with HTTP status code 201 (Created)"); count=0 with totalResults
//! only (§3.4.2.4: "A value of "0" indicates that no resource results are to be returned
//! except for "totalResults""); and two SHOULDs both follow: 403 to a filter on /Schemas or
//! /ResourceTypes (§4) and 501 from /Me (§3.11: "A service provider that does NOT support this
//! feature SHOULD respond with HTTP status code 501 (Not Implemented)"), as a bearer token here
//! names no subject.

/// What a successful PATCH answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchResponse {
    /// `200 OK` with the whole resource.
    ///
    /// RFC 7644 §3.5.2: "On successful completion, the server either MUST return a 200 OK
    /// response code and the entire resource within the response body, subject to the
    /// "attributes" query parameter (see Section 3.9), or MAY return HTTP status code 204 (No
    /// Content) and the appropriate response headers for a successful PATCH request."
    Resource,
    /// `204 No Content` and no body, unless the request names `attributes` (or
    /// `excludedAttributes`): RFC 7644 §3.5.2, "The server MUST return a 200 OK if the
    /// "attributes" parameter is specified in the request."
    NoContent,
}

/// The legal choices of one server; [`Behaviour::reference`] is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behaviour {
    /// What a PATCH on a user answers.
    pub patch_users: PatchResponse,
    /// What a PATCH on a group answers.
    pub patch_groups: PatchResponse,
    /// ETags and preconditions. RFC 7644 §3.14: "Service providers MAY support weak ETags as
    /// the preferred mechanism for performing conditional retrievals and ensuring that clients
    /// do not inadvertently overwrite each other's changes, respectively. When supported, SCIM
    /// ETags MUST be specified as an HTTP header and SHOULD be specified within the 'version'
    /// attribute contained in the resource's 'meta' attribute." Without them the server says
    /// `etag.supported: false`, sends no `ETag` header and no `meta.version`, and ignores
    /// `If-Match` and `If-None-Match`: it has no entity tag to compare them with, and SCIM
    /// clients send them only to a server that advertises ETags.
    pub etag: bool,
    /// Sorting. RFC 7644 §3.4.2.3: "Sort is OPTIONAL. Clients MAY discover sort capability by
    /// looking at the "sort" attribute of the service provider configuration (see Section
    /// 4)." Without it the server says `sort.supported: false` and answers a query with
    /// `sortBy` as if it had none, in its usual order: the RFC names no error for it.
    pub sort: bool,
    /// Bulk operations. RFC 7644 §3.7: "The SCIM bulk operation is an optional server feature
    /// that enables clients to send a potentially large collection of resource operations in
    /// a single request. Support for bulk requests can be discovered by querying the service
    /// provider configuration (see Section 4)." Without it the server says `bulk.supported:
    /// false` and `POST /Bulk` answers 501 (RFC 7644 §3.12: "Service provider does not support
    /// the request operation").
    pub bulk: bool,
    /// Group members must name an existing user or group (400 `invalidValue` otherwise).
    /// RFC 7643 §2.3.7: "A SCIM service provider MAY choose to enforce referential integrity
    /// for reference types referring to SCIM resources." Without it a member that names no
    /// resource is stored with the `value` (and `display`) it was given, with no `$ref` or
    /// `type`, since the server cannot know them.
    pub member_integrity: bool,
}

impl Behaviour {
    /// The reference server: a PATCH on a user answers 200 with the user, on a group 204 (Entra
    /// expects it; a group of 10,000 members is not worth sending back); ETags, sorting and
    /// referential integrity of members; bulk.
    pub const fn reference() -> Behaviour {
        Behaviour {
            patch_users: PatchResponse::Resource,
            patch_groups: PatchResponse::NoContent,
            etag: true,
            sort: true,
            bulk: true,
            member_integrity: true,
        }
    }

    /// A server as correct as the reference that takes the other legal choice everywhere:
    /// every PATCH answers 204, no ETags, no sorting, no bulk, members not checked. It still
    /// follows every SHOULD the reference server follows.
    pub const fn alternative() -> Behaviour {
        Behaviour {
            patch_users: PatchResponse::NoContent,
            patch_groups: PatchResponse::NoContent,
            etag: false,
            sort: false,
            bulk: false,
            member_integrity: false,
        }
    }

    /// What a PATCH on `kind` answers.
    pub(super) fn patch_response(&self, kind: super::kind::Kind) -> PatchResponse {
        match kind {
            super::kind::Kind::User => self.patch_users,
            super::kind::Kind::Group => self.patch_groups,
        }
    }
}

impl Default for Behaviour {
    fn default() -> Behaviour {
        Behaviour::reference()
    }
}
