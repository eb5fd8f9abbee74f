//! A deliberately flawed SCIM 2.0 server for the concurrency and scale checks: plain and naive
//! (in memory, one lock, no indexes), written apart from the reference server so that each
//! defect real SCIM servers ship can be switched on alone. With no flaw set it is conformant
//! for what those profiles send.
//!
//! - [`flaws`]: the defects, and the gate (rate limit, faults, a busy write lock) they add.
//! - [`store`]: the resources, their versions and their previous versions (for stale reads).
//! - [`http`]: routing, authentication, the handlers; [`patch`]: PatchOp; [`filter`]: list
//!   filters; [`query`]: paging and attribute projection; [`discovery`]: the discovery
//!   endpoints and schemas; [`error`]: SCIM error bodies.
//! - [`tests`]: the server found conformant by the CLI; [`flaw_tests`]: each flaw happens.

mod discovery;
mod error;
mod filter;
mod flaw_tests;
mod flaws;
mod http;
mod patch;
mod query;
mod store;
mod tests;

use std::sync::atomic::Ordering;
use std::sync::Arc;

pub use flaws::Flaw;

/// A running flawed server; it stops when dropped.
pub struct Flawed {
    /// The SCIM root, `http://127.0.0.1:<port>/scim/v2`.
    pub base_url: String,
    app: Arc<http::App>,
    task: tokio::task::JoinHandle<()>,
}

/// Starts a server with `flaws` on an ephemeral loopback port, accepting only
/// [`crate::support::TOKEN`].
pub async fn start(flaws: &[Flaw]) -> Flawed {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    let base_url = format!("http://127.0.0.1:{port}/scim/v2");
    let app = Arc::new(http::App::new(base_url.clone(), flaws));
    let router = http::router(app.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Flawed {
        base_url,
        app,
        task,
    }
}

impl Flawed {
    /// Users left in the store.
    pub fn users(&self) -> usize {
        self.app.store.lock().expect("store lock").users.len()
    }

    /// Groups left in the store.
    pub fn groups(&self) -> usize {
        self.app.store.lock().expect("store lock").groups.len()
    }

    /// Requests seen, whatever they were answered.
    pub fn requests(&self) -> usize {
        self.app.gate.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Flawed {
    fn drop(&mut self) {
        self.task.abort();
    }
}
