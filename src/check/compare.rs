//! Runscope's comparisons, with Runscope's semantics: `equal` compares text (so `"0"`
//! equals the JSON number 0), `equal_number` and the orderings compare numbers, `empty`
//! holds for a missing value, `null`, `""`, `[]` and `{}`.

use serde_json::Value;

use crate::scenario::Comparison;

/// The text Runscope compares: a string as is, anything else as JSON.
pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if !s.trim().is_empty() => s.trim().parse().ok(),
        _ => None,
    }
}

fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

fn contains(v: &Value, operand: &str) -> bool {
    match v {
        Value::Array(items) => items.iter().any(|i| text(i) == operand),
        other => text(other).contains(operand),
    }
}

/// Whether `actual` (absent: `None`) satisfies `comparison` with `operand`.
pub(super) fn compare(comparison: Comparison, actual: Option<&Value>, operand: &str) -> bool {
    let numbers = || Some((number(actual?)?, number(&Value::String(operand.into()))?));
    match comparison {
        Comparison::Equal => actual.is_some_and(|v| text(v) == operand),
        Comparison::NotEqual => actual.is_none_or(|v| text(v) != operand),
        Comparison::Empty => is_empty(actual),
        Comparison::NotEmpty => !is_empty(actual),
        Comparison::Contains => actual.is_some_and(|v| contains(v, operand)),
        Comparison::DoesNotContain => actual.is_none_or(|v| !contains(v, operand)),
        Comparison::HasKey => {
            matches!(actual, Some(Value::Object(map)) if map.contains_key(operand))
        }
        Comparison::HasValue => match actual {
            Some(Value::Array(items)) => items.iter().any(|i| text(i) == operand),
            Some(Value::Object(map)) => map.values().any(|i| text(i) == operand),
            Some(other) => text(other) == operand,
            None => false,
        },
        Comparison::IsANumber => actual.and_then(number).is_some(),
        Comparison::EqualNumber => numbers().is_some_and(|(a, b)| a == b),
        Comparison::IsLessThan => numbers().is_some_and(|(a, b)| a < b),
        Comparison::IsLessThanOrEqual => numbers().is_some_and(|(a, b)| a <= b),
        Comparison::IsGreaterThan => numbers().is_some_and(|(a, b)| a > b),
        Comparison::IsGreaterThanOrEqual => numbers().is_some_and(|(a, b)| a >= b),
    }
}

/// A JSON pointer written back as Runscope's property path: `/Resources/0/id` →
/// `Resources[0].id`.
pub(super) fn property_of(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the body".into();
    }
    let mut out = String::new();
    for token in pointer.trim_start_matches('/').split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        let plain = token
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else if plain {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        } else {
            out.push_str(&format!("['{token}']"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(c: Comparison, actual: Option<Value>, operand: &str) -> bool {
        compare(c, actual.as_ref(), operand)
    }

    #[test]
    fn equal_compares_text_and_equal_number_compares_numbers() {
        use Comparison::*;
        assert!(check(Equal, Some(json!(0)), "0"));
        assert!(check(Equal, Some(json!("0")), "0"));
        assert!(check(Equal, Some(json!(true)), "true"));
        assert!(!check(Equal, Some(json!(1.0)), "1"), "text of 1.0 is 1.0");
        assert!(!check(Equal, None, ""));
        assert!(check(EqualNumber, Some(json!(1.0)), "1"));
        assert!(check(EqualNumber, Some(json!("201")), "201.0"));
        assert!(!check(EqualNumber, Some(json!("x")), "1"));
        assert!(check(NotEqual, Some(json!(404)), "200"));
        assert!(check(NotEqual, None, "200"));
        assert!(!check(NotEqual, Some(json!("a")), "a"));
    }

    #[test]
    fn emptiness_keys_values_and_containment() {
        use Comparison::*;
        for empty in [
            None,
            Some(json!(null)),
            Some(json!("")),
            Some(json!([])),
            Some(json!({})),
        ] {
            assert!(check(Empty, empty.clone(), ""), "{empty:?}");
            assert!(!check(NotEmpty, empty, ""));
        }
        assert!(check(NotEmpty, Some(json!(0)), ""));
        assert!(check(Contains, Some(json!("Runscope123")), "scope"));
        assert!(check(Contains, Some(json!(["a", "b"])), "b"));
        assert!(!check(Contains, Some(json!(["abc"])), "b"));
        assert!(!check(Contains, None, "b"));
        assert!(check(DoesNotContain, None, "b"));
        assert!(check(DoesNotContain, Some(json!("abc")), "x"));
        assert!(check(HasKey, Some(json!({"id": 1})), "id"));
        assert!(!check(HasKey, Some(json!(["id"])), "id"));
        assert!(check(HasValue, Some(json!(["urn:x", "urn:y"])), "urn:y"));
        assert!(check(HasValue, Some(json!({"a": 404})), "404"));
        assert!(!check(HasValue, Some(json!([])), "x"));
    }

    #[test]
    fn numbers_and_orderings() {
        use Comparison::*;
        assert!(check(IsANumber, Some(json!(3)), ""));
        assert!(check(IsANumber, Some(json!("3.5")), ""));
        assert!(!check(IsANumber, Some(json!("three")), ""));
        assert!(!check(IsANumber, None, ""));
        assert!(check(IsLessThan, Some(json!(120)), "2000"));
        assert!(!check(IsLessThan, Some(json!(2000)), "2000"));
        assert!(check(IsLessThanOrEqual, Some(json!(2000)), "2000"));
        assert!(check(IsGreaterThan, Some(json!("2")), "1"));
        assert!(check(IsGreaterThanOrEqual, Some(json!(1)), "1"));
        assert!(!check(IsGreaterThan, Some(json!("x")), "1"));
        assert!(!check(IsGreaterThan, Some(json!(2)), "y"));
    }

    #[test]
    fn pointers_read_back_as_property_paths() {
        assert_eq!(
            property_of("/Resources/0/name/givenName"),
            "Resources[0].name.givenName"
        );
        assert_eq!(property_of("/schemas/1"), "schemas[1]");
        assert_eq!(property_of("/a~1b/c"), "['a/b'].c");
        assert_eq!(property_of(""), "the body");
    }
}
