//! The edits on one attribute: the whole of it, one sub-attribute, or the values a filter
//! selects (`emails[type eq "work"].value`), with "False" strings, `Add` on single-valued
//! attributes and empty values that clear.

use scim_v2::filter::{AttrExp, CompValue, CompareOp, ValFilter};
use serde_json::{Map, Value};

use super::apply::Op;
use crate::server::error::ScimError;
use crate::server::filter::val_matches;
use crate::server::resource::canonical_value;
use crate::server::schema::Attr;

/// Null, "", {} and [] are what IdPs send to clear an attribute.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => {
            o.is_empty() || o.values().all(|v| v.is_null() || v.as_str() == Some(""))
        }
        _ => false,
    }
}

fn canonical(def: Option<&Attr>, value: Value) -> Result<Value, ScimError> {
    match def {
        Some(d) => canonical_value(d, value),
        None => Ok(value),
    }
}

pub(super) fn whole(
    container: &mut Map<String, Value>,
    key: &str,
    def: Option<&Attr>,
    op: Op,
    value: Option<Value>,
) -> Result<(), ScimError> {
    if op == Op::Remove {
        match (value, container.get_mut(key)) {
            // Remove the listed values from a multi-valued attribute (the shape Entra uses).
            (Some(Value::Array(gone)), Some(Value::Array(items))) => {
                let ids: Vec<&Value> = gone.iter().filter_map(|g| g.get("value")).collect();
                items.retain(|i| !i.get("value").is_some_and(|v| ids.contains(&v)));
                if items.is_empty() {
                    container.remove(key);
                }
            }
            _ => {
                container.remove(key);
            }
        }
        return Ok(());
    }
    let value = value.ok_or_else(|| ScimError::invalid_value(format!("{} needs a value", key)))?;
    // RFC 7644 §3.5.2.3 is silent on null; RFC 7643 §2.5 makes null "unassigned", so a
    // replace with null (or "", [], {}, as IdPs send) clears the attribute.
    if is_empty(&value) && op == Op::Replace {
        container.remove(key);
        return Ok(());
    }
    let value = canonical(def, value)?;
    if value.is_null() {
        // Nothing settable was left (an object of read-only sub-attributes).
        return Ok(());
    }
    let multi = def.is_some_and(|d| d.multi);
    let complex = def.is_some_and(|d| d.kind == "complex");
    match (op, multi, complex) {
        (Op::Add, true, _) => {
            let slot = container
                .entry(key.to_string())
                .or_insert_with(|| Value::Array(vec![]));
            if !slot.is_array() {
                *slot = Value::Array(vec![]);
            }
            if let Value::Array(items) = slot {
                for v in value.as_array().cloned().unwrap_or_default() {
                    if !items.contains(&v) {
                        items.push(v);
                    }
                }
            }
        }
        (_, false, true) => {
            // RFC 7644 §3.5.2.1/§3.5.2.3: sub-attributes not given are left unchanged.
            let slot = container
                .entry(key.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            match (slot.as_object_mut(), value) {
                (Some(obj), Value::Object(new)) => {
                    for (k, v) in new {
                        obj.insert(k, v);
                    }
                }
                (_, v) => *slot = v,
            }
        }
        _ => {
            container.insert(key.to_string(), value);
        }
    }
    Ok(())
}

pub(super) fn sub_attr(
    container: &mut Map<String, Value>,
    key: &str,
    def: Option<&Attr>,
    op: Op,
    sub: &str,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let sub_def = def.and_then(|d| d.sub_attr(sub));
    let sub_key = sub_def.map_or(sub.to_string(), |d| d.name.clone());
    let value = match (op, value) {
        (Op::Remove, _) => None,
        (_, Some(v)) if is_empty(&v) => None,
        (_, Some(v)) => Some(canonical(sub_def, v)?),
        (_, None) => {
            return Err(ScimError::invalid_value(format!(
                "{key}.{sub} needs a value"
            )))
        }
    };
    let set = |obj: &mut Map<String, Value>| match &value {
        Some(v) => {
            obj.insert(sub_key.clone(), v.clone());
        }
        None => {
            obj.remove(&sub_key);
        }
    };
    if def.is_some_and(|d| d.multi) {
        for item in container
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(obj) = item.as_object_mut() {
                set(obj);
            }
        }
        return Ok(());
    }
    if value.is_none() && !container.contains_key(key) {
        return Ok(());
    }
    let slot = container
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Some(obj) = slot.as_object_mut() {
        set(obj);
        if obj.is_empty() {
            container.remove(key);
        }
    }
    Ok(())
}

