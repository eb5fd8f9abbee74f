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
