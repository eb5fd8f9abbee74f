//! Group membership edits as an overlay on the stored member list: a PATCH that adds one
//! member to a group of 10,000 touches one entry, and a PATCH that fails touches none.

use indexmap::IndexMap;
use scim_v2::filter::ValFilter;
use serde_json::{Map, Value};
use std::collections::HashSet;

use super::error::ScimError;
use super::filter::{val_matches, value_eq};
use super::kind::Kind;
use super::patch::{is_empty, Op};
use super::resource::canonical_value;
use super::schema::{Attr, ResourceSchema};
use super::store::Data;

pub struct MemberEdits<'a> {
    base: &'a IndexMap<String, Member>,
    /// Whether an added member must name an existing resource.
    integrity: bool,
    cleared: bool,
    removed: HashSet<String>,
    added: IndexMap<String, Member>,
}

/// The net change of a PATCH, applied by the store once every operation succeeded.
pub struct MemberChanges {
    pub cleared: bool,
    pub removed: HashSet<String>,
    pub added: IndexMap<String, Member>,
}

impl<'a> MemberEdits<'a> {
    pub fn new(base: &'a IndexMap<String, Member>, integrity: bool) -> MemberEdits<'a> {
        MemberEdits {
            base,
            integrity,
            cleared: false,
            removed: HashSet::new(),
            added: IndexMap::new(),
        }
    }

    fn in_base(&self, id: &str) -> bool {
        !self.cleared && self.base.contains_key(id) && !self.removed.contains(id)
    }

    pub fn get(&self, id: &str) -> Option<&Member> {
        self.added
            .get(id)
            .or_else(|| self.base.get(id).filter(|_| self.in_base(id)))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.added.contains_key(id) || self.in_base(id)
    }

    /// The current members, in order: the kept stored ones, then the added ones.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Member)> {
        self.base
            .iter()
            .filter(|(id, _)| self.in_base(id))
            .chain(self.added.iter())
    }

    pub fn add(&mut self, id: String, member: Member) {
        if !self.contains(&id) {
            self.added.insert(id, member);
        }
    }

    /// A member kept with new details (its display); it moves to the end, which RFC 7643
    /// §2.4 allows: multi-valued attributes have no order.
    pub fn update(&mut self, id: &str, member: Member) {
        self.remove(id);
        self.added.insert(id.to_string(), member);
    }

    pub fn remove(&mut self, id: &str) {
        self.added.shift_remove(id);
        if self.base.contains_key(id) {
            self.removed.insert(id.to_string());
        }
    }

    pub fn clear(&mut self) {
        self.cleared = true;
        self.removed.clear();
        self.added.clear();
    }

