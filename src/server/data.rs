//! What the store holds under its lock: the records and the indexes that keep the hot paths
//! O(1) (id, lower-cased userName, externalId, group membership both ways).

use indexmap::IndexMap;
use scim_v2::filter::Filter;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::filter::{element_value_eq, indexed_eq, user_name_prefix};
use super::kind::Kind;
use super::members::{Member, MemberChanges};
pub use super::record::Record;
use super::record::Timestamp;

#[derive(Debug, Default)]
pub struct Data {
    next: u64,
    pub users: HashMap<String, Record>,
    pub groups: HashMap<String, Record>,
    pub user_order: BTreeMap<u64, String>,
    pub group_order: BTreeMap<u64, String>,
    /// Lower-cased userName (caseExact false, RFC 7643 §4.1.1) → the holder's `seq`.
    user_names: HashMap<Box<str>, u64>,
    /// externalId → the users holding it, by creation order: it is not unique (RFC 7643 §3.1).
    external_ids: HashMap<String, BTreeMap<u64, String>>,
    /// member id → ids of the groups it belongs to.
    pub(super) memberships: HashMap<String, BTreeSet<String>>,
}

impl Data {
    pub fn records(&self, kind: Kind) -> &HashMap<String, Record> {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    pub(super) fn records_mut(&mut self, kind: Kind) -> &mut HashMap<String, Record> {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    pub fn order(&self, kind: Kind) -> &BTreeMap<u64, String> {
        match kind {
            Kind::User => &self.user_order,
            Kind::Group => &self.group_order,
        }
    }

    pub fn user_by_name(&self, name: &str) -> Option<&String> {
        let seq = self.user_names.get(name.to_lowercase().as_str())?;
        self.user_order.get(seq)
    }

    /// The users with this externalId, in creation order.
    pub fn users_by_external_id(&self, ext: &str) -> impl Iterator<Item = &String> {
        self.external_ids
            .get(ext)
            .into_iter()
            .flat_map(|m| m.values())
    }

    /// Candidate ids in creation order when an index narrows `filter` down; None: scan all.
    /// The filter is still evaluated on each candidate.
    /// The ids that match `filter`, in creation order, when an index decides it whole
    /// (`userName eq`, `userName sw`): no stored body needs reading.
    pub fn decided(&self, kind: Kind, filter: &Filter) -> Option<Vec<String>> {
        if kind != Kind::User {
            return None;
        }
        if let Some((_, v)) = indexed_eq(filter).filter(|(a, _)| a == "username") {
            return Some(self.user_by_name(&v).cloned().into_iter().collect());
        }
        let prefix = user_name_prefix(filter)?.to_lowercase();
        let mut seqs: Vec<u64> = self
            .user_names
            .iter()
            .filter(|(name, _)| name.starts_with(prefix.as_str()))
            .map(|(_, seq)| *seq)
            .collect();
        seqs.sort_unstable();
        Some(
            seqs.iter()
                .filter_map(|seq| self.user_order.get(seq).cloned())
                .collect(),
        )
    }

    pub fn candidates(&self, kind: Kind, filter: &Filter) -> Option<Vec<String>> {
        if let Some((attr, v)) = indexed_eq(filter) {
            match (kind, attr.as_str()) {
                (Kind::User, "username") => {
                    return Some(self.user_by_name(&v).cloned().into_iter().collect())
                }
                (Kind::User, "externalid") => {
                    return Some(self.users_by_external_id(&v).cloned().collect())
                }
                (_, "id") => {
                    let hit = self.records(kind).contains_key(&v).then_some(v);
                    return Some(hit.into_iter().collect());
                }
                _ => {}
            }
        }
        // `members`/`groups` values are ids: generated lower-case, compared ignoring case.
        let (attr, other) = match kind {
            Kind::User => ("groups", Kind::Group),
            Kind::Group => ("members", Kind::User),
        };
        let v = element_value_eq(filter, attr)?;
        let mut keys = vec![v.to_string()];
        if v.to_ascii_lowercase() != v {
            keys.push(v.to_ascii_lowercase());
        }
        let mut hits: Vec<(u64, String)> = Vec::new();
        for key in &keys {
            let ids: Vec<&String> = match other {
                // The groups holding member `key`.
                Kind::User => self.memberships.get(key).into_iter().flatten().collect(),
                // The members of group `key`.
                Kind::Group => self
                    .groups
                    .get(key)
                    .into_iter()
                    .flat_map(|g| g.members().keys())
                    .collect(),
            };
            for id in ids {
                if let Some(rec) = self.records(kind).get(id) {
                    hits.push((rec.seq, id.clone()));
                }
            }
        }
        hits.sort();
        hits.dedup();
        Some(hits.into_iter().map(|(_, id)| id).collect())
    }

    pub(super) fn bump(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    pub(super) fn user_name_taken(&self, name: &str, except: Option<&str>) -> bool {
        self.user_by_name(name)
            .is_some_and(|owner| Some(owner.as_str()) != except)
    }

    pub(super) fn index_user(&mut self, id: &str, seq: u64, body: &Map<String, Value>) {
        if let Some(name) = body.get("userName").and_then(Value::as_str) {
            self.user_names.insert(name.to_lowercase().into(), seq);
        }
        if let Some(ext) = body.get("externalId").and_then(Value::as_str) {
            self.external_ids
                .entry(ext.to_string())
                .or_default()
                .insert(seq, id.to_string());
        }
    }

    /// Drops the index entries `body` gave user `id`, and only those.
    pub(super) fn unindex_user(&mut self, seq: u64, body: &Map<String, Value>) {
        if let Some(name) = body.get("userName").and_then(Value::as_str) {
            let key = name.to_lowercase();
            if self.user_names.get(key.as_str()) == Some(&seq) {
                self.user_names.remove(key.as_str());
            }
        }
        if let Some(ext) = body.get("externalId").and_then(Value::as_str) {
            if let Some(owners) = self.external_ids.get_mut(ext) {
                owners.remove(&seq);
                if owners.is_empty() {
                    self.external_ids.remove(ext);
                }
            }
        }
    }

    /// A record whose representation changed through another resource's write: a new
    /// version and lastModified, so its ETag changes too (RFC 7644 §3.14).
    pub(super) fn touch(&mut self, kind: Kind, id: &str, version: u64, ts: Timestamp) {
        let Some(rec) = self.records_mut(kind).get_mut(id) else {
            return;
        };
        rec.version = version;
        rec.modified = ts;
    }

    /// Replaces a group's member list, keeping the reverse index in step. The users whose
    /// `groups` this changes are touched: those added or removed, and all of them on a rename.
    pub(super) fn set_members(
        &mut self,
        gid: &str,
        members: IndexMap<String, Member>,
        renamed: bool,
        version: u64,
        ts: Timestamp,
    ) {
        let Some(g) = self.groups.get_mut(gid) else {
            return;
        };
        let old = g.take_members();
        let mut changed = Vec::new();
        for uid in old.keys().filter(|uid| !members.contains_key(*uid)) {
            if let Some(set) = self.memberships.get_mut(uid) {
                set.remove(gid);
            }
            changed.push(uid.clone());
        }
        for uid in members.keys() {
            if !old.contains_key(uid) {
                self.memberships
                    .entry(uid.clone())
                    .or_default()
                    .insert(gid.to_string());
                changed.push(uid.clone());
            } else if renamed {
                changed.push(uid.clone());
            }
        }
        if let Some(g) = self.groups.get_mut(gid) {
            g.set_members(members);
        }
        for uid in changed {
            self.touch(Kind::User, &uid, version, ts);
        }
    }

    /// Commits a PATCH's net member changes to group `gid`, touching the users whose `groups`
    /// this changes (O(changed members), or O(members) on a rename).
    pub(super) fn apply_member_changes(
        &mut self,
        gid: &str,
        changes: MemberChanges,
        renamed: bool,
        version: u64,
        ts: Timestamp,
    ) {
        let Data {
            groups,
            memberships,
            ..
        } = self;
        let Some(rec) = groups.get_mut(gid) else {
            return;
        };
        let mut changed = Vec::new();
        if changes.cleared {
            for gone in rec.members().keys() {
                if let Some(set) = memberships.get_mut(gone) {
                    set.remove(gid);
                }
                changed.push(gone.clone());
            }
            rec.set_members(IndexMap::new());
        }
        for gone in changes.removed {
            if rec.members_mut().shift_remove(&gone).is_some() {
                if let Some(set) = memberships.get_mut(&gone) {
                    set.remove(gid);
                }
                changed.push(gone);
            }
        }
        for (added, member) in changes.added {
            memberships
                .entry(added.clone())
                .or_default()
                .insert(gid.to_string());
            if rec.members_mut().insert(added.clone(), member).is_none() {
                changed.push(added);
            }
        }
        if renamed {
            changed.extend(rec.members().keys().cloned());
        }
        for uid in changed {
            self.touch(Kind::User, &uid, version, ts);
        }
    }
}
