//! scimcheck: a SCIM 2.0 conformance harness.
//!
//! Pipeline, one module per stage (data flows forward only):
//! [`scenario`] (load) → [`plan`] → [`exec`] → [`check`] → [`report`].
//! [`server`] is the embedded reference SCIM server.

pub mod app;
pub mod check;
pub mod cli;
pub mod error;
pub mod exec;
pub mod plan;
pub mod report;
pub mod result;
pub mod run;
pub mod scenario;
pub mod scim;
pub mod server;
pub mod snapshot;
