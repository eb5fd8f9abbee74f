//! PATCH (RFC 7644 §3.5.2) in the shapes Okta and Entra send: op names in any case, no path
//! with an object value (dotted keys and the enterprise URN included), `members`,
//! `members[value eq "…"]`, `name.givenName`, the enterprise extension's attributes, and
//! Entra's removal of members by value.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::store::{coerce_bool, members_of, ENTERPRISE_URN, GROUP_URN, USER_URN};

const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const READ_ONLY: [&str; 4] = ["id", "meta", "groups", "schemas"];

/// The operations of a PatchOp body.
pub fn operations(body: &Value) -> Result<Vec<Value>, ScimError> {
    let is_patch_op = body["schemas"]
        .as_array()
        .is_some_and(|s| s.iter().any(|u| u == PATCH_OP_URN));
    match body.get("Operations").and_then(Value::as_array) {
        Some(ops) if is_patch_op => Ok(ops.clone()),
        _ => Err(ScimError::new(
            400,
            Some("invalidSyntax"),
            "a PatchOp body with Operations is required",
        )),
    }
}

/// Whether the operations change a group's members.
pub fn touches_members(ops: &[Value]) -> bool {
    ops.iter().any(|op| member_values(op).is_some())
}

/// How many member values the operations carry, for a server that limits them.
pub fn member_value_count(ops: &[Value]) -> usize {
    ops.iter().filter_map(member_values).sum()
}

fn member_values(op: &Value) -> Option<usize> {
    let count = |v: &Value| match v {
        Value::Array(items) => items.len(),
        Value::Null => 0,
        _ => 1,
    };
    match op.get("path").and_then(Value::as_str) {
        Some(p) if p.to_ascii_lowercase().starts_with("members") => {
            Some(op.get("value").map(count).unwrap_or(0))
        }
        Some(_) => None,
        None => op["value"]
            .as_object()
            .and_then(|v| v.iter().find(|(k, _)| k.eq_ignore_ascii_case("members")))
            .map(|(_, v)| count(v)),
    }
}

/// Applies every operation to `body`, in order; the caller stores the result only when all
/// of them succeed.
pub fn apply(body: &mut Map<String, Value>, ops: &[Value]) -> Result<(), ScimError> {
    for op in ops {
        let name = op["op"].as_str().unwrap_or_default().to_ascii_lowercase();
        if !["add", "replace", "remove"].contains(&name.as_str()) {
            return Err(ScimError::new(
                400,
                Some("invalidSyntax"),
                "op must be add, replace or remove",
            ));
        }
        let value = op.get("value").cloned().unwrap_or(Value::Null);
        match op.get("path").and_then(Value::as_str) {
            Some(path) => at_path(body, &name, path, value)?,
            None if name == "remove" => {
                return Err(ScimError::new(400, Some("noTarget"), "remove needs a path"))
            }
            None => {
                let Value::Object(fields) = value else {
                    return Err(ScimError::invalid_value(
                        "an op without path needs an object value",
                    ));
                };
                for (key, v) in fields {
                    if READ_ONLY.iter().any(|r| key.eq_ignore_ascii_case(r)) {
                        continue;
                    }
                    match v {
                        Value::Object(ext) if key.eq_ignore_ascii_case(ENTERPRISE_URN) => {
                            for (sub, sv) in ext {
                                at_path(body, &name, &format!("{ENTERPRISE_URN}:{sub}"), sv)?;
                            }
                        }
                        v => at_path(body, &name, &key, v)?,
                    }
                }
            }
        }
    }
    Ok(())
}

/// A parsed path: the extension it lives in, the attribute, a value filter, a sub-attribute.
struct Path {
    ext: Option<&'static str>,
    name: String,
    filter: Option<(String, String)>,
    sub: Option<String>,
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
        .and_then(|rest| rest.strip_prefix(':'))
}

fn parse_path(path: &str) -> Result<Path, ScimError> {
    let (ext, rest) = if let Some(rest) = strip_prefix_ci(path, ENTERPRISE_URN) {
        (Some(ENTERPRISE_URN), rest)
    } else if let Some(rest) =
        strip_prefix_ci(path, USER_URN).or_else(|| strip_prefix_ci(path, GROUP_URN))
    {
        (None, rest)
    } else {
        (None, path)
    };
    if let Some((name, tail)) = rest.split_once('[') {
        let (inner, after) = tail
            .split_once(']')
            .ok_or_else(|| ScimError::invalid_path(format!("unclosed filter in {path}")))?;
        let mut words = inner.splitn(3, ' ');
        let (field, op, value) = (words.next(), words.next(), words.next());
        let (Some(field), Some(op), Some(value)) = (field, op, value) else {
            return Err(ScimError::invalid_path(format!(
                "unsupported filter in {path}"
            )));
        };
        if !op.eq_ignore_ascii_case("eq") {
            return Err(ScimError::invalid_path(format!(
                "only eq filters in {path}"
            )));
        }
        let sub = after.strip_prefix('.').map(str::to_string);
        return Ok(Path {
            ext,
            name: name.to_string(),
            filter: Some((field.to_string(), value.trim_matches('"').to_string())),
            sub,
        });
    }
    let (name, sub) = match rest.split_once('.') {
        Some((n, s)) => (n.to_string(), Some(s.to_string())),
        None => (rest.to_string(), None),
    };
    Ok(Path {
        ext,
        name,
        filter: None,
        sub,
    })
}

