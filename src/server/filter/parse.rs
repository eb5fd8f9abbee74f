//! Filter parsing (RFC 7644 §3.4.2.2) with the scim_v2 crate's grammar, and the forms IdPs
//! send that the grammar lacks, rewritten into ones it has.

use scim_v2::filter::Filter;
use std::borrow::Cow;

use crate::server::error::ScimError;

/// Parses a filter. Entra also sends `emails[type eq "work"].value eq "x"`, which the RFC
/// grammar lacks; it means `emails[type eq "work" and value eq "x"]` and is read as such.
pub fn parse(raw: &str) -> Result<Filter, ScimError> {
    let spaced = space_after_not(raw);
    match spaced.parse::<Filter>() {
        Ok(f) => Ok(f),
        Err(first) => rewrite_value_path_sub_attr(&spaced)
            .and_then(|r| r.parse::<Filter>().ok())
            .ok_or_else(|| {
                ScimError::invalid_filter(format!("invalid filter `{}`: {first}", clip(raw)))
            }),
    }
}

/// RFC 7644 §3.4.2.2's ABNF allows `not(`, but the scim_v2 grammar's `not` token needs a
/// space after it: one is put after each standalone `not` (any case) directly followed by
/// `(`, outside quoted strings. Nothing else changes, so valid filters parse as before.
pub fn space_after_not(raw: &str) -> Cow<'_, str> {
    let b = raw.as_bytes();
    let name_byte = |c: u8| c.is_ascii_alphanumeric() || b"_-:.$".contains(&c);
    let (mut out, mut copied) = (String::new(), 0);
    let (mut quoted, mut escaped) = (false, false);
    for i in 0..b.len() {
        let c = b[i];
        if quoted {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
        } else if c == b'"' {
            quoted = true;
        } else if b.len() > i + 3
            && b[i..i + 3].eq_ignore_ascii_case(b"not")
            && b[i + 3] == b'('
            && (i == 0 || !name_byte(b[i - 1]))
        {
            out.push_str(&raw[copied..i + 3]);
            out.push(' ');
            copied = i + 3;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(raw);
    }
    out.push_str(&raw[copied..]);
    Cow::Owned(out)
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

/// `attr[inner].sub op value` → `attr[(inner) and sub op value]`, for each occurrence.
fn rewrite_value_path_sub_attr(raw: &str) -> Option<String> {
    let mut s = raw.to_string();
    for _ in 0..8 {
        let Some(close) = s.find("].") else {
            return Some(s);
        };
        let open = s[..close].rfind('[')?;
        let after = &s[close + 2..];
        let sub_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$'))
            .unwrap_or(after.len());
        let sub = &after[..sub_len];
        let rest = after[sub_len..].trim_start();
        let (op, tail) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
        let (value, remainder) = if op.eq_ignore_ascii_case("pr") {
            ("", tail)
        } else {
            let tail = tail.trim_start();
            let end = if tail.starts_with('"') {
                let mut escaped = false;
                tail.char_indices()
                    .skip(1)
                    .find(|(_, c)| {
                        let done = *c == '"' && !escaped;
                        escaped = *c == '\\' && !escaped;
                        done
                    })?
                    .0
                    + 1
            } else {
                tail.find([' ', ')']).unwrap_or(tail.len())
            };
            tail.split_at(end)
        };
        let inner = &s[open + 1..close];
        let comparison = if value.is_empty() {
            format!("{sub} {op}")
        } else {
            format!("{sub} {op} {value}")
        };
        s = format!("{}[({inner}) and {comparison}]{remainder}", &s[..open]);
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_gets_its_space_outside_quoted_strings_only() {
        assert_eq!(space_after_not("not(a pr)"), "not (a pr)");
        assert_eq!(
            space_after_not(r#"a eq "x" and NOT(b pr) or (Not(c pr))"#),
            r#"a eq "x" and NOT (b pr) or (Not (c pr))"#
        );
        assert_eq!(
            space_after_not("emails[not(type pr)]"),
            "emails[not (type pr)]"
        );
        for untouched in [
            r#"title eq "not(x""#,
            r#"title eq "a\"not(b" and c pr"#,
            "knot(a pr)",
            "x.not(a pr)",
            "not (a pr)",
            "nothing pr",
        ] {
            assert!(
                matches!(space_after_not(untouched), Cow::Borrowed(_)),
                "{untouched}"
            );
        }
    }

    #[test]
    fn not_without_a_space_parses() {
        assert!(parse("not(userName eq \"x\")").is_ok());
        assert!(parse("title eq \"not(\"").is_ok());
    }
}
