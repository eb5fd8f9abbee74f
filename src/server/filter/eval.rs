//! Filter evaluation over the scim_v2 crate's AST, with the schema's case rules: attribute
//! names always case-insensitive; string values case-insensitive unless the attribute is
//! caseExact.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ValFilter, ValuePath};
use serde_json::{Map, Value};
use std::cmp::Ordering;

use super::related::{self, Related};
use crate::server::error::ScimError;
use crate::server::schema::{Attr, ResourceSchema, Scope};

/// Refuses a filter on a returned-"never" attribute (the password) with invalidFilter, "the
/// attribute and filter comparison combination is not supported" (RFC 7644 §3.12): comparing
/// would make filters an oracle for the value, and a plain "no match" would turn into "every
/// match" under `not` or `ne`.
pub fn check_comparable(filter: &Filter, schema: &ResourceSchema) -> Result<(), ScimError> {
    let refuse = |name: &str| {
        Err(ScimError::invalid_filter(format!(
            "{name} is never returned, so it cannot be filtered on (RFC 7643 §2.2)"
        )))
    };
    match filter {
        Filter::Attr(AttrExp::Present(p) | AttrExp::Comparison(p, _, _)) => {
            let attr = schema.find(p.uri.as_deref(), &p.name);
            let sub = p.sub_attr.as_deref().and_then(|s| attr?.sub_attr(s));
            if attr.is_some_and(|a| a.never_returned) || sub.is_some_and(|a| a.never_returned) {
                return refuse(&p.name);
            }
            Ok(())
        }
        Filter::ValuePath(vp) => {
            let attr = schema.find(vp.attr.uri.as_deref(), &vp.attr.name);
            if attr.is_some_and(|a| a.never_returned) || val_never_returned(&vp.filter, attr) {
                return refuse(&vp.attr.name);
            }
            Ok(())
        }
        Filter::Not(inner) => check_comparable(inner, schema),
        Filter::And(items) | Filter::Or(items) => items
            .as_slice()
            .iter()
            .try_for_each(|f| check_comparable(f, schema)),
    }
}

fn val_never_returned(filter: &ValFilter, parent: Option<&Attr>) -> bool {
    match filter {
        ValFilter::Attr(AttrExp::Present(p) | AttrExp::Comparison(p, _, _)) => parent
            .and_then(|a| a.sub_attr(&p.name))
            .is_some_and(|a| a.never_returned),
        ValFilter::Not(inner) => val_never_returned(inner, parent),
        ValFilter::And(items) | ValFilter::Or(items) => items
            .as_slice()
            .iter()
            .any(|f| val_never_returned(f, parent)),
    }
}

/// The values an attribute path selects on a resource, with the attribute's definition.
pub(super) fn select<'a>(
    resource: &'a Map<String, Value>,
    schema: &'a ResourceSchema,
    path: &AttrPath,
    whole_elements: bool,
) -> (Vec<&'a Value>, Option<&'a Attr>) {
    // RFC 7644 §3.10: the schema URN is the longest known prefix, so `…:2.0:User pr` names
    // the extension itself; a URN this resource type lacks names nothing (no match).
    let Some((scope, name)) = schema.scope_of(path.uri.as_deref(), &path.name) else {
        return (vec![], None);
    };
    let container = match scope {
        Scope::Extension(ext) => match resource.get(ext).and_then(Value::as_object) {
            Some(obj) => obj,
            None => return (vec![], None),
        },
        Scope::Core => resource,
    };
    let Some(name) = name else {
        // The extension itself: the URN alone.
        return match scope {
            Scope::Extension(ext) => (resource.get(ext).into_iter().collect(), None),
            Scope::Core => (vec![], None),
        };
    };
    let attr = schema
        .attrs(scope)
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(&name));
    let Some(value) = member(container, &name) else {
        return (vec![], attr);
    };
    let elements: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let sub = path.sub_attr.as_deref().or_else(|| {
        // A complex multi-valued attribute without a sub-attribute compares its `value`.
        attr.filter(|a| a.kind == "complex" && a.multi && !whole_elements)
            .map(|_| "value")
    });
    match sub {
        Some(sub) => {
            let def = attr.and_then(|a| a.sub_attr(sub));
            (
                elements
                    .into_iter()
                    .filter_map(|e| e.as_object().and_then(|o| member(o, sub)))
                    .flat_map(flatten)
                    .collect(),
                def,
            )
        }
        None => (elements, attr),
    }
}

