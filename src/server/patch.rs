//! PATCH (RFC 7644 §3.5.2), tolerant of what Okta and Entra send: op names in any case,
//! path-less values with dotted or URN keys, "False" strings, `Add` on single-valued
//! attributes, member removal by a value array, `members` replaced with `[]`.

use scim_v2::filter::{AttrExp, CompValue, CompareOp, PatchPath, ValFilter};
use serde_json::{Map, Value};

use super::error::ScimError;
use super::filter::{member, val_matches};
use super::members::{member_op, MemberEdits};
use super::resource::{canonical_value, primaries, single_primary_since};
use super::schema::{Attr, ResourceSchema};
use super::store::{Data, Kind};
use crate::scim::urn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Add,
    Remove,
    Replace,
}

/// What a PATCH edits: a copy of the body and an overlay of the members.
struct Target<'r, 'a> {
    body: &'r mut Map<String, Value>,
    members: &'r mut MemberEdits<'a>,
}

/// Applies a PatchOp body to a copy of a resource (the store commits it only on success).
pub fn apply(
    kind: Kind,
    body: &mut Map<String, Value>,
    members: &mut MemberEdits<'_>,
    data: &Data,
    patch: &Value,
) -> Result<(), ScimError> {
    let rec = &mut Target { body, members };
    let body = patch;
    let obj = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("the PATCH body must be a JSON object"))?;
    let schemas_ok = member(obj, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter().any(|u| {
                u.as_str()
                    .is_some_and(|u| u.eq_ignore_ascii_case(urn::PATCH_OP))
            })
        });
    if !schemas_ok {
        return Err(ScimError::invalid_syntax(format!(
            "schemas must contain {}",
            urn::PATCH_OP
        )));
    }
    let ops = member(obj, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::invalid_syntax("Operations must be an array"))?;
    // RFC 7644 §3.5.2 wants "one or more" operations: an empty list does not conform to the
    // PatchOp message schema, which is what invalidSyntax names (§3.12), like a missing list.
    if ops.is_empty() {
        return Err(ScimError::invalid_syntax(
            "Operations must hold at least one operation (RFC 7644 §3.5.2)",
        ));
    }
    for op in ops {
        let o = op
            .as_object()
            .ok_or_else(|| ScimError::invalid_syntax("each operation must be an object"))?;
        let name = member(o, "op").and_then(Value::as_str).unwrap_or_default();
        let op_kind = match name.to_ascii_lowercase().as_str() {
            "add" => Op::Add,
            "remove" => Op::Remove,
            "replace" => Op::Replace,
            _ => {
                return Err(ScimError::invalid_syntax(format!(
                    "unknown op `{name}` (add, remove or replace)"
                )))
            }
        };
        let value = member(o, "value").cloned();
        let before = primaries(rec.body);
        match member(o, "path")
            .and_then(Value::as_str)
            .filter(|p| !p.trim().is_empty())
        {
            Some(path) => apply_path(kind, rec, data, op_kind, path, value, true)?,
            None => apply_pathless(kind, rec, data, op_kind, value)?,
        }
        single_primary_since(rec.body, &before);
    }
    Ok(())
}

fn apply_pathless(
    kind: Kind,
    rec: &mut Target<'_, '_>,
    data: &Data,
    op: Op,
    value: Option<Value>,
) -> Result<(), ScimError> {
    if op == Op::Remove {
        return Err(ScimError::no_target(
            "remove needs a path (RFC 7644 §3.5.2.2)",
        ));
    }
    let Some(Value::Object(map)) = value else {
        return Err(ScimError::invalid_value(
            "an operation without path needs an object value",
        ));
    };
    for (key, v) in map {
        if let Some(ext) = kind.schema().extension_urn(&key) {
            if let Value::Object(inner) = v {
                for (k2, v2) in inner {
                    apply_path(kind, rec, data, op, &format!("{ext}:{k2}"), Some(v2), false)?;
                }
                continue;
            }
        }
        apply_path(kind, rec, data, op, &key, Some(v), false)?;
    }
    Ok(())
}

