//! Incoming resource bodies made canonical: attribute names in schema casing (RFC 7643 §2.1,
//! names are case-insensitive), "True"/"False" strings as booleans (older Entra tenants),
//! nulls dropped (RFC 7643 §2.5: null means unassigned), read-only attributes ignored.

use serde_json::{Map, Value};
use std::collections::HashMap;

use super::error::ScimError;
use super::schema::{Attr, ResourceSchema};

/// A boolean from JSON or from the strings Entra sends ("True", "False").
pub fn coerce_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Canonicalises one attribute value against its definition.
pub fn canonical_value(attr: &Attr, value: Value) -> Result<Value, ScimError> {
    if attr.multi {
        let items = match value {
            Value::Array(items) => items,
            Value::Null => return Ok(Value::Null),
            single => vec![single],
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let item = canonical_single(attr, item)?;
            if !item.is_null() {
                out.push(item);
            }
        }
        return Ok(Value::Array(out));
    }
    // Entra sends single-valued complex attributes as one-element lists
    // (`"manager": [{"$ref": null, "value": "…"}]`).
    let value = match value {
        Value::Array(mut items) if items.len() <= 1 => items.pop().unwrap_or(Value::Null),
        other => other,
    };
    canonical_single(attr, value)
}

fn canonical_single(attr: &Attr, value: Value) -> Result<Value, ScimError> {
    match attr.kind {
        "boolean" => match value {
            Value::Null => Ok(Value::Null),
            v => coerce_bool(&v).map(Value::Bool).ok_or_else(|| {
                ScimError::invalid_value(format!("{} must be a boolean", attr.name))
            }),
        },
        "complex" => match value {
            Value::Object(map) => {
                let obj = canonical_object(&attr.sub, map)?;
                Ok(if obj.is_empty() {
                    Value::Null
                } else {
                    Value::Object(obj)
                })
            }
            Value::Null => Ok(Value::Null),
            // A bare value for a complex attribute means its `value` sub-attribute.
            other if attr.sub_attr("value").is_some() => {
                let mut m = Map::new();
                m.insert("value".into(), other);
                Ok(Value::Object(m))
            }
            _ => Err(ScimError::invalid_value(format!(
                "{} must be an object",
                attr.name
            ))),
        },
        _ => Ok(value),
    }
}

/// Canonical names for known attributes; unknown ones are kept as sent. Read-only ones, at
/// any depth (`manager.displayName`), are ignored: RFC 7644 §3.3 and §3.5.2 ignore values
/// a client may not set.
pub fn canonical_object(
    defs: &[Attr],
    map: Map<String, Value>,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map {
        if value.is_null() {
            continue;
        }
        match defs.iter().find(|a| a.name.eq_ignore_ascii_case(&key)) {
            Some(attr) if attr.read_only => {}
            Some(attr) => {
                let v = canonical_value(attr, value)?;
                if !v.is_null() {
                    out.insert(attr.name.clone(), v);
                }
            }
            None => {
                out.insert(key, value);
            }
        }
    }
    Ok(out)
}

/// A whole resource body from POST or PUT: core attributes, extensions under their URN.
pub fn canonical_resource(
    schema: &ResourceSchema,
    body: Value,
) -> Result<Map<String, Value>, ScimError> {
    let Value::Object(map) = body else {
        return Err(ScimError::invalid_syntax(
            "the request body must be a JSON object",
        ));
    };
    let mut core = Map::new();
    let mut out = Map::new();
    for (key, value) in map {
        if let Some(ext) = schema.extension_urn(&key) {
            if let Value::Object(inner) = value {
                let defs = &schema
                    .extensions
                    .iter()
                    .find(|(u, _)| *u == ext)
                    .map(|(_, d)| d.as_slice())
                    .unwrap_or_default();
                out.insert(
                    ext.to_string(),
                    Value::Object(canonical_object(defs, inner)?),
                );
            }
        } else if key.eq_ignore_ascii_case("schemas") {
            out.insert("schemas".into(), value);
        } else {
            core.insert(key, value);
        }
    }
    for (k, v) in canonical_object(&schema.core, core)? {
        out.insert(k, v);
    }
    Ok(out)
}

