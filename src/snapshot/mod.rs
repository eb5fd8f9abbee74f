//! The snapshot stage: normalised exchanges written per scenario, compared with the accepted
//! ones, drift reported as a finding with a unified diff.
//!
//! - [`normalise`]: volatile values to placeholders, secrets never written; `embedded`: those
//!   quoted inside a longer text.
//! - [`files`]: write, compare, update.

mod embedded;
mod files;
pub mod normalise;

pub use files::{apply, SnapshotOptions};
