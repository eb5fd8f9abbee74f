//! Server ids in URL paths. An id is the server's data: it is percent-encoded as one path
//! segment, and one that could still climb out of its collection (`..`, a `/` that a server
//! decodes before routing) is never put in a URL at all.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::ResourceKind;

/// Everything but RFC 3986 unreserved characters is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `value` with everything but RFC 3986 unreserved characters percent-encoded: an id as one
/// path segment, or a query name or value (spaces as `%20`, as Okta sends them, not `+`).
pub fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Why `id` cannot be addressed safely, if it cannot: checked as sent and once decoded, since
/// some servers decode a path before they route it.
pub fn unaddressable(id: &str) -> Option<String> {
    let decoded = percent_decode_str(id).decode_utf8_lossy();
    for form in [id, decoded.as_ref()] {
        if form.is_empty() || form == "." || form == ".." {
            return Some(format!("the id `{id}` is not a usable path segment"));
        }
        if form.contains(['/', '\\']) || form.chars().any(char::is_control) {
            return Some(format!(
                "the id `{}` holds a `/`, `\\` or control character, which could address another resource",
                id.escape_debug()
            ));
        }
    }
    None
}

/// `/Users/{id}` with the id encoded, or why it cannot be built.
pub fn resource_path(kind: ResourceKind, id: &str) -> Result<String, String> {
    match unaddressable(id) {
        Some(why) => Err(why),
        None => Ok(format!("{}/{}", kind.endpoint(), encode_segment(id))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_climb_out_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "%2e%2e",
            "a/b",
            "..%2FGroups%2Fg",
            "a\\b",
            "x\ny",
        ] {
            assert!(unaddressable(bad).is_some(), "{bad:?}");
        }
        assert_eq!(
            resource_path(ResourceKind::User, "auth0|5f1c").unwrap(),
            "/Users/auth0%7C5f1c"
        );
        assert_eq!(
            resource_path(ResourceKind::Group, "7d25db0a-ca01").unwrap(),
            "/Groups/7d25db0a-ca01"
        );
    }
}
