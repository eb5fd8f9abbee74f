//! The HTTP methods a SCIM client sends.

use serde::{Deserialize, Serialize};

/// An HTTP method of RFC 7644 §3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether the request changes server state (and so needs a ledger entry to be allowed).
    pub fn is_mutating(self) -> bool {
        matches!(self, Method::Put | Method::Patch | Method::Delete)
    }
}
