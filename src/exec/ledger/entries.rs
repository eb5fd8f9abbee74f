//! The ledger's entries: creation order, and an index by kind and id.

use super::LedgerEntry;
use crate::scim::ResourceKind;

/// The entries in creation order, with an index by kind and id: a large run (10,000 users)
/// asks "is this id ours?" for every request it sends.
#[derive(Debug, Default)]
pub(crate) struct Entries {
    pub(super) list: Vec<LedgerEntry>,
    pub(super) at: std::collections::HashMap<(ResourceKind, String), usize>,
}

impl Entries {
    pub(super) fn find(&self, kind: ResourceKind, id: &str) -> Option<&LedgerEntry> {
        self.at.get(&(kind, id.to_string())).map(|i| &self.list[*i])
    }

    pub(super) fn contains(&self, kind: ResourceKind, id: &str) -> bool {
        self.at.contains_key(&(kind, id.to_string()))
    }

    pub(super) fn push(&mut self, entry: LedgerEntry) {
        self.at
            .insert((entry.kind, entry.id.as_str().to_string()), self.list.len());
        self.list.push(entry);
    }

    pub(super) fn remove(&mut self, kind: ResourceKind, id: &str) {
        if self.at.remove(&(kind, id.to_string())).is_some() {
            self.list
                .retain(|e| !(e.kind == kind && e.id.as_str() == id));
            self.at = self
                .list
                .iter()
                .enumerate()
                .map(|(i, e)| ((e.kind, e.id.as_str().to_string()), i))
                .collect();
        }
    }

    pub(super) fn iter(&self) -> std::slice::Iter<'_, LedgerEntry> {
        self.list.iter()
    }
}
