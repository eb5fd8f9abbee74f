//! Filter shapes the store answers from an index instead of a scan.

use scim_v2::filter::{AttrExp, CompValue, CompareOp, Filter};

/// `userName eq "x"` (or externalId, id): the value, so the store can use its index.
pub fn indexed_eq(filter: &Filter) -> Option<(String, String)> {
    match filter {
        Filter::Attr(AttrExp::Comparison(path, CompareOp::Eq, CompValue::Str(v)))
            if path.sub_attr.is_none() && path.uri.is_none() =>
        {
            Some((path.name.to_ascii_lowercase(), v.clone()))
        }
        _ => None,
    }
}