/// The elements marked primary, per multi-valued attribute, without the flag.
pub type Primaries = HashMap<String, Vec<Value>>;

fn is_primary(item: &Value) -> bool {
    item.get("primary") == Some(&Value::Bool(true))
}

fn without_primary(item: &Value) -> Value {
    let mut item = item.clone();
    if let Some(obj) = item.as_object_mut() {
        obj.remove("primary");
    }
    item
}

/// What an operation's result is compared with to find the values it made primary.
pub fn primaries(map: &Map<String, Value>) -> Primaries {
    map.iter()
        .filter_map(|(k, v)| {
            let items: Vec<Value> = v
                .as_array()?
                .iter()
                .filter(|i| is_primary(i))
                .map(without_primary)
                .collect();
            (!items.is_empty()).then(|| (k.clone(), items))
        })
        .collect()
}

/// RFC 7643 §2.4: at most one `primary: true`. RFC 7644 §3.5.2: a value set primary makes
/// the others non-primary, so one that was not primary in `before` wins (the last such);
/// failing that, the last one.
pub fn single_primary_since(map: &mut Map<String, Value>, before: &Primaries) {
    for (key, value) in map.iter_mut() {
        let Value::Array(items) = value else {
            continue;
        };
        let old = before.get(key);
        let was_primary = |i: &Value| old.is_some_and(|o| o.contains(&without_primary(i)));
        let winner = items
            .iter()
            .rposition(|i| is_primary(i) && !was_primary(i))
            .or_else(|| items.iter().rposition(is_primary));
        if let Some(winner) = winner {
            for (i, item) in items.iter_mut().enumerate() {
                if i != winner {
                    if let Some(obj) = item.as_object_mut() {
                        obj.remove("primary");
                    }
                }
            }
        }
    }
}

/// At most one `primary: true` in a body as sent: the last one wins.
pub fn single_primary(map: &mut Map<String, Value>) {
    single_primary_since(map, &Primaries::new());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_booleans_are_canonical() {
        let body = json!({"UserName": "a", "Active": "False", "emails": [{"Value": "x", "Primary": "True"}], "nickName": null, "id": "mine", "groups": [{"value": "g"}]});
        let out = canonical_resource(ResourceSchema::user(), body).unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"userName": "a", "active": false, "emails": [{"value": "x", "primary": true}]})
        );
    }

    #[test]
    fn extension_keys_are_canonical() {
        let body = json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"EmployeeNumber": "7"}});
        let out = canonical_resource(ResourceSchema::user(), body).unwrap();
        assert_eq!(
            out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            json!({"employeeNumber": "7"})
        );
    }

    #[test]
    fn the_value_made_primary_wins_over_the_old_one() {
        let mut m =
            json!({"emails": [{"value": "h", "primary": true}, {"value": "w", "primary": true}]});
        let before = json!({"emails": [{"value": "h"}, {"value": "w", "primary": true}]});
        let before = primaries(before.as_object().unwrap());
        single_primary_since(m.as_object_mut().unwrap(), &before);
        assert_eq!(
            m,
            json!({"emails": [{"value": "h", "primary": true}, {"value": "w"}]})
        );
        let mut m =
            json!({"emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]});
        single_primary(m.as_object_mut().unwrap());
        assert_eq!(
            m,
            json!({"emails": [{"value": "a"}, {"value": "b", "primary": true}]})
        );
    }

    #[test]
    fn bad_boolean_is_invalid_value() {
        let err =
            canonical_resource(ResourceSchema::user(), json!({"active": "maybe"})).unwrap_err();
        assert_eq!(err.scim_type, Some("invalidValue"));
    }
}
