//! The execute stage, the only one that talks to the server (async). It knows nothing of
//! checks, results or the run's loops: it sends, records and remembers what it created.
//!
//! - [`client`]: HTTP with redaction (passwords in bodies: `redact`), no redirects, capped
//!   bodies; [`auth`] and retries.
//! - [`exchange`]: the recorded request and response, as data.
//! - [`ledger`]: what this run created (a BulkResponse's creates too); mutations are limited
//!   to it. [`read_back`] confirms a new resource before anything builds on it.
//! - [`cleanup`]: deleting what the run created, and nothing else.
//! - [`fanout`]: a set of requests sent together (a burst, a fan-out, a walk, a probe),
//!   bounded in flight and counted in one [`SetSummary`]; [`send_burst`]: reads at a fixed
//!   rate, every answer counted, none retried.
//! - [`Cancel`]: the switch signals and the deadline turn.

mod auth;
mod burst;
mod cancel;
pub mod cleanup;
mod client;
mod exchange;
pub mod fanout;
mod ledger;
pub mod okta;
mod readback;
mod redact;
mod retry;
mod secret;

pub use auth::{Auth, OAuthConfig};
pub use burst::{send_burst, BurstOutcome};
pub use cancel::{Cancel, StopReason};
pub use cleanup::{Cleanup, CleanupFailure};
pub use client::{trusting, Client, ClientConfig};
pub use exchange::*;
pub use fanout::{is_overloaded, launch, Landed, Launch, Launched, SetMode, SetSummary};
pub use ledger::{name_in, Disowned, Ledger, LedgerEntry, Observed};
pub use readback::{read_back, read_location};
pub use retry::{parse_retry_after, send_idempotent, RetryPolicy};
pub use secret::Secret;
