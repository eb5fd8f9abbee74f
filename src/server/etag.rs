//! Entity tags (RFC 7232) for the store's versions, and the preconditions on them
//! (RFC 7644 §3.14). The store checks an `If-Match` under the same lock as the write it guards.

use super::error::ScimError;

/// The ETag of a stored version; weak, as the representation varies with projection.
pub fn etag(version: u64) -> String {
    format!("W/\"{version}\"")
}

/// The entity tags of an `If-Match` / `If-None-Match` value; commas inside quotes are kept.
fn tags(header: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in header.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(header[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(header[start..].trim());
    out.retain(|t| !t.is_empty());
    out
}

/// The opaque part: `W/"7"` and `"7"` are both `"7"`.
fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// RFC 7232 §3.2: `If-None-Match` uses the weak comparison, so `"7"` matches `W/"7"`.
pub fn none_match(header: &str, current: &str) -> bool {
    tags(header)
        .into_iter()
        .any(|t| t == "*" || opaque(t) == opaque(current))
}

/// An `If-Match` precondition (or none).
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<String>);

impl IfMatch {
    pub fn new(header: Option<&str>) -> IfMatch {
        IfMatch(header.map(str::to_string))
    }

    /// RFC 7232 §3.1 asks for the strong comparison, under which no weak ETag ever matches;
    /// SCIM clients send the ETag back as they got it (RFC 7644 §3.14), with or without
    /// `W/`, so the same opaque value matches in either form.
    pub fn check(&self, current: &str) -> Result<(), ScimError> {
        let Some(wanted) = &self.0 else {
            return Ok(());
        };
        if tags(wanted)
            .into_iter()
            .any(|t| t == "*" || opaque(t) == opaque(current))
        {
            Ok(())
        } else {
            Err(ScimError::new(
                412,
                None,
                format!("If-Match {wanted} does not match the current version {current}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_and_strong_forms_of_one_value_match() {
        assert!(none_match("\"7\"", "W/\"7\""));
        assert!(none_match("W/\"1\", W/\"7\"", "W/\"7\""));
        assert!(none_match("*", "W/\"7\""));
        assert!(!none_match("W/\"8\"", "W/\"7\""));
        assert!(IfMatch::new(Some("\"7\"")).check("W/\"7\"").is_ok());
        assert!(IfMatch::new(None).check("W/\"7\"").is_ok());
        assert_eq!(
            IfMatch::new(Some("W/\"6\""))
                .check("W/\"7\"")
                .unwrap_err()
                .status,
            412
        );
    }

    #[test]
    fn commas_inside_quotes_do_not_split() {
        assert_eq!(tags(" \"a,b\" , W/\"c\","), ["\"a,b\"", "W/\"c\""]);
    }
}
