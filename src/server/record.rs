//! One stored resource, kept compact: its attributes as canonical JSON text, parsed when
//! read, rather than a tree of maps (a user of 400 bytes on the wire took ~4 KB as a
//! `serde_json::Map`). `meta` is rendered from the record's own fields, so a write that
//! touches a resource from elsewhere (a group's member change, for its users' `groups`)
//! updates two fields, not the text.

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

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
    /// The attributes as JSON text in their order; `meta` is a null that keeps its place.
    attrs: Box<str>,
    pub password: Option<String>,
    pub members: IndexMap<String, Member>,
}

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
            password,
            members: IndexMap::new(),
        }
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

    /// The stored body as it was stamped: the attributes with `meta` in its place.
    pub fn body(&self, kind: Kind, location: String) -> Map<String, Value> {
        let mut body = self.attrs();
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

/// The JSON text of `body`, its `meta` reduced to a placeholder that keeps the key's place.
fn compact(mut body: Map<String, Value>) -> Box<str> {
    if let Some(meta) = body.get_mut("meta") {
        *meta = Value::Null;
    }
    serde_json::to_string(&body)
        .unwrap_or_default()
        .into_boxed_str()
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
        assert_eq!(rec.attrs()["meta"], Value::Null);
        rec.version = 9;
        rec.modified = time::macros::datetime!(2024-05-02 08:00:00 UTC);
        let full = Value::Object(rec.body(Kind::User, "http://h/Users/x".into()));
        assert_eq!(
            full,
            json!({"userName": "a", "n": 1.5, "schemas": ["s"], "id": "x", "meta": {"resourceType": "User", "created": "2024-05-01T12:00:00.5Z", "lastModified": "2024-05-02T08:00:00Z", "location": "http://h/Users/x", "version": "W/\"9\""}, "title": "t"})
        );
    }
}
