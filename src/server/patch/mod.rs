//! PATCH (RFC 7644 §3.5.2), tolerant of what Okta and Entra send: op names in any case,
//! path-less values with dotted or URN keys, "False" strings, `Add` on single-valued
//! attributes, member removal by a value array, `members` replaced with `[]`.

mod apply;
mod edit;

pub use apply::{apply, Op};
pub use edit::is_empty;
