//! Filters (RFC 7644 §3.4.2.2): parsing with the IdPs' extra forms, evaluation with the
//! schema's case rules, and the shapes an index can answer.

mod eval;
mod index;
mod parse;

pub use eval::{check_comparable, matches, member, val_matches};
pub use index::indexed_eq;
pub use parse::parse;
