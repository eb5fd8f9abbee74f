//! The HTTP client: sends prepared requests with the configured credentials, never follows
//! redirects, caps bodies, waits out rate limits, and records every exchange with secrets
//! redacted.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::sync::Mutex;

use super::auth::{Auth, Authorizer};
use super::exchange::{
    now_rfc3339, Exchange, Headers, RecordedRequest, RecordedResponse, Throttle, TransportError,
    TransportErrorKind, REDACTED,
};
use super::retry::{retry_wait, RetryPolicy};
use super::secret::{mask_request, Secret};
use crate::plan::PreparedRequest;
use crate::scim::path::encode_segment;
use crate::scim::urn::MEDIA_TYPE;

/// How the client reaches and talks to the target.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The SCIM root without a trailing slash, e.g. `https://host/scim/v2`.
    pub base_url: String,
    /// The credentials.
    pub auth: Auth,
    /// `--header` values; treated as secrets (they often carry API keys).
    pub extra_headers: Vec<(String, Secret)>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Bodies longer than this are cut and flagged, never buffered whole.
    pub body_cap: usize,
    /// Extra trusted roots (PEM) for private CAs.
    pub ca_cert: Option<PathBuf>,
    /// Accept any TLS certificate: only when the user asks, and reported loudly.
    pub insecure: bool,
    /// Proxy URL; without it no proxy is used, whatever the environment says.
    pub proxy: Option<String>,
    /// How throttling (429, 503) is waited out.
    pub retry: RetryPolicy,
    /// Requests per second at most, for fragile tenants.
    pub max_rps: Option<f64>,
    /// Values sent inside requests (`--secret`) that are recorded as `[redacted]`, in the
    /// request and in whatever the server echoes back.
    pub masked: Vec<Secret>,
}

impl ClientConfig {
    /// The default cap on a response body (16 MiB).
    pub const DEFAULT_BODY_CAP: usize = 16 * 1024 * 1024;

    /// A configuration with defaults for everything but the target and credentials.
    pub fn new(base_url: impl Into<String>, auth: Auth) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            auth,
            extra_headers: vec![],
            timeout: Duration::from_secs(30),
            body_cap: Self::DEFAULT_BODY_CAP,
            ca_cert: None,
            insecure: false,
            proxy: None,
            retry: RetryPolicy::default(),
            max_rps: None,
            masked: vec![],
        }
    }
}

/// The HTTP client of a run: redacts credentials, never follows redirects, caps bodies.
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    authorizer: Authorizer,
    /// When the next request may start under `max_rps`.
    next_slot: Mutex<Instant>,
    /// HTTP requests put on the wire, retries and bursts included (for the benchmarks).
    sent: AtomicU64,
}

/// One header as sent; `secret` marks values recorded as `[redacted]`.
pub(super) struct OutHeader {
    name: String,
    value: String,
    secret: bool,
}

