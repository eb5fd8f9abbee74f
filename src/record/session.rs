//! One recording: the listen address bound, requests forwarded until the caller's stop (a
//! signal, `--max-seconds`) or `--max-requests`, requests in flight finished, the log handed
//! back.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use super::error::RecordError;
use super::forward::{forward, Proxy};
use super::log::{Log, Recording};
use super::upstream::{Upstream, UpstreamClient};

/// How the proxy listens and when it stops on its own.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// The address the IdP (or its tunnel) connects to; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Accept an address other than loopback.
    pub allow_non_loopback: bool,
    /// Stop once this many exchanges are kept.
    pub max_requests: Option<usize>,
    /// Largest request or answer body forwarded.
    pub body_cap: usize,
    /// How long requests in flight at the stop may take to finish.
    pub grace: Duration,
    /// Print one line per exchange.
    pub echo: bool,
}

/// A proxy bound to its address, not yet serving.
pub struct Recorder {
    listener: tokio::net::TcpListener,
    local: SocketAddr,
    proxy: Arc<Proxy>,
    grace: Duration,
}

impl Recorder {
    /// Binds the listen address; refuses one off loopback unless allowed.
    pub async fn bind(
        upstream: Upstream,
        client: UpstreamClient,
        options: &RecordOptions,
    ) -> Result<Recorder, RecordError> {
        let addr = options.listen;
        if !addr.ip().is_loopback() && !options.allow_non_loopback {
            return Err(RecordError::NonLoopback(addr));
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| {
                let hint = match source.kind() {
                    std::io::ErrorKind::AddrInUse => "; another process listens there: stop it, or choose another --listen (port 0 picks a free one)",
                    std::io::ErrorKind::PermissionDenied => "; ports below 1024 need privileges: choose another --listen",
                    std::io::ErrorKind::AddrNotAvailable => "; the address is not one of this machine's",
                    _ => "",
                };
                RecordError::Bind { addr, source, hint }
            })?;
        let local = listener.local_addr().map_err(|source| RecordError::Bind {
            addr,
            source,
            hint: "",
        })?;
        let proxy = Arc::new(Proxy {
            upstream,
            client,
            log: Arc::new(Log::new(options.max_requests, options.echo)),
            body_cap: options.body_cap,
        });
        Ok(Recorder {
            listener,
            local,
            proxy,
            grace: options.grace,
        })
    }

    /// The base URL the IdP is given: the proxy's address with the upstream's path.
    pub fn idp_base_url(&self) -> String {
        let host = match self.local.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        format!(
            "http://{host}:{}{}",
            self.local.port(),
            self.proxy.upstream.base_path()
        )
    }

    /// Forwards requests until `stop` resolves (its value says why) or the request limit is
    /// reached, lets the requests in flight finish, and returns why it stopped and what was
    /// recorded.
    pub async fn run(self, stop: impl Future<Output = String>) -> (String, Recording) {
        let log = self.proxy.log.clone();
        let limit = log.clone();
        let router = axum::Router::new()
            .fallback(forward)
            .with_state(self.proxy.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let mut task = tokio::spawn(async move {
            let _ = axum::serve(self.listener, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        let why = tokio::select! {
            why = stop => why,
            () = limit.full() => "--max-requests reached".to_string(),
        };
        let _ = tx.send(());
        let finished = tokio::time::timeout(self.grace, &mut task).await.is_ok();
        if !finished {
            task.abort();
        }
        let mut recording = log.finish();
        if !finished {
            recording.notes.push(format!(
                "requests still in flight {} s after the stop were dropped",
                self.grace.as_secs()
            ));
        }
        (why, recording)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ClientOptions;
    use crate::server::{RunningServer, ServerConfig};

    #[tokio::test]
    async fn an_exchange_is_forwarded_and_kept_below_the_root() {
        let server = RunningServer::start(([127, 0, 0, 1], 0).into(), ServerConfig::default())
            .await
            .unwrap();
        let upstream = Upstream::parse(server.base_url()).unwrap();
        let client = UpstreamClient::new(&ClientOptions {
            timeout: Duration::from_secs(5),
            ca_cert: None,
            insecure: false,
        })
        .unwrap();
        let options = RecordOptions {
            listen: ([127, 0, 0, 1], 0).into(),
            allow_non_loopback: false,
            max_requests: Some(1),
            body_cap: 1024 * 1024,
            grace: Duration::from_secs(5),
            echo: false,
        };
        let recorder = Recorder::bind(upstream, client.clone(), &options)
            .await
            .unwrap();
        let idp = recorder.idp_base_url();
        let running = tokio::spawn(recorder.run(std::future::pending()));
        let answer = client
            .http
            .get(format!("{idp}/Users?filter=userName%20eq%20%22a%2Bb%22"))
            .bearer_auth("t0ken-value")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let (why, recording) = running.await.unwrap();
        assert_eq!(why, "--max-requests reached");
        let kept = &recording.exchanges[0];
        assert_eq!(kept.path, "/Users");
        assert_eq!(
            kept.query,
            [("filter".to_string(), "userName eq \"a+b\"".to_string())]
        );
        assert_eq!(kept.status, 200);
        assert!(recording.secrets.contains(&"t0ken-value".to_string()));
        server.shutdown().await;
    }
}
