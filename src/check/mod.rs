//! The check stage: findings from recorded exchanges. Plain functions, no runtime.
//!
//! - [`step`]: every check of one step, in order, without cascades.
//! - [`asserts`]: the declarative asserts of scenario files; `compare`: Runscope's
//!   comparisons, which imported tests' asserts use.
//! - [`schema`]: JSON Schema validation with the files in `schemas/`; `schema_findings`
//!   turns its violations into findings.
//! - [`rules`]: SCIM rules written in code, invoked by id.
//! - [`stored`]: values a create sent that the server may ignore, reported once per step.

pub mod asserts;
mod compare;
mod outcome;
pub mod rules;
pub mod schema;
mod schema_findings;
pub mod set;
pub mod step;
pub mod stored;

pub use outcome::{CheckOutcome, CheckStatus};
pub use schema::SchemaSet;
pub use set::{check_member, check_set, SetContext, SetMember};
pub use step::{check_step, Flow, StepContext};