fn flatten(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// A member of `obj` by case-insensitive name (RFC 7643 §2.1).
pub fn member<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Whether `resource` matches; `related` supplies the attributes kept outside its body.
pub fn matches(
    filter: &Filter,
    resource: &Map<String, Value>,
    schema: &ResourceSchema,
    related: &dyn Related,
) -> Result<bool, ScimError> {
    Ok(match filter {
        Filter::Attr(exp) => {
            let path = match exp {
                AttrExp::Present(p) | AttrExp::Comparison(p, _, _) => p,
            };
            if related::names(path.uri.as_deref(), &path.name, related) {
                return related::attr_exp(exp, path, schema, related);
            }
            let (values, def) = select(resource, schema, path, false);
            eval(exp, &values, def)?
        }
        Filter::ValuePath(vp) => {
            if related::names(vp.attr.uri.as_deref(), &vp.attr.name, related) {
                return related::value_path(vp, schema, related);
            }
            any_element(resource, schema, vp)?
        }
        Filter::Not(inner) => !matches(inner, resource, schema, related)?,
        Filter::And(items) => {
            for f in items.as_slice() {
                if !matches(f, resource, schema, related)? {
                    return Ok(false);
                }
            }
            true
        }
        Filter::Or(items) => {
            for f in items.as_slice() {
                if matches(f, resource, schema, related)? {
                    return Ok(true);
                }
            }
            false
        }
    })
}

/// `attr[filter]`: whether any element of `attr` matches the bracketed filter.
pub(super) fn any_element(
    resource: &Map<String, Value>,
    schema: &ResourceSchema,
    vp: &ValuePath,
) -> Result<bool, ScimError> {
    let (elements, def) = select(
        resource,
        schema,
        &AttrPath {
            uri: vp.attr.uri.clone(),
            name: vp.attr.name.clone(),
            sub_attr: None,
        },
        true,
    );
    for e in elements {
        if let Some(obj) = e.as_object() {
            if val_matches(&vp.filter, obj, def)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// A value filter applied to one element of a multi-valued attribute (`emails[type eq "work"]`).
pub fn val_matches(
    filter: &ValFilter,
    element: &Map<String, Value>,
    parent: Option<&Attr>,
) -> Result<bool, ScimError> {
    Ok(match filter {
        ValFilter::Attr(exp) => {
            let path = match exp {
                AttrExp::Present(p) | AttrExp::Comparison(p, _, _) => p,
            };
            let def = parent.and_then(|a| a.sub_attr(&path.name));
            let values: Vec<&Value> = member(element, &path.name).map(flatten).unwrap_or_default();
            eval(exp, &values, def)?
        }
        ValFilter::Not(inner) => !val_matches(inner, element, parent)?,
        ValFilter::And(items) => {
            for f in items.as_slice() {
                if !val_matches(f, element, parent)? {
                    return Ok(false);
                }
            }
            true
        }
        ValFilter::Or(items) => {
            for f in items.as_slice() {
                if val_matches(f, element, parent)? {
                    return Ok(true);
                }
            }
            false
        }
    })
}

pub(super) fn eval(
    exp: &AttrExp,
    values: &[&Value],
    def: Option<&Attr>,
) -> Result<bool, ScimError> {
    match exp {
        AttrExp::Present(_) => Ok(values.iter().any(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            _ => true,
        })),
        AttrExp::Comparison(_, op, target) => {
            if *op == CompareOp::Ne {
                let eq =
                    AttrExp::Comparison(AttrPath::with_name("x"), CompareOp::Eq, target.clone());
                return eval(&eq, values, def).map(|b| !b);
            }
            if matches!(target, CompValue::True | CompValue::False) && !matches!(op, CompareOp::Eq)
            {
                return Err(ScimError::invalid_filter(
                    "booleans can only be compared with eq or ne (RFC 7644 §3.4.2.2)",
                ));
            }
            if matches!(target, CompValue::Null) {
                return match op {
                    CompareOp::Eq => Ok(values.iter().all(|v| v.is_null())),
                    _ => Err(ScimError::invalid_filter(
                        "null can only be compared with eq or ne",
                    )),
                };
            }
            let case_exact = def.is_some_and(|d| d.case_exact);
            let date = def.is_some_and(|d| d.kind == "dateTime");
            for v in values {
                if compare(v, op, target, case_exact, date) {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

fn compare(
    actual: &Value,
    op: &CompareOp,
    target: &CompValue,
    case_exact: bool,
    date: bool,
) -> bool {
    match (actual, target) {
        (Value::Bool(b), CompValue::True) => *b,
        (Value::Bool(b), CompValue::False) => !*b,
        (Value::String(s), CompValue::True) => s.eq_ignore_ascii_case("true"),
        (Value::String(s), CompValue::False) => s.eq_ignore_ascii_case("false"),
        (Value::Number(n), CompValue::Number(t)) => match (n.as_f64(), t.as_f64()) {
            (Some(a), Some(b)) => ordered(op, a.partial_cmp(&b)),
            _ => false,
        },
        (Value::String(s), CompValue::Str(t)) => {
            if date {
                if let (Some(a), Some(b)) = (datetime(s), datetime(t)) {
                    return ordered(op, Some(a.cmp(&b)));
                }
            }
            let (a, b) = if case_exact {
                (s.clone(), t.clone())
            } else {
                (s.to_lowercase(), t.to_lowercase())
            };
            match op {
                CompareOp::Eq => a == b,
                CompareOp::Co => a.contains(&b),
                CompareOp::Sw => a.starts_with(&b),
                CompareOp::Ew => a.ends_with(&b),
                _ => ordered(op, Some(a.cmp(&b))),
            }
        }
        _ => false,
    }
}

fn ordered(op: &CompareOp, ord: Option<Ordering>) -> bool {
    let Some(ord) = ord else { return false };
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        _ => false,
    }
}

fn datetime(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::filter::{parse, Unrelated};
    use serde_json::json;

    fn user() -> Map<String, Value> {
        json!({
            "id": "2819c223", "userName": "Bjensen@Example.com", "externalId": "Ext-1", "active": true,
            "name": {"familyName": "Jensen", "givenName": "Barbara"},
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
            "meta": {"lastModified": "2011-05-13T04:42:34Z", "resourceType": "User"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "manager": {"value": "26118915"}}
        }).as_object().unwrap().clone()
    }

    fn m(f: &str) -> bool {
        matches(
            &parse(f).unwrap(),
            &user(),
            ResourceSchema::user(),
            &Unrelated,
        )
        .unwrap()
    }

    #[test]
    fn user_name_is_case_insensitive_but_ids_are_not() {
        assert!(m(r#"userName eq "bjensen@example.com""#));
        assert!(m(r#"USERNAME EQ "BJENSEN@EXAMPLE.COM""#));
        assert!(!m(r#"externalId eq "ext-1""#));
        assert!(m(r#"externalId eq "Ext-1""#));
        assert!(!m(r#"id eq "2819C223""#));
    }

    #[test]
    fn every_operator() {
        assert!(m(r#"name.familyName co "ens""#));
        assert!(m(r#"userName sw "bjen""#));
        assert!(m(r#"userName ew "example.com""#));
        assert!(m(r#"userName ne "other""#));
        assert!(!m("title pr") && m("name pr"));
        assert!(m(r#"meta.lastModified gt "2011-05-13T04:42:33Z""#));
        assert!(m(r#"meta.lastModified ge "2011-05-13T04:42:34Z""#));
        assert!(!m(r#"meta.lastModified lt "2011-05-13T04:42:34Z""#));
        assert!(m(r#"meta.lastModified le "2011-05-13T06:42:34+02:00""#));
        assert!(m("active eq true") && !m("active eq false"));
    }

    #[test]
    fn logic_and_grouping() {
        assert!(m(
            r#"userName sw "b" and (emails.type eq "home" or title pr)"#
        ));
        assert!(m(r#"not (userName eq "x")"#));
        assert!(!m(
            r#"userName eq "x" or (active eq false and userName pr)"#
        ));
    }

    #[test]
    fn multi_valued_and_value_paths() {
        assert!(m(r#"emails co "babs""#));
        assert!(m(r#"emails[type eq "work" and value co "@example.com"]"#));
        assert!(!m(r#"emails[type eq "home" and value co "@example.com"]"#));
        assert!(m(
            r#"emails[type eq "work"].value eq "BJENSEN@example.com""#
        ));
        assert!(!m(
            r#"emails[type eq "home"].value eq "bjensen@example.com""#
        ));
    }

    #[test]
    fn extension_urn_prefix() {
        assert!(m(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#
        ));
        assert!(m(
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915""#
        ));
    }

    #[test]
    fn bad_filters_are_invalid_filter() {
        assert_eq!(
            parse("userName eq").unwrap_err().scim_type,
            Some("invalidFilter")
        );
        let err = matches(
            &parse("active gt true").unwrap(),
            &user(),
            ResourceSchema::user(),
            &Unrelated,
        )
        .unwrap_err();
        assert_eq!(err.scim_type, Some("invalidFilter"));
    }
}
