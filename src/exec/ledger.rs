//! The ledger: every resource this run created, recorded the moment the server answers.
//! A mutation (PUT, PATCH, DELETE) is only ever sent to an id in the ledger.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;

mod bulk;
mod entries;

use entries::Entries;

use super::exchange::Exchange;
use crate::plan::PreparedRequest;
use crate::scim::json::id_of;
pub use crate::scim::owned::carries_prefix;
use crate::scim::owned::{contains_prefix, identity_in, is_discovery_probe};
use crate::scim::{Method, ResourceId, ResourceKind};

/// A resource this run created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// User or group.
    pub kind: ResourceKind,
    /// The server-assigned id.
    pub id: ResourceId,
    /// userName or displayName, for messages.
    pub name: String,
    /// Whether the run has deleted it.
    #[serde(default)]
    pub deleted: bool,
}

/// A resource the run must never touch although an answer pointed at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disowned {
    /// The resource.
    pub entry: LedgerEntry,
    /// Why it is not the run's to touch.
    pub why: String,
    /// The run did create it (its name carries the prefix), but its id cannot be addressed
    /// safely: cleanup reports it instead of deleting it.
    pub ours: bool,
}

/// What an exchange told the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// Nothing the ledger tracks.
    Nothing,
    /// A new resource of the run, to read back before anything builds on it.
    Created(LedgerEntry),
    /// New resources of the run, from one BulkResponse.
    CreatedMany(Vec<LedgerEntry>),
    /// An answer that points at a resource that is not (or no longer) the run's: a finding,
    /// `check` being its id.
    Disowned {
        /// The finding's check id.
        check: &'static str,
        /// What the answer pointed at.
        why: String,
    },
}

/// What this run created; a mutation is only sent to an id in it.
#[derive(Debug, Default)]
pub struct Ledger {
    entries: Mutex<Entries>,
    /// The run's name prefix; a created resource whose name lacks it is not the run's.
    prefix: Mutex<String>,
    disowned: Mutex<Vec<Disowned>>,
    /// Creates sent whose answers have not arrived, so an exit at once can say so.
    in_flight: std::sync::atomic::AtomicUsize,
}

/// What names a resource of `kind` in a body: its userName or displayName, or, where that is
/// absent, its `externalId` (and a user's `displayName`), see [`identity_in`].
pub fn name_in(kind: ResourceKind, body: &serde_json::Value) -> Option<&str> {
    identity_in(kind, body)
}

/// `/Users/{id}` → (User, decoded id); other paths → None.
fn target_of(path: &str) -> Option<(ResourceKind, String)> {
    let mut parts = path.trim_start_matches('/').split('/');
    let kind = ResourceKind::from_segment(parts.next()?)?;
    let id = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(id).decode_utf8_lossy();
    Some((kind, decoded.into_owned()))
}

/// The collection a POST creates in: `/Users` or `/Groups`, nothing below them.
fn collection_of(path: &str) -> Option<ResourceKind> {
    ResourceKind::from_segment(path.trim_start_matches('/').trim_end_matches('/'))
}

/// Where a POST may go besides a create: the searches of RFC 7644 §3.4.3.
fn is_search(path: &str) -> bool {
    let p = path.trim_start_matches('/');
    p.eq_ignore_ascii_case(".search")
        || p.split_once('/').is_some_and(|(c, rest)| {
            ResourceKind::from_segment(c).is_some() && rest.eq_ignore_ascii_case(".search")
        })
}

/// What names the resource in a raw body, when the text happens to be JSON.
fn raw_identity(kind: ResourceKind, req: &PreparedRequest) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(req.raw_body.as_deref()?).ok()?;
    name_in(kind, &json).map(str::to_string)
}

/// Headers that would turn a harmless request into a mutation the ledger never saw.
const METHOD_OVERRIDES: &[&str] = &[
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

/// A create on its way: see [`Ledger::sending`].
pub struct InFlight<'a>(Option<&'a Ledger>);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(ledger) = self.0 {
            ledger
                .in_flight
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

impl Ledger {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic elsewhere must not stop cleanup: the data is still consistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn disowned_lock(&self) -> std::sync::MutexGuard<'_, Vec<Disowned>> {
        self.disowned.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a run: names it creates carry `prefix`.
    pub fn begin(&self, prefix: &str) {
        *self.prefix.lock().unwrap_or_else(|e| e.into_inner()) = prefix.to_string();
    }

