//! `{{variable}}` templates in scenario requests and assertions.
//!
//! A string that is exactly one placeholder takes the variable's JSON value (so a captured
//! object or number keeps its type); placeholders inside longer strings are interpolated.
//! Filters: `{{user1.userName | upper}}`, `| lower`.

use serde_json::Value;

use super::vars::Vars;

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "{{{{{0}}}}} has no value: the step that captures it did not run or did not capture it"
    )]
    /// A variable without a value.
    Missing(String),
    /// A filter that is not one of [`FILTERS`].
    #[error("unknown template filter `{filter}` in {{{{{expr}}}}} (known: upper, lower, members, take N, skip N, cycle N, evens, odds, len)")]
    UnknownFilter {
        /// The whole placeholder.
        expr: String,
        /// The unknown filter.
        filter: String,
    },
    /// A `{{` without its `}}`.
    #[error("unclosed `{{{{` in `{0}`")]
    Unclosed(String),
    /// A `repeat` whose count is not a whole number, or too large.
    #[error("repeat: {0}")]
    Repeat(String),
    /// A list filter applied to a value that is not a list.
    #[error("{{{{{0}}}}} is {1}, not a list")]
    NotAList(String, String),
    /// A value that cannot be one path segment.
    #[error("{{{{{0}}}}} is `{1}`, which cannot stand in a URL path")]
    NotASegment(String, String),
}

/// One placeholder: the variable name and optional filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// The variable's name.
    pub name: &'a str,
    /// Its filter, if any.
    pub filter: Option<&'a str>,
}

/// Every placeholder in `s`, in order, for load-time validation.
pub fn placeholders(s: &str) -> Result<Vec<Placeholder<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| TemplateError::Unclosed(s.to_string()))?;
        out.push(parse_placeholder(&after[..end]));
        rest = &after[end + 2..];
    }
    Ok(out)
}

fn parse_placeholder(inner: &str) -> Placeholder<'_> {
    match inner.split_once('|') {
        Some((name, filter)) => Placeholder {
            name: name.trim(),
            filter: Some(filter.trim()),
        },
        None => Placeholder {
            name: inner.trim(),
            filter: None,
        },
    }
}

fn resolve(p: &Placeholder<'_>, vars: &Vars) -> Result<Value, TemplateError> {
    let value = vars
        .get(p.name)
        .ok_or_else(|| TemplateError::Missing(p.name.to_string()))?;
    let Some(chain) = p.filter else {
        return Ok(value.clone());
    };
    let mut value = value.clone();
    for filter in chain.split('|').map(str::trim) {
        value = apply_filter(p.name, filter, value, vars)?;
    }
    Ok(value)
}

/// The filters a placeholder may chain (`{{users | take 10 | members}}`).
pub const FILTERS: &str = "upper, lower, members, take N, skip N, cycle N, evens, odds, len";

/// Whether `chain` (what follows the first `|`) names only known filters, each with the
/// argument it takes; the error names the first that does not.
pub fn check_filters(chain: &str) -> Result<(), String> {
    for filter in chain.split('|').map(str::trim) {
        let mut words = filter.split_whitespace();
        let name = words.next().unwrap_or_default();
        let args = words.count();
        let takes = match name {
            "upper" | "lower" | "members" | "evens" | "odds" | "len" => 0,
            "take" | "skip" | "cycle" => 1,
            _ => {
                return Err(format!(
                    "unknown template filter `{filter}` (known: {FILTERS})"
                ))
            }
        };
        if args != takes {
            return Err(format!(
                "template filter `{name}` takes {takes} argument(s), got {args}"
            ));
        }
    }
    Ok(())
}

fn apply_filter(
    name: &str,
    filter: &str,
    value: Value,
    vars: &Vars,
) -> Result<Value, TemplateError> {
    let mut words = filter.split_whitespace();
    let op = words.next().unwrap_or_default();
    let unknown = || TemplateError::UnknownFilter {
        expr: name.to_string(),
        filter: filter.to_string(),
    };
    let list = |value: Value| match value {
        Value::Array(items) => Ok(items),
        other => Err(TemplateError::NotAList(
            name.to_string(),
            clip_value(&other),
        )),
    };
    Ok(match op {
        "upper" => Value::String(as_text(&value).to_uppercase()),
        "lower" => Value::String(as_text(&value).to_lowercase()),
        // Group members as SCIM writes them (RFC 7643 §4.2): one `{"value": id}` per id.
        "members" => Value::Array(
            list(value)?
                .into_iter()
                .map(|id| serde_json::json!({ "value": id }))
                .collect(),
        ),
        "evens" | "odds" => {
            let keep = usize::from(op == "odds");
            Value::Array(
                list(value)?
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| i % 2 == keep)
                    .map(|(_, v)| v)
                    .collect(),
            )
        }
        "len" => Value::from(list(value)?.len()),
        "take" | "skip" | "cycle" => {
            let arg = words.next().ok_or_else(unknown)?;
            let n = match arg.parse::<usize>() {
                Ok(n) => n,
                Err(_) => vars
                    .get(arg)
                    .and_then(Value::as_u64)
                    .map(|n| n as usize)
                    .ok_or_else(|| TemplateError::Missing(arg.to_string()))?,
            };
            let items = list(value)?;
            Value::Array(match op {
                "take" => items.into_iter().take(n).collect(),
                "skip" => items.into_iter().skip(n).collect(),
                // The list repeated until it holds `n` items.
                _ => items.iter().cycle().take(n).cloned().collect(),
            })
        }
        _ => return Err(unknown()),
    })
}

fn clip_value(v: &Value) -> String {
    crate::scim::json::clip(&v.to_string(), 40)
}

