//! The resources in memory: insertion-ordered maps of JSON bodies, each with its version and
//! the version before its last write (what a stale read answers). Group members live in the
//! group's body as `{value, display}`; `$ref`, `type` and a user's `groups` are computed when
//! a resource is rendered.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use super::error::ScimError;

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }
}

/// One resource as stored.
#[derive(Debug, Clone)]
pub struct Rec {
    pub body: Map<String, Value>,
    pub version: u64,
    pub created: String,
    pub modified: String,
    /// When the last write happened, and what the resource was before it (None: it did not
    /// exist yet).
    pub written: Instant,
    pub before: Option<Box<Rec>>,
}

impl Rec {
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.version)
    }

    /// The stored members of a group.
    pub fn members(&self) -> &[Value] {
        self.body
            .get("members")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

#[derive(Debug, Default)]
pub struct Store {
    pub users: IndexMap<String, Rec>,
    pub groups: IndexMap<String, Rec>,
    /// Deleted resources and when, for stale reads.
    gone: HashMap<String, Rec>,
    version: u64,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("a UTC time formats")
}

impl Store {
    pub fn table(&self, kind: Kind) -> &IndexMap<String, Rec> {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    fn table_mut(&mut self, kind: Kind) -> &mut IndexMap<String, Rec> {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    fn next_version(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    /// userName is unique server-wide and compared ignoring case (RFC 7643 §4.1.1).
    pub fn user_name_taken(&self, name: &str, except: Option<&str>) -> bool {
        self.users.iter().any(|(id, r)| {
            Some(id.as_str()) != except
                && r.body
                    .get("userName")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Refuses member values that name no user or group (referential integrity, RFC 7643
    /// §2.3.7 lets the server choose).
    pub fn check_members(&self, members: &[Value]) -> Result<(), ScimError> {
        for m in members {
            let id = m["value"].as_str().unwrap_or_default();
            if !self.users.contains_key(id) && !self.groups.contains_key(id) {
                return Err(ScimError::invalid_value(format!(
                    "member {id} names no user or group"
                )));
            }
        }
        Ok(())
    }

    pub fn create(&mut self, kind: Kind, body: Map<String, Value>) -> String {
        let id = format!("{:032x}", rand::random::<u128>());
        let stamp = now();
        let rec = Rec {
            body,
            version: self.next_version(),
            created: stamp.clone(),
            modified: stamp,
            written: Instant::now(),
            before: None,
        };
        self.table_mut(kind).insert(id.clone(), rec);
        id
    }

    /// Replaces the body of `id` (which exists), keeping the version before for stale reads.
    pub fn write(&mut self, kind: Kind, id: &str, body: Map<String, Value>) {
        let version = self.next_version();
        let Some(rec) = self.table_mut(kind).get_mut(id) else {
            return;
        };
        let mut old = rec.clone();
        old.before = None;
        rec.before = Some(Box::new(old));
        rec.body = body;
        rec.version = version;
        rec.modified = now();
        rec.written = Instant::now();
    }

    /// Deletes `id`, and removes it from every group it is a member of.
    pub fn delete(&mut self, kind: Kind, id: &str) -> bool {
        let Some(mut rec) = self.table_mut(kind).shift_remove(id) else {
            return false;
        };
        rec.before = None;
        rec.written = Instant::now();
        self.gone.insert(id.to_string(), rec);
        let holding: Vec<String> = self
            .groups
            .iter()
            .filter(|(_, g)| g.members().iter().any(|m| m["value"] == id))
            .map(|(gid, _)| gid.clone())
            .collect();
        for gid in holding {
            let mut body = self.groups[&gid].body.clone();
            if let Some(Value::Array(members)) = body.get_mut("members") {
                members.retain(|m| m["value"] != id);
            }
            self.write(Kind::Group, &gid, body);
        }
        true
    }

    /// The resource a GET sees: the current one, or with `lag`, the one before a write made
    /// less than `lag` ago.
    pub fn visible(&self, kind: Kind, id: &str, lag: Option<Duration>) -> Option<Rec> {
        let fresh = |r: &Rec| lag.is_some_and(|lag| r.written.elapsed() < lag);
        match self.table(kind).get(id) {
            Some(r) if fresh(r) => r.before.as_deref().cloned(),
            Some(r) => Some(r.clone()),
            None => self.gone.get(id).filter(|r| fresh(r)).cloned(),
        }
    }

    /// The resource as clients see it: the body with `id`, `meta`, and for a group its
    /// members' `$ref` and `type`, for a user the groups it belongs to.
    pub fn render(&self, kind: Kind, id: &str, rec: &Rec, base: &str) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), json!(id));
        for (k, v) in &rec.body {
            out.insert(k.clone(), v.clone());
        }
        let location = format!("{base}/{}/{id}", kind.endpoint());
        out.insert(
            "meta".into(),
            json!({
                "resourceType": kind.name(),
                "created": rec.created,
                "lastModified": rec.modified,
                "location": location,
                "version": rec.etag(),
            }),
        );
        match kind {
            Kind::Group => {
                let members: Vec<Value> =
                    rec.members().iter().map(|m| self.member(m, base)).collect();
                out.insert("members".into(), Value::Array(members));
            }
            Kind::User => {
                let groups: Vec<Value> = self
                    .groups
                    .iter()
                    .filter(|(_, g)| g.members().iter().any(|m| m["value"] == id))
                    .map(|(gid, g)| {
                        json!({
                            "value": gid,
                            "$ref": format!("{base}/Groups/{gid}"),
                            "display": g.body.get("displayName").cloned().unwrap_or(Value::Null),
                            "type": "direct",
                        })
                    })
                    .collect();
                if !groups.is_empty() {
                    out.insert("groups".into(), Value::Array(groups));
                }
            }
        }
        Value::Object(out)
    }

    fn member(&self, m: &Value, base: &str) -> Value {
        let id = m["value"].as_str().unwrap_or_default();
        let mut out = json!({"value": id});
        let (kind, display) = if let Some(u) = self.users.get(id) {
            (Kind::User, u.body.get("userName"))
        } else if let Some(g) = self.groups.get(id) {
            (Kind::Group, g.body.get("displayName"))
        } else {
            return m.clone();
        };
        out["$ref"] = json!(format!("{base}/{}/{id}", kind.endpoint()));
        out["type"] = json!(kind.name());
        out["display"] = m.get("display").or(display).cloned().unwrap_or(Value::Null);
        out
    }
}

/// Member objects as stored: `value` (required, a string) and `display`, one per value.
pub fn members_of(value: &Value) -> Result<Vec<Value>, ScimError> {
    let items = match value {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        one @ Value::Object(_) => vec![one.clone()],
        _ => {
            return Err(ScimError::invalid_value(
                "members must be a list of objects",
            ))
        }
    };
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        let Some(v) = item.get("value").and_then(Value::as_str) else {
            return Err(ScimError::invalid_value("a member needs a string value"));
        };
        if out.iter().any(|m| m["value"] == v) {
            continue;
        }
        let mut m = json!({"value": v});
        if let Some(d) = item.get("display").filter(|d| d.is_string()) {
            m["display"] = d.clone();
        }
        out.push(m);
    }
    Ok(out)
}

/// A POST or PUT body as stored: server-set attributes dropped, the password never kept
/// (returned "never"), the required attribute present, string booleans read as Entra means.
pub fn prepare(kind: Kind, body: Value) -> Result<Map<String, Value>, ScimError> {
    let Value::Object(mut body) = body else {
        return Err(ScimError::invalid_value("the body must be a JSON object"));
    };
    body.retain(|k, _| {
        !["id", "meta", "groups", "password"]
            .iter()
            .any(|ro| k.eq_ignore_ascii_case(ro))
    });
    // Attribute names are case-insensitive (RFC 7643 §2.1): the ones the server reads are
    // stored under their schema spelling.
    for canonical in ["userName", "displayName", "active", "members", "schemas"] {
        let found = body
            .keys()
            .find(|k| k.eq_ignore_ascii_case(canonical) && *k != canonical)
            .cloned();
        if let Some(v) = found.and_then(|k| body.remove(&k)) {
            body.insert(canonical.to_string(), v);
        }
    }
    let (required, urn) = match kind {
        Kind::User => ("userName", USER_URN),
        Kind::Group => ("displayName", GROUP_URN),
    };
    if body
        .get(required)
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(ScimError::invalid_value(format!("{required} is required")));
    }
    if !body.contains_key("schemas") {
        body.insert("schemas".into(), json!([urn]));
    }
    if let Some(active) = body.get_mut("active") {
        coerce_bool(active);
    }
    if kind == Kind::Group {
        let members = members_of(body.get("members").unwrap_or(&Value::Null))?;
        body.insert("members".into(), Value::Array(members));
    }
    Ok(body)
}

/// An attribute path without the core schema's URN prefix, which names the same attribute
/// (RFC 7644 §3.10).
pub fn strip_core_urn(path: &str) -> &str {
    for urn in [USER_URN, GROUP_URN] {
        let rest = path
            .get(..urn.len())
            .filter(|head| head.eq_ignore_ascii_case(urn))
            .and_then(|_| path[urn.len()..].strip_prefix(':'));
        if let Some(rest) = rest {
            return rest;
        }
    }
    path
}

/// "True" / "False" as older Entra tenants send them.
pub fn coerce_bool(v: &mut Value) {
    if let Some(s) = v.as_str() {
        if s.eq_ignore_ascii_case("true") {
            *v = Value::Bool(true);
        } else if s.eq_ignore_ascii_case("false") {
            *v = Value::Bool(false);
        }
    }
}
