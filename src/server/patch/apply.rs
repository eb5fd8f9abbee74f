//! A PatchOp's operations, each resolved to the attribute it edits: op names in any case,
//! paths or path-less values with dotted or URN keys, read-only checks.

use scim_v2::filter::{AttrExp, PatchPath, ValFilter};
use serde_json::{Map, Value};

use super::edit::{is_empty, sub_attr, value_path, whole};
use crate::scim::urn;
use crate::server::error::ScimError;
use crate::server::filter::{member, space_after_not};
use crate::server::members::{member_op, MemberEdits};
use crate::server::resource::{primaries, single_primary_since};
use crate::server::schema::{Attr, Scope};
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
        // RFC 7643 §3: `schemas` is the server's to compute from the attributes present.
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        apply_path(kind, rec, data, op, &key, Some(v), false)?;
    }
    Ok(())
}

/// What a path names that no schema defines: invalidPath when the operation's `path` says it
/// (RFC 7644 §3.12), invalidValue for a key of a path-less value (it is the value that does
/// not fit the resource schema, §3.5.2: "SHALL return" an error, never store it).
fn unknown(path: &str, explicit: bool) -> ScimError {
    let path: String = path.chars().take(100).collect();
    let detail = format!(
        "`{path}` is not an attribute of this resource's schemas (RFC 7644 §3.5.2; see /Schemas)"
    );
    if explicit {
        ScimError::invalid_path(detail)
    } else {
        ScimError::invalid_value(detail)
    }
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
    let schema = kind.schema();
    // RFC 7644 §3.10: the schema URN prefix is the longest known one, not the text before
    // the last colon (`…:enterprise:2.0:User` is a schema, not attribute `User` of `…:2.0`).
    let (scope, rest) = schema
        .split_urn(path.trim())
        .ok_or_else(|| unknown(path, explicit))?;
    if rest.is_empty() {
        return match scope {
            Scope::Extension(ext) => whole_extension(kind, rec, data, op, ext, value),
            Scope::Core => Err(unknown(path, explicit)),
        };
    }
    let parsed: PatchPath = space_after_not(rest)
        .parse()
        .map_err(|e| ScimError::invalid_path(format!("invalid path `{path}`: {e}")))?;
    let (attr_path, filter, sub) = match parsed {
        PatchPath::Attr(a) => {
            let sub = a.sub_attr.clone();
            (a, None, sub)
        }
        PatchPath::Value(v) => (v.attr, Some(v.filter), v.sub_attr),
    };
    if attr_path.uri.is_some() {
        return Err(unknown(path, explicit));
    }
    let Some(def) = schema
        .attrs(scope)
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(&attr_path.name))
    else {
        return Err(unknown(path, explicit));
    };
    let sub_def = match sub.as_deref() {
        Some(s) => Some(def.sub_attr(s).ok_or_else(|| unknown(path, explicit))?),
        None => None,
    };
    if let Some(f) = &filter {
        // RFC 7644 §3.5.2: a value filter selects elements of a multi-valued attribute, by
        // their sub-attributes.
        if !def.multi || def.kind != "complex" || !filter_names_known(f, def) {
            return Err(ScimError::invalid_path(format!(
                "`{path}`: a filter selects values of a multi-valued complex attribute by its sub-attributes"
            )));
        }
    }
    if kind == Kind::Group && scope == Scope::Core && def.name == "members" {
        return member_op(rec.members, data, op, filter.as_ref(), sub_def, value);
    }
    if def.read_only {
        let current = member(rec.body, &def.name);
        let same = match (&value, current) {
            (Some(v), Some(c)) => v == c,
            (Some(Value::Array(v)), None) => v.is_empty(),
            _ => false,
        };
        return if same || op == Op::Remove && current.is_none() {
            Ok(())
        } else {
            Err(ScimError::mutability(format!("{} is read-only", def.name)))
        };
    }
    if sub_def.is_some_and(|d| d.read_only) {
        // A path naming a read-only sub-attribute is refused; inside a path-less value it is
        // ignored, like a read-only sub-attribute inside any object value.
        return if explicit {
            Err(ScimError::mutability(format!(
                "{}.{} is read-only",
                def.name,
                sub.as_deref().unwrap_or_default()
            )))
        } else {
            Ok(())
        };
    }
    let Some(container) = container(rec.body, scope, op) else {
        return Ok(());
    };
    let key = def.name.clone();
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
    let def = Some(def);
    match filter {
        Some(f) => value_path(container, &key, def, op, &f, sub.as_deref(), value),
        None => match sub {
            Some(sub) => sub_attr(container, &key, def, op, &sub, value),
            None => whole(container, &key, def, op, value),
        },
    }
}

/// Whether every attribute a value filter compares is a sub-attribute of `parent`.
fn filter_names_known(filter: &ValFilter, parent: &Attr) -> bool {
    match filter {
        ValFilter::Attr(AttrExp::Present(p) | AttrExp::Comparison(p, _, _)) => {
            p.uri.is_none() && p.sub_attr.is_none() && parent.sub_attr(&p.name).is_some()
        }
        ValFilter::Not(inner) => filter_names_known(inner, parent),
        ValFilter::And(items) | ValFilter::Or(items) => items
            .as_slice()
            .iter()
            .all(|f| filter_names_known(f, parent)),
    }
}

/// A path that is an extension's URN alone (RFC 7644 §3.10): remove drops the extension's
/// attributes; add and replace set each attribute of the value, as a path-less value would.
fn whole_extension(
    kind: Kind,
    rec: &mut Target<'_, '_>,
    data: &Data,
    op: Op,
    ext: &'static str,
    value: Option<Value>,
) -> Result<(), ScimError> {
    match (op, value) {
        (Op::Remove, _) => {
            rec.body.remove(ext);
            Ok(())
        }
        (_, Some(Value::Object(map))) => {
            for (k, v) in map {
                if k.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                apply_path(kind, rec, data, op, &format!("{ext}:{k}"), Some(v), false)?;
            }
            Ok(())
        }
        (Op::Replace, Some(v)) if is_empty(&v) => {
            rec.body.remove(ext);
            Ok(())
        }
        _ => Err(ScimError::invalid_value(format!(
            "{ext} takes an object of its attributes"
        ))),
    }
}

/// The object that holds the attribute: the resource, or an extension object under its URN.
fn container(
    body: &mut Map<String, Value>,
    scope: Scope,
    op: Op,
) -> Option<&mut Map<String, Value>> {
    let Scope::Extension(key) = scope else {
        return Some(body);
    };
    if op == Op::Remove && !body.contains_key(key) {
        return None;
    }
    let slot = body
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}
