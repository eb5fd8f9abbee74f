//! How much a failed check matters, in the RFC's own words.

use serde::{Deserialize, Serialize};

/// How much a failed check matters. `error` = a MUST of the RFC or an IdP blocker;
/// `warning` = a SHOULD or an interoperability risk; `info` = worth knowing.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Info,
    /// A SHOULD of the RFC, or an interoperability risk.
    Warning,
    /// A MUST of the RFC, or an IdP blocker.
    #[default]
    Error,
}

impl Severity {
    /// The severity's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}
