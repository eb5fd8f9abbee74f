//! Resources as clients see them: the stored body with a user's `groups` and a group's
//! `members` added from the membership indexes.

use serde_json::{json, Map, Value};

use super::data::{Data, Record};
use super::etag::etag;
use super::filter::Related;
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
    /// A user's `groups`: the groups it is a direct member of.
    fn groups_of(&self, data: &Data, uid: &str) -> Vec<Value> {
        data.memberships
            .get(uid)
            .into_iter()
            .flatten()
            .filter_map(|gid| {
                let mut g = data.groups.get(gid)?.attrs();
                let display = g.remove("displayName").unwrap_or(Value::Null);
                Some(json!({"value": gid, "$ref": self.location(Kind::Group, gid), "display": display, "type": "direct"}))
            })
            .collect()
    }

    /// A group's `members`, in order.
    fn members_of(&self, rec: &Record) -> Vec<Value> {
        rec.members()
            .iter()
            .map(|(mid, m)| {
                let mut v = json!({"value": mid});
                // A member that names no resource (integrity not enforced) has no $ref or type.
                if let Some(kind) = m.kind {
                    v["$ref"] = json!(self.location(kind, mid));
                    v["type"] = json!(kind.resource_type());
                }
                if let Some(d) = &m.display {
                    v["display"] = json!(d);
                }
                v
            })
            .collect()
    }

    /// The full representation a client sees (password never; groups and members rendered;
    /// meta.version only from a server with ETags).
    pub fn render(&self, data: &Data, kind: Kind, id: &str) -> Option<Value> {
        let rec = data.records(kind).get(id)?;
        let mut body = rec.body(kind, id, self.location(kind, id));
        strip_never_returned(&mut body, kind.schema());
        if !self.behaviour().etag {
            if let Some(Value::Object(meta)) = body.get_mut("meta") {
                meta.remove("version");
            }
        }
        let (name, related) = match kind {
            Kind::User => ("groups", self.groups_of(data, id)),
            Kind::Group => ("members", self.members_of(rec)),
        };
        if !related.is_empty() {
            body.insert(name.into(), Value::Array(related));
        }
        Some(Value::Object(body))
    }

    /// What filters see of one resource's members or groups.
    pub fn related<'a>(&'a self, data: &'a Data, kind: Kind, id: &'a str) -> View<'a> {
        View {
            store: self,
            data,
            kind,
            id,
        }
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

/// One resource's `members` (groups) or `groups` (users), answered from the membership index.
pub struct View<'a> {
    store: &'a Store,
    data: &'a Data,
    kind: Kind,
    id: &'a str,
}

impl View<'_> {
    fn attr(&self) -> &'static str {
        match self.kind {
            Kind::User => "groups",
            Kind::Group => "members",
        }
    }

    /// Ids are generated in lower-case hex and `value` is not caseExact, so the exact and the
    /// lower-cased lookups together are a case-insensitive comparison.
    fn holds_id(&self, contains: impl Fn(&str) -> bool, value: &str) -> bool {
        contains(value) || contains(&value.to_ascii_lowercase())
    }
}

impl Related for View<'_> {
    fn holds(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(self.attr())
    }

    fn has_value(&self, _: &str, value: &str) -> bool {
        match self.kind {
            Kind::User => match self.data.memberships.get(self.id) {
                Some(groups) => self.holds_id(|v| groups.contains(v), value),
                None => false,
            },
            Kind::Group => match self.data.groups.get(self.id) {
                Some(g) => self.holds_id(|v| g.members().contains_key(v), value),
                None => false,
            },
        }
    }

    fn any(&self, _: &str) -> bool {
        match self.kind {
            Kind::User => self
                .data
                .memberships
                .get(self.id)
                .is_some_and(|g| !g.is_empty()),
            Kind::Group => self
                .data
                .groups
                .get(self.id)
                .is_some_and(|g| !g.members().is_empty()),
        }
    }

    fn elements(&self, _: &str) -> Vec<Value> {
        match self.kind {
            Kind::User => self.store.groups_of(self.data, self.id),
            Kind::Group => self
                .data
                .groups
                .get(self.id)
                .map(|g| self.store.members_of(g))
                .unwrap_or_default(),
        }
    }
}
