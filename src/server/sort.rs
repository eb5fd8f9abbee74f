//! sortBy (RFC 7644 §3.4.2.3): values compared as their attribute's type says (strings
//! ignoring case unless caseExact, numbers as numbers, dateTimes as instants); resources
//! without a value sort last when ascending.

use serde_json::{Map, Value};
use std::cmp::Ordering;

use super::filter::member;
use super::query::split_path;
use super::schema::{Attr, ResourceSchema};

#[derive(Debug, Clone)]
pub enum SortKey {
    Bool(bool),
    Number(f64),
    Date(time::OffsetDateTime),
    Str(String),
    Missing,
}

impl SortKey {
    fn rank(&self) -> u8 {
        match self {
            SortKey::Bool(_) => 0,
            SortKey::Number(_) => 1,
            SortKey::Date(_) => 2,
            SortKey::Str(_) => 3,
            SortKey::Missing => 4,
        }
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Bool(a), SortKey::Bool(b)) => a.cmp(b),
            (SortKey::Number(a), SortKey::Number(b)) => a.total_cmp(b),
            (SortKey::Date(a), SortKey::Date(b)) => a.cmp(b),
            (SortKey::Str(a), SortKey::Str(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SortKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SortKey {}

/// The key `sort_by` gives a resource. A multi-valued attribute sorts by its primary value,
/// else its first (RFC 7644 §3.4.2.3).
pub fn sort_key(resource: &Map<String, Value>, sort_by: &str, schema: &ResourceSchema) -> SortKey {
    let (container, name, sub) = split_path(sort_by);
    let base = match container {
        Some(c) => member(resource, c).and_then(Value::as_object),
        None => Some(resource),
    };
    let attr = schema.find(container, name);
    let v = base.and_then(|o| member(o, name));
    let (v, def): (Option<&Value>, Option<&Attr>) = match (v, sub) {
        (Some(Value::Array(items)), s) => {
            let s = s.unwrap_or("value");
            let item = items
                .iter()
                .find(|i| i.get("primary") == Some(&Value::Bool(true)))
                .or(items.first());
            (
                item.and_then(Value::as_object).and_then(|o| member(o, s)),
                attr.and_then(|a| a.sub_attr(s)),
            )
        }
        (Some(Value::Object(o)), Some(s)) => (member(o, s), attr.and_then(|a| a.sub_attr(s))),
        (v, _) => (v, attr),
    };
    match v {
        Some(Value::Bool(b)) => SortKey::Bool(*b),
        Some(Value::Number(n)) => n.as_f64().map_or(SortKey::Missing, SortKey::Number),
        Some(Value::String(s)) => {
            if def.is_some_and(|d| d.kind == "dateTime") {
                if let Ok(t) =
                    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                {
                    return SortKey::Date(t);
                }
            }
            if def.is_some_and(|d| d.case_exact) {
                SortKey::Str(s.clone())
            } else {
                SortKey::Str(s.to_lowercase())
            }
        }
        _ => SortKey::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(v: Value, by: &str) -> SortKey {
        sort_key(v.as_object().unwrap(), by, ResourceSchema::user())
    }

    #[test]
    fn keys_follow_the_attribute_type() {
        assert!(
            key(json!({"externalId": "B"}), "externalId")
                < key(json!({"externalId": "a"}), "externalId")
        );
        assert_eq!(
            key(json!({"userName": "B"}), "userName"),
            key(json!({"userName": "b"}), "userName")
        );
        assert!(key(json!({"rank": 9}), "rank") < key(json!({"rank": 10}), "rank"));
        assert!(key(json!({"active": false}), "active") < key(json!({"active": true}), "active"));
        let early = json!({"meta": {"created": "2024-01-01T10:00:00+02:00"}});
        let late = json!({"meta": {"created": "2024-01-01T09:00:00Z"}});
        assert!(key(early, "meta.created") < key(late, "meta.created"));
        assert!(key(json!({"title": "z"}), "title") < key(json!({}), "title"));
        let emails = json!({"emails": [{"value": "b@x"}, {"value": "a@x", "primary": true}]});
        assert_eq!(key(emails, "emails"), SortKey::Str("a@x".into()));
    }
}
