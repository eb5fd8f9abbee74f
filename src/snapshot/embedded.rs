//! Run-specific values quoted inside a longer text, which a whole-value comparison misses.

use super::normalise::is_timestamp;

/// A text that quotes run-specific values (a filter comparing with a captured
/// `meta.created`, an error detail naming versions): quoted timestamps become `[timestamp]`,
/// weak entity tags `[etag]`.
pub(super) fn embedded_volatiles(s: &str) -> String {
    let parts: Vec<&str> = s.split('"').collect();
    let mut out = String::with_capacity(s.len());
    for (i, part) in parts.iter().enumerate() {
        let closed = i + 1 < parts.len();
        if i % 2 == 0 {
            let etag_next = i + 2 < parts.len() && part.ends_with("W/");
            out.push_str(if etag_next {
                &part[..part.len() - 2]
            } else {
                part
            });
        } else if !closed {
            out.push('"');
            out.push_str(part);
        } else if parts[i - 1].ends_with("W/") {
            out.push_str("[etag]");
        } else if is_timestamp(part) {
            out.push_str("\"[timestamp]\"");
        } else {
            out.push('"');
            out.push_str(part);
            out.push('"');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_timestamps_and_weak_etags_are_placeholders() {
        assert_eq!(
            embedded_volatiles(r#"a ge "2026-12-03T03:02:41.2Z" and W/"15" or "x" and "open"#),
            r#"a ge "[timestamp]" and [etag] or "x" and "open"#
        );
    }
}
