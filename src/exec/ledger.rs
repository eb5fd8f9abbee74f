//! The ledger: every resource this run created, recorded the moment the server answers.
//! A mutation (PUT, PATCH, DELETE) is only ever sent to an id in the ledger.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Mutex;

use super::exchange::Exchange;
use crate::check::json::member;
use crate::plan::PreparedRequest;
use crate::scenario::Method;

/// A server-assigned resource id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResourceId(String);

impl ResourceId {
    pub fn new(id: impl Into<String>) -> ResourceId {
        ResourceId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceKind {
    Group,
    User,
}

impl ResourceKind {
    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "/Users",
            ResourceKind::Group => "/Groups",
        }
    }

    fn from_segment(segment: &str) -> Option<ResourceKind> {
        if segment.eq_ignore_ascii_case("Users") {
            Some(ResourceKind::User)
        } else if segment.eq_ignore_ascii_case("Groups") {
            Some(ResourceKind::Group)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub kind: ResourceKind,
    pub id: ResourceId,
    /// userName or displayName, for messages.
    pub name: String,
    #[serde(default)]
    pub deleted: bool,
}

#[derive(Debug, Default)]
pub struct Ledger {
    entries: Mutex<Vec<LedgerEntry>>,
    /// The run's name prefix; a created resource whose name lacks it is not the run's.
    prefix: Mutex<String>,
    /// Resources a create was answered with that are not the run's (a server that answers a
    /// create with an existing resource): never modified, never deleted.
    foreign: Mutex<Vec<LedgerEntry>>,
}

/// The name attribute of a resource of `kind` in a body.
fn name_in(kind: ResourceKind, body: &serde_json::Value) -> Option<&str> {
    let attr = match kind {
        ResourceKind::User => "userName",
        ResourceKind::Group => "displayName",
    };
    member(body, attr).and_then(|v| v.as_str())
}

/// `/Users/{id}` → (User, id); other paths → None.
fn target_of(path: &str) -> Option<(ResourceKind, &str)> {
    let mut parts = path.trim_start_matches('/').split('/');
    let kind = ResourceKind::from_segment(parts.next()?)?;
    let id = parts.next().filter(|s| !s.is_empty())?;
    parts.next().is_none().then_some((kind, id))
}

impl Ledger {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<LedgerEntry>> {
        // A panic elsewhere must not stop cleanup: the data is still consistent.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
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

    /// Whether `name` carries the run's prefix (ignoring case: userName is caseExact=false).
    pub fn is_ours(&self, name: &str) -> bool {
        name.to_lowercase()
            .starts_with(&self.prefix().to_lowercase())
    }

    /// Why the harness must not send this request, if it must not.
    pub fn refusal(&self, req: &PreparedRequest) -> Option<String> {
        if req.method == Method::Post {
            return self.refuse_create(req);
        }
        if !req.method.is_mutating() {
            return None;
        }
        let Some((kind, id)) = target_of(&req.path) else {
            return Some(format!(
                "refused {} {}: the harness only modifies /Users/{{id}} or /Groups/{{id}} it created",
                req.method.as_str(),
                req.path
            ));
        };
        let known = self
            .lock()
            .iter()
            .any(|e| e.kind == kind && e.id.as_str() == id);
        if known {
            return None;
        }
        let foreign = self.foreign.lock().unwrap_or_else(|e| e.into_inner());
        Some(match foreign.iter().find(|e| e.kind == kind && e.id.as_str() == id) {
            Some(e) => format!(
                "refused {} {}: the server answered a create with id `{id}`, which holds `{}`, a name this run did not create",
                req.method.as_str(),
                req.path,
                e.name
            ),
            None => format!(
                "refused {} {}: id `{id}` was not created by this run",
                req.method.as_str(),
                req.path
            ),
        })
    }

    /// A create must name its resource with the run's prefix, or cleanup could not tell it
    /// from the tenant's own data.
    fn refuse_create(&self, req: &PreparedRequest) -> Option<String> {
        let segment = req.path.trim_start_matches('/');
        let kind = ResourceKind::from_segment(segment)?;
        let name = req.body.as_ref().and_then(|b| name_in(kind, b));
        match name {
            Some(n) if self.is_ours(n) => None,
            _ => Some(format!(
                "refused POST {}: the {} it creates must start with the run prefix `{}` (use {{{{userN.userName}}}} or {{{{groupN.displayName}}}})",
                req.path,
                match kind {
                    ResourceKind::User => "userName",
                    ResourceKind::Group => "displayName",
                },
                self.prefix()
            )),
        }
    }

    /// Records what an exchange created or deleted.
    /// Returns the name of the resource a create was answered with when it is not the run's.
    pub fn observe(&self, req: &PreparedRequest, exchange: &Exchange) -> Option<String> {
        let resp = exchange.response.as_ref()?;
        match req.method {
            Method::Post if (200..300).contains(&resp.status) => {
                let kind = req
                    .path
                    .trim_start_matches('/')
                    .split('/')
                    .next()
                    .filter(|_| target_of(&req.path).is_none())
                    .and_then(ResourceKind::from_segment)?;
                let id = resp
                    .json
                    .as_ref()
                    .and_then(|b| member(b, "id"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .or_else(|| {
                        resp.header("location")
                            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
                            .map(str::to_string)
                    });
                let id = id.filter(|s| !s.is_empty())?;
                let sent = req.body.as_ref().and_then(|b| name_in(kind, b));
                let returned = resp.json.as_ref().and_then(|b| name_in(kind, b));
                let name = returned.or(sent).unwrap_or_default().to_string();
                if returned.is_some_and(|r| !self.is_ours(r)) {
                    // Not what this run asked for: an existing resource, by its name.
                    self.foreign
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(LedgerEntry {
                            kind,
                            id: ResourceId::new(id),
                            name: name.clone(),
                            deleted: false,
                        });
                    return Some(name);
                }
                let mut entries = self.lock();
                if !entries
                    .iter()
                    .any(|e| e.kind == kind && e.id.as_str() == id)
                {
                    entries.push(LedgerEntry {
                        kind,
                        id: ResourceId::new(id),
                        name,
                        deleted: false,
                    });
                }
            }
            Method::Delete if matches!(resp.status, 200 | 204 | 404) => {
                if let Some((kind, id)) = target_of(&req.path) {
                    self.mark_deleted(kind, id);
                }
            }
            _ => {}
        }
        None
    }

    pub fn mark_deleted(&self, kind: ResourceKind, id: &str) {
        for e in self
            .lock()
            .iter_mut()
            .filter(|e| e.kind == kind && e.id.as_str() == id)
        {
            e.deleted = true;
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

    pub fn all(&self) -> Vec<LedgerEntry> {
        self.lock().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::exchange::{RecordedRequest, RecordedResponse};
    use serde_json::json;

    fn req(method: Method, path: &str) -> PreparedRequest {
        PreparedRequest {
            method,
            path: path.into(),
            query: vec![],
            headers: vec![],
            body: Some(json!({"userName": "scimcheck-x-a", "displayName": "scimcheck-x-g"})),
        }
    }

    fn ledger() -> Ledger {
        let l = Ledger::default();
        l.begin("scimcheck-x-");
        l
    }

    #[test]
    fn a_create_answered_with_someone_elses_resource_is_never_touched() {
        let ledger = ledger();
        ledger.observe(
            &req(Method::Post, "/Users"),
            &exchange(201, json!({"id": "boss", "userName": "ceo@corp.example"})),
        );
        let why = ledger.refusal(&req(Method::Delete, "/Users/boss")).unwrap();
        assert!(why.contains("ceo@corp.example"), "{why}");
        assert!(ledger.remaining().is_empty());
        ledger.observe(
            &req(Method::Post, "/Users"),
            &exchange(201, json!({"id": "mine", "userName": "SCIMCHECK-X-A"})),
        );
        assert!(ledger
            .refusal(&req(Method::Delete, "/Users/mine"))
            .is_none());
    }

    #[test]
    fn creates_must_carry_the_prefix() {
        let ledger = ledger();
        assert!(ledger.refusal(&req(Method::Post, "/Users")).is_none());
        let mut plain = req(Method::Post, "/Users");
        plain.body = Some(json!({"userName": "jane@example.com"}));
        assert!(ledger.refusal(&plain).unwrap().contains("run prefix"));
        assert!(ledger
            .refusal(&req(Method::Post, "/Users/.search"))
            .is_none());
    }

    fn exchange(status: u16, body: serde_json::Value) -> Exchange {
        Exchange {
            request: RecordedRequest {
                method: Method::Post,
                url: String::new(),
                headers: Default::default(),
                body: None,
            },
            response: Some(RecordedResponse::new(
                status,
                Default::default(),
                body.to_string(),
                false,
            )),
            error: None,
            duration_ms: 0,
            throttled: vec![],
        }
    }

    #[test]
    fn mutations_need_a_ledger_entry() {
        let ledger = ledger();
        assert!(ledger.refusal(&req(Method::Get, "/Users/abc")).is_none());
        assert!(ledger.refusal(&req(Method::Patch, "/Users/abc")).is_some());
        assert!(ledger.refusal(&req(Method::Delete, "/Users")).is_some());
        ledger.observe(
            &req(Method::Post, "/Users"),
            &exchange(201, json!({"id": "abc"})),
        );
        assert!(ledger.refusal(&req(Method::Patch, "/Users/abc")).is_none());
        assert!(ledger.refusal(&req(Method::Patch, "/Groups/abc")).is_some());
    }

    #[test]
    fn deletes_are_recorded_and_groups_come_first() {
        let ledger = ledger();
        ledger.observe(
            &req(Method::Post, "/Users"),
            &exchange(201, json!({"id": "u"})),
        );
        ledger.observe(
            &req(Method::Post, "/Groups"),
            &exchange(201, json!({"id": "g"})),
        );
        ledger.observe(
            &req(Method::Post, "/Users"),
            &exchange(409, json!({"id": "x"})),
        );
        let remaining = ledger.remaining();
        assert_eq!(
            remaining.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["g", "u"]
        );
        ledger.observe(
            &req(Method::Delete, "/Groups/g"),
            &exchange(204, json!(null)),
        );
        assert_eq!(ledger.remaining().len(), 1);
    }
}
