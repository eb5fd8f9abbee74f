//! Filters (RFC 7644 §3.4.2.2): parsing with the IdPs' extra forms, evaluation with the
//! schema's case rules, the attributes kept outside a body (members, groups), and the shapes
//! an index can answer.

mod eval;
mod index;
mod known;
mod parse;
mod related;

pub use eval::{check_comparable, matches, member, val_matches};
pub use index::{element_value_eq, indexed_eq, user_name_prefix, value_eq};
pub use known::check_known;
pub use parse::{parse, space_after_not};
pub use related::{Related, Unrelated};
