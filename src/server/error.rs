//! SCIM error responses (RFC 7644 §3.12): the Error URN, `status` as a string, `scimType`
//! where the RFC names one. The reference server answers every failure this way.

use serde_json::{json, Value};

use crate::scim::urn;

/// A SCIM error response (RFC 7644 §3.12), with the right `scimType` for what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    /// The HTTP status.
    pub status: u16,
    /// The `scimType`, where the RFC names one.
    pub scim_type: Option<&'static str>,
    /// One line for the client's user.
    pub detail: String,
    /// For 405: the methods the resource takes, for the `Allow` header (RFC 9110 §15.5.6).
    pub allow: Option<String>,
}

impl ScimError {
    /// An error with this status, scimType and detail.
    pub fn new(
        status: u16,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> ScimError {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
            allow: None,
        }
    }

    /// 405, naming the methods the endpoint allows.
    pub fn method_not_allowed(method: &str, allowed: &[&str]) -> ScimError {
        let allow = allowed.join(", ");
        ScimError {
            allow: Some(allow.clone()),
            ..ScimError::new(
                405,
                None,
                format!("method {method} is not allowed here (allowed: {allow})"),
            )
        }
    }

    /// 404 for `what`.
    pub fn not_found(what: &str) -> ScimError {
        ScimError::new(404, None, format!("{what} not found"))
    }

    /// 400 `invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidValue"), detail)
    }

    /// 400 `invalidPath`.
    pub fn invalid_path(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidPath"), detail)
    }

    /// 400 `invalidSyntax`.
    pub fn invalid_syntax(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidSyntax"), detail)
    }

    /// 400 `invalidFilter`.
    pub fn invalid_filter(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidFilter"), detail)
    }

    /// 400 `mutability`.
    pub fn mutability(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("mutability"), detail)
    }

    /// 400 `noTarget`.
    pub fn no_target(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("noTarget"), detail)
    }

    /// 409 `uniqueness`.
    pub fn uniqueness(detail: impl Into<String>) -> ScimError {
        ScimError::new(409, Some("uniqueness"), detail)
    }

    /// The Error body.
    pub fn body(&self) -> Value {
        let mut body = json!({"schemas": [urn::ERROR], "status": self.status.to_string(), "detail": self.detail});
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        body
    }
}
