//! SCIM error responses (RFC 7644 §3.12): the Error URN, `status` as a string, `scimType`
//! where the RFC names one. The reference server answers every failure this way.

use serde_json::{json, Value};

use crate::scim::urn;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
    /// For 405: the methods the resource takes, for the `Allow` header (RFC 9110 §15.5.6).
    pub allow: Option<String>,
}

impl ScimError {
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

    pub fn not_found(what: &str) -> ScimError {
        ScimError::new(404, None, format!("{what} not found"))
    }

    pub fn invalid_value(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidValue"), detail)
    }

    pub fn invalid_path(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidPath"), detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidSyntax"), detail)
    }

    pub fn invalid_filter(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("invalidFilter"), detail)
    }

    pub fn mutability(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("mutability"), detail)
    }

    pub fn no_target(detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some("noTarget"), detail)
    }

    pub fn uniqueness(detail: impl Into<String>) -> ScimError {
        ScimError::new(409, Some("uniqueness"), detail)
    }

    pub fn body(&self) -> Value {
        let mut body = json!({"schemas": [urn::ERROR], "status": self.status.to_string(), "detail": self.detail});
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        body
    }
}
