//! Deleting what the run created, and nothing else: a scenario's resources as soon as it
//! ends, whatever remains at the end of the run, the creations whose answers were lost, and
//! the leftovers of an earlier run (`scimcheck cleanup`).
//!
//! Every resource is read before it is deleted: one whose name no longer carries the run's
//! prefix (a server that reused the id) is left alone and reported. Leftovers are found by
//! the server's filter and checked again here, so a server that ignores the filter can never
//! widen what gets deleted.

use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::Client;
use super::ledger::{carries_prefix, Ledger, LedgerEntry};
use super::readback::name_of;
use super::retry::send_idempotent;
use crate::plan::PreparedRequest;
use crate::scim::json::member;
use crate::scim::path::resource_path;
use crate::scim::{Method, ResourceId, ResourceKind};

/// What cleanup did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cleanup {
    /// `--keep-resources` was given: nothing was deleted.
    pub kept: bool,
    /// What was deleted.
    pub deleted: Vec<LedgerEntry>,
    /// What could not be deleted, with the reasons.
    pub failed: Vec<CleanupFailure>,
    /// Why the cleanup cannot vouch that nothing of the run remains, when it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified: Option<String>,
}

/// A resource the run created and could not delete, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanupFailure {
    /// The resource.
    pub entry: LedgerEntry,
    /// Why it was not deleted.
    pub reason: String,
}

impl Cleanup {
    /// Adds what another cleanup did.
    pub fn absorb(&mut self, other: Cleanup) {
        self.deleted.extend(other.deleted);
        self.failed.extend(other.failed);
        if self.unverified.is_none() {
            self.unverified = other.unverified;
        }
    }
}

/// Deletes `entries` (resources of this run's ledger that still exist), groups before users,
/// up to `concurrency` at once within each kind.
pub async fn delete_entries(
    client: &Client,
    ledger: &Ledger,
    entries: Vec<LedgerEntry>,
    concurrency: usize,
) -> Cleanup {
    let mut result = Cleanup::default();
    // Groups first: a server may refuse to delete a user that is still a member.
    for kind in [ResourceKind::Group, ResourceKind::User] {
        let of_kind: Vec<LedgerEntry> =
            entries.iter().filter(|e| e.kind == kind).cloned().collect();
        let outcomes: Vec<_> = stream::iter(of_kind)
            .map(|entry| async move {
                let outcome = read_then_delete(client, ledger, &entry).await;
                (entry, outcome)
            })
            .buffered(concurrency.max(1))
            .collect()
            .await;
        for (entry, outcome) in outcomes {
            match outcome {
                Ok(()) => {
                    ledger.mark_deleted(entry.kind, entry.id.as_str());
                    result.deleted.push(LedgerEntry {
                        deleted: true,
                        ..entry
                    });
                }
                Err(reason) => result.failed.push(CleanupFailure { entry, reason }),
            }
        }
    }
    result
}

/// Deletes what the run created and still exists, and reports what could never be deleted.
pub async fn cleanup(client: &Client, ledger: &Ledger, concurrency: usize) -> Cleanup {
    let mut result = Cleanup::default();
    for d in ledger.undeletable() {
        result.failed.push(CleanupFailure {
            entry: d.entry,
            reason: format!("not deleted: {}", d.why),
        });
    }
    result.absorb(delete_entries(client, ledger, ledger.remaining(), concurrency).await);
    result
}

/// Reads one resource of the ledger, then deletes it unless it no longer carries the run's
/// name.
async fn read_then_delete(
    client: &Client,
    ledger: &Ledger,
    entry: &LedgerEntry,
) -> Result<(), String> {
    let path = resource_path(entry.kind, entry.id.as_str())
        .map_err(|why| format!("not deleted: {why}"))?;
    let read = send_idempotent(client, &PreparedRequest::get(&path)).await;
    if let Some(name) = name_of(entry.kind, &read).filter(|n| !ledger.is_ours(n)) {
        return Err(format!(
            "not deleted: {path} now holds `{name}`, which this run did not create"
        ));
    }
    // Deleted even when the read said 404: some servers hide deactivated users from GET.
    delete(client, entry).await
}

/// Deletes one resource; a 404 means it is already gone. Transient failures are retried.
pub async fn delete(client: &Client, entry: &LedgerEntry) -> Result<(), String> {
    let req = PreparedRequest {
        method: Method::Delete,
        ..PreparedRequest::get(&resource_path(entry.kind, entry.id.as_str())?)
    };
    let exchange = send_idempotent(client, &req).await;
    match (exchange.status(), exchange.error) {
        (Some(200 | 204 | 404), _) => Ok(()),
        (Some(status), _) => Err(format!("DELETE answered {status}")),
        (None, Some(err)) => Err(err.message),
        (None, None) => Err("no response".into()),
    }
}

