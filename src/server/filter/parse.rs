//! Filter parsing (RFC 7644 §3.4.2.2) with the scim_v2 crate's grammar, and the forms IdPs
//! send that the grammar lacks, rewritten into ones it has.

use scim_v2::filter::Filter;

use crate::server::error::ScimError;

/// Parses a filter. Entra also sends `emails[type eq "work"].value eq "x"`, which the RFC
/// grammar lacks; it means `emails[type eq "work" and value eq "x"]` and is read as such.
pub fn parse(raw: &str) -> Result<Filter, ScimError> {
    match raw.parse::<Filter>() {
        Ok(f) => Ok(f),
        Err(first) => rewrite_value_path_sub_attr(raw)
            .and_then(|r| r.parse::<Filter>().ok())
            .ok_or_else(|| {
                ScimError::invalid_filter(format!("invalid filter `{}`: {first}", clip(raw)))
            }),
    }
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
