#![warn(missing_docs)]
//! scimcheck: a SCIM 2.0 conformance harness. It replays the provisioning traffic identity
//! providers send (Okta first, Microsoft Entra ID next, and the RFC's wider rules) against any
//! SCIM server, checks every response, snapshots the normalised exchanges and reports.
//!
//! The pipeline, one module per stage; data flows forward only, and a stage never imports a
//! later one:
//! [`scenario`] (load) → [`plan`] → [`exec`] → [`check`] → [`result`] → [`run`] →
//! `snapshot` / `report`. `scim` is the vocabulary every stage shares, [`app`] and `cli` the
//! command line, and [`server`] the embedded reference SCIM server.

pub mod app;
pub mod check;
pub(crate) mod cli;
pub(crate) mod error;
pub mod exec;
pub mod plan;
pub(crate) mod report;
pub mod result;
pub mod run;
pub mod scenario;
pub mod scim;
pub mod server;
pub(crate) mod snapshot;
