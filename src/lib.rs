#![warn(missing_docs)]
//! scimcheck: a SCIM 2.0 conformance harness. It replays the provisioning traffic identity
//! providers send (Okta first, Microsoft Entra ID next, and the RFC's wider rules) against any
//! SCIM server, checks every response, snapshots the normalised exchanges and reports.
//!
//! The pipeline, one module per stage; data flows forward only, and a stage never imports a
//! later one:
//! [`scenario`] (load) → [`plan`] → [`exec`] → [`check`] → [`result`] → [`run`] →
//! `snapshot` / `report`. `scim` is the vocabulary every stage shares, [`app`] and `cli` the
//! command line, [`server`] the embedded reference SCIM server, and [`record`] the proxy that
//! records what an IdP sends.

pub mod app;
pub mod check;
pub(crate) mod cli;
pub(crate) mod error;
pub mod exec;
pub mod plan;
pub mod record;
pub(crate) mod report;
pub mod result;
pub mod run;
pub mod scenario;
pub mod scim;
pub mod server;
pub(crate) mod snapshot;

// A harness allocates and frees a parsed body, its record and its findings per exchange;
// mimalloc halves what glibc's allocator costs there (`cargo bench --bench run`). Set here
// so the binary, the benchmarks and the tests all measure the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
