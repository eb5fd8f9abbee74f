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

/// Deletes `entries` (resources of this run's ledger that still exist): every one is read
/// first, then the groups are deleted, then the users, up to `concurrency` requests at once
/// in each of the three rounds.
pub async fn delete_entries(
    client: &Client,
    ledger: &Ledger,
    entries: Vec<LedgerEntry>,
    concurrency: usize,
) -> Cleanup {
    let mut result = Cleanup::default();
    let width = concurrency.max(1);
    // Groups first: a server may refuse to delete a user that is still a member.
    let kinds = [ResourceKind::Group, ResourceKind::User];
    let mut ordered = entries;
    // A stable sort: within a kind, the order given.
    ordered.sort_by_key(|e| kinds.iter().position(|k| *k == e.kind));
    // Reading one resource never depends on deleting another, so all are read at once.
    let read: Vec<_> = stream::iter(ordered)
        .map(|entry| async move {
            let ours = still_ours(client, ledger, &entry).await;
            (entry, ours)
        })
        .buffered(width)
        .collect()
        .await;
    let mut to_delete = Vec::with_capacity(read.len());
    for (entry, ours) in read {
        match ours {
            Ok(()) => to_delete.push(entry),
            Err(reason) => result.failed.push(CleanupFailure { entry, reason }),
        }
    }
    for kind in kinds {
        let of_kind: Vec<LedgerEntry> = to_delete
            .iter()
            .filter(|e| e.kind == kind)
            .cloned()
            .collect();
        let outcomes: Vec<_> = stream::iter(of_kind)
            .map(|entry| async move {
                let outcome = delete(client, &entry).await;
                (entry, outcome)
            })
            .buffered(width)
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

/// Reads one resource of the ledger before it is deleted: an error when it no longer carries
/// the run's name. A read that shows no name (a 404) still allows the delete: some servers
/// hide deactivated users from GET.
async fn still_ours(client: &Client, ledger: &Ledger, entry: &LedgerEntry) -> Result<(), String> {
    let path = resource_path(entry.kind, entry.id.as_str())
        .map_err(|why| format!("not deleted: {why}"))?;
    let read = send_idempotent(client, &PreparedRequest::get(&path)).await;
    match name_of(entry.kind, &read).filter(|n| !ledger.is_ours(n)) {
        Some(name) => Err(format!(
            "not deleted: {path} now holds `{name}`, which this run did not create"
        )),
        None => Ok(()),
    }
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
    let known: std::collections::HashSet<_> = cleanup
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
            // A user without userName is the run's by its externalId or displayName.
            let name = crate::scim::owned::identity_in(kind, r);
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

#[cfg(test)]
mod tests {
    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::exec::{Auth, ClientConfig};

    fn entry(kind: ResourceKind, id: &str) -> LedgerEntry {
        LedgerEntry {
            kind,
            id: ResourceId::new(id),
            name: format!("scimcheck-x-{id}"),
            deleted: false,
        }
    }

    /// Answers a GET of `kind`/`id` with a resource named `name`, and a DELETE with 204.
    async fn resource(server: &MockServer, kind: ResourceKind, id: &str, name: &str) {
        let at = format!("/scim/v2{}/{id}", kind.endpoint());
        Mock::given(method("GET"))
            .and(path(at.as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"id": id, kind.name_attribute(): name})),
            )
            .mount(server)
            .await;
        Mock::given(method("DELETE"))
            .and(path(at.as_str()))
            .respond_with(ResponseTemplate::new(204))
            .mount(server)
            .await;
    }

    #[tokio::test]
    async fn reads_everything_first_then_deletes_groups_then_users_and_never_a_foreign_one() {
        let server = MockServer::start().await;
        let (group, user) = (ResourceKind::Group, ResourceKind::User);
        resource(&server, group, "g1", "scimcheck-x-g1").await;
        resource(&server, group, "g2", "scimcheck-x-g2").await;
        resource(&server, user, "u1", "scimcheck-x-u1").await;
        resource(&server, user, "u2", "scimcheck-x-u2").await;
        // The server reused this id for someone else's user.
        resource(&server, user, "reused", "ceo@corp.example").await;
        let client = Client::new(ClientConfig::new(
            format!("{}/scim/v2", server.uri()),
            Auth::None,
        ))
        .unwrap();
        let ledger = Ledger::default();
        ledger.begin("scimcheck-x-");
        // Users listed first: the order of the list must not matter.
        let entries = vec![
            entry(user, "u1"),
            entry(user, "reused"),
            entry(group, "g1"),
            entry(user, "u2"),
            entry(group, "g2"),
        ];

        let done = delete_entries(&client, &ledger, entries, 4).await;

        let sent: Vec<String> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r.method, r.url.path()))
            .collect();
        assert_eq!(sent.len(), 9, "{sent:?}");
        assert_eq!(client.requests_sent(), 9, "the client counts what it sent");
        let is = |i: usize, m: &str, endpoint: &str| {
            sent[i].starts_with(&format!("{m} /scim/v2{endpoint}/"))
        };
        assert!((0..5).all(|i| sent[i].starts_with("GET ")), "{sent:?}");
        assert!((5..7).all(|i| is(i, "DELETE", "/Groups")), "{sent:?}");
        assert!((7..9).all(|i| is(i, "DELETE", "/Users")), "{sent:?}");
        assert!(!sent.iter().any(|s| s == "DELETE /scim/v2/Users/reused"));

        let deleted: Vec<&str> = done.deleted.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(deleted, ["g1", "g2", "u1", "u2"]);
        assert!(done.deleted.iter().all(|e| e.deleted));
        assert_eq!(done.failed.len(), 1);
        assert_eq!(done.failed[0].entry.id.as_str(), "reused");
        assert!(
            done.failed[0].reason.contains("ceo@corp.example"),
            "{}",
            done.failed[0].reason
        );
    }

    #[tokio::test]
    async fn leftovers_without_user_name_are_found_by_external_id_and_no_foreign_one() {
        let server = MockServer::start().await;
        let list = |resources: serde_json::Value| {
            ResponseTemplate::new(200).set_body_json(json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": resources.as_array().unwrap().len(),
                "Resources": resources,
            }))
        };
        Mock::given(method("GET"))
            .and(path("/scim/v2/Groups"))
            .respond_with(list(json!([])))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/scim/v2/Users"))
            .respond_with(list(json!([
                {"id": "mine", "externalId": "scimcheck-x-e", "displayName": "scimcheck-x-d"},
                {"id": "hr", "externalId": "hr-4711"},
                {"id": "ceo", "userName": "ceo@corp.example", "externalId": "scimcheck-x-e"},
                {"id": "named", "userName": "scimcheck-x-u"},
            ])))
            .mount(&server)
            .await;
        let client = Client::new(ClientConfig::new(
            format!("{}/scim/v2", server.uri()),
            Auth::None,
        ))
        .unwrap();
        let found = find(&client, "scimcheck-x-").await.unwrap();
        let ids: Vec<&str> = found.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["mine", "named"]);
        assert_eq!(found[0].name, "scimcheck-x-e");
    }
}
