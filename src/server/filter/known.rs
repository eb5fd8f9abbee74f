//! A filter may only name attributes the resource types' schemas define (RFC 7644 §3.12
//! invalidFilter: "the specified attribute and filter comparison combination is not
//! supported"): an unknown name would match nothing, and `not` or `ne` would turn that into
//! every resource.

use scim_v2::filter::{AttrExp, AttrPath, Filter, ValFilter};

use crate::server::error::ScimError;
use crate::server::schema::{Attr, ResourceSchema, Scope};

/// Refuses `filter` if it names an attribute (or sub-attribute) none of `schemas` defines; a
/// search across resource types passes each type's schema.
pub fn check_known(filter: &Filter, schemas: &[&ResourceSchema]) -> Result<(), ScimError> {
    match first_unknown(filter, schemas) {
        Some(name) => Err(ScimError::invalid_filter(format!(
            "no attribute `{name}` in the resource's schemas"
        ))),
        None => Ok(()),
    }
}

/// The attributes `p` names in each schema, split by the longest known schema URN (RFC 7644
/// §3.10); `None` when it names a whole extension (`<extension URN> pr`).
fn named_attrs<'s>(p: &AttrPath, schemas: &[&'s ResourceSchema]) -> Option<Vec<&'s Attr>> {
    let mut attrs = Vec::new();
    for s in schemas {
        match s.scope_of(p.uri.as_deref(), &p.name) {
            Some((Scope::Extension(_), None)) => return None,
            Some((scope, Some(name))) => attrs.extend(
                s.attrs(scope)
                    .iter()
                    .find(|a| a.name.eq_ignore_ascii_case(&name)),
            ),
            _ => {}
        }
    }
    Some(attrs)
}

fn path_known(p: &AttrPath, schemas: &[&ResourceSchema]) -> Option<String> {
    let attrs = named_attrs(p, schemas)?;
    if attrs.is_empty() {
        return Some(p.name.clone());
    }
    match p.sub_attr.as_deref() {
        Some(sub)
            if attrs
                .iter()
                .all(|a| !a.sub.is_empty() && a.sub_attr(sub).is_none()) =>
        {
            Some(format!("{}.{sub}", p.name))
        }
        _ => None,
    }
}

fn first_unknown(filter: &Filter, schemas: &[&ResourceSchema]) -> Option<String> {
    match filter {
        Filter::Attr(AttrExp::Present(p) | AttrExp::Comparison(p, _, _)) => path_known(p, schemas),
        Filter::ValuePath(vp) => {
            if let Some(name) = path_known(&vp.attr, schemas) {
                return Some(name);
            }
            let parents = named_attrs(&vp.attr, schemas).unwrap_or_default();
            val_unknown(&vp.filter, &parents).map(|sub| format!("{}.{sub}", vp.attr.name))
        }
        Filter::Not(inner) => first_unknown(inner, schemas),
        Filter::And(items) | Filter::Or(items) => items
            .as_slice()
            .iter()
            .find_map(|f| first_unknown(f, schemas)),
    }
}

fn val_unknown(filter: &ValFilter, parents: &[&Attr]) -> Option<String> {
    match filter {
        ValFilter::Attr(AttrExp::Present(p) | AttrExp::Comparison(p, _, _)) => parents
            .iter()
            .all(|a| !a.sub.is_empty() && a.sub_attr(&p.name).is_none())
            .then(|| p.name.clone()),
        ValFilter::Not(inner) => val_unknown(inner, parents),
        ValFilter::And(items) | ValFilter::Or(items) => items
            .as_slice()
            .iter()
            .find_map(|f| val_unknown(f, parents)),
    }
}
