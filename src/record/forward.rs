//! One request from the IdP, forwarded to the upstream and its answer returned: both as they
//! were, but for the hop-by-hop headers (RFC 9110 §7.6.1), which belong to one connection.
//! The exchange is kept for replay when it is a SCIM request below the root that the
//! upstream answered; otherwise its line says why not.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures::StreamExt;

use super::log::{Line, Log};
use super::upstream::{causes, Upstream, UpstreamClient};
use crate::scenario::traffic::Recorded;
use crate::scim::Method;

/// What every request handler shares.
#[derive(Debug)]
pub(super) struct Proxy {
    pub upstream: Upstream,
    pub client: UpstreamClient,
    pub log: Arc<Log>,
    /// Largest body read, either way.
    pub body_cap: usize,
}

/// Headers of one connection, never forwarded (RFC 9110 §7.6.1), and `Host`, which is the
/// upstream's, and `Content-Length`, which the body sent sets again.
fn hop_by_hop(name: &HeaderName, listed: &[String]) -> bool {
    let n = name.as_str();
    matches!(
        n,
        "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "host"
            | "content-length"
    ) || n.starts_with("proxy-")
        || listed.iter().any(|l| l == n)
}

/// Headers a `Connection` header names as hop-by-hop.
fn connection_listed(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let listed = connection_listed(headers);
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if !hop_by_hop(name, &listed) {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

fn as_text(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The credentials in an Authorization header: the whole value, its token, and for Basic
/// the decoded `user:password` and the password.
fn credentials(value: &str) -> Vec<String> {
    let mut out = vec![value.to_string()];
    if let Some((scheme, token)) = value.trim().split_once(' ') {
        let token = token.trim();
        out.push(token.to_string());
        if scheme.eq_ignore_ascii_case("basic") {
            if let Some(pair) = base64::engine::general_purpose::STANDARD
                .decode(token)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
            {
                if let Some((_, password)) = pair.split_once(':') {
                    out.push(password.to_string());
                }
                out.push(pair);
            }
        }
    }
    out.retain(|s| s.len() >= 4);
    out
}

fn scim_method(method: &axum::http::Method) -> Option<Method> {
    Some(match method.as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        _ => return None,
    })
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Why a body was not read whole.
enum Unread {
    TooLarge,
    Failed(String),
}

/// How much of a body past the limit is still read (and dropped) so that the 413 reaches a
/// client that is still sending: an answer sent mid-upload is often lost to a reset.
const DRAIN_FACTOR: usize = 4;

async fn read_capped<S, E>(mut stream: S, cap: usize) -> Result<Bytes, Unread>
where
    S: futures::Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error + 'static,
{
    let mut buf = Vec::new();
    let mut total: usize = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Unread::Failed(causes(&e)))?;
        total = total.saturating_add(chunk.len());
        if total > cap.saturating_mul(DRAIN_FACTOR) {
            return Err(Unread::TooLarge);
        }
        if total <= cap {
            buf.extend_from_slice(&chunk);
        }
    }
    if total > cap {
        Err(Unread::TooLarge)
    } else {
        Ok(Bytes::from(buf))
    }
}

/// The upstream's answer body, read chunk by chunk up to `cap`.
async fn read_answer(mut resp: reqwest::Response, cap: usize) -> Result<Bytes, Unread> {
    let mut buf = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| Unread::Failed(causes(&e)))? {
        if buf.len() + chunk.len() > cap {
            return Err(Unread::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

fn mib(cap: usize) -> usize {
    cap / (1024 * 1024)
}

/// The proxy's one handler.
pub(super) async fn forward(State(proxy): State<Arc<Proxy>>, req: Request) -> Response {
    let started = time::OffsetDateTime::now_utc();
    let clock = Instant::now();
    let (parts, body) = req.into_parts();
    let target = parts.uri.path_and_query().map_or_else(
        || parts.uri.path().to_string(),
        |pq| pq.as_str().to_string(),
    );
    let line = |status: u16, unkept: Option<String>| Line {
        method: parts.method.as_str(),
        target: &target,
        status,
        ms: clock.elapsed().as_millis() as u64,
        unkept,
    };
    for value in parts.headers.get_all(header::AUTHORIZATION) {
        for secret in credentials(&String::from_utf8_lossy(value.as_bytes())) {
            proxy.log.secret(&secret);
        }
    }
    let Some(rest) = proxy.upstream.below(parts.uri.path()) else {
        proxy
            .log
            .skip(line(404, Some("outside the SCIM root".into())));
        return text(
            StatusCode::NOT_FOUND,
            format!(
                "scimcheck record forwards only requests below {}/\n",
                proxy.upstream.base_path()
            ),
        );
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        proxy
            .log
            .skip(line(413, Some("request body over the size limit".into())));
        text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "scimcheck record: the request body is larger than {} MiB\n",
                mib(proxy.body_cap)
            ),
        )
    };
    if declared.is_some_and(|n| n > proxy.body_cap.saturating_mul(DRAIN_FACTOR) as u64) {
        return too_large();
    }
    let body = match read_capped(body.into_data_stream(), proxy.body_cap).await {
        Ok(b) => b,
        Err(Unread::TooLarge) => return too_large(),
        Err(Unread::Failed(_)) => {
            proxy
                .log
                .skip(line(400, Some("the request body could not be read".into())));
            return text(
                StatusCode::BAD_REQUEST,
                "scimcheck record: the request body could not be read\n".into(),
            );
        }
    };
    let url = proxy.upstream.url_for(rest, parts.uri.query());
    let mut send = proxy
        .client
        .http
        .request(parts.method.clone(), &url)
        .headers(end_to_end(&parts.headers));
    // A GET without a body stays without one (no `Content-Length: 0` added).
    if !body.is_empty()
        || declared.is_some()
        || parts.headers.contains_key(header::TRANSFER_ENCODING)
    {
        send = send.body(body.clone());
    }
    let answered = match send.send().await {
        Ok(resp) => resp,
        Err(e) => {
            let why = causes(&e);
            proxy.log.skip(line(
                502,
                Some(format!("the upstream did not answer: {why}")),
            ));
            return text(
                StatusCode::BAD_GATEWAY,
                format!("scimcheck record: the upstream did not answer: {why}\n"),
            );
        }
    };
    let status = answered.status();
    let headers = answered.headers().clone();
    let answer = match read_answer(answered, proxy.body_cap).await {
        Ok(b) => b,
        Err(why) => {
            let (unkept, message) = match why {
                Unread::TooLarge => (
                    "the answer's body is over the size limit",
                    format!(
                        "the upstream's answer is larger than {} MiB",
                        mib(proxy.body_cap)
                    ),
                ),
                Unread::Failed(e) => (
                    "the answer's body was cut off",
                    format!("the upstream's answer was cut off: {e}"),
                ),
            };
            proxy.log.skip(line(502, Some(unkept.into())));
            return text(
                StatusCode::BAD_GATEWAY,
                format!("scimcheck record: {message}\n"),
            );
        }
    };
    let done = line(status.as_u16(), None);
    match (scim_method(&parts.method), rest.len() > 1) {
        (Some(method), true) => {
            let exchange = Recorded {
                method,
                path: percent_encoding::percent_decode_str(rest)
                    .decode_utf8_lossy()
                    .into_owned(),
                query: parts
                    .uri
                    .query()
                    .map(|q| {
                        url::form_urlencoded::parse(q.as_bytes())
                            .into_owned()
                            .collect()
                    })
                    .unwrap_or_default(),
                request_headers: as_text(&parts.headers),
                request_body: (!body.is_empty())
                    .then(|| String::from_utf8_lossy(&body).into_owned()),
                status: status.as_u16(),
                response_headers: as_text(&headers),
                response_body: (!answer.is_empty())
                    .then(|| String::from_utf8_lossy(&answer).into_owned()),
                started: started
                    .format(&time::format_description::well_known::Rfc3339)
                    .ok(),
                duration_ms: done.ms,
            };
            proxy.log.keep(exchange, done);
        }
        (None, _) => proxy.log.skip(Line {
            unkept: Some("not a SCIM method".into()),
            ..done
        }),
        (_, false) => proxy.log.skip(Line {
            unkept: Some("the SCIM root itself, no endpoint".into()),
            ..done
        }),
    }
    let mut out = Response::builder().status(status);
    if let Some(h) = out.headers_mut() {
        *h = end_to_end(&headers);
    }
    out.body(Body::from(answer))
        .unwrap_or_else(|e| text(StatusCode::BAD_GATEWAY, format!("scimcheck record: {e}\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_and_those_connection_names_are_dropped() {
        let mut h = HeaderMap::new();
        for (n, v) in [
            ("connection", "keep-alive, x-trace"),
            ("keep-alive", "timeout=5"),
            ("x-trace", "1"),
            ("host", "127.0.0.1:8089"),
            ("proxy-authorization", "Basic eA=="),
            ("transfer-encoding", "chunked"),
            ("authorization", "Bearer t"),
            ("user-agent", "Okta SCIM Client 1.0.0"),
            ("accept", "application/scim+json"),
        ] {
            h.append(HeaderName::from_static(n), v.parse().unwrap());
        }
        let kept = end_to_end(&h);
        let kept: Vec<&str> = kept.keys().map(HeaderName::as_str).collect();
        assert_eq!(kept, ["authorization", "user-agent", "accept"]);
    }

    #[test]
    fn a_basic_header_gives_its_password_too() {
        let value = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("okta:hunter2-long")
        );
        let found = credentials(&value);
        assert!(found.contains(&"hunter2-long".to_string()), "{found:?}");
        assert!(found.contains(&value));
        assert_eq!(credentials("Bearer abcdef"), ["Bearer abcdef", "abcdef"]);
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_refused_whole_not_cut() {
        let chunks = |n: usize| {
            futures::stream::iter(
                (0..n).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(b"0123456789"))),
            )
        };
        assert_eq!(read_capped(chunks(3), 30).await.ok().unwrap().len(), 30);
        assert!(matches!(
            read_capped(chunks(4), 30).await,
            Err(Unread::TooLarge)
        ));
        assert!(matches!(
            read_capped(chunks(100), 30).await,
            Err(Unread::TooLarge)
        ));
    }
}
