//! Finding what an earlier run left behind: resources whose userName or displayName starts
//! with the run's prefix. The server's filter narrows the search, and every match is checked
//! again here, so a server that ignores the filter can never widen what gets deleted.

use serde_json::Value;

use super::client::Client;
use super::ledger::{carries_prefix, LedgerEntry, ResourceId, ResourceKind};
use super::retry::send_idempotent;
use crate::check::json::member;
use crate::plan::PreparedRequest;

/// Resources read at most while searching, so a huge tenant cannot make this unbounded.
const MAX_SCANNED: usize = 100_000;
const PAGE: usize = 100;

/// Why the search for leftovers could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// The target answered 401 or 403.
    #[error("{0}")]
    Rejected(String),
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
