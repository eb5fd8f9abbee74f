//! Stable ids: of checks (CI scripts key on them), scenarios and steps.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stable check id such as `okta.user.deactivate.still-retrievable`; CI scripts key on it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckId(String);

impl CheckId {
    /// A check id from its text.
    pub fn new(id: impl Into<String>) -> CheckId {
        CheckId(id.into())
    }

    /// The id as text.
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

/// Newtypes over ids read from scenario files: compared and printed as text, but not
/// interchangeable with one another.
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> $name {
                $name(id.to_string())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> $name {
                $name(id)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

text_id!(
    /// A scenario's stable id, e.g. `okta.users.create`; its checks' ids start with it.
    ScenarioId
);
text_id!(
    /// A step's id, unique within its scenario, e.g. `existence-check`.
    StepId
);

/// The id of the check every step gets: its HTTP status is one the step expects.
pub fn status_check_id(scenario: &str, step: &str) -> CheckId {
    CheckId(format!("{scenario}.{step}.status"))
}
