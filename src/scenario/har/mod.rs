//! HAR 1.2, the HTTP Archive format devtools, proxies and load tools exchange: one model for
//! both directions. The report stage writes a run as HAR (`--report har=FILE`); `scimcheck
//! import har` reads one captured anywhere and hands its SCIM requests to the traffic
//! converter, which makes them a scenario.
//!
//! - `model`: the format's types, lenient where real files differ from the spec.
//! - `read`: the file, its JSON with located errors, its version (1.x).
//! - `import`: the entries as [`Recorded`](crate::scenario::traffic::Recorded) SCIM
//!   exchanges to one root, and the entries left out with the reason.

mod import;
mod model;
mod read;
#[cfg(test)]
mod tests;

pub use import::{import, Imported, LeftOut, Why};
pub use model::*;
pub use read::{parse, read, HarError};