/// The existing key matching `name` ignoring case (attribute names are case-insensitive,
/// RFC 7643 §2.1), or `name`.
fn key(map: &Map<String, Value>, name: &str) -> String {
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_string())
}

fn at_path(
    body: &mut Map<String, Value>,
    op: &str,
    path: &str,
    mut value: Value,
) -> Result<(), ScimError> {
    let p = parse_path(path)?;
    if p.ext.is_none() && READ_ONLY.iter().any(|r| p.name.eq_ignore_ascii_case(r)) {
        return Err(ScimError::new(
            400,
            Some("mutability"),
            format!("{} is read-only", p.name),
        ));
    }
    if p.name.eq_ignore_ascii_case("active") {
        coerce_bool(&mut value);
    }
    if p.name.eq_ignore_ascii_case("manager") {
        // Entra sends the single-valued manager as a list of one `{"$ref": null, "value"}`.
        if let Value::Array(items) = value {
            value = items.into_iter().next().unwrap_or(Value::Null);
        }
        if let Value::String(id) = value {
            value = serde_json::json!({ "value": id });
        }
        if let Value::Object(m) = &mut value {
            m.retain(|_, v| !v.is_null());
        }
    }
    let container = match p.ext {
        Some(urn) => extension(body, urn),
        None => body,
    };
    let name = key(container, &p.name);
    let is_members = p.ext.is_none() && name.eq_ignore_ascii_case("members");
    if let Some((field, wanted)) = p.filter {
        return filtered(
            container,
            op,
            &name,
            (&field, &wanted),
            p.sub.as_deref(),
            value,
        );
    }
    if let Some(sub) = p.sub {
        let entry = container
            .entry(name)
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(complex) = entry else {
            return Err(ScimError::invalid_path(format!("{path} is not complex")));
        };
        let sub = key(complex, &sub);
        if op == "remove" || value.is_null() {
            complex.remove(&sub);
        } else {
            complex.insert(sub, value);
        }
        return Ok(());
    }
    match (op, container.get_mut(&name)) {
        ("remove", Some(Value::Array(items))) if is_members && value.is_array() => {
            // Entra removes members by value: only those go.
            let gone = members_of(&value)?;
            items.retain(|m| !gone.iter().any(|g| g["value"] == m["value"]));
        }
        ("remove", _) if is_members => {
            container.insert(name, Value::Array(Vec::new()));
        }
        ("remove", _) => {
            container.remove(&name);
        }
        (_, _) if value.is_null() => {
            if op == "replace" {
                container.remove(&name);
            }
        }
        ("add", Some(Value::Array(items))) => {
            let new = if is_members {
                members_of(&value)?
            } else {
                as_list(value)
            };
            for v in new {
                if !items
                    .iter()
                    .any(|i| (is_members && i["value"] == v["value"]) || *i == v)
                {
                    items.push(v);
                }
            }
        }
        (_, Some(Value::Object(complex))) if value.is_object() => {
            // A complex attribute: the given sub-attributes replace theirs, the rest stay.
            if let Value::Object(given) = value {
                complex.extend(given);
            }
        }
        _ => {
            let v = if is_members {
                Value::Array(members_of(&value)?)
            } else {
                value
            };
            container.insert(name, v);
        }
    }
    Ok(())
}

fn as_list(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        one => vec![one],
    }
}

/// The extension's object in `body`, created (and named in `schemas`) when absent.
fn extension<'a>(body: &'a mut Map<String, Value>, urn: &str) -> &'a mut Map<String, Value> {
    if let Some(Value::Array(schemas)) = body.get_mut("schemas") {
        if !schemas.iter().any(|s| s == urn) {
            schemas.push(Value::String(urn.to_string()));
        }
    }
    let k = key(body, urn);
    let entry = body.entry(k).or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry.as_object_mut().expect("made an object above")
}

/// `attr[field eq "v"]` and `attr[field eq "v"].sub`.
fn filtered(
    container: &mut Map<String, Value>,
    op: &str,
    name: &str,
    (field, wanted): (&str, &str),
    sub: Option<&str>,
    value: Value,
) -> Result<(), ScimError> {
    let matches = |item: &Value| {
        item.as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(field)))
            .and_then(|(_, v)| v.as_str())
            .is_some_and(|v| v.eq_ignore_ascii_case(wanted))
    };
    let entry = container
        .entry(name.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(items) = entry else {
        return Err(ScimError::invalid_path(format!(
            "{name} is not multi-valued"
        )));
    };
    match (op, sub) {
        ("remove", None) => items.retain(|i| !matches(i)),
        ("remove", Some(sub)) => {
            for item in items.iter_mut().filter(|i| matches(i)) {
                if let Some(o) = item.as_object_mut() {
                    let k = key(o, sub);
                    o.remove(&k);
                }
            }
        }
        (_, Some(sub)) => {
            let mut found = false;
            for item in items.iter_mut().filter(|i| matches(i)) {
                found = true;
                item[sub] = value.clone();
            }
            if !found {
                let mut new = Map::new();
                new.insert(field.to_string(), Value::String(wanted.to_string()));
                new.insert(sub.to_string(), value);
                items.push(Value::Object(new));
            }
        }
        (_, None) => {
            let Value::Object(given) = value else {
                return Err(ScimError::invalid_value(
                    "a filtered path takes an object value",
                ));
            };
            for item in items.iter_mut().filter(|i| matches(i)) {
                if let Some(o) = item.as_object_mut() {
                    o.extend(given.clone());
                }
            }
        }
    }
    Ok(())
}
