//! Group membership edits as an overlay on the stored member list: a PATCH that adds one
//! member to a group of 10,000 touches one entry, and a PATCH that fails touches none.

use indexmap::IndexMap;
use std::collections::HashSet;

use super::store::Member;

pub struct MemberEdits<'a> {
    base: &'a IndexMap<String, Member>,
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
    pub fn new(base: &'a IndexMap<String, Member>) -> MemberEdits<'a> {
        MemberEdits {
            base,
            cleared: false,
            removed: HashSet::new(),
            added: IndexMap::new(),
        }
    }

    fn in_base(&self, id: &str) -> bool {
        !self.cleared && self.base.contains_key(id) && !self.removed.contains(id)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::Kind;

    fn m() -> Member {
        Member {
            display: None,
            kind: Kind::User,
        }
    }

    #[test]
    fn overlay_follows_operations_in_order() {
        let base: IndexMap<String, Member> = [("a".to_string(), m()), ("b".to_string(), m())]
            .into_iter()
            .collect();
        let mut e = MemberEdits::new(&base);
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