    pub fn into_changes(self) -> MemberChanges {
        MemberChanges {
            cleared: self.cleared,
            removed: self.removed,
            added: self.added,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Member {
    pub display: Option<String>,
    /// `None`: an id that names no resource, kept because integrity is not enforced.
    pub kind: Option<Kind>,
}

/// Member objects from a request. With `integrity`, `value` must name an existing user or
/// group; without it (RFC 7643 §2.3.7 makes integrity the server's choice) an unknown id is
/// kept as given, of no known kind.
pub fn resolve_members(
    data: &Data,
    list: &[Value],
    integrity: bool,
) -> Result<IndexMap<String, Member>, ScimError> {
    let mut out = IndexMap::with_capacity(list.len());
    for item in list {
        let id = item.get("value").and_then(Value::as_str).ok_or_else(|| {
            ScimError::invalid_value("each member needs a `value` (the member's id)")
        })?;
        let kind = if data.users.contains_key(id) {
            Some(Kind::User)
        } else if data.groups.contains_key(id) {
            Some(Kind::Group)
        } else if integrity {
            return Err(ScimError::invalid_value(format!(
                "member `{id}` is not a known user or group"
            )));
        } else {
            None
        };
        let display = item
            .get("display")
            .and_then(Value::as_str)
            .map(str::to_string);
        out.insert(id.to_string(), Member { display, kind });
    }
    Ok(out)
}

/// Group membership, on the ordered member map.
pub(super) fn member_op(
    members: &mut MemberEdits<'_>,
    data: &Data,
    op: Op,
    filter: Option<&ValFilter>,
    sub: Option<&Attr>,
    value: Option<Value>,
) -> Result<(), ScimError> {
    if let Some(sub) = sub {
        return member_sub_op(members, op, filter, sub, value);
    }
    let integrity = members.integrity;
    let listed = |v: Option<Value>| -> Result<IndexMap<String, Member>, ScimError> {
        let list = match v {
            Some(Value::Array(a)) => a,
            Some(Value::Object(o)) => vec![Value::Object(o)],
            Some(Value::Null) | None => vec![],
            Some(_) => {
                return Err(ScimError::invalid_value(
                    "members must be a list of {\"value\": id} objects",
                ))
            }
        };
        resolve_members(data, &list, integrity)
    };
    if let Some(f) = filter {
        if op != Op::Remove {
            return Err(ScimError::invalid_path(
                "members can be added or replaced with the path `members`, not a filter",
            ));
        }
        let matched = matching_members(members, f)?;
        if matched.is_empty() {
            return Err(ScimError::no_target(
                "no member matches the filter (RFC 7644 §3.5.2.2)",
            ));
        }
        for id in matched {
            members.remove(&id);
        }
        return Ok(());
    }
    match op {
        Op::Add => {
            for (id, m) in listed(value)? {
                members.add(id, m);
            }
        }
        Op::Replace => {
            let list = listed(value)?;
            members.clear();
            for (id, m) in list {
                members.add(id, m);
            }
        }
        Op::Remove => match value {
            // Entra's default: remove exactly the listed members. A listed member that is
            // already gone is not an error: Entra retries and replays removals, and the
            // outcome it asks for (not a member) holds.
            Some(v) if !is_empty(&v) => {
                for item in v.as_array().cloned().unwrap_or_else(|| vec![v]) {
                    if let Some(id) = item.get("value").and_then(Value::as_str) {
                        members.remove(id);
                    }
                }
            }
            _ => members.clear(),
        },
    }
    Ok(())
}

/// `members.display`, `members[value eq "…"].display`: the one sub-attribute a client may
/// change; `value`, `$ref` and `type` are immutable (RFC 7643 §4.2, §2.2), so an edit of
/// them is refused with `mutability` (RFC 7644 §3.5.2).
fn member_sub_op(
    members: &mut MemberEdits<'_>,
    op: Op,
    filter: Option<&ValFilter>,
    sub: &Attr,
    value: Option<Value>,
) -> Result<(), ScimError> {
    if sub.immutable || sub.read_only {
        return Err(ScimError::mutability(format!(
            "members.{} is immutable: add or remove the member instead",
            sub.name
        )));
    }
    let display = match (op, value) {
        (Op::Remove, _) => None,
        (_, Some(v)) if is_empty(&v) => None,
        (_, Some(v)) => canonical_value(sub, v)?.as_str().map(str::to_string),
        (_, None) => return Err(ScimError::invalid_value("members.display needs a value")),
    };
    let targets: Vec<String> = match filter {
        Some(f) => matching_members(members, f)?,
        None => members.iter().map(|(id, _)| id.clone()).collect(),
    };
    if targets.is_empty() && filter.is_some() && op != Op::Add {
        return Err(ScimError::no_target(
            "no member matches the filter (RFC 7644 §3.5.2)",
        ));
    }
    for id in targets {
        let kind = members.get(&id).and_then(|m| m.kind);
        members.update(
            &id,
            Member {
                display: display.clone(),
                kind,
            },
        );
    }
    Ok(())
}

/// The members a value filter selects; `value eq "id"` (Okta's form) is one lookup, so a
/// removal from a group of 10,000 does not test 10,000 members.
fn matching_members(members: &MemberEdits<'_>, f: &ValFilter) -> Result<Vec<String>, ScimError> {
    if let Some(id) = value_eq(f) {
        let lower = id.to_ascii_lowercase();
        // Ids are generated lower-case and members.value is not caseExact.
        return Ok([id, lower.as_str()]
            .into_iter()
            .find(|k| members.contains(k))
            .map(str::to_string)
            .into_iter()
            .collect());
    }
    let parent = ResourceSchema::group().find(None, "members");
    let mut matched = Vec::new();
    for (id, m) in members.iter() {
        let mut obj = Map::new();
        obj.insert("value".into(), Value::String(id.clone()));
        if let Some(kind) = m.kind {
            obj.insert("type".into(), Value::String(kind.resource_type().into()));
        }
        if let Some(d) = &m.display {
            obj.insert("display".into(), Value::String(d.clone()));
        }
        if val_matches(f, &obj, parent)? {
            matched.push(id.clone());
        }
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> Member {
        Member {
            display: None,
            kind: Some(Kind::User),
        }
    }

    #[test]
    fn overlay_follows_operations_in_order() {
        let base: IndexMap<String, Member> = [("a".to_string(), m()), ("b".to_string(), m())]
            .into_iter()
            .collect();
        let mut e = MemberEdits::new(&base, true);
        e.remove("b");
        e.add("c".into(), m());
        e.add("a".into(), m());
        assert_eq!(
            e.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        e.clear();
        e.add("b".into(), m());
        assert!(e.contains("b") && !e.contains("a"));
        let changes = e.into_changes();
        assert!(changes.cleared);
        assert_eq!(changes.added.keys().collect::<Vec<_>>(), ["b"]);
    }
}
