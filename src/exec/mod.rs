//! The execute stage, the only one that talks to the server (async).
//!
//! - [`client`]: HTTP with redaction, no redirects, capped bodies.
//! - [`exchange`]: the recorded request and response, as data.
//! - [`ledger`]: what this run created; mutations are limited to it. `path` puts ids in
//!   URLs safely.
//! - [`runner`]: scenarios concurrently, steps in order, cleanup.

mod auth;
mod cancel;
mod client;
mod events;
mod exchange;
mod ledger;
pub mod leftovers;
mod path;
mod retry;
mod runner;
mod secret;

pub use auth::{Auth, OAuthConfig};
pub use cancel::Cancel;
pub use client::{Client, ClientConfig};
pub use events::{Events, Silent};
pub use exchange::*;
pub use ledger::{Disowned, Ledger, LedgerEntry, Observed, ResourceId, ResourceKind};
pub use path::{encode_segment, resource_path};
pub use retry::{parse_retry_after, RetryPolicy};
pub use runner::{cleanup, delete, run_scenarios, RunScope};
pub use secret::Secret;
