//! Stable ids: of checks (CI scripts key on them), scenarios and steps.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable check id such as `okta.user.deactivate.still-retrievable`; CI scripts key on it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckId(String);

impl CheckId {
    pub fn new(id: impl Into<String>) -> CheckId {
        CheckId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for CheckId {
    fn from(id: String) -> CheckId {
        CheckId(id)
    }
}

impl From<&str> for CheckId {
    fn from(id: &str) -> CheckId {
        CheckId(id.to_string())
    }
}

impl From<&String> for CheckId {
    fn from(id: &String) -> CheckId {
        CheckId(id.clone())
    }
}

impl From<&CheckId> for CheckId {
    fn from(id: &CheckId) -> CheckId {
        id.clone()
    }
}

/// The id of the check every step gets: its HTTP status is one the step expects.
pub fn status_check_id(scenario: &str, step: &str) -> CheckId {
    CheckId(format!("{scenario}.{step}.status"))
}
