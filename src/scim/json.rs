//! JSON helpers for checks: case-insensitive pointer lookup (RFC 7643 §2.1: attribute names
//! are case-insensitive), subset matching and short value rendering for messages.

use serde_json::Value;

/// Resolves an RFC 6901 pointer; object keys match exactly first, then case-insensitively.
pub fn lookup<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut cur = root;
    for raw in rest.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        cur = match cur {
            Value::Object(map) => map.get(&token).or_else(|| {
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&token))
                    .map(|(_, v)| v)
            })?,
            Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Value equality with numbers compared numerically and, optionally, strings ignoring case.
pub fn equal(a: &Value, b: &Value, ignore_case: bool) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if ignore_case => x.to_lowercase() == y.to_lowercase(),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q, ignore_case))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w, ignore_case)))
        }
        _ => a == b,
    }
}

/// A number or boolean sent as a string with the same value ("3" for 3, "False" for false).
/// Asserts accept it so the type defect is reported once, by the schema or the list rules,
/// instead of by every assert that reads the value.
pub fn same_value_as_string(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::String(a), Value::Number(n)) => a.trim().parse::<f64>().ok() == n.as_f64(),
        (Value::String(a), Value::Bool(b)) => {
            a.trim()
                .eq_ignore_ascii_case(if *b { "true" } else { "false" })
        }
        _ => false,
    }
}

/// Whether `actual` has every member of `expected` (recursively for objects); other values
/// must be equal. Used for "the members list contains {value: id}".
pub fn matches_subset(actual: &Value, expected: &Value, ignore_case: bool) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().all(|(k, ev)| {
            let av = a.get(k).or_else(|| {
                a.iter()
                    .find(|(ak, _)| ak.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v)
            });
            av.is_some_and(|av| matches_subset(av, ev, ignore_case))
        }),
        _ => equal(actual, expected, ignore_case),
    }
}

/// `contains` semantics: an array holds a matching element; a string holds a substring.
pub fn contains(actual: &Value, expected: &Value, ignore_case: bool) -> bool {
    match (actual, expected) {
        (Value::Array(items), _) => items
            .iter()
            .any(|item| matches_subset(item, expected, ignore_case)),
        (Value::String(a), Value::String(e)) if ignore_case => {
            a.to_lowercase().contains(&e.to_lowercase())
        }
        (Value::String(a), Value::String(e)) => a.contains(e.as_str()),
        _ => false,
    }
}

/// A resource's `id` as text: a string, or a number (itself a schema finding, but still the
/// name the server gives the resource).
pub fn id_of(resource: &Value) -> Option<String> {
    match member(resource, "id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A value for a one-line message: compact JSON, cut to `max` characters.
pub fn short(value: &Value, max: usize) -> String {
    clip(&value.to_string(), max)
}

/// Cuts text to `max` characters on a char boundary, marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Looks up an object member by name, ignoring case (RFC 7643 §2.1).
pub fn member<'a>(obj: &'a Value, name: &str) -> Option<&'a Value> {
    obj.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// Whether a message's `schemas` list holds `urn` (written exactly, as RFC 7644 shows it).
pub fn schemas_hold(body: &Value, urn: &str) -> bool {
    member(body, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(urn)))
}

/// [`member`], for changing the value.
pub fn member_mut<'a>(obj: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    obj.as_object_mut()?
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A string member of an object by name, ignoring case; `None` when absent or not a string.
pub fn member_str<'a>(obj: &'a Value, name: &str) -> Option<&'a str> {
    member(obj, name).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_ignores_attribute_name_case() {
        let v = json!({"Name": {"FamilyName": "Ødegård"}, "emails": [{"value": "a"}]});
        assert_eq!(lookup(&v, "/name/familyName"), Some(&json!("Ødegård")));
        assert_eq!(lookup(&v, "/emails/0/value"), Some(&json!("a")));
        assert_eq!(lookup(&v, "/emails/1/value"), None);
        assert_eq!(lookup(&v, ""), Some(&v));
        assert_eq!(lookup(&v, "nope"), None);
    }

    #[test]
    fn lookup_unescapes_tokens() {
        let v = json!({"a/b": {"m~n": 1}});
        assert_eq!(lookup(&v, "/a~1b/m~0n"), Some(&json!(1)));
    }

    #[test]
    fn numbers_compare_numerically() {
        assert!(equal(&json!(1), &json!(1.0), false));
        assert!(!equal(&json!(1), &json!("1"), false));
    }

    #[test]
    fn contains_matches_object_subsets() {
        let members = json!([{"value": "u1", "display": "x"}, {"value": "u2"}]);
        assert!(contains(&members, &json!({"value": "u2"}), false));
        assert!(!contains(&members, &json!({"value": "u3"}), false));
        assert!(contains(&json!("Hello"), &json!("ell"), false));
        assert!(contains(&json!(["A"]), &json!("a"), true));
    }

    #[test]
    fn clip_respects_char_boundaries() {
        assert_eq!(clip("ÅÅÅÅ", 2), "ÅÅ…");
        assert_eq!(clip("ab", 2), "ab");
    }
}