/// One attribute's edit; `explicit` when the operation named the path (not a path-less
/// value's key).
fn apply_path(
    kind: Kind,
    rec: &mut Target<'_, '_>,
    data: &Data,
    op: Op,
    path: &str,
    value: Option<Value>,
    explicit: bool,
) -> Result<(), ScimError> {
    if op == Op::Add && value.as_ref().is_some_and(Value::is_null) {
        return Err(ScimError::invalid_value(format!(
            "add needs a value for {path}; null means unassigned (RFC 7643 §2.5)"
        )));
    }
    let parsed: PatchPath = path
        .parse()
        .map_err(|e| ScimError::invalid_path(format!("invalid path `{path}`: {e}")))?;
    let schema = kind.schema();
    let (attr_path, filter, sub) = match parsed {
        PatchPath::Attr(a) => {
            let sub = a.sub_attr.clone();
            (a, None, sub)
        }
        PatchPath::Value(v) => (v.attr, Some(v.filter), v.sub_attr),
    };
    let core_uri = attr_path
        .uri
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(urn::USER) || u.eq_ignore_ascii_case(urn::GROUP));
    if kind == Kind::Group && core_uri && attr_path.name.eq_ignore_ascii_case("members") {
        return member_op(rec.members, data, op, filter.as_ref(), value);
    }
    let def = schema.find(attr_path.uri.as_deref(), &attr_path.name);
    if def.is_some_and(|d| d.read_only) {
        let current = member(rec.body, &attr_path.name);
        let same = match (&value, current) {
            (Some(v), Some(c)) => v == c,
            (Some(Value::Array(v)), None) => v.is_empty(),
            _ => false,
        };
        return if same || op == Op::Remove && current.is_none() {
            Ok(())
        } else {
            Err(ScimError::mutability(format!(
                "{} is read-only",
                attr_path.name
            )))
        };
    }
    let sub_def = sub.as_deref().and_then(|s| def?.sub_attr(s));
    if sub_def.is_some_and(|d| d.read_only) {
        // A path naming a read-only sub-attribute is refused; inside a path-less value it is
        // ignored, like a read-only sub-attribute inside any object value.
        return if explicit {
            Err(ScimError::mutability(format!(
                "{}.{} is read-only",
                attr_path.name,
                sub.as_deref().unwrap_or_default()
            )))
        } else {
            Ok(())
        };
    }
    let container = container(rec.body, schema, attr_path.uri.as_deref(), op)?;
    let Some(container) = container else {
        return Ok(());
    };
    let key = def.map_or(attr_path.name.clone(), |d| d.name.clone());
    // Keep the client's key casing out of the store: reuse an existing key if one matches.
    if let Some(existing) = container
        .keys()
        .find(|k| k.eq_ignore_ascii_case(&key) && **k != key)
        .cloned()
    {
        if let Some(v) = container.remove(&existing) {
            container.insert(key.clone(), v);
        }
    }
    match filter {
        Some(f) => value_path(container, &key, def, op, &f, sub.as_deref(), value),
        None => match sub {
            Some(sub) => sub_attr(container, &key, def, op, &sub, value),
            None => whole(container, &key, def, op, value),
        },
    }
}

/// The object that holds the attribute: the resource, or an extension object under its URN.
fn container<'a>(
    body: &'a mut Map<String, Value>,
    schema: &ResourceSchema,
    uri: Option<&str>,
    op: Op,
) -> Result<Option<&'a mut Map<String, Value>>, ScimError> {
    let Some(uri) =
        uri.filter(|u| !u.eq_ignore_ascii_case(urn::USER) && !u.eq_ignore_ascii_case(urn::GROUP))
    else {
        return Ok(Some(body));
    };
    let key = schema
        .extension_urn(uri)
        .map_or(uri.to_string(), str::to_string);
    if op == Op::Remove && !body.contains_key(&key) {
        return Ok(None);
    }
    let slot = body.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    Ok(slot.as_object_mut())
}

/// Null, "", {} and [] are what IdPs send to clear an attribute.
pub(super) fn is_empty(v: &Value) -> bool {
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

fn whole(
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
            let items = match container
                .entry(key.to_string())
                .or_insert_with(|| Value::Array(vec![]))
            {
                Value::Array(items) => items,
                other => {
                    *other = Value::Array(vec![]);
                    other.as_array_mut().expect("just set")
                }
            };
            for v in value.as_array().cloned().unwrap_or_default() {
                if !items.contains(&v) {
                    items.push(v);
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

fn sub_attr(
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
fn value_path(
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
