//! The SCIM vocabulary every stage may use and none owns.
//!
//! - [`urn`]: schema and message URNs.
//! - [`json`]: case-insensitive attribute lookup and value comparison.
//! - [`path`]: ids in URL paths, safely encoded.
//! - [`owned`]: how the run's own resources are told from the tenant's (the run prefix).
//! - [`schemas`]: the JSON Schemas scenario steps name.
//! - [`Severity`], [`ResourceKind`], [`Method`], and the stable ids of checks, scenarios and
//!   steps.

mod ids;
pub mod json;
mod method;
pub mod owned;
pub mod path;
mod resource;
pub mod schemas;
mod severity;
pub mod urn;

pub use ids::{status_check_id, CheckId, ScenarioId, StepId};
pub use method::Method;
pub use resource::{ResourceId, ResourceKind};
pub use severity::Severity;