impl Client {
    /// A client for `config`, or why its options are unusable.
    pub fn new(config: ClientConfig) -> Result<Client, String> {
        // reqwest is built without a crypto provider of its own: rustls uses ring's, made the
        // process default once (a second call finds it set, which is fine).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            // Servers close idle keep-alive connections (Node after 5 s): a connection idle
            // longer is not reused, so a write is never sent on one the server just closed.
            .pool_idle_timeout(Duration::from_secs(4))
            .user_agent(concat!("scimcheck/", env!("CARGO_PKG_VERSION")));
        builder = match &config.proxy {
            Some(proxy) => builder
                .proxy(reqwest::Proxy::all(proxy).map_err(|e| format!("--proxy `{proxy}`: {e}"))?),
            None => builder.no_proxy(),
        };
        builder = trusting(builder, config.ca_cert.as_deref(), config.insecure)?;
        let http = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Client {
            http,
            authorizer: Authorizer::new(config.auth.clone()),
            config,
            next_slot: Mutex::new(Instant::now()),
            sent: AtomicU64::new(0),
        })
    }

    /// How many HTTP requests this client has put on the wire so far: every scenario step,
    /// retry, burst request, preflight, discovery read and cleanup request (token requests
    /// to an OAuth endpoint aside).
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The Authorization header to send now, or why there is none to be had.
    pub(super) async fn authorizer_header(&self) -> Result<Option<Secret>, String> {
        self.authorizer.header(&self.http).await
    }

    /// Its configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Whether it sends any credentials.
    pub fn has_credentials(&self) -> bool {
        self.authorizer.is_configured()
    }

    /// The full URL of a prepared request.
    pub fn url_of(&self, req: &PreparedRequest) -> String {
        let mut url = format!("{}{}", self.config.base_url, req.path);
        for (i, (name, value)) in req.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            // Unreserved characters stay, the rest is encoded: spaces as %20, as Okta sends
            // them, not `+`.
            url.push_str(&encode_segment(name));
            url.push('=');
            url.push_str(&encode_segment(value));
        }
        url
    }

    /// Headers as sent: defaults (Accept, Content-Type, credentials, --header) then the
    /// step's overrides, which win.
    pub(super) fn headers(
        &self,
        req: &PreparedRequest,
        authorization: Option<&Secret>,
    ) -> Vec<OutHeader> {
        let plain = |name: &str, value: &str| OutHeader {
            name: name.into(),
            value: value.into(),
            secret: false,
        };
        let mut headers = vec![plain("accept", MEDIA_TYPE)];
        if req.has_body() {
            headers.push(plain("content-type", MEDIA_TYPE));
        }
        if let Some(auth) = authorization {
            headers.push(OutHeader {
                name: "authorization".into(),
                value: auth.expose().into(),
                secret: true,
            });
        }
        // A step that sets or removes Authorization tests what happens without the
        // configured credentials, so the secret extra headers (API keys) stay out too.
        let own_credentials = Self::overrides_authorization(req);
        for (name, value) in self
            .config
            .extra_headers
            .iter()
            .filter(|_| !own_credentials)
        {
            let name = name.to_ascii_lowercase();
            headers.retain(|h| h.name != name);
            headers.push(OutHeader {
                name,
                value: value.expose().into(),
                secret: true,
            });
        }
        for (name, value) in &req.headers {
            let name = name.to_ascii_lowercase();
            headers.retain(|h| h.name != name);
            if let Some(value) = value {
                headers.push(OutHeader {
                    name,
                    value: value.clone(),
                    secret: false,
                });
            }
        }
        headers
    }

    fn overrides_authorization(req: &PreparedRequest) -> bool {
        req.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("authorization"))
    }

    /// A request the harness will not send, recorded so the report shows why.
    pub fn refused(&self, req: &PreparedRequest, why: String) -> Exchange {
        Exchange {
            request: self.record_request(req, &self.headers(req, None)),
            response: None,
            error: Some(TransportError {
                kind: TransportErrorKind::Refused,
                message: why,
            }),
            started: now_rfc3339(),
            duration_ms: 0,
            throttled: vec![],
        }
    }

    pub(super) fn record_request(
        &self,
        req: &PreparedRequest,
        headers: &[OutHeader],
    ) -> RecordedRequest {
        let headers = headers
            .iter()
            .map(|h| {
                (
                    h.name.clone(),
                    if h.secret {
                        redacted_value(&h.name, &h.value)
                    } else {
                        h.value.clone()
                    },
                )
            })
            .collect();
        let mut recorded = RecordedRequest {
            method: req.method,
            url: self.url_of(req),
            headers,
            body: req.body.clone().map(super::redact::redact_password),
            raw_body: req
                .raw_body
                .as_deref()
                .map(super::redact::redact_raw_password),
        };
        if !self.config.masked.is_empty() {
            mask_request(&mut recorded, &self.masked_values());
        }
        recorded
    }

    /// Sends one request and records the exchange; never fails (a transport error is recorded).
    pub async fn send(&self, req: &PreparedRequest) -> Exchange {
        let started = Instant::now();
        let started_at = now_rfc3339();
        let mut throttled = Vec::new();
        let mut waited = Duration::ZERO;
        let mut backoff = self.config.retry.first_wait;
        let mut refreshed = false;
        loop {
            let authorization = match self.authorizer.header(&self.http).await {
                Ok(a) => a,
                Err(message) => {
                    let headers = self.headers(req, None);
                    return Exchange {
                        request: self.record_request(req, &headers),
                        response: None,
                        error: Some(TransportError {
                            kind: TransportErrorKind::Refused,
                            message,
                        }),
                        started: started_at,
                        duration_ms: 0,
                        throttled,
                    };
                }
            };
            let headers = self.headers(req, authorization.as_ref());
            let request = self.record_request(req, &headers);
            let secrets = self.secret_values(&headers);
            self.pace().await;
            let result = self
                .send_once(req, &request.url, &headers)
                .await
                .map(|r| r.scrubbed(&secrets));
            let finish = |result: Result<RecordedResponse, TransportError>, throttled| {
                let duration_ms = started.elapsed().as_millis() as u64;
                match result {
                    Ok(response) => Exchange {
                        request,
                        response: Some(response),
                        error: None,
                        started: started_at.clone(),
                        duration_ms,
                        throttled,
                    },
                    Err(error) => Exchange {
                        request,
                        response: None,
                        error: Some(error),
                        started: started_at.clone(),
                        duration_ms,
                        throttled,
                    },
                }
            };
            let Ok(response) = &result else {
                return finish(result, throttled);
            };
            // An expired OAuth token: fetch a new one once and repeat the request.
            if response.status == 401
                && self.authorizer.is_oauth()
                && !refreshed
                && !Self::overrides_authorization(req)
            {
                refreshed = true;
                self.authorizer.invalidate().await;
                continue;
            }
            let Some(wait) = retry_wait(
                &self.config.retry,
                response,
                backoff,
                throttled.len() as u32,
            ) else {
                return finish(result, throttled);
            };
            if waited.saturating_add(wait) > self.config.retry.max_total_wait {
                return finish(result, throttled);
            }
            throttled.push(Throttle {
                status: response.status,
                retry_after: response.header("retry-after").map(str::to_string),
                waited_ms: wait.as_millis() as u64,
                error_body: response
                    .json
                    .as_ref()
                    .is_some_and(|b| crate::scim::json::schemas_hold(b, crate::scim::urn::ERROR)),
            });
            tokio::time::sleep(wait).await;
            waited += wait;
            backoff = backoff.saturating_mul(2);
        }
    }

    /// Every secret this request carries, as a server could echo it back: whole header
    /// values, the credential after `Bearer `/`Basic `, and the configured passwords.
    pub(super) fn secret_values(&self, headers: &[OutHeader]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in headers.iter().filter(|h| h.secret) {
            out.push(h.value.clone());
            if let Some((_, credential)) = h.value.split_once(' ') {
                out.push(credential.trim().to_string());
            }
        }
        match &self.config.auth {
            Auth::Basic { user, password } => {
                out.push(password.expose().to_string());
                out.push(format!("{user}:{}", password.expose()));
            }
            Auth::OAuth(oauth) => out.push(oauth.client_secret.expose().to_string()),
            Auth::Bearer(_) | Auth::None => {}
        }
        out.retain(|s| s.chars().count() >= MIN_SCRUBBED);
        // The user's secrets are checked for length when given, so each is searched for.
        out.extend(self.masked_values());
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out.dedup();
        out
    }

    pub(super) async fn pace(&self) {
        let Some(rps) = self.config.max_rps.filter(|r| *r > 0.0) else {
            return;
        };
        let interval = Duration::from_secs_f64(1.0 / rps);
        let start = {
            let mut next = self.next_slot.lock().await;
            let start = (*next).max(Instant::now());
            *next = start + interval;
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }

    pub(super) async fn send_once(
        &self,
        req: &PreparedRequest,
        url: &str,
        out: &[OutHeader],
    ) -> Result<RecordedResponse, TransportError> {
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes())
            .map_err(|e| broken(e.to_string()))?;
        let mut headers = HeaderMap::new();
        for h in out {
            let name = HeaderName::from_bytes(h.name.as_bytes())
                .map_err(|e| refused(format!("header name `{}`: {e}", h.name)))?;
            let value = HeaderValue::from_str(&h.value).map_err(|_| {
                refused(format!(
                    "header `{}` has a value that is not valid in HTTP",
                    h.name
                ))
            })?;
            headers.append(name, value);
        }
        let mut builder = self.http.request(method, url).headers(headers);
        if let Some(body) = &req.body {
            builder = builder.body(serde_json::to_vec(body).unwrap_or_default());
        } else if let Some(raw) = &req.raw_body {
            builder = builder.body(raw.clone().into_bytes());
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        let again = (req.method == crate::scim::Method::Get)
            .then(|| builder.try_clone())
            .flatten();
        let mut response = match (builder.send().await, again) {
            (Ok(r), _) => r,
            // A kept-alive connection the server closed just as the request left on it is
            // reset before any answer: a read is sent once more, on another connection.
            (Err(e), Some(again)) if is_stale_connection(&e) => {
                self.sent.fetch_add(1, Ordering::Relaxed);
                again.send().await.map_err(classify)?
            }
            (Err(e), _) => return Err(classify(e)),
        };
        let status = response.status().as_u16();
        let mut recorded_headers = Headers::new();
        for (name, value) in response.headers() {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            recorded_headers
                .entry(name.as_str().to_string())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            let room = self.config.body_cap.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        if truncated {
            // Past the cap the body is only evidence of its size: keep its start, not 16 MiB
            // of it per request in memory and in the reports.
            body.truncate(TRUNCATED_KEPT);
        }
        Ok(RecordedResponse::new(
            status,
            recorded_headers,
            String::from_utf8_lossy(&body).into_owned(),
            truncated,
        ))
    }
}

/// What is kept of a body longer than the cap.
const TRUNCATED_KEPT: usize = 64 * 1024;

/// Secrets shorter than this are not searched for in responses: replacing every "ab" in a
/// body would destroy the evidence without protecting anything worth the name.
const MIN_SCRUBBED: usize = 6;

/// A secret header as recorded: the credential's scheme stays (it tells a reproduction
/// which variable to use), the credential itself never does.
/// `builder` trusting the CA certificates of `ca_cert` (a PEM bundle, `--cacert`) besides the
/// system's, and any certificate with `insecure` (`--insecure`); or why the file is unusable.
pub fn trusting(
    mut builder: reqwest::ClientBuilder,
    ca_cert: Option<&std::path::Path>,
    insecure: bool,
) -> Result<reqwest::ClientBuilder, String> {
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).map_err(|e| format!("--cacert {}: {e}", path.display()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            format!(
                "--cacert {}: not a PEM certificate bundle: {e}",
                path.display()
            )
        })?;
        if certs.is_empty() {
            return Err(format!(
                "--cacert {}: no certificate in the file",
                path.display()
            ));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    if insecure {
        builder = builder.danger_accept_invalid_certs(true);
    }
    Ok(builder)
}

fn redacted_value(name: &str, value: &str) -> String {
    let scheme = value.split_once(' ').map(|(s, _)| s);
    match scheme {
        Some(s @ ("Bearer" | "Basic")) if name == "authorization" => format!("{s} {REDACTED}"),
        _ => REDACTED.to_string(),
    }
}

fn refused(message: String) -> TransportError {
    TransportError {
        kind: TransportErrorKind::Refused,
        message,
    }
}

fn broken(message: String) -> TransportError {
    TransportError {
        kind: TransportErrorKind::Broken,
        message,
    }
}

/// A reset or close of a pooled connection before any answer arrived.
fn is_stale_connection(e: &reqwest::Error) -> bool {
    if e.is_timeout() || e.is_connect() || e.is_body() || e.is_decode() {
        return false;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            );
        }
        if s.to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        source = s.source();
    }
    false
}

fn classify(e: reqwest::Error) -> TransportError {
    let kind = if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if e.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Broken
    };
    // The error chain explains resets and protocol errors; the URL holds no secret.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    TransportError { kind, message }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod reset_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_debug_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), REDACTED);
    }
}
