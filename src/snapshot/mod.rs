//! The snapshot stage: normalised exchanges written per scenario, compared with the accepted
//! ones, drift reported as a finding with a unified diff.
//!
//! - [`normalise`]: volatile values to placeholders, secrets never written; `embedded`: those
//!   quoted inside a longer text.
//! - `lists`: the order of a list answer, and a page of an unsorted list by its resources'
//!   shape.
//! - [`files`]: write, compare, update.

mod embedded;
mod files;
mod lists;
pub mod normalise;

pub use files::{apply, SnapshotOptions};
