//! The in-memory store: every write validates, checks and commits under one lock; no lock
//! is ever held across an await.

use indexmap::IndexMap;
use rand::Rng;
use serde_json::{json, Map, Value};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::behaviour::Behaviour;
pub use super::data::{Data, Record};
use super::error::ScimError;
use super::etag::etag;
pub use super::etag::IfMatch;
pub use super::kind::Kind;
use super::members::resolve_members;
use super::members::MemberEdits;
use super::record::{now, schemas, Timestamp};
use super::resource::{canonical_resource, single_primary};

/// What a write answers: the resource's ETag and, when asked for, its representation, both
/// as this write left them.
pub struct Written {
    pub id: String,
    pub etag: String,
    pub body: Option<Value>,
}

/// Kept beside the body, never in it: writeOnly, returned "never" (RFC 7643 §4.1.1).
const PASSWORD: &str = "password";

/// A validated body, with the password and the member list taken out of it.
type Prepared = (Map<String, Value>, Option<String>, Option<Vec<Value>>);

/// The server's data: every write under one lock, so each is atomic.
pub struct Store {
    data: RwLock<Data>,
    /// The base URL (…/scim/v2) for `meta.location` and `$ref`.
    base: String,
    /// The legal choices it makes (meta.version, member integrity).
    behaviour: Behaviour,
}

/// userName (RFC 7643 §4.1.1) and a group's displayName (§4.2) are required: present, and
/// not blank, after POST, PUT and every PATCH.
fn require_name(kind: Kind, map: &Map<String, Value>) -> Result<(), ScimError> {
    let (name, section) = match kind {
        Kind::User => ("userName", "§4.1.1"),
        Kind::Group => ("displayName", "§4.2"),
    };
    match map.get(name).and_then(Value::as_str) {
        Some(n) if !n.trim().is_empty() => Ok(()),
        _ => Err(ScimError::invalid_value(format!(
            "{name} is required (RFC 7643 {section}): it cannot be missing, removed or blank"
        ))),
    }
}

