//! Starting and stopping the server: in-process on an ephemeral port (`scimcheck run`, tests)
//! or in the foreground (`scimcheck serve`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use super::behaviour::Behaviour;
use super::http::{handle, App};
use super::store::Store;

/// How the embedded server is set up.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Accept only `Bearer <token>`; `None` accepts any non-empty bearer token.
    pub token: Option<String>,
    /// One line per request on stdout (method, path, status, ms).
    pub log_requests: bool,
    /// The legal choices it makes: the reference server's by default.
    pub behaviour: Behaviour,
}

/// A reference server running on a loopback port.
pub struct RunningServer {
    base_url: String,
    app: Arc<App>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

fn router(app: Arc<App>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(app)
}

impl RunningServer {
    /// Binds `addr` (port 0 = any free port) and serves `/scim/v2` in a background task.
    pub async fn start(addr: SocketAddr, config: ServerConfig) -> std::io::Result<RunningServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let host = match local.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let base_url = format!("http://{host}:{}/scim/v2", local.port());
        let app = Arc::new(App {
            store: Store::with_behaviour(base_url.clone(), config.behaviour),
            token: config.token,
            log_requests: config.log_requests,
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let service = router(app.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(RunningServer {
            base_url,
            app,
            shutdown: tx,
            task,
        })
    }

    /// Its SCIM root URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Its data.
    pub fn store(&self) -> &Store {
        &self.app.store
    }

    /// Stops accepting, finishes requests in flight, and waits for the task.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Options of `scimcheck serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port (0: any free one).
    pub port: u16,
    /// The only bearer token accepted (any non-empty one without it).
    pub token: Option<String>,
    /// Allow an address other than loopback.
    pub allow_non_loopback: bool,
    /// The reference server's choices, or the alternative's.
    pub behaviour: Behaviour,
}

/// Why `scimcheck serve` could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A non-loopback address without `--allow-non-loopback`.
    #[error("refusing to bind {0}: it is not a loopback address; pass --allow-non-loopback to serve test data on the network")]
    NonLoopback(IpAddr),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// `scimcheck serve`: prints the base URL, logs each request, stops on Ctrl-C or SIGTERM.
pub async fn serve(opts: ServeOptions) -> Result<(), ServeError> {
    if !opts.bind.is_loopback() {
        if !opts.allow_non_loopback {
            return Err(ServeError::NonLoopback(opts.bind));
        }
        eprintln!("warning: serving on {}, reachable from the network; this server has no persistence and accepts {} token", opts.bind, if opts.token.is_some() { "only the given" } else { "any bearer" });
    }
    let addr = SocketAddr::new(opts.bind, opts.port);
    let server = RunningServer::start(
        addr,
        ServerConfig {
            token: opts.token.clone(),
            log_requests: true,
            behaviour: opts.behaviour,
        },
    )
    .await
    .map_err(|source| ServeError::Bind { addr, source })?;
    if opts.behaviour == Behaviour::alternative() {
        println!(
            "scimcheck alternative SCIM server at {} (PATCH answers 204; no ETags, no sorting, no bulk; members not checked)",
            server.base_url()
        );
    } else {
        println!("scimcheck reference SCIM server at {}", server.base_url());
    }
    println!(
        "{}",
        if opts.token.is_some() {
            "accepting only the configured bearer token"
        } else {
            "accepting any bearer token"
        }
    );
    wait_for_stop().await;
    println!("stopping");
    server.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_stop() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_stop() {
    let _ = tokio::signal::ctrl_c().await;
}
