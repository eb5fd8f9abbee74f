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

    /// Why the harness must not send this request, if it must not.
    pub fn refusal(&self, req: &PreparedRequest) -> Option<String> {
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
        (!known).then(|| {
            format!(
                "refused {} {}: id `{id}` was not created by this run",
                req.method.as_str(),
                req.path
            )
        })
    }

    /// Records what an exchange created or deleted.
    pub fn observe(&self, req: &PreparedRequest, exchange: &Exchange) {
        let Some(resp) = exchange.response.as_ref() else {
            return;
        };
        match req.method {
            Method::Post if (200..300).contains(&resp.status) => {
                let Some(kind) = req
                    .path
                    .trim_start_matches('/')
                    .split('/')
                    .next()
                    .filter(|_| target_of(&req.path).is_none())
                    .and_then(ResourceKind::from_segment)
                else {
                    return;
                };
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
                let Some(id) = id.filter(|s| !s.is_empty()) else {
                    return;
                };
                let name = req
                    .body
                    .as_ref()
                    .and_then(|b| member(b, "userName").or_else(|| member(b, "displayName")))
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
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
            body: Some(json!({"userName": "scimcheck-x-a"})),
        }
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
        let ledger = Ledger::default();
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
        let ledger = Ledger::default();
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
