//! Incoming resource bodies made canonical: attribute names in schema casing (RFC 7643 §2.1,
//! names are case-insensitive), "True"/"False" strings as booleans (older Entra tenants),
//! nulls dropped (RFC 7643 §2.5: null means unassigned), read-only attributes ignored.

use serde_json::{Map, Value};
use std::collections::HashMap;

use super::error::ScimError;
use super::schema::{Attr, ResourceSchema, Scope};

/// A boolean from JSON or from the strings Entra sends ("True", "False").
pub fn coerce_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Canonicalises one attribute value against its definition; a value of the wrong type is
/// refused with invalidValue, "not compatible with the ... attribute type" (RFC 7644 §3.12).
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
    // (`"manager": [{"$ref": null, "value": "…"}]`); more than one is not a single value.
    let value = match value {
        Value::Array(mut items) if items.len() <= 1 => items.pop().unwrap_or(Value::Null),
        Value::Array(_) => {
            return Err(ScimError::invalid_value(format!(
                "{} is single-valued: it takes one value, not a list (RFC 7643 §2.4)",
                attr.name
            )))
        }
        other => other,
    };
    canonical_single(attr, value)
}

fn wrong_type(attr: &Attr, value: &Value) -> ScimError {
    let what = match attr.kind {
        "complex" => "an object",
        "boolean" => "a boolean",
        "integer" => "an integer",
        "decimal" => "a number",
        "binary" => "a base64 string",
        "dateTime" => "an xsd:dateTime string",
        "reference" => "a URI string",
        _ => "a string",
    };
    let mut sent = value.to_string();
    if sent.len() > 40 {
        sent = format!("{}…", sent.chars().take(40).collect::<String>());
    }
    ScimError::invalid_value(format!(
        "{} must be {what} (RFC 7643 §2.3), got {sent}",
        attr.name
    ))
}

fn base64(s: &str) -> bool {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    use base64::Engine;
    // RFC 7643 §2.3.6: base64, URL-safe allowed, trailing padding optional.
    let s = s.trim_end_matches('=');
    STANDARD_NO_PAD.decode(s).is_ok() || URL_SAFE_NO_PAD.decode(s).is_ok()
}

fn canonical_single(attr: &Attr, value: Value) -> Result<Value, ScimError> {
    let value = match (attr.kind, value) {
        (_, Value::Null) => return Ok(Value::Null),
        ("complex", Value::Object(map)) => {
            let obj = canonical_object(&attr.sub, map)?;
            return Ok(if obj.is_empty() {
                Value::Null
            } else {
                Value::Object(obj)
            });
        }
        (_, v) => v,
    };
    let ok = match (attr.kind, &value) {
        ("boolean", v) => {
            return coerce_bool(v)
                .map(Value::Bool)
                .ok_or_else(|| wrong_type(attr, v))
        }
        // A bare value for a complex attribute means its `value` sub-attribute.
        ("complex", v) if !v.is_array() && attr.sub_attr("value").is_some() => {
            let mut m = Map::new();
            m.insert("value".into(), value);
            return canonical_single(attr, Value::Object(m));
        }
        ("integer", v) => v.is_i64() || v.is_u64(),
        ("decimal", v) => v.is_number(),
        ("binary", Value::String(s)) => base64(s),
        ("dateTime", Value::String(s)) => {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
        }
        ("string" | "reference", v) => v.is_string(),
        _ => false,
    };
    if ok {
        Ok(value)
    } else {
        Err(wrong_type(attr, &value))
    }
}

/// Canonical names for known attributes. Read-only ones, at any depth (`manager.displayName`),
/// are ignored: RFC 7644 §3.3 and §3.5.2 ignore values a client may not set. An attribute no
/// schema defines is refused with invalidValue, "not compatible with the ... resource schema"
/// (RFC 7644 §3.12), rather than dropped: a client that thinks it set a value must learn it
/// did not (RFC 7643 §3: a resource holds only the attributes its schemas define).
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
            None => return Err(unknown_attribute(&key)),
        }
    }
    Ok(out)
}

pub fn unknown_attribute(key: &str) -> ScimError {
    let key: String = key.chars().take(100).collect();
    ScimError::invalid_value(format!(
        "`{key}` is not an attribute of this resource's schemas (RFC 7643 §3; see /Schemas)"
    ))
}

/// A whole resource body from POST or PUT: core attributes, extensions under their URN.
/// `schemas` is recomputed on output; a URN it lists that the server does not know is
/// tolerated (Entra adds its own to groups), and so is an object under an extension URN the
/// resource type does not support: RFC 7643 §6 lets the service provider choose its
/// extensions, so that schema's data is not kept, as if the extension were not sent.
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
        if key.eq_ignore_ascii_case("schemas") {
            out.insert("schemas".into(), value);
            continue;
        }
        match schema.split_urn(&key) {
            Some((Scope::Extension(ext), "")) => match value {
                Value::Object(inner) => {
                    let defs = schema.attrs(Scope::Extension(ext));
                    out.insert(
                        ext.to_string(),
                        Value::Object(canonical_object(defs, inner)?),
                    );
                }
                Value::Null => {}
                v => {
                    return Err(ScimError::invalid_value(format!(
                        "{ext} must be an object of its attributes, got {}",
                        v.to_string().chars().take(40).collect::<String>()
                    )))
                }
            },
            // Not a schema of this resource type: see above.
            None => {}
            Some((Scope::Core, rest)) if rest.len() == key.len() => {
                core.insert(key, value);
            }
            // `urn:…:User:title` or the core URN as keys: RFC 7643 §3 puts core attributes
            // at the top level and extension ones in their extension's object.
            Some(_) => return Err(unknown_attribute(&key)),
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
    fn unknown_attributes_are_refused_unsupported_extensions_dropped() {
        let user = ResourceSchema::user();
        for body in [
            json!({"userName": "a", "bogus": 1}),
            json!({"userName": "a", "name": {"bogusSub": "x"}}),
            json!({"userName": "a", "urn:ietf:params:scim:schemas:core:2.0:User:title": "x"}),
            json!({"userName": "a", "title": 3}),
            json!({"userName": "a", "title": ["x", "y"]}),
            json!({"userName": "a", "x509Certificates": [{"value": "%%"}]}),
        ] {
            let err = canonical_resource(user, body.clone()).unwrap_err();
            assert_eq!(err.scim_type, Some("invalidValue"), "{body}");
        }
        let body =
            json!({"userName": "a", "urn:example:custom:1.0:User": {"x": 1}, "nickName": null});
        let out = canonical_resource(user, body).unwrap();
        assert_eq!(Value::Object(out), json!({"userName": "a"}));
    }

    #[test]
    fn bad_boolean_is_invalid_value() {
        let err =
            canonical_resource(ResourceSchema::user(), json!({"active": "maybe"})).unwrap_err();
        assert_eq!(err.scim_type, Some("invalidValue"));
    }
}