/// The text form of a value when interpolated into a longer string.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renders a string template to a JSON value.
pub fn render_str(s: &str, vars: &Vars) -> Result<Value, TemplateError> {
    let found = placeholders(s)?;
    if found.is_empty() {
        return Ok(Value::String(s.to_string()));
    }
    let trimmed = s.trim();
    if found.len() == 1 && trimmed.starts_with("{{") && trimmed.ends_with("}}") {
        return resolve(&found[0], vars);
    }
    interpolate(s, &found, |p| Ok(as_text(&resolve(p, vars)?))).map(Value::String)
}

/// `s` with each placeholder in `found` replaced by what `text` makes of it.
fn interpolate(
    s: &str,
    found: &[Placeholder<'_>],
    text: impl Fn(&Placeholder<'_>) -> Result<String, TemplateError>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    for p in found {
        let start = rest.find("{{").unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        out.push_str(&text(p)?);
        let end = rest[start..]
            .find("}}")
            .map_or(rest.len(), |e| start + e + 2);
        rest = &rest[end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Renders a string template that must produce text (query values, headers).
pub fn render_text(s: &str, vars: &Vars) -> Result<String, TemplateError> {
    render_str(s, vars).map(|v| as_text(&v))
}

/// Renders a request path: each value is percent-encoded as one path segment, so an id the
/// server chose can never add segments of its own.
pub fn render_path(s: &str, vars: &Vars) -> Result<String, TemplateError> {
    interpolate(s, &placeholders(s)?, |p| {
        let value = as_text(&resolve(p, vars)?);
        if value.is_empty() || value == "." || value == ".." {
            return Err(TemplateError::NotASegment(p.name.to_string(), value));
        }
        Ok(crate::scim::path::encode_segment(&value))
    })
}

/// Renders every string (and object key) inside a JSON value.
pub fn render_value(value: &Value, vars: &Vars) -> Result<Value, TemplateError> {
    Ok(match value {
        Value::String(s) => render_str(s, vars)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_value(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                out.insert(render_text(k, vars)?, render_value(v, vars)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// Every placeholder used anywhere inside a JSON value: its name and filter.
pub fn value_placeholder_filters(
    value: &Value,
    out: &mut Vec<(String, Option<String>)>,
) -> Result<(), TemplateError> {
    let found = |s: &str, out: &mut Vec<(String, Option<String>)>| -> Result<(), TemplateError> {
        out.extend(
            placeholders(s)?
                .into_iter()
                .map(|p| (p.name.to_string(), p.filter.map(str::to_string))),
        );
        Ok(())
    };
    match value {
        Value::String(s) => found(s, out)?,
        Value::Array(items) => {
            for v in items {
                value_placeholder_filters(v, out)?;
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                found(k, out)?;
                value_placeholder_filters(v, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        let mut v = Vars::default();
        v.insert("user_id", json!("abc"));
        v.insert("count", json!(3));
        v.insert("obj", json!({"a": 1}));
        v.insert("name", json!("Jane.Doe@Example.com"));
        v
    }

    #[test]
    fn whole_placeholder_keeps_json_type() {
        assert_eq!(render_str("{{count}}", &vars()).unwrap(), json!(3));
        assert_eq!(render_str(" {{ obj }} ", &vars()).unwrap(), json!({"a": 1}));
    }

    #[test]
    fn interpolates_inside_text() {
        assert_eq!(
            render_text("/Users/{{user_id}}?n={{count}}", &vars()).unwrap(),
            "/Users/abc?n=3"
        );
    }

    #[test]
    fn filters_change_case() {
        assert_eq!(
            render_text("{{name | upper}}", &vars()).unwrap(),
            "JANE.DOE@EXAMPLE.COM"
        );
        assert_eq!(
            render_text("x {{name|lower}}", &vars()).unwrap(),
            "x jane.doe@example.com"
        );
        assert!(matches!(
            render_text("{{name | reverse}}", &vars()),
            Err(TemplateError::UnknownFilter { .. })
        ));
    }

    #[test]
    fn list_filters_chain() {
        let mut v = vars();
        v.insert("ids", json!(["a", "b", "c", "d", "e"]));
        v.insert("two", json!(2));
        assert_eq!(
            render_str("{{ids | take two | members}}", &v).unwrap(),
            json!([{"value": "a"}, {"value": "b"}])
        );
        assert_eq!(
            render_str("{{ids | skip 3}}", &v).unwrap(),
            json!(["d", "e"])
        );
        assert_eq!(render_str("{{ids | odds}}", &v).unwrap(), json!(["b", "d"]));
        assert_eq!(render_str("{{ids | evens | len}}", &v).unwrap(), json!(3));
        assert!(matches!(
            render_str("{{count | members}}", &v),
            Err(TemplateError::NotAList(..))
        ));
        assert!(check_filters("take 3 | members").is_ok());
        assert!(check_filters("take").is_err());
        assert!(check_filters("shuffle").is_err());
    }

    #[test]
    fn missing_variable_is_an_error() {
        assert_eq!(
            render_text("/Users/{{group_id}}", &vars()),
            Err(TemplateError::Missing("group_id".into()))
        );
    }

    #[test]
    fn unclosed_placeholder_is_an_error() {
        assert!(matches!(
            placeholders("/Users/{{id"),
            Err(TemplateError::Unclosed(_))
        ));
    }

    #[test]
    fn renders_nested_values_and_keys() {
        let v = json!({"members": [{"value": "{{user_id}}"}], "{{user_id}}": true});
        assert_eq!(
            render_value(&v, &vars()).unwrap(),
            json!({"members": [{"value": "abc"}], "abc": true})
        );
    }
}
