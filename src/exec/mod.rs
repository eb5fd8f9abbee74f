//! The execute stage, the only one that talks to the server (async).
//!
//! - [`client`]: HTTP with redaction, no redirects, capped bodies.
//! - [`exchange`]: the recorded request and response, as data.
//! - [`ledger`]: what this run created; mutations are limited to it.
//! - [`runner`]: scenarios concurrently, steps in order, cleanup.

mod auth;
mod cancel;
mod client;
mod events;
mod exchange;
mod ledger;
pub mod leftovers;
mod runner;

pub use auth::{Auth, OAuthConfig};
pub use cancel::Cancel;
pub use client::{parse_retry_after, Client, ClientConfig, RetryPolicy, Secret};
pub use events::{Events, Silent};
pub use exchange::*;
pub use ledger::{Ledger, LedgerEntry, ResourceId, ResourceKind};
pub use runner::{cleanup, delete, run_scenarios, RunScope};
