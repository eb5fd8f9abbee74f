//! Credentials never reach any output: bearer tokens, Basic passwords, OAuth client secrets
//! and access tokens, extra headers. Every output format and the snapshots are searched.

use std::time::Duration;

use base64::Engine;
use scimcheck::server::{RunningServer, ServerConfig};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::proxy::Faulty;
use crate::support::TOKEN;

const SECRETS: [&str; 5] = [
    "tok-5ecret-a1",
    "pw-5ecret-b2",
    "cs-5ecret-c3",
    "key-5ecret-d4",
    "acc-5ecret-e5",
];

/// Every output of a run: stdout of the human report (verbose) and of --json, stderr, every
/// report format, and the snapshots.
fn assert_no_secret(outputs: &[String]) {
    let basic = base64::engine::general_purpose::STANDARD.encode("admin:pw-5ecret-b2");
    for text in outputs {
        for s in SECRETS.iter().copied().chain([basic.as_str()]) {
            assert!(
                !text.contains(s),
                "secret `{s}` leaked into output:\n{}",
                &text[..text.len().min(2000)]
            );
        }
    }
}

async fn all_outputs(args: Vec<String>, env: Vec<(&'static str, &'static str)>) -> Vec<String> {
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<String> = ["json", "junit", "markdown", "html"]
            .iter()
            .map(|k| dir.path().join(format!("r.{k}")).display().to_string())
            .collect();
        let snapshots = dir.path().join("snapshots");
        let mut outputs = Vec::new();
        let mut first = vec![
            "-vv".to_string(),
            "--snapshots".into(),
            snapshots.display().to_string(),
        ];
        for (kind, file) in ["json", "junit", "markdown", "html"].iter().zip(&files) {
            first.push("--report".into());
            first.push(format!("{kind}={file}"));
        }
        for extra in [first, vec!["--json".to_string()]] {
            let mut cmd = assert_cmd::Command::cargo_bin("scimcheck").unwrap();
            cmd.arg("run")
                .args(&args)
                .args(&extra)
                .env_remove("SCIM_TOKEN")
                .timeout(Duration::from_secs(120));
            for (k, v) in &env {
                cmd.env(k, v);
            }
            let out = cmd.output().unwrap();
            outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
            outputs.push(String::from_utf8_lossy(&out.stderr).into_owned());
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}\n{}",
                outputs[outputs.len() - 2],
                outputs[outputs.len() - 1]
            );
        }
        for file in &files {
            outputs.push(std::fs::read_to_string(file).unwrap());
        }
        for entry in std::fs::read_dir(&snapshots).unwrap() {
            outputs.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        assert!(outputs.len() > 10);
        outputs
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_token_and_extra_headers_never_printed() {
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        ServerConfig {
            token: Some(SECRETS[0].into()),
            log_requests: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let args = vec![
        "--base-url".to_string(),
        server.base_url().to_string(),
        "--header".into(),
        format!("X-Api-Key: {}", SECRETS[3]),
    ];
    let outputs = all_outputs(args, vec![("SCIM_TOKEN", SECRETS[0])]).await;
    assert!(
        outputs[0].contains("$SCIM_TOKEN"),
        "curl lines use the environment variable"
    );
    assert_no_secret(&outputs);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_auth_password_never_printed() {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("admin:pw-5ecret-b2")
    );
    let server = Faulty::start(move |mut req, up| {
        if req
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && *v == expected)
        {
            req.set_header("authorization", &format!("Bearer {TOKEN}"));
        }
        up.send(&req)
    })
    .await;
    let args = vec![
        "--base-url".to_string(),
        server.base_url(),
        "--basic-user".into(),
        "admin".into(),
    ];
    let outputs = all_outputs(args, vec![("SCIM_BASIC_PASSWORD", SECRETS[1])]).await;
    assert_no_secret(&outputs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_client_credentials_fetched_refreshed_and_never_printed() {
    let server =
        Faulty::start(move |mut req, up| {
            if req.headers.iter().any(|(n, v)| {
                n.eq_ignore_ascii_case("authorization") && v == "Bearer acc-5ecret-e5"
            }) {
                req.set_header("authorization", &format!("Bearer {TOKEN}"));
            }
            up.send(&req)
        })
        .await;
    let idp = MockServer::start().await;
    // The first token is already stale; the harness must fetch a new one after the 401.
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "stale-token", "expires_in": 3600})),
        )
        .up_to_n_times(1)
        .mount(&idp)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": SECRETS[4], "token_type": "Bearer", "expires_in": 3600}),
        ))
        .mount(&idp)
        .await;
    let args = vec![
        "--base-url".to_string(),
        server.base_url(),
        "--oauth-token-url".into(),
        format!("{}/token", idp.uri()),
        "--client-id".into(),
        "scimcheck".into(),
        "--scope".into(),
        "scim".into(),
    ];
    let outputs = all_outputs(args, vec![("SCIM_CLIENT_SECRET", SECRETS[2])]).await;
    assert_no_secret(&outputs);
    let token_requests = idp.received_requests().await.unwrap();
    let first = String::from_utf8_lossy(&token_requests[0].body).to_string();
    assert!(
        first.contains("grant_type=client_credentials")
            && first.contains("client_secret=cs-5ecret-c3")
            && first.contains("scope=scim"),
        "{first}"
    );
    // One stale + one good token per run, two runs: the good token is reused, not refetched.
    assert_eq!(
        token_requests.len(),
        3,
        "a fresh token is fetched once per run and after the 401"
    );
}

/// A server that echoes the credentials it was sent (in a header on every answer, and in
/// the detail of a 404) must not make any output leak them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_echoed_by_the_server_are_scrubbed() {
    let server = Faulty::start(move |mut req, up| {
        let sent: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, _)| {
                n.eq_ignore_ascii_case("authorization") || n.eq_ignore_ascii_case("x-api-key")
            })
            .map(|(_, v)| v.clone())
            .collect();
        if req
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.contains(SECRETS[0]))
        {
            req.set_header("authorization", &format!("Bearer {TOKEN}"));
        }
        let mut resp = up.send(&req);
        resp.set_header("x-echo", &sent.join(" | "));
        if resp.status == 404 {
            if let Some(mut body) = resp.json() {
                body["detail"] = format!("nothing here for {}", sent.join(" and ")).into();
                resp.set_json(&body);
            }
        }
        resp
    })
    .await;
    let args = vec![
        "--base-url".to_string(),
        server.base_url(),
        "--header".into(),
        format!("X-Api-Key: {}", SECRETS[3]),
    ];
    let outputs = all_outputs(args, vec![("SCIM_TOKEN", SECRETS[0])]).await;
    assert!(
        outputs
            .iter()
            .any(|o| o.contains("nothing here for [redacted]")),
        "the echo is shown, scrubbed"
    );
    assert_no_secret(&outputs);
}
