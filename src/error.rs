//! Errors that stop the harness itself, and the one place that maps them to exit codes.
//!
//! A non-conformant target is not an error here: it is a finding, and the run still succeeds
//! in producing a report. These are the cases where no meaningful report can be produced.

use std::path::PathBuf;

use crate::exec::StopReason;

/// Exit code: no failing check at or above `--fail-on`.
pub const EXIT_OK: i32 = 0;
/// Exit code: at least one failing check at or above `--fail-on`.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: usage, configuration or scenario-file error.
pub const EXIT_USAGE: i32 = 2;
/// Exit code: the target could not be reached or rejected the credentials.
pub const EXIT_TARGET: i32 = 3;
/// Exit code: no check ran (every one skipped or refused): nothing was verified, which is
/// not a pass.
pub const EXIT_NOTHING_CHECKED: i32 = 4;
/// Exit code: interrupted by SIGINT or SIGTERM (after cleanup), as shells expect.
pub const EXIT_INTERRUPTED: i32 = 130;
/// Exit code: the `--deadline` passed before every step ran (after cleanup); GNU `timeout`'s.
pub const EXIT_DEADLINE: i32 = 124;
/// Exit code: a bug in the harness itself (sysexits' EX_SOFTWARE), never confused with 1, "the
/// server failed checks".
pub const EXIT_INTERNAL: i32 = 70;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),

    #[error("{0}")]
    Scenario(#[from] crate::scenario::LoadError),

    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write report {path}: {source}")]
    Report {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The message says which host and why, in words a person can act on.
    #[error("{0}")]
    Unreachable(String),

    /// `--base-url` answers, but not as a SCIM root: checking it would only cascade failures.
    #[error("{0}")]
    NotScimRoot(String),

    #[error("the target rejected the credentials: {0}")]
    Unauthorized(String),

    #[error("the embedded reference server could not start: {0}")]
    Server(String),

    #[error("internal error: {0}")]
    Internal(String),

    /// Stopped before any scenario ran (a signal or the deadline during the first requests).
    #[error("{0}; nothing was created")]
    Stopped(StopReason),
}

impl Error {
    /// The documented exit code for this error (README, "Exit codes").
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Scenario(_) | Error::Io { .. } | Error::Report { .. } => {
                EXIT_USAGE
            }
            Error::Unreachable(_)
            | Error::NotScimRoot(_)
            | Error::Unauthorized(_)
            | Error::Server(_) => EXIT_TARGET,
            Error::Internal(_) => EXIT_INTERNAL,
            Error::Stopped(why) => stop_exit_code(why),
        }
    }
}

/// The exit code of a run stopped early: a signal's or the deadline's.
pub fn stop_exit_code(reason: &StopReason) -> i32 {
    match reason {
        StopReason::Interrupted(_) => EXIT_INTERRUPTED,
        StopReason::Deadline(_) => EXIT_DEADLINE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_harness_bug_never_exits_as_findings() {
        assert_eq!(Error::Internal("x".into()).exit_code(), EXIT_INTERNAL);
        assert_ne!(EXIT_INTERNAL, EXIT_FINDINGS);
    }

    #[test]
    fn a_stop_exits_by_its_kind_not_its_text() {
        let signal = Error::Stopped(StopReason::Interrupted("SIGTERM".into()));
        assert_eq!(signal.exit_code(), EXIT_INTERRUPTED);
        assert_eq!(
            Error::Stopped(StopReason::Deadline(5)).exit_code(),
            EXIT_DEADLINE
        );
        assert_eq!(
            StopReason::from(StopReason::Deadline(5).to_string()),
            StopReason::Deadline(5)
        );
    }
}
