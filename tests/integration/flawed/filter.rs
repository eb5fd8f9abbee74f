//! Filters (RFC 7644 §3.4.2.2), the part these profiles send: comparisons (`eq`, `ne`,
//! `co`, `sw`, `ew`, `gt`, `ge`, `lt`, `le`), `pr`, value paths (`members[value eq "…"]`,
//! `emails[type eq "work"].value eq "…"`), terms in parentheses, joined by `and` and `or`.

use serde_json::{json, Value};

use super::error::ScimError;
use super::store::{strip_core_urn, ENTERPRISE_URN};

/// One term of a filter.
enum Term {
    /// `attr op value`, or `attr pr` when the value is None.
    Compare {
        attr: String,
        op: String,
        value: Option<Value>,
    },
    /// `( filter )`.
    Group(Filter),
    /// `attr[inner]`, optionally followed by `.sub op value`: some element of `attr`
    /// matches `inner` (and its `sub` the comparison).
    ValuePath {
        attr: String,
        inner: Filter,
        then: Option<Box<Term>>,
    },
}

/// A parsed `filter`: alternatives (`or`), each of terms that must all hold (`and`).
pub struct Filter(Vec<Vec<Term>>);

const OPS: [&str; 9] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, ScimError> {
        let invalid = || {
            ScimError::new(
                400,
                Some("invalidFilter"),
                format!("unsupported filter: {text}"),
            )
        };
        split_top(text, "or")
            .iter()
            .map(|alt| {
                split_top(alt, "and")
                    .iter()
                    .map(|t| term(t).ok_or_else(invalid))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<_, _>>()
            .map(Filter)
    }

    pub fn matches(&self, resource: &Value) -> bool {
        self.0
            .iter()
            .any(|terms| terms.iter().all(|t| t.matches(resource)))
    }
}

fn term(text: &str) -> Option<Term> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        return Filter::parse(inner).ok().map(Term::Group);
    }
    if let Some(open) = text.find('[').filter(|i| !text[..*i].contains(' ')) {
        let close = text.rfind(']')?;
        let inner = Filter::parse(&text[open + 1..close]).ok()?;
        let rest = &text[close + 1..];
        let then = match rest.strip_prefix('.') {
            Some(sub) => Some(Box::new(term(sub)?)),
            None if rest.trim().is_empty() => None,
            None => return None,
        };
        return Some(Term::ValuePath {
            attr: text[..open].to_string(),
            inner,
            then,
        });
    }
    let (attr, rest) = text.split_once(' ')?;
    let (op, value) = match rest.trim().split_once(' ') {
        Some((op, v)) => (op.to_ascii_lowercase(), Some(literal(v.trim())?)),
        None => (rest.trim().to_ascii_lowercase(), None),
    };
    let known = match &value {
        None => op == "pr",
        Some(_) => OPS.contains(&op.as_str()),
    };
    (known && !attr.contains('(')).then(|| Term::Compare {
        attr: attr.to_string(),
        op,
        value,
    })
}

impl Term {
    fn matches(&self, resource: &Value) -> bool {
        match self {
            Term::Compare { attr, op, value } => {
                let found = lookup(resource, attr);
                match value {
                    None => found.iter().any(|v| !v.is_null()),
                    Some(want) => found.iter().any(|v| compare(attr, op, v, want)),
                }
            }
            Term::Group(filter) => filter.matches(resource),
            Term::ValuePath { attr, inner, then } => lookup(resource, attr)
                .into_iter()
                .filter(|element| inner.matches(element))
                .any(|element| then.as_ref().is_none_or(|t| t.matches(element))),
        }
    }
}

/// Splits on the logical operator `word` outside quoted strings, brackets and parentheses.
fn split_top(text: &str, word: &str) -> Vec<String> {
    let (mut parts, mut cur) = (Vec::new(), String::new());
    let (mut quoted, mut depth) = (false, 0i32);
    for (i, w) in text.split(' ').enumerate() {
        if !quoted && depth == 0 && w.eq_ignore_ascii_case(word) && i > 0 {
            parts.push(std::mem::take(&mut cur));
            continue;
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
        for ch in w.chars() {
            match ch {
                '"' => quoted = !quoted,
                '[' | '(' if !quoted => depth += 1,
                ']' | ')' if !quoted => depth -= 1,
                _ => {}
            }
        }
    }
    parts.push(cur);
    parts
}

fn literal(v: &str) -> Option<Value> {
    if let Some(s) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return Some(json!(s.replace("\\\"", "\"")));
    }
    serde_json::from_str(v).ok()
}

/// The values at a dotted attribute path, reaching into multi-valued attributes; names are
/// case-insensitive.
fn lookup<'a>(resource: &'a Value, attr: &str) -> Vec<&'a Value> {
    let attr = strip_core_urn(attr);
    let (start, rest) = match attr.get(..ENTERPRISE_URN.len()) {
        Some(head) if head.eq_ignore_ascii_case(ENTERPRISE_URN) => (
            field(resource, ENTERPRISE_URN),
            attr[ENTERPRISE_URN.len()..].trim_start_matches(':'),
        ),
        _ => (Some(resource), attr),
    };
    let mut current: Vec<&Value> = start.into_iter().collect();
    for part in rest.split('.') {
        current = current
            .into_iter()
            .flat_map(|v| match v {
                Value::Array(items) => items.iter().filter_map(|i| field(i, part)).collect(),
                v => field(v, part).into_iter().collect::<Vec<_>>(),
            })
            .collect();
    }
    current
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect(),
            v => vec![v],
        })
        .collect()
}

fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn compare(attr: &str, op: &str, have: &Value, want: &Value) -> bool {
    // id and externalId are caseExact (RFC 7643 §3.1); the rest these profiles filter on is not.
    let exact = ["id", "externalId"]
        .iter()
        .any(|a| attr.eq_ignore_ascii_case(a));
    let (Some(h), Some(w)) = (have.as_str(), want.as_str()) else {
        return match op {
            "eq" => have == want,
            "ne" => have != want,
            _ => false,
        };
    };
    let (h, w) = if exact {
        (h.to_string(), w.to_string())
    } else {
        (h.to_lowercase(), w.to_lowercase())
    };
    match op {
        "eq" => h == w,
        "ne" => h != w,
        "co" => h.contains(&w),
        "sw" => h.starts_with(&w),
        "ew" => h.ends_with(&w),
        "gt" => h > w,
        "ge" => h >= w,
        "lt" => h < w,
        _ => h <= w,
    }
}
