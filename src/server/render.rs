//! Resources as clients see them: the stored body with a user's `groups` and a group's
//! `members` added from the membership indexes.

use serde_json::{json, Map, Value};

use super::data::Data;
use super::etag::etag;
use super::kind::Kind;
use super::schema::ResourceSchema;
use super::store::Store;

/// RFC 7643 §2.2 returned "never" (the password): in no response, whatever the body holds.
fn strip_never_returned(body: &mut Map<String, Value>, schema: &ResourceSchema) {
    for a in schema.core.iter().filter(|a| a.never_returned) {
        body.remove(&a.name);
    }
    for (urn, attrs) in &schema.extensions {
        if let Some(Value::Object(ext)) = body.get_mut(*urn) {
            for a in attrs.iter().filter(|a| a.never_returned) {
                ext.remove(&a.name);
            }
        }
    }
}

impl Store {
    /// The full representation a client sees (password never; groups and members rendered).
    pub fn render(&self, data: &Data, kind: Kind, id: &str) -> Option<Value> {
        let rec = data.records(kind).get(id)?;
        let mut body = rec.body.clone();
        strip_never_returned(&mut body, kind.schema());
        match kind {
            Kind::User => {
                let groups: Vec<Value> = data
                    .memberships
                    .get(id)
                    .into_iter()
                    .flatten()
                    .filter_map(|gid| {
                        let g = data.groups.get(gid)?;
                        Some(json!({"value": gid, "$ref": self.location(Kind::Group, gid), "display": g.body.get("displayName").cloned().unwrap_or(Value::Null), "type": "direct"}))
                    })
                    .collect();
                if !groups.is_empty() {
                    body.insert("groups".into(), Value::Array(groups));
                }
            }
            Kind::Group => {
                let members: Vec<Value> = rec
                    .members
                    .iter()
                    .map(|(mid, m)| {
                        let mut v = json!({"value": mid, "$ref": self.location(m.kind, mid), "type": m.kind.resource_type()});
                        if let Some(d) = &m.display {
                            v["display"] = json!(d);
                        }
                        v
                    })
                    .collect();
                if !members.is_empty() {
                    body.insert("members".into(), Value::Array(members));
                }
            }
        }
        Some(Value::Object(body))
    }

    /// The representation and its ETag, read under one lock.
    pub fn get(&self, kind: Kind, id: &str) -> Option<(Value, String)> {
        let data = self.read();
        let version = data.records(kind).get(id)?.version;
        Some((self.render(&data, kind, id)?, etag(version)))
    }

    /// Every user and group in creation order: byte-identical while nothing changes.
    pub fn dump(&self) -> Value {
        let data = self.read();
        let all = |kind: Kind| -> Vec<Value> {
            data.order(kind)
                .values()
                .filter_map(|id| self.render(&data, kind, id))
                .collect()
        };
        json!({"Users": all(Kind::User), "Groups": all(Kind::Group)})
    }
}