fn new_id() -> String {
    let b: [u8; 16] = rand::rng().random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Store {
    /// An empty store of the reference server whose locations start with `base`.
    pub fn new(base: impl Into<String>) -> Store {
        Store::with_behaviour(base, Behaviour::reference())
    }

    /// An empty store that makes the choices of `behaviour`.
    pub fn with_behaviour(base: impl Into<String>, behaviour: Behaviour) -> Store {
        Store {
            data: RwLock::new(Data::default()),
            base: base.into(),
            behaviour,
        }
    }

    /// The choices it makes.
    pub fn behaviour(&self) -> &Behaviour {
        &self.behaviour
    }

    /// The SCIM root its locations start with.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Read access to the data.
    pub fn read(&self) -> RwLockReadGuard<'_, Data> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The `meta.location` of a resource.
    pub fn location(&self, kind: Kind, id: &str) -> String {
        format!("{}/{}/{id}", self.base, kind.endpoint())
    }

    /// Validates a canonical body for `kind`; returns the password (users) kept apart.
    fn prepare(kind: Kind, body: Value) -> Result<Prepared, ScimError> {
        let mut map = canonical_resource(kind.schema(), body)?;
        let password = map
            .remove(PASSWORD)
            .and_then(|p| p.as_str().map(str::to_string));
        let members = map
            .remove("members")
            .map(|m| m.as_array().cloned().unwrap_or_default());
        map.remove("schemas");
        require_name(kind, &map)?;
        single_primary(&mut map);
        Ok((map, password, members))
    }

    /// `schemas`, `id` and the place of `meta` (rendered from the record); the write's time.
    fn stamp(kind: Kind, id: &str, body: &mut Map<String, Value>) -> Timestamp {
        let ts = now();
        for (ext, _) in &kind.schema().extensions {
            // An extension with no attribute left is not used (RFC 7643 §3: `schemas` lists
            // the schemas the resource uses), so neither its object nor its URN stays.
            if body
                .get(*ext)
                .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
            {
                body.remove(*ext);
            }
        }
        let schemas = schemas(kind, body);
        body.insert("schemas".into(), schemas);
        body.insert("id".into(), json!(id));
        body.insert("meta".into(), Value::Null);
        ts
    }

    /// Creates a resource from a POST body.
    pub fn create(&self, kind: Kind, body: Value) -> Result<Written, ScimError> {
        let (mut map, password, members) = Self::prepare(kind, body)?;
        let mut data = self.write();
        if kind == Kind::User {
            let name = map
                .get("userName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if data.user_name_taken(name, None) {
                return Err(ScimError::uniqueness(format!(
                    "userName `{name}` is already taken"
                )));
            }
        }
        let members = match members {
            Some(list) => resolve_members(&data, &list, self.behaviour.member_integrity)?,
            None => IndexMap::new(),
        };
        let id = new_id();
        let seq = data.bump();
        let ts = Self::stamp(kind, &id, &mut map);
        match kind {
            Kind::User => {
                data.index_user(&id, seq, &map);
                data.user_order.insert(seq, id.clone());
                data.users
                    .insert(id.clone(), Record::new(seq, ts, map, password));
            }
            Kind::Group => {
                data.group_order.insert(seq, id.clone());
                data.groups
                    .insert(id.clone(), Record::new(seq, ts, map, None));
                data.set_members(&id, members, false, seq, ts);
            }
        }
        Ok(self.written(&data, kind, id, true))
    }

    /// PUT: the body replaces the resource; id, created and read-only attributes are kept.
    pub fn replace(
        &self,
        kind: Kind,
        id: &str,
        body: Value,
        if_match: &IfMatch,
    ) -> Result<Written, ScimError> {
        let (mut map, password, members) = Self::prepare(kind, body)?;
        let mut data = self.write();
        let old = data
            .records(kind)
            .get(id)
            .ok_or_else(|| ScimError::not_found(kind.resource_type()))?;
        if_match.check(&etag(old.version))?;
        let (seq, old_body) = (old.seq, old.attrs());
        if kind == Kind::User {
            let name = map
                .get("userName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if data.user_name_taken(name, Some(id)) {
                return Err(ScimError::uniqueness(format!(
                    "userName `{name}` is already taken"
                )));
            }
        }
        let new_members = match members {
            Some(list) => resolve_members(&data, &list, self.behaviour.member_integrity)?,
            None => IndexMap::new(),
        };
        let version = data.bump();
        let ts = Self::stamp(kind, id, &mut map);
        if kind == Kind::User {
            data.unindex_user(seq, &old_body);
            data.index_user(id, seq, &map);
        } else {
            let renamed = old_body.get("displayName") != map.get("displayName");
            data.set_members(id, new_members, renamed, version, ts);
        }
        let rec = data
            .records_mut(kind)
            .get_mut(id)
            .ok_or_else(|| ScimError::not_found(kind.resource_type()))?;
        rec.set_body(map);
        rec.version = version;
        rec.modified = ts;
        if password.is_some() {
            rec.password = password.map(String::into_boxed_str);
        }
        Ok(self.written(&data, kind, id.to_string(), true))
    }

    /// PATCH: applies `f` to a copy of the body and an overlay of the members; commits only if
    /// it succeeds (PATCH is atomic). Members are not copied, so large groups stay cheap; the
    /// representation is rendered only when `render` asks for it.
    pub fn modify(
        &self,
        kind: Kind,
        id: &str,
        if_match: &IfMatch,
        render: bool,
        f: impl FnOnce(&mut Map<String, Value>, &mut MemberEdits<'_>, &Data) -> Result<(), ScimError>,
    ) -> Result<Written, ScimError> {
        let mut data = self.write();
        let rec = data
            .records(kind)
            .get(id)
            .ok_or_else(|| ScimError::not_found(kind.resource_type()))?;
        if_match.check(&etag(rec.version))?;
        let seq = rec.seq;
        let mut body = rec.body(kind, id, self.location(kind, id));
        let old_body = body.clone();
        // The PATCH sees the password where the client names it; it is taken out again below.
        if let Some(p) = rec.password.as_deref() {
            body.insert(PASSWORD.into(), Value::String(p.to_string()));
        }
        let mut edits = MemberEdits::new(rec.members(), self.behaviour.member_integrity);
        f(&mut body, &mut edits, &data)?;
        let changes = edits.into_changes();
        let password = match body.remove(PASSWORD) {
            None => None,
            Some(Value::String(p)) => Some(p),
            Some(_) => return Err(ScimError::invalid_value("password must be a string")),
        };
        single_primary(&mut body);
        require_name(kind, &body)?;
        if kind == Kind::User {
            let name = body
                .get("userName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if data.user_name_taken(&name, Some(id)) {
                return Err(ScimError::uniqueness(format!(
                    "userName `{name}` is already taken"
                )));
            }
        }
        let version = data.bump();
        let ts = Self::stamp(kind, id, &mut body);
        if kind == Kind::User {
            data.unindex_user(seq, &old_body);
            data.index_user(id, seq, &body);
        } else {
            let renamed = old_body.get("displayName") != body.get("displayName");
            data.apply_member_changes(id, changes, renamed, version, ts);
        }
        let rec = data
            .records_mut(kind)
            .get_mut(id)
            .ok_or_else(|| ScimError::not_found(kind.resource_type()))?;
        rec.set_body(body);
        rec.version = version;
        rec.modified = ts;
        if kind == Kind::User {
            rec.password = password.map(String::into_boxed_str);
        }
        Ok(self.written(&data, kind, id.to_string(), render))
    }

    /// Deletes a resource, honouring If-Match.
    pub fn delete(&self, kind: Kind, id: &str, if_match: &IfMatch) -> Result<(), ScimError> {
        let mut data = self.write();
        let current = data
            .records(kind)
            .get(id)
            .ok_or_else(|| ScimError::not_found(kind.resource_type()))?;
        if_match.check(&etag(current.version))?;
        let rec = match kind {
            Kind::User => data.users.remove(id),
            Kind::Group => data.groups.remove(id),
        }
        .ok_or_else(|| ScimError::not_found(kind.resource_type()))?;
        if kind == Kind::User {
            data.user_order.remove(&rec.seq);
            data.unindex_user(rec.seq, &rec.attrs());
        }
        let version = data.bump();
        let ts = now();
        if kind == Kind::Group {
            data.group_order.remove(&rec.seq);
            for member in rec.members().keys() {
                if let Some(set) = data.memberships.get_mut(member) {
                    set.remove(id);
                }
                data.touch(Kind::User, member, version, ts);
            }
        }
        // Users and groups alike can be members: every group that held this one loses it.
        for gid in data.memberships.remove(id).unwrap_or_default() {
            if let Some(g) = data.groups.get_mut(&gid) {
                g.members_mut().shift_remove(id);
            }
            data.touch(Kind::Group, &gid, version, ts);
        }
        Ok(())
    }

    /// The ETag and representation a write answers, read under the write's own lock.
    fn written(&self, data: &Data, kind: Kind, id: String, render: bool) -> Written {
        let version = data.records(kind).get(&id).map_or(0, |r| r.version);
        let body = if render {
            self.render(data, kind, &id)
        } else {
            None
        };
        Written {
            etag: etag(version),
            body,
            id,
        }
    }

    /// As if POSTed; for tests and benchmarks that need a populated tenant.
    pub fn seed_user(&self, body: Value) -> Result<Value, ScimError> {
        self.create(Kind::User, body)
            .map(|w| w.body.unwrap_or_default())
    }

    /// Adds a group directly, for benchmarks and tests.
    pub fn seed_group(&self, body: Value) -> Result<Value, ScimError> {
        self.create(Kind::Group, body)
            .map(|w| w.body.unwrap_or_default())
    }
}

#[cfg(test)]
#[path = "store_concurrency_tests.rs"]
mod concurrency_tests;
