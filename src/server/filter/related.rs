//! Attributes kept outside the resource body (a group's `members`, a user's `groups`) as
//! filters see them: `value` equality and presence from the membership index, anything
//! else on the rendered elements.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, ValuePath};
use serde_json::{Map, Value};

use super::eval::{any_element, eval, select};
use super::index::value_eq;
use crate::scim::urn;
use crate::server::error::ScimError;
use crate::server::schema::ResourceSchema;

/// What the store knows about one resource's related attributes.
pub trait Related {
    /// Whether the core attribute `name` is kept outside the body.
    fn holds(&self, name: &str) -> bool;
    /// Whether an element's `value` equals `value` (not caseExact, RFC 7643 §8.7.1).
    fn has_value(&self, name: &str, value: &str) -> bool;
    /// Whether there is any element.
    fn any(&self, name: &str) -> bool;
    /// Every element as rendered; costs O(elements).
    fn elements(&self, name: &str) -> Vec<Value>;
}

/// A resource whose attributes are all in its body.
pub struct Unrelated;

impl Related for Unrelated {
    fn holds(&self, _: &str) -> bool {
        false
    }
    fn has_value(&self, _: &str, _: &str) -> bool {
        false
    }
    fn any(&self, _: &str) -> bool {
        false
    }
    fn elements(&self, _: &str) -> Vec<Value> {
        vec![]
    }
}

/// Whether a filter path names a related attribute (core attributes only).
pub(super) fn names(uri: Option<&str>, name: &str, related: &dyn Related) -> bool {
    let core =
        uri.is_none_or(|u| u.eq_ignore_ascii_case(urn::USER) || u.eq_ignore_ascii_case(urn::GROUP));
    core && related.holds(name)
}

/// The elements alone, in a map shaped like a body, for the ordinary evaluation.
fn holder(name: &str, related: &dyn Related) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(name.to_string(), Value::Array(related.elements(name)));
    m
}

/// `members pr`, `members eq "x"`, `members.value ne "x"`, `members.display co "x"`, …
pub(super) fn attr_exp(
    exp: &AttrExp,
    path: &AttrPath,
    schema: &ResourceSchema,
    related: &dyn Related,
) -> Result<bool, ScimError> {
    let on_value = path
        .sub_attr
        .as_deref()
        .is_none_or(|s| s.eq_ignore_ascii_case("value"));
    if on_value {
        match exp {
            AttrExp::Present(_) => return Ok(related.any(&path.name)),
            AttrExp::Comparison(_, CompareOp::Eq, CompValue::Str(v)) => {
                return Ok(related.has_value(&path.name, v))
            }
            AttrExp::Comparison(_, CompareOp::Ne, CompValue::Str(v)) => {
                return Ok(!related.has_value(&path.name, v))
            }
            _ => {}
        }
    }
    let body = holder(&path.name, related);
    let (values, def) = select(&body, schema, path, false);
    eval(exp, &values, def)
}

/// `members[value eq "x"]` from the index; other bracketed filters on the elements.
pub(super) fn value_path(
    vp: &ValuePath,
    schema: &ResourceSchema,
    related: &dyn Related,
) -> Result<bool, ScimError> {
    if let Some(v) = value_eq(&vp.filter) {
        return Ok(related.has_value(&vp.attr.name, v));
    }
    any_element(&holder(&vp.attr.name, related), schema, vp)
}
