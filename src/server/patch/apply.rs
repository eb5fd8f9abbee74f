//! A PatchOp's operations, each resolved to the attribute it edits: op names in any case,
//! paths or path-less values with dotted or URN keys, read-only checks.

use scim_v2::filter::PatchPath;
use serde_json::{Map, Value};

use super::edit::{sub_attr, value_path, whole};
use crate::scim::urn;
use crate::server::error::ScimError;
use crate::server::filter::{member, space_after_not};
use crate::server::members::{member_op, MemberEdits};
use crate::server::resource::{primaries, single_primary_since};
use crate::server::schema::ResourceSchema;
use crate::server::store::{Data, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
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
    let parsed: PatchPath = space_after_not(path)
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