/// `emails[type eq "work"].value` and friends.
pub(super) fn value_path(
    container: &mut Map<String, Value>,
    key: &str,
    def: Option<&Attr>,
    op: Op,
    filter: &ValFilter,
    sub: Option<&str>,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let items = container
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut hits = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(obj) = item.as_object() {
            if val_matches(filter, obj, def)? {
                hits.push(i);
            }
        }
    }
    let sub_def = sub.and_then(|s| def.and_then(|d| d.sub_attr(s)));
    let sub_key = sub.map(|s| sub_def.map_or(s.to_string(), |d| d.name.clone()));
    let mut items = items;
    if hits.is_empty() && op == Op::Remove {
        return Err(ScimError::no_target(format!(
            "no value of {key} matches the filter (RFC 7644 §3.5.2.2)"
        )));
    }
    match op {
        Op::Remove => match &sub_key {
            None => {
                let mut i = 0;
                items.retain(|_| {
                    i += 1;
                    !hits.contains(&(i - 1))
                });
            }
            Some(s) => {
                for &i in &hits {
                    if let Some(obj) = items[i].as_object_mut() {
                        obj.remove(s);
                    }
                }
            }
        },
        Op::Replace | Op::Add => {
            let value =
                value.ok_or_else(|| ScimError::invalid_value(format!("{key} needs a value")))?;
            let value = match sub_def {
                Some(d) => canonical_value(d, value)?,
                None => value,
            };
            if hits.is_empty() {
                if op == Op::Replace {
                    return Err(ScimError::no_target(format!(
                        "no value of {key} matches the filter (RFC 7644 §3.5.2.3)"
                    )));
                }
                // add: a new element carrying the filter's equality terms.
                let mut obj = Map::new();
                equality_terms(filter, &mut obj);
                merge(&mut obj, sub_key.as_deref(), value);
                items.push(Value::Object(obj));
            } else {
                for &i in &hits {
                    if let Some(obj) = items[i].as_object_mut() {
                        merge(obj, sub_key.as_deref(), value.clone());
                    }
                }
            }
        }
    }
    let items = match def {
        Some(d) => canonical_value(d, Value::Array(items))?,
        None => Value::Array(items),
    };
    if items.as_array().is_some_and(Vec::is_empty) {
        container.remove(key);
    } else {
        container.insert(key.to_string(), items);
    }
    Ok(())
}

fn merge(obj: &mut Map<String, Value>, sub: Option<&str>, value: Value) {
    match (sub, value) {
        (Some(s), v) => {
            obj.insert(s.to_string(), v);
        }
        (None, Value::Object(new)) => {
            for (k, v) in new {
                obj.insert(k, v);
            }
        }
        (None, v) => {
            obj.insert("value".into(), v);
        }
    }
}

fn equality_terms(filter: &ValFilter, obj: &mut Map<String, Value>) {
    match filter {
        ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, v)) => {
            let v = match v {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::True => Value::Bool(true),
                CompValue::False => Value::Bool(false),
                CompValue::Number(n) => Value::Number(n.clone()),
                CompValue::Null => return,
            };
            obj.insert(p.name.clone(), v);
        }
        ValFilter::And(items) => items.as_slice().iter().for_each(|f| equality_terms(f, obj)),
        _ => {}
    }
}
