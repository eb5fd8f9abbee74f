//! Passwords a request body carries, replaced before the body is recorded.

use super::exchange::REDACTED;

/// A password sent in a body (Okta's placeholder, or a user's) is never recorded: a
/// resource's, a PATCH operation's that sets it, or one in a bulk operation's data.
pub(super) fn redact_password(mut body: serde_json::Value) -> serde_json::Value {
    if let Some(obj) = body.as_object_mut() {
        for (key, value) in obj.iter_mut() {
            if key.eq_ignore_ascii_case("password") && !value.is_null() {
                *value = serde_json::Value::String(REDACTED.into());
            } else if key.eq_ignore_ascii_case("Operations") {
                for op in value.as_array_mut().into_iter().flatten() {
                    redact_operation(op);
                }
            }
        }
    }
    body
}

/// A PATCH operation (`path: password`, or a path-less value holding it) or a bulk
/// operation (its `data`).
fn redact_operation(op: &mut serde_json::Value) {
    let Some(op) = op.as_object_mut() else {
        return;
    };
    let sets_password = op.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("path")
            && v.as_str().is_some_and(|p| {
                let p = p.to_ascii_lowercase();
                p == "password" || p.ends_with(":password")
            })
    });
    for (key, value) in op.iter_mut() {
        if key.eq_ignore_ascii_case("value") && sets_password && !value.is_null() {
            *value = serde_json::Value::String(REDACTED.into());
        } else if key.eq_ignore_ascii_case("value") || key.eq_ignore_ascii_case("data") {
            *value = redact_password(value.take());
        }
    }
}

/// A raw body is recorded as sent, except the string after a `"password"` key (however
/// cased), which is never recorded: the text need not parse, so it is found by hand.
pub(super) fn redact_raw_password(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(at) = lower[from..].find("\"password\"").map(|i| from + i) {
        from = at + "\"password\"".len();
        let rest = &text[from..];
        let after_colon = rest.trim_start().strip_prefix(':').map(str::trim_start);
        let Some(value) = after_colon.filter(|v| v.starts_with('"')) else {
            continue;
        };
        let start = text.len() - value.len() + 1;
        // The closing quote, skipping escaped ones; an unterminated string runs to the end.
        let mut end = text.len();
        let mut escaped = false;
        for (i, c) in text[start..].char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = start + i;
                    break;
                }
                _ => escaped = false,
            }
        }
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
        from = end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_bodies_are_not_recorded() {
        let body = serde_json::json!({"userName": "a", "Password": "Pw-123", "nested": {"password": "kept: not a SCIM password"}});
        let out = redact_password(body);
        assert_eq!(out["Password"], REDACTED);
        assert_eq!(out["userName"], "a");
    }

    #[test]
    fn passwords_set_by_patch_or_bulk_operations_are_not_recorded() {
        let patch = serde_json::json!({"Operations": [
            {"op": "replace", "path": "password", "value": "Pw-1"},
            {"op": "replace", "value": {"password": "Pw-2", "displayName": "d"}},
            {"op": "replace", "path": "displayName", "value": "kept"},
        ]});
        let out = redact_password(patch);
        assert_eq!(out["Operations"][0]["value"], REDACTED);
        assert_eq!(out["Operations"][1]["value"]["password"], REDACTED);
        assert_eq!(out["Operations"][1]["value"]["displayName"], "d");
        assert_eq!(out["Operations"][2]["value"], "kept");
        let bulk = serde_json::json!({"Operations": [
            {"method": "POST", "path": "/Users", "data": {"userName": "u", "password": "Pw-3"}},
            {"method": "PATCH", "path": "/Users/1", "data": {"Operations": [{"op": "replace", "path": "password", "value": "Pw-4"}]}},
        ]});
        let out = redact_password(bulk).to_string();
        assert!(!out.contains("Pw-"), "{out}");
    }

    #[test]
    fn passwords_in_raw_bodies_are_not_recorded() {
        let cut = r#"{"userName": "a", "Password" : "Pw-\"123", "x": 1, "password": "cut-sh"#;
        assert_eq!(
            redact_raw_password(cut),
            r#"{"userName": "a", "Password" : "[redacted]", "x": 1, "password": "[redacted]"#
        );
        let plain = r#"{"userName": "a", "password": 7, "#;
        assert_eq!(redact_raw_password(plain), plain);
    }
}
