//! Traffic an IdP really sent, turned into a scenario that replays it: what `scimcheck record`
//! captured as a proxy and what `scimcheck import har` reads from a HAR file both arrive here
//! as [`Recorded`] exchanges and leave as one ordinary scenario file.
//!
//! - `base`: where the SCIM root is in a URL path (`/scim/v2/Users/7` → `/scim/v2`).
//! - `convert`: the exchanges as steps: ids as captures, names carrying the run prefix,
//!   the recorded status and written values as asserts, secrets left out; `ids`: which
//!   answer gave each id and ETag a later request sends; `rewrite`: ids, names and secrets
//!   in the replay's text; `written`: what each request wrote, and the asserts that hold it.

mod base;
mod convert;
mod ids;
mod rewrite;
#[cfg(test)]
mod tests;
mod written;

pub use base::{split_scim_path, SCIM_ENDPOINTS};
pub use convert::{to_replayable, to_scenario, Converted, TrafficError};

use crate::scim::Method;

/// One exchange between an IdP and a SCIM server, as a recording holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The method.
    pub method: Method,
    /// The path below the SCIM base URL, from `/` (`/Users/2819c223`), percent-decoded, no query.
    pub path: String,
    /// The query parameters in the order sent, percent-decoded.
    pub query: Vec<(String, String)>,
    /// The request headers as sent (names in any case).
    pub request_headers: Vec<(String, String)>,
    /// The request body as sent, when it had one.
    pub request_body: Option<String>,
    /// The response status.
    pub status: u16,
    /// The response headers.
    pub response_headers: Vec<(String, String)>,
    /// The response body, when it had one.
    pub response_body: Option<String>,
    /// When the request was sent (RFC 3339), when the recording says.
    pub started: Option<String>,
    /// How long the exchange took.
    pub duration_ms: u64,
}

impl Recorded {
    /// An exchange with no headers, bodies or timing yet.
    pub fn new(method: Method, path: &str, status: u16) -> Recorded {
        Recorded {
            method,
            path: path.to_string(),
            query: Vec::new(),
            request_headers: Vec::new(),
            request_body: None,
            status,
            response_headers: Vec::new(),
            response_body: None,
            started: None,
            duration_ms: 0,
        }
    }
}

/// Where the exchanges came from and what the scenario is to be called.
#[derive(Debug, Clone)]
pub struct Source {
    /// The scenario's id (`recorded.okta-cycle`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its profile (`recorded` unless the user names another).
    pub profile: String,
    /// Values that must never reach the file (`--secret`, tokens seen in the traffic):
    /// each occurrence is replaced.
    pub secrets: Vec<String>,
    /// Comment lines at the head of the file: what recorded it, from where, when.
    pub header: Vec<String>,
}