    fn prefix(&self) -> String {
        self.prefix
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether `name` carries the run's prefix (see [`carries_prefix`]).
    pub fn is_ours(&self, name: &str) -> bool {
        carries_prefix(name, &self.prefix())
    }

    /// Why the harness must not send this request, if it must not.
    pub fn refusal(&self, req: &PreparedRequest) -> Option<String> {
        if let Some((name, _)) = req
            .headers
            .iter()
            .find(|(n, _)| METHOD_OVERRIDES.contains(&n.to_ascii_lowercase().as_str()))
        {
            return Some(format!(
                "refused: the header `{name}` would change the method the ledger checks"
            ));
        }
        if is_discovery_probe(req.method, &req.path, req.has_body()) {
            return None;
        }
        if req.method == Method::Post {
            return self.refuse_post(req);
        }
        if req.raw_body.is_some() {
            return Some(format!(
                "refused {} {}: a raw body is only sent in a create to /Users or /Groups",
                req.method.as_str(),
                req.path
            ));
        }
        if !req.method.is_mutating() {
            return None;
        }
        let refused = |why: String| {
            Some(format!(
                "refused {} {}: {why}",
                req.method.as_str(),
                req.path
            ))
        };
        let Some((kind, id)) = target_of(&req.path) else {
            return refused(
                "the harness only modifies /Users/{id} or /Groups/{id} it created".into(),
            );
        };
        if let Some(why) = crate::scim::path::unaddressable(&id) {
            return refused(why);
        }
        if self.lock().contains(kind, &id) {
            return None;
        }
        match self
            .disowned_lock()
            .iter()
            .find(|d| d.entry.kind == kind && d.entry.id.as_str() == id)
        {
            Some(d) => refused(d.why.clone()),
            None => refused(format!("id `{id}` was not created by this run")),
        }
    }

    /// A create must name its resource with the run's prefix, or cleanup could not tell it
    /// from the tenant's own data; any other POST must be a search.
    fn refuse_post(&self, req: &PreparedRequest) -> Option<String> {
        if req.raw_body.is_some() && collection_of(&req.path).is_none() {
            return Some(format!(
                "refused POST {}: a raw body is only sent in a create to /Users or /Groups",
                req.path
            ));
        }
        if is_search(&req.path) {
            return None;
        }
        if bulk::is_bulk(&req.path) {
            return self.refuse_bulk(req);
        }
        let Some(kind) = collection_of(&req.path) else {
            return Some(format!(
                "refused POST {}: the harness only POSTs creates to /Users and /Groups, and searches",
                req.path
            ));
        };
        if let Some(raw) = &req.raw_body {
            // Not JSON, so nothing names the resource: the prefix anywhere in the text means
            // whatever a server makes of it carries the prefix too.
            return (!contains_prefix(raw, &self.prefix())).then(|| {
                format!(
                    "refused POST {}: a raw body must hold the run prefix `{}` (use {{{{userN.userName}}}} or {{{{groupN.displayName}}}})",
                    req.path,
                    self.prefix()
                )
            });
        }
        match req.body.as_ref().and_then(|b| name_in(kind, b)) {
            Some(n) if self.is_ours(n) => None,
            _ => Some(format!(
                "refused POST {}: the {} it creates must start with the run prefix `{}` (use {{{{userN.userName}}}} or {{{{groupN.displayName}}}})",
                req.path,
                kind.name_attribute(),
                self.prefix()
            )),
        }
    }

    /// Counts `req` as a create in flight until the guard is dropped (after its answer has
    /// been observed), so an exit at once can say how many answers it will never see.
    pub fn sending(&self, req: &PreparedRequest) -> InFlight<'_> {
        let create = req.method == Method::Post
            && (collection_of(&req.path).is_some() || bulk::is_bulk(&req.path));
        if create {
            self.in_flight
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        InFlight(create.then_some(self))
    }

    /// Creates sent whose answers have not been observed yet.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn disown(&self, entry: LedgerEntry, why: String, ours: bool) {
        self.lock().remove(entry.kind, entry.id.as_str());
        self.disowned_lock().push(Disowned { entry, why, ours });
    }

    /// Resources of the run that cleanup must leave, with the reason.
    pub fn undeletable(&self) -> Vec<Disowned> {
        self.disowned_lock()
            .iter()
            .filter(|d| d.ours)
            .cloned()
            .collect()
    }

    /// Records what an exchange created, deleted or revealed.
    pub fn observe(&self, req: &PreparedRequest, exchange: &Exchange) -> Observed {
        let create = req.method == Method::Post && collection_of(&req.path).is_some();
        let Some(resp) = exchange.response.as_ref() else {
            return Observed::Nothing;
        };
        if !(200..300).contains(&resp.status) {
            if req.method == Method::Delete && resp.status == 404 {
                if let Some((kind, id)) = target_of(&req.path) {
                    self.mark_deleted(kind, &id);
                }
            }
            return Observed::Nothing;
        }
        match req.method {
            Method::Post if create => self.observe_create(req, resp),
            Method::Post if bulk::is_bulk(&req.path) => self.observe_bulk(req, resp.json.as_ref()),
            Method::Delete => {
                if let Some((kind, id)) = target_of(&req.path) {
                    self.mark_deleted(kind, &id);
                }
                Observed::Nothing
            }
            // A read or write of one of the run's ids that answers with another resource.
            _ => {
                let Some((kind, id)) = target_of(&req.path) else {
                    return Observed::Nothing;
                };
                let Some(name) = resp.json.as_ref().and_then(|b| name_in(kind, b)) else {
                    return Observed::Nothing;
                };
                let entry = self
                    .lock()
                    .iter()
                    .find(|e| e.kind == kind && e.id.as_str() == id)
                    .cloned();
                match entry {
                    Some(entry) if !self.is_ours(name) => {
                        let why = format!(
                            "{}/{id} answered with `{name}`, not the resource this run created there",
                            kind.endpoint()
                        );
                        self.disown(entry, why.clone(), false);
                        Observed::Disowned {
                            check: "rfc7644.resource.same-resource",
                            why,
                        }
                    }
                    _ => Observed::Nothing,
                }
            }
        }
    }

