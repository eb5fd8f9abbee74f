//! HTTP-level rules: authentication, ETags, errors for bad requests and unknown endpoints,
//! and `scimcheck serve`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::Method;
use scimcheck::server::{RunningServer, ServerConfig};
use serde_json::json;

use super::Scim;

async fn raw(url: &str, auth: Option<&str>) -> (u16, serde_json::Value) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    assert_eq!(resp.headers()["content-type"], "application/scim+json");
    (
        status,
        serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn authentication_with_a_configured_token() {
    let s = Scim::start().await;
    for auth in [
        None,
        Some("non-token"),
        Some("Bearer"),
        Some("Bearer wrong"),
        Some("Basic dXNlcjpwdw=="),
    ] {
        let (status, body) = raw(&s.url("/Users"), auth).await;
        assert_eq!(status, 401, "{auth:?}");
        assert_eq!(body["status"], "401");
        assert_eq!(
            body["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
        );
    }
    let (status, _) = raw(
        &s.url("/Users"),
        Some(&format!("bearer {}", crate::support::TOKEN)),
    )
    .await;
    assert_eq!(status, 200, "the scheme is case-insensitive");
}

#[tokio::test]
async fn without_a_configured_token_any_bearer_token_passes() {
    let server = RunningServer::start(([127, 0, 0, 1], 0).into(), ServerConfig::default())
        .await
        .unwrap();
    let url = format!("{}/Users", server.base_url());
    assert_eq!(raw(&url, Some("Bearer anything")).await.0, 200);
    assert_eq!(raw(&url, Some("Bearer ")).await.0, 401);
    assert_eq!(raw(&url, None).await.0, 401);
    server.shutdown().await;
}

#[tokio::test]
async fn etags_if_match_and_if_none_match() {
    let s = Scim::start().await;
    let id = s.user("etag@example.com").await;
    let path = format!("/Users/{id}");
    let etag = s.get(&path).await.header("etag").unwrap().to_string();
    let a = s
        .send(Method::GET, &path, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(a.status, 304);
    let ops = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "t"}]});
    s.send(
        Method::PATCH,
        &path,
        Some(ops.clone()),
        &[("if-match", "W/\"0\"")],
    )
    .await
    .assert_error(412, None);
    let a = s
        .send(
            Method::PATCH,
            &path,
            Some(ops.clone()),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(a.status, 200);
    let new = a.header("etag").unwrap().to_string();
    assert_ne!(new, etag, "the ETag changes on every modification");
    assert_eq!(a.body["meta"]["version"], new.as_str());
    assert_eq!(
        s.send(Method::PATCH, &path, Some(ops), &[("if-match", "*")])
            .await
            .status,
        200
    );
    s.send(Method::DELETE, &path, None, &[("if-match", &etag)])
        .await
        .assert_error(412, None);
}

#[tokio::test]
async fn malformed_json_unknown_endpoints_methods_and_size() {
    let s = Scim::start().await;
    let http = reqwest::Client::new();
    let auth = format!("Bearer {}", crate::support::TOKEN);
    let resp = http
        .post(s.url("/Users"))
        .header("authorization", &auth)
        .header("content-type", "application/scim+json")
        .body("{\"userName\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(body["scimType"], "invalidSyntax");
    s.get("/Nope").await.assert_error(404, None);
    let base = s.server.base_url().trim_end_matches("/scim/v2").to_string();
    let (status, body) = raw(&format!("{base}/index.html"), Some(&auth)).await;
    assert_eq!(
        (status, body["status"].clone()),
        (404, json!("404")),
        "outside the SCIM root: a SCIM error, never HTML"
    );
    s.send(Method::DELETE, "/Users", None, &[])
        .await
        .assert_error(405, None);
    s.send(Method::PUT, "/ServiceProviderConfig", Some(json!({})), &[])
        .await
        .assert_error(405, None);
    let huge = json!({"userName": "x".repeat(2 * 1024 * 1024)});
    s.post("/Users", huge).await.assert_error(413, None);
}

#[test]
fn serve_prints_its_url_logs_requests_and_stops_on_sigint() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("scimcheck"))
        .args(["serve", "--port", "0", "--token", "t0k"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    assert!(url.ends_with("/scim/v2"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .get(format!("{url}/Users?count=1"))
            .header("authorization", "Bearer t0k")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 200);
    let log = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("GET "))
        .unwrap();
    assert!(
        log.starts_with("GET /scim/v2/Users?count=1 200 ") && log.ends_with(" ms"),
        "{log}"
    );
    assert!(Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn serve_refuses_non_loopback_without_the_flag() {
    let out = Command::new(assert_cmd::cargo::cargo_bin("scimcheck"))
        .args(["serve", "--bind", "0.0.0.0", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-non-loopback"));
}