/// Deletes resources the ledger does not know that carry one of `names` (the creations whose
/// answers were lost), or, when those are unknown, the run's prefix.
pub async fn sweep(client: &Client, prefix: &str, names: Option<&[String]>, cleanup: &mut Cleanup) {
    let found = match find(client, prefix).await {
        Ok(found) => found,
        Err(why) => {
            cleanup.unverified = Some(format!(
                "a creation's answer was lost and the search for such leftovers failed ({why})"
            ));
            return;
        }
    };
    let known: Vec<_> = cleanup
        .failed
        .iter()
        .map(|f| &f.entry)
        .chain(&cleanup.deleted)
        .map(|e| e.id.clone())
        .collect();
    let sent =
        |e: &LedgerEntry| names.is_none_or(|n| n.iter().any(|n| n.eq_ignore_ascii_case(&e.name)));
    for entry in found
        .into_iter()
        .filter(|e| !known.contains(&e.id) && sent(e))
    {
        match delete(client, &entry).await {
            Ok(()) => cleanup.deleted.push(LedgerEntry {
                deleted: true,
                ..entry
            }),
            Err(reason) => cleanup.failed.push(CleanupFailure { entry, reason }),
        }
    }
}

/// Resources read at most while searching, so a huge tenant cannot make this unbounded.
const MAX_SCANNED: usize = 100_000;
const PAGE: usize = 100;

/// Why the search for leftovers could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The target answered 401 or 403.
    #[error("{0}")]
    Rejected(String),
    /// Any other failure.
    #[error("{0}")]
    Failed(String),
}

/// Every user and group whose name carries `prefix`, groups first.
pub async fn find(client: &Client, prefix: &str) -> Result<Vec<LedgerEntry>, SearchError> {
    let mut out = find_kind(client, ResourceKind::Group, prefix).await?;
    out.extend(find_kind(client, ResourceKind::User, prefix).await?);
    Ok(out)
}

async fn find_kind(
    client: &Client,
    kind: ResourceKind,
    prefix: &str,
) -> Result<Vec<LedgerEntry>, SearchError> {
    let filter = format!("{} sw \"{prefix}\"", kind.name_attribute());
    match scan(client, kind, prefix, Some(&filter)).await {
        Err(Scan::Unsupported) => scan(client, kind, prefix, None).await,
        other => other,
    }
    .map_err(|e| match e {
        Scan::Failed(e) => e,
        Scan::Unsupported => SearchError::Failed(format!(
            "GET {} is not supported by the server",
            kind.endpoint()
        )),
    })
}

enum Scan {
    /// The server rejected the filter; a full scan may still work.
    Unsupported,
    Failed(SearchError),
}

fn failed(message: String) -> Scan {
    Scan::Failed(SearchError::Failed(message))
}

async fn scan(
    client: &Client,
    kind: ResourceKind,
    prefix: &str,
    filter: Option<&str>,
) -> Result<Vec<LedgerEntry>, Scan> {
    let mut found = Vec::new();
    let mut start = 1usize;
    loop {
        let mut query = vec![
            ("startIndex".to_string(), start.to_string()),
            ("count".to_string(), PAGE.to_string()),
        ];
        if let Some(f) = filter {
            query.insert(0, ("filter".to_string(), f.to_string()));
        }
        let req = PreparedRequest {
            query,
            ..PreparedRequest::get(kind.endpoint())
        };
        let x = send_idempotent(client, &req).await;
        let status = match (&x.error, x.status()) {
            (Some(e), _) => return Err(failed(format!("GET {}: {}", x.request.url, e.message))),
            (None, Some(s)) => s,
            (None, None) => return Err(failed(format!("GET {}: no response", x.request.url))),
        };
        if filter.is_some() && matches!(status, 400 | 501) {
            return Err(Scan::Unsupported);
        }
        let answered = format!("GET {} answered {status}", x.request.url);
        match status {
            200 => {}
            401 | 403 => return Err(Scan::Failed(SearchError::Rejected(answered))),
            _ => return Err(failed(answered)),
        }
        let body = x
            .json()
            .ok_or_else(|| failed(format!("GET {} did not answer JSON", x.request.url)))?;
        let resources: Vec<Value> = member(body, "Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for r in &resources {
            let id = member(r, "id").and_then(Value::as_str);
            let name = member(r, kind.name_attribute()).and_then(Value::as_str);
            if let (Some(id), Some(name)) = (id, name) {
                if carries_prefix(name, prefix)
                    && !found.iter().any(|e: &LedgerEntry| e.id.as_str() == id)
                {
                    found.push(LedgerEntry {
                        kind,
                        id: ResourceId::new(id),
                        name: name.to_string(),
                        deleted: false,
                    });
                }
            }
        }
        let total = member(body, "totalResults")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        start += resources.len();
        if resources.is_empty() || start > total || start > MAX_SCANNED {
            return Ok(found);
        }
    }
}