    fn observe_create(&self, req: &PreparedRequest, resp: &super::RecordedResponse) -> Observed {
        let Some(kind) = collection_of(&req.path) else {
            return Observed::Nothing;
        };
        let id = match resp.json.as_ref().and_then(id_of) {
            Some(id) => Some(id),
            None => resp
                .header("location")
                .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
                .map(|s| {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8_lossy()
                        .into_owned()
                }),
        };
        let Some(id) = id.filter(|s| !s.is_empty()) else {
            return Observed::Nothing;
        };
        let sent = req.body.as_ref().and_then(|b| name_in(kind, b));
        let sent = sent.map(str::to_string).or_else(|| raw_identity(kind, req));
        let sent = sent.as_deref();
        let returned = resp.json.as_ref().and_then(|b| name_in(kind, b));
        let entry = LedgerEntry {
            kind,
            id: ResourceId::new(id.clone()),
            name: returned.or(sent).unwrap_or_default().to_string(),
            deleted: false,
        };
        if returned.is_some_and(|r| !self.is_ours(r)) {
            let why = format!(
                "the create was answered with `{}` (id `{id}`), an existing resource, not the one sent",
                entry.name
            );
            self.disown(entry, why.clone(), false);
            return Observed::Disowned {
                check: "rfc7644.create.new-resource",
                why,
            };
        }
        if let Some(why) = crate::scim::path::unaddressable(&id) {
            self.disown(entry, why.clone(), true);
            return Observed::Disowned {
                check: "rfc7644.create.new-resource",
                why,
            };
        }
        let earlier = self
            .disowned_lock()
            .iter()
            .find(|d| d.entry.kind == kind && d.entry.id == entry.id)
            .map(|d| d.why.clone());
        if let Some(why) = earlier {
            return Observed::Disowned {
                check: "rfc7644.create.new-resource",
                why,
            };
        }
        let mut entries = self.lock();
        if let Some(first) = entries.find(kind, entry.id.as_str()) {
            // Two creates, one id: the second did not create anything of its own.
            return Observed::Disowned {
                check: "rfc7644.create.new-resource",
                why: format!(
                    "the create of `{}` was answered with id `{id}`, which the create of `{}` got already",
                    entry.name, first.name
                ),
            };
        }
        entries.push(entry.clone());
        Observed::Created(entry)
    }

    /// A resource of the run found by its name after its create got no usable answer (a reset,
    /// a 5xx after the write): recorded so that cleanup deletes it. Only a name that carries
    /// the run's prefix is taken.
    pub fn adopt(&self, kind: ResourceKind, id: &str, name: &str) -> Option<LedgerEntry> {
        if !self.is_ours(name) || crate::scim::path::unaddressable(id).is_some() {
            return None;
        }
        let mut entries = self.lock();
        if entries
            .iter()
            .any(|e| e.kind == kind && e.id.as_str() == id)
        {
            return None;
        }
        let entry = LedgerEntry {
            kind,
            id: ResourceId::new(id.to_string()),
            name: name.to_string(),
            deleted: false,
        };
        entries.push(entry.clone());
        Some(entry)
    }

    /// After reading a new resource back: `name` is what the server holds under its id.
    pub fn confirm(&self, entry: &LedgerEntry, name: &str) -> Observed {
        if self.is_ours(name) {
            return Observed::Nothing;
        }
        let why = format!(
            "the create answered with id `{}`, but {}/{} holds `{name}`, which this run did not create",
            entry.id,
            entry.kind.endpoint(),
            entry.id
        );
        self.disown(entry.clone(), why.clone(), false);
        Observed::Disowned {
            check: "rfc7644.create.new-resource",
            why,
        }
    }

    /// Records that a resource is gone.
    pub fn mark_deleted(&self, kind: ResourceKind, id: &str) {
        let mut entries = self.lock();
        if let Some(i) = entries.at.get(&(kind, id.to_string())).copied() {
            entries.list[i].deleted = true;
        }
    }

    /// What still exists on the server: groups first, so users are deleted after the groups
    /// that reference them.
    pub fn remaining(&self) -> Vec<LedgerEntry> {
        let mut out: Vec<LedgerEntry> =
            self.lock().iter().filter(|e| !e.deleted).cloned().collect();
        out.sort_by_key(|e| e.kind);
        out
    }

    /// Every entry, deleted or not, in creation order.
    pub fn all(&self) -> Vec<LedgerEntry> {
        self.lock().list.clone()
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
