//! What a check concludes: plain, serialisable data that every report renders.

use serde::{Deserialize, Serialize};

use crate::scim::{CheckId, Severity};

/// The verdict of one check on one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Passed.
    Passed,
    /// Failed with severity `error`.
    Failed,
    /// Failed with severity `warning` or `info`.
    Warning,
    /// Could not apply; the message says why.
    Skipped,
}

/// One check's result on one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// The check's stable id.
    pub id: CheckId,
    /// Passed, failed, warning or skipped.
    pub status: CheckStatus,
    /// How much a failure matters.
    pub severity: Severity,
    /// RFC section or IdP behaviour the check enforces.
    pub reference: String,
    /// What was observed (on failure) or verified (on pass), one line.
    pub message: String,
    /// What to change on the server to pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// JSON Pointer into the response body, where one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl CheckOutcome {
    /// A passed check.
    pub fn pass(id: impl Into<CheckId>, reference: &str, message: impl Into<String>) -> Self {
        CheckOutcome {
            id: id.into(),
            status: CheckStatus::Passed,
            severity: Severity::Error,
            reference: reference.to_string(),
            message: message.into(),
            hint: None,
            pointer: None,
        }
    }

    /// A failed check; its status follows from the severity.
    pub fn fail(
        id: impl Into<CheckId>,
        severity: Severity,
        reference: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        CheckOutcome {
            id: id.into(),
            status: if severity == Severity::Error {
                CheckStatus::Failed
            } else {
                CheckStatus::Warning
            },
            severity,
            reference: reference.to_string(),
            message: message.into(),
            hint: Some(hint.into()),
            pointer: None,
        }
    }

    /// Worth knowing, never a failure: what the RFC lets a server do (a MAY, an attribute it
    /// may ignore) but an operator may want to see. Passed, with severity `info`.
    pub fn note(id: impl Into<CheckId>, reference: &str, message: impl Into<String>) -> Self {
        let mut out = CheckOutcome::pass(id, reference, message);
        out.severity = Severity::Info;
        out
    }

    /// A check that could not apply, with the reason.
    pub fn skip(id: impl Into<CheckId>, reference: &str, reason: impl Into<String>) -> Self {
        CheckOutcome {
            id: id.into(),
            status: CheckStatus::Skipped,
            severity: Severity::Error,
            reference: reference.to_string(),
            message: reason.into(),
            hint: None,
            pointer: None,
        }
    }

    /// Pass or fail on a condition, keeping the severity of the rule either way.
    pub fn verdict(
        ok: bool,
        id: &str,
        severity: Severity,
        reference: &str,
        message: impl Into<String>,
        hint: &str,
    ) -> Self {
        let mut out = if ok {
            CheckOutcome::pass(id, reference, message)
        } else {
            CheckOutcome::fail(id, severity, reference, message, hint)
        };
        out.severity = severity;
        out
    }

    /// The same outcome, pointing into the response body.
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// Whether it failed (as an error or a warning).
    pub fn is_failure(&self) -> bool {
        matches!(self.status, CheckStatus::Failed | CheckStatus::Warning)
    }

    /// A note that its condition did not hold: an `info` assert that failed, which is no
    /// finding (what a MAY leaves open) but still tells the asserts that need it to stand down.
    pub fn unmet_note(
        id: impl Into<CheckId>,
        reference: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        let mut out = CheckOutcome::note(id, reference, message);
        out.hint = Some(hint.into());
        out
    }

    /// Whether what it checked did not hold: a failure, or an [`unmet_note`](Self::unmet_note).
    pub fn is_unmet(&self) -> bool {
        self.is_failure()
            || (self.status == CheckStatus::Passed
                && self.severity == Severity::Info
                && self.hint.is_some())
    }
}
