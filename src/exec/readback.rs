//! Reading a new resource back by the id its create was answered with, before any step
//! builds on it: a server that answers with another resource's id would otherwise have the
//! run change that resource.

use super::client::Client;
use super::exchange::Exchange;
use super::ledger::{name_in, Ledger, LedgerEntry, Observed};
use super::retry::send_idempotent;
use crate::plan::PreparedRequest;
use crate::scim::path::resource_path;
use crate::scim::ResourceKind;

/// Confirms (or disowns) a resource the ledger just recorded, by reading it.
pub async fn read_back(client: &Client, ledger: &Ledger, entry: &LedgerEntry) -> Observed {
    let Ok(path) = resource_path(entry.kind, entry.id.as_str()) else {
        return Observed::Nothing;
    };
    let read = send_idempotent(client, &PreparedRequest::get(&path)).await;
    match name_of(entry.kind, &read) {
        Some(name) => ledger.confirm(entry, &name),
        None => Observed::Nothing,
    }
}

/// The userName or displayName of a 200 answer.
pub(crate) fn name_of(kind: ResourceKind, read: &Exchange) -> Option<String> {
    read.json()
        .filter(|_| read.status() == Some(200))
        .and_then(|b| name_in(kind, b))
        .map(str::to_string)
}

/// RFC 7644 §3.3: the Location of a create is "the URI of the created resource". When it is
/// not of the form `…/{id}`, reading it is the way to know it names the new resource. Only a
/// location below the SCIM root is read (credentials never leave the target): `None` for
/// another; otherwise whether a GET there answers the resource with `entry`'s id.
pub async fn read_location(
    client: &Client,
    entry: &LedgerEntry,
    location: &str,
) -> Option<Result<String, String>> {
    let base = client.config().base_url.trim_end_matches('/');
    let resolved = url::Url::parse(&format!("{base}/"))
        .ok()?
        .join(location)
        .ok()?;
    let path = resolved.as_str().strip_prefix(base)?.to_string();
    if !path.starts_with('/') || path.split('/').any(|s| s == "..") {
        return None;
    }
    let read = send_idempotent(client, &PreparedRequest::get(&path)).await;
    let id = read
        .json()
        .filter(|_| read.status() == Some(200))
        .and_then(crate::scim::json::id_of);
    Some(match (read.status(), id) {
        (Some(200), Some(id)) if id == entry.id.as_str() => Ok(format!(
            "GET {location} answers the new resource (id {id:?})"
        )),
        (Some(200), Some(id)) => Err(format!(
            "GET {location} answers another resource (id {id:?}, not {:?})",
            entry.id.as_str()
        )),
        (Some(status), _) => Err(format!("GET {location} answered {status}")),
        (None, _) => Err(format!("GET {location}: no answer")),
    })
}
