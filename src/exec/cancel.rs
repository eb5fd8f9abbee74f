//! Stopping a run early (Ctrl-C, SIGTERM, the run deadline): no new step starts, steps in
//! flight finish (so every created id reaches the ledger), and cleanup still runs.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Why a run stopped before every step ran. Reports show its text; the exit code follows
/// from its kind (130 for a signal, 124 for the deadline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum StopReason {
    /// A signal, by name (`SIGINT`, `SIGTERM`).
    Interrupted(String),
    /// The whole-run deadline, in seconds.
    Deadline(u64),
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Interrupted(signal) => write!(f, "interrupted by {signal}"),
            StopReason::Deadline(secs) => write!(f, "the run deadline of {secs} s passed"),
        }
    }
}

impl From<StopReason> for String {
    fn from(reason: StopReason) -> String {
        reason.to_string()
    }
}

/// Reads back a report's text; only reports written by this harness are read.
impl From<String> for StopReason {
    fn from(text: String) -> StopReason {
        match text.strip_prefix("interrupted by ") {
            Some(signal) => StopReason::Interrupted(signal.to_string()),
            None => StopReason::Deadline(
                text.split_whitespace()
                    .find_map(|w| w.parse().ok())
                    .unwrap_or_default(),
            ),
        }
    }
}

/// The switch that stops a run: turned by a signal or the deadline, read by every loop.
#[derive(Debug, Default)]
pub struct Cancel {
    set: AtomicBool,
    reason: Mutex<Option<StopReason>>,
    notify: tokio::sync::Notify,
}

impl Cancel {
    /// Stops the run; the first reason given is kept.
    pub fn cancel(&self, reason: StopReason) {
        let mut r = self.reason.lock().unwrap_or_else(|e| e.into_inner());
        if r.is_none() {
            *r = Some(reason);
        }
        self.set.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Resolves once the run is cancelled (at once if it already is).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }

    /// Whether the run was stopped.
    pub fn is_cancelled(&self) -> bool {
        self.set.load(Ordering::SeqCst)
    }

    /// Why the run was stopped, once it was.
    pub fn reason(&self) -> Option<StopReason> {
        self.reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
