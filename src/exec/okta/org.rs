//! The org's lifetime and state: a loopback listener, the users and app assignments the test
//! made, and, per API call (`X-Okta-Request-Id`), the SCIM exchanges it caused.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value};

use crate::exec::{Auth, Client, ClientConfig, Exchange, Ledger, LedgerEntry};
use crate::plan::{PreparedRequest, PreparedStep};
use crate::scenario::Step;

/// One SCIM request the org sent: what it was for and must show (a step, judged like any),
/// as rendered, what came back, and what it created.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// The request and its expectations, as the okta profile writes them.
    pub step: Step,
    /// The same, rendered.
    pub prepared: PreparedStep,
    /// What was sent and what came back.
    pub exchange: Exchange,
    /// The resource it created, now in the ledger.
    pub created: Option<LedgerEntry>,
}

/// What one call to the org's API did besides answering.
#[derive(Debug, Clone, Default)]
pub struct OrgCall {
    /// The SCIM requests it sent, in order.
    pub provisioned: Vec<Provisioned>,
    /// The call is not one the org answers: the endpoint, named.
    pub unsupported: Option<String>,
}

/// An Okta user as the org keeps it.
#[derive(Debug, Clone)]
pub(super) struct OktaUser {
    pub id: String,
    pub status: &'static str,
    pub created: String,
    pub last_updated: String,
    pub profile: Map<String, Value>,
    /// The app it is assigned to, if any.
    pub assigned: Option<String>,
    /// The SCIM user it is linked to (Okta's app user externalId).
    pub scim_id: Option<String>,
    /// The last provisioning of it failed.
    pub sync_error: bool,
}

/// What the handlers share.
pub(super) struct OrgState {
    pub url: String,
    pub target: String,
    pub token: String,
    pub scim: Arc<Client>,
    pub ledger: Arc<Ledger>,
    pub apps: Mutex<BTreeSet<String>>,
    pub users: Mutex<BTreeMap<String, OktaUser>>,
    journal: Mutex<BTreeMap<String, OrgCall>>,
    seq: AtomicU64,
}

impl OrgState {
    /// A request id for the call being answered.
    pub fn next_request_id(&self) -> String {
        format!("scimcheck-{}", self.seq.fetch_add(1, Ordering::SeqCst) + 1)
    }

    /// Files what call `request_id` did.
    pub fn record(&self, request_id: &str, call: OrgCall) {
        lock(&self.journal).insert(request_id.to_string(), call);
    }
}

/// A poisoned lock still holds usable data: a panicking handler must not stop the org.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The running org; stopped when dropped.
pub struct OktaOrg {
    state: Arc<OrgState>,
    client: Client,
    task: tokio::task::JoinHandle<()>,
}

impl OktaOrg {
    /// Serves the org on an ephemeral loopback port. `scim` and `ledger` are the run's: every
    /// SCIM request goes through them. `token` is the only API token it accepts.
    pub async fn start(
        scim: Arc<Client>,
        ledger: Arc<Ledger>,
        token: &str,
    ) -> std::io::Result<OktaOrg> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let mut config = ClientConfig::new(url.clone(), Auth::None);
        config.timeout = scim.config().timeout;
        let client = Client::new(config).map_err(std::io::Error::other)?;
        let state = Arc::new(OrgState {
            url,
            target: scim.config().base_url.clone(),
            token: token.to_string(),
            scim,
            ledger,
            apps: Mutex::default(),
            users: Mutex::default(),
            journal: Mutex::default(),
            seq: AtomicU64::new(0),
        });
        let router = super::api::router(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(OktaOrg {
            state,
            client,
            task,
        })
    }

    /// The org's URL, for `{{oktaOrgUrl}}`.
    pub fn url(&self) -> &str {
        &self.state.url
    }

    /// Makes `id` an app instance of the org: SCIM 2.0 provisioning to the target.
    pub fn add_app(&self, id: &str) {
        lock(&self.state.apps).insert(id.to_string());
    }

    /// Sends one call of the test to the org and returns the exchange with what the org
    /// did to the SCIM target because of it.
    pub async fn call(&self, req: &PreparedRequest) -> (Exchange, OrgCall) {
        let exchange = self.client.send(req).await;
        let call = exchange
            .response
            .as_ref()
            .and_then(|r| r.header("x-okta-request-id"))
            .and_then(|id| lock(&self.state.journal).remove(id))
            .unwrap_or_default();
        (exchange, call)
    }
}

impl Drop for OktaOrg {
    fn drop(&mut self) {
        self.task.abort();
    }
}
