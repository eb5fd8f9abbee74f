//! One stored resource, kept compact: its attributes as canonical JSON text, parsed when
//! read, rather than a tree of maps (a user of 400 bytes on the wire took ~4 KB as a
//! `serde_json::Map`). `meta` is rendered from the record's own fields, so a write that
//! touches a resource from elsewhere (a group's member change, for its users' `groups`)
//! updates two fields, not the text.

use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::sync::LazyLock;

use super::etag::etag;
use super::kind::Kind;
use super::members::Member;

/// When a resource was created or last modified; formatted as RFC 3339 on output.
pub type Timestamp = time::OffsetDateTime;

pub fn now() -> Timestamp {
    time::OffsetDateTime::now_utc()
}

fn rfc3339(ts: Timestamp) -> String {
    ts.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A stored resource. Groups keep members apart from the body, in an ordered map, so adding
/// one member to a group of 10,000 does not rewrite 10,000 entries.
#[derive(Debug, Clone)]
pub struct Record {
    pub seq: u64,
    pub version: u64,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// The attributes as JSON text in their order; `id` and `meta` are nulls that keep
    /// their places.
    attrs: Box<str>,
    pub password: Option<Box<str>>,
    /// A group's members; boxed, so that a user pays one pointer for having none.
    members: Option<Box<Members>>,
}

pub type Members = IndexMap<String, Member>;

static NO_MEMBERS: LazyLock<Members> = LazyLock::new(Members::new);

impl Record {
    /// A record of `body` (as the store stamped it) created at `ts`.
    pub fn new(
        seq: u64,
        ts: Timestamp,
        body: Map<String, Value>,
        password: Option<String>,
    ) -> Self {
        Record {
            seq,
            version: seq,
            created: ts,
            modified: ts,
            attrs: compact(body),
            password: password.map(String::into_boxed_str),
            members: None,
        }
    }

    pub fn members(&self) -> &Members {
        self.members.as_deref().unwrap_or(&NO_MEMBERS)
    }

    pub fn members_mut(&mut self) -> &mut Members {
        self.members.get_or_insert_with(Box::default)
    }

    pub fn take_members(&mut self) -> Members {
        self.members.take().map(|m| *m).unwrap_or_default()
    }

    pub fn set_members(&mut self, members: Members) {
        self.members = (!members.is_empty()).then(|| Box::new(members));
    }

    /// Replaces the attributes; `meta`'s value in `body` is not kept (it is rendered).
    pub fn set_body(&mut self, body: Map<String, Value>) {
        self.attrs = compact(body);
    }

    /// The attributes without `meta`'s values: enough for the indexes and `displayName`.
    pub fn attrs(&self) -> Map<String, Value> {
        // The text is the store's own serialisation of a map: it always parses back.
        serde_json::from_str(&self.attrs).unwrap_or_default()
    }

    /// The stored body as it was stamped: the attributes with `schemas`, `id` and `meta`
    /// in place.
    pub fn body(&self, kind: Kind, id: &str, location: String) -> Map<String, Value> {
        let mut body = self.attrs();
        if body.contains_key("schemas") {
            let schemas = schemas(kind, &body);
            body.insert("schemas".into(), schemas);
        }
        if let Some(v) = body.get_mut("id") {
            *v = Value::String(id.to_string());
        }
        if let Some(meta) = body.get_mut("meta") {
            *meta = self.meta(kind, location);
        }
        body
    }

    /// RFC 7643 §3.1 `meta`, in the order the store has always written it.
    fn meta(&self, kind: Kind, location: String) -> Value {
        json!({"resourceType": kind.resource_type(), "created": rfc3339(self.created), "lastModified": rfc3339(self.modified), "location": location, "version": etag(self.version)})
    }
}

/// RFC 7643 §3 `schemas`: the core schema and the extensions the resource uses (the store
/// keeps no empty extension object).
pub fn schemas(kind: Kind, body: &Map<String, Value>) -> Value {
    let mut schemas = vec![json!(kind.core_urn())];
    for (ext, _) in &kind.schema().extensions {
        if body.contains_key(*ext) {
            schemas.push(json!(ext));
        }
    }
    Value::Array(schemas)
}

/// The JSON text of `body`, its `schemas`, `id` and `meta` reduced to placeholders that keep
/// the keys' places (they are derived, the id is the record's key).
fn compact(mut body: Map<String, Value>) -> Box<str> {
    for key in ["schemas", "id", "meta"] {
        if let Some(v) = body.get_mut(key) {
            *v = Value::Null;
        }
    }
    let text = serde_json::to_string(&body).unwrap_or_default();
    // A copy of exactly its length: shrinking the serialiser's buffer in place can keep the
    // whole buffer (up to twice the text) allocated.
    Box::from(text.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_reads_back_in_order_with_meta_rendered() {
        let body = json!({"userName": "a", "n": 1.5, "schemas": ["s"], "id": "x", "meta": {"created": "old"}, "title": "t"});
        let Value::Object(map) = body else {
            unreachable!()
        };
        let ts = time::macros::datetime!(2024-05-01 12:00:00.5 UTC);
        let mut rec = Record::new(7, ts, map, None);
        let keys: Vec<String> = rec.attrs().keys().cloned().collect();
        assert_eq!(keys, ["userName", "n", "schemas", "id", "meta", "title"]);
        assert_eq!(
            (&rec.attrs()["id"], &rec.attrs()["meta"]),
            (&Value::Null, &Value::Null)
        );
        let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assert_eq!(
            schemas(
                Kind::User,
                json!({ext: {"department": "D"}}).as_object().unwrap()
            ),
            json!(["urn:ietf:params:scim:schemas:core:2.0:User", ext])
        );
        rec.version = 9;
        rec.modified = time::macros::datetime!(2024-05-02 08:00:00 UTC);
        let full = Value::Object(rec.body(Kind::User, "x", "http://h/Users/x".into()));
        assert_eq!(
            full,
            json!({"userName": "a", "n": 1.5, "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "x", "meta": {"resourceType": "User", "created": "2024-05-01T12:00:00.5Z", "lastModified": "2024-05-02T08:00:00Z", "location": "http://h/Users/x", "version": "W/\"9\""}, "title": "t"})
        );
    }
}
