//! The first requests of a run: is this a SCIM root we may talk to, and what does it say it
//! supports?

use crate::error::Error;
use crate::exec::{Auth, Client, Exchange, Throttle, TransportError, TransportErrorKind};
use crate::plan::{Capabilities, PreparedRequest};

/// Tells "the target is broken" (a finding) from "nothing can be checked" (exit 3), and
/// reads the advertised capabilities; also says what throttling it waited out.
pub(crate) async fn preflight(client: &Client) -> Result<(Capabilities, Vec<Throttle>), Error> {
    let get = |path: &str, query: Vec<(String, String)>| PreparedRequest {
        query,
        ..PreparedRequest::get(path)
    };
    let probe_request = get(
        "/Users",
        vec![
            ("startIndex".into(), "1".into()),
            ("count".into(), "1".into()),
        ],
    );
    let config_request = get("/ServiceProviderConfig", vec![]);
    // With OAuth, one after the other: the probe settles the credentials (a token refused
    // with 401 is fetched again once) before anything else is sent. Other credentials need no
    // settling, so both reads go at once; the configuration is ignored if the probe fails.
    let (probe, spc) = if matches!(client.config().auth, Auth::OAuth(_)) {
        (client.send(&probe_request).await, None)
    } else {
        let (probe, spc) = tokio::join!(client.send(&probe_request), client.send(&config_request));
        (probe, Some(spc))
    };
    if let Some(err) = &probe.error {
        return Err(Error::Unreachable(unreachable_message(
            &probe.request.url,
            err,
        )));
    }
    if let Some(why) = not_a_scim_root(&probe) {
        return Err(Error::NotScimRoot(why));
    }
    if let Some(status @ (401 | 403)) = probe.status() {
        let how = if client.has_credentials() {
            "check --token / SCIM_TOKEN"
        } else {
            "no token was given: pass --token or set SCIM_TOKEN"
        };
        return Err(Error::Unauthorized(format!(
            "GET {} answered {status}; {how}",
            probe.request.url
        )));
    }
    let spc = match spc {
        Some(spc) => spc,
        None => client.send(&config_request).await,
    };
    let throttled = probe
        .throttled
        .iter()
        .chain(&spc.throttled)
        .cloned()
        .collect();
    Ok((
        Capabilities(spc.json().filter(|_| spc.status() == Some(200)).cloned()),
        throttled,
    ))
}

/// What a person can act on: the host and port, the cause in a few words, the likely fix;
/// not the HTTP client's error chain.
pub(crate) fn unreachable_message(url: &str, err: &TransportError) -> String {
    if !matches!(
        err.kind,
        TransportErrorKind::Connect | TransportErrorKind::Timeout
    ) {
        // Not the connection: the credentials' own exchange (an OAuth token endpoint) says why.
        return format!(
            "the target could not be reached: GET {url}: {}",
            err.message
        );
    }
    let parsed = reqwest::Url::parse(url).ok();
    let host = parsed
        .as_ref()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_else(|| url.to_string());
    let text = err.message.to_ascii_lowercase();
    let (cause, hint) = if err.kind == TransportErrorKind::Timeout {
        (
            "no answer before the timeout",
            "is the address right, and does a firewall let the request through? (--timeout raises the limit)",
        )
    } else if text.contains("connection refused") {
        ("connection refused", "is the server running?")
    } else if text.contains("dns error") || text.contains("failed to lookup") {
        (
            "the host name does not resolve",
            "is the host name in --base-url right?",
        )
    } else if text.contains("certificate") || text.contains("tls") || text.contains("ssl") {
        (
            "TLS handshake failed",
            "is its certificate valid for this name? (--cacert trusts a private CA)",
        )
    } else if text.contains("reset") || text.contains("closed") {
        (
            "the connection was closed",
            "does the port speak HTTP (http:// vs https://)?",
        )
    } else {
        (
            "no connection",
            "is the server running and the address right?",
        )
    };
    format!("cannot connect to {host} ({cause}): {hint}")
}

