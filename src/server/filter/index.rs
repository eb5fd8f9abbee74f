//! Filter shapes the store answers from an index instead of a scan.

use scim_v2::filter::{AttrExp, CompValue, CompareOp, Filter, ValFilter};

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

/// `userName sw "x"`: x, which the userName index answers in full (userName is not
/// caseExact, RFC 7643 §4.1.1, so a lower-cased key decides the comparison).
pub fn user_name_prefix(filter: &Filter) -> Option<&str> {
    match filter {
        Filter::Attr(AttrExp::Comparison(path, CompareOp::Sw, CompValue::Str(v)))
            if path.sub_attr.is_none()
                && path.uri.is_none()
                && path.name.eq_ignore_ascii_case("userName") =>
        {
            Some(v)
        }
        _ => None,
    }
}

/// `value eq "x"` inside brackets: x.
pub fn value_eq(filter: &ValFilter) -> Option<&str> {
    match filter {
        ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, CompValue::Str(v)))
            if p.uri.is_none() && p.sub_attr.is_none() && p.name.eq_ignore_ascii_case("value") =>
        {
            Some(v)
        }
        _ => None,
    }
}

/// `attr eq "x"`, `attr.value eq "x"` or `attr[value eq "x"]` on the multi-valued `attr`: x.
pub fn element_value_eq<'f>(filter: &'f Filter, attr: &str) -> Option<&'f str> {
    match filter {
        Filter::Attr(AttrExp::Comparison(p, CompareOp::Eq, CompValue::Str(v)))
            if p.uri.is_none()
                && p.name.eq_ignore_ascii_case(attr)
                && p.sub_attr
                    .as_deref()
                    .is_none_or(|s| s.eq_ignore_ascii_case("value")) =>
        {
            Some(v)
        }
        Filter::ValuePath(vp)
            if vp.attr.uri.is_none()
                && vp.attr.sub_attr.is_none()
                && vp.attr.name.eq_ignore_ascii_case(attr) =>
        {
            value_eq(&vp.filter)
        }
        _ => None,
    }
}
