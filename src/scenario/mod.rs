//! The load stage: scenario files, strictly parsed and validated.
//!
//! - [`model`]: the file format; `assert`: a step's asserts, one subject and one operator
//!   each; [`named`]: the named checks a step invokes, typed.
//! - [`PROFILES`]: the built-in profiles, one row each.
//! - [`load`]: built-in and user files, with `file:line:column` errors.
//! - [`validate`]: rules the types cannot express.
//! - `fix`: what a failed assert asks of the server, when its file gives no `hint`.
//! - `schema_tests`: `schemas/scenario.schema.json`, for editors, held to the loader.
//! - [`spans`]: where a scenario's parts are in its file, for those rules' messages.
//! - `comparison`: model parts only imported tests use (Runscope comparisons, pauses,
//!   variables); [`runscope`]: a Runscope/BlazeMeter API-test export read as a scenario.
//! - `version`: the format's version; `write`: a scenario written back as a file.
//! - [`har`]: HAR 1.2 files, written by the HAR report and imported as scenarios;
//!   `located`: JSON read with where a failure is, for the imported formats.
//! - [`traffic`]: recorded exchanges (from `record` or a HAR) as a scenario that replays them.

mod assert;
mod comparison;
mod fix;
pub mod har;
mod load;
mod located;
mod model;
pub mod named;
pub mod named_set;
pub mod profiles;
pub mod runscope;
#[cfg(test)]
mod schema_tests;
mod spans;
pub mod traffic;
mod validate;
mod version;
mod write;

pub use load::{builtin, parse, with_user_paths, LoadError, Loaded};
pub use model::*;
pub use profiles::{ProfileInfo, PROFILES};
pub use spans::At;
pub use validate::validate_all;
pub(crate) use validate::Part;
pub use version::FormatVersion;
pub use write::{to_yaml, WriteError};