/// Why the probe's answer says `--base-url` is not the SCIM root: a 404 for `/Users`, or an
/// HTML page (a web app's front page or login page). The body decides, not its label: JSON
/// under `text/html` is a SCIM server with a wrong media type, which the content-type rule
/// reports while the run goes on.
fn not_a_scim_root(probe: &Exchange) -> Option<String> {
    let resp = probe.response.as_ref()?;
    let html = !resp.json.as_ref().is_some_and(serde_json::Value::is_object)
        && (resp.media_type().is_some_and(|m| m.contains("html"))
            || resp.body.trim_start().starts_with('<'));
    let what = match resp.status {
        404 => "404".to_string(),
        200..=299 | 400..=499 if html => format!("{} with an HTML page", resp.status),
        _ => return None,
    };
    let url = probe.request.url.split('?').next().unwrap_or_default();
    Some(format!(
        "GET {url} answered {what}, not a SCIM list of users: is --base-url the SCIM root (…/scim/v2)?"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_body_not_its_label_tells_an_html_page() {
        use crate::exec::{Headers, RecordedResponse};
        let probe = |ct: &str, body: &str| {
            let mut x = Exchange::answered(
                crate::scim::Method::Get,
                "http://h/scim/v2/Users?count=1",
                200,
                &serde_json::json!({}),
            );
            let headers: Headers = [("content-type".to_string(), ct.to_string())]
                .into_iter()
                .collect();
            x.response = Some(RecordedResponse::new(200, headers, body.into(), false));
            super::not_a_scim_root(&x)
        };
        let list = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#;
        assert_eq!(probe("text/html", list), None);
        let page = probe("text/html", "<!doctype html><title>Sign in</title>").unwrap();
        assert!(page.contains("answered 200 with an HTML page"), "{page}");
        assert!(probe("application/json", "<html></html>").is_some());
    }

    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use axum::routing::get;
    use serde_json::json;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::exec::{ClientConfig, OAuthConfig, Secret};

    #[tokio::test]
    async fn with_a_bearer_token_both_reads_are_in_flight_together() {
        // The probe is answered only once the configuration has been asked for, so it can
        // only be answered in time when both are sent at once.
        let asked = Arc::new(tokio::sync::Notify::new());
        let overlapped = Arc::new(AtomicBool::new(false));
        let app = axum::Router::new()
            .route(
                "/scim/v2/Users",
                get({
                    let (asked, overlapped) = (asked.clone(), overlapped.clone());
                    move || async move {
                        let seen = tokio::time::timeout(Duration::from_secs(5), asked.notified());
                        overlapped.store(seen.await.is_ok(), Ordering::SeqCst);
                        axum::Json(json!({"totalResults": 0, "Resources": []}))
                    }
                }),
            )
            .route(
                "/scim/v2/ServiceProviderConfig",
                get({
                    let asked = asked.clone();
                    move || async move {
                        asked.notify_one();
                        axum::Json(json!({"patch": {"supported": true}}))
                    }
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let client = Client::new(ClientConfig::new(
            format!("http://{addr}/scim/v2"),
            Auth::Bearer(Secret::new("t")),
        ))
        .unwrap();

        let (caps, _) = preflight(&client).await.unwrap();

        server.abort();
        assert!(overlapped.load(Ordering::SeqCst));
        assert_eq!(caps.0, Some(json!({"patch": {"supported": true}})));
    }

    #[tokio::test]
    async fn with_oauth_the_probe_settles_the_token_before_anything_else() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": "t", "token_type": "Bearer", "totalResults": 0, "Resources": []}),
            ))
            .mount(&server)
            .await;
        let client = Client::new(ClientConfig::new(
            format!("{}/scim/v2", server.uri()),
            Auth::OAuth(OAuthConfig {
                token_url: format!("{}/token", server.uri()),
                client_id: "c".into(),
                client_secret: Secret::new("s"),
                scope: None,
            }),
        ))
        .unwrap();

        preflight(&client).await.unwrap();

        let paths: Vec<String> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| r.url.path().to_string())
            .collect();
        assert_eq!(
            paths,
            ["/token", "/scim/v2/Users", "/scim/v2/ServiceProviderConfig"]
        );
    }
}
