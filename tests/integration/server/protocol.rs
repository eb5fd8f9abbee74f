//! HTTP-level rules: authentication, ETags, errors for bad requests and unknown endpoints,
//! and `scimcheck serve`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::Method;
use scimcheck::server::{RunningServer, ServerConfig};
use serde_json::json;

use super::Scim;

async fn raw(url: &str, auth: Option<&str>) -> (u16, serde_json::Value) {
    let mut req = crate::support::http().get(url);
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
    let http = crate::support::http();
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
        crate::support::http()
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

/// A PatchOp of many operations: parsing and applying it keeps each write busy for a while,
/// so concurrent writers really overlap.
fn busy_patch(n: usize, title: &str) -> serde_json::Value {
    let mut ops: Vec<serde_json::Value> = (0..n)
        .map(|i| json!({"op": "replace", "path": "nickName", "value": format!("n{i}")}))
        .collect();
    ops.push(json!({"op": "replace", "path": "title", "value": title}));
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

const WRITERS: usize = 8;
const ROUNDS: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_one_concurrent_if_match_writer_succeeds() {
    let s = std::sync::Arc::new(Scim::start().await);
    let id = s.user("race@example.com").await;
    let path = format!("/Users/{id}");
    for round in 0..ROUNDS {
        let etag = s.get(&path).await.header("etag").unwrap().to_string();
        let mut tasks = tokio::task::JoinSet::new();
        for w in 0..WRITERS {
            let (s, path, etag) = (s.clone(), path.clone(), etag.clone());
            tasks.spawn(async move {
                let (method, body) = if w % 2 == 0 {
                    (Method::PATCH, busy_patch(300, &format!("r{round}w{w}")))
                } else {
                    (
                        Method::PUT,
                        json!({"userName": "race@example.com", "title": format!("r{round}w{w}"), "nickName": "x".repeat(20_000)}),
                    )
                };
                s.send(method, &path, Some(body), &[("if-match", &etag)])
                    .await
                    .status
            });
        }
        let statuses: Vec<u16> = tasks.join_all().await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| [200, 412].contains(s)),
            "{statuses:?}"
        );
    }
    // DELETE against PATCH: once one of them has gone through, the ETag is stale or gone.
    for round in 0..ROUNDS {
        let id = s.user(&format!("gone{round}@example.com")).await;
        let path = format!("/Users/{id}");
        let etag = s.get(&path).await.header("etag").unwrap().to_string();
        let mut tasks = tokio::task::JoinSet::new();
        for w in 0..WRITERS {
            let (s, path, etag) = (s.clone(), path.clone(), etag.clone());
            tasks.spawn(async move {
                let (method, body) = if w % 2 == 0 {
                    (Method::DELETE, None)
                } else {
                    (Method::PATCH, Some(busy_patch(300, "t")))
                };
                s.send(method, &path, body, &[("if-match", &etag)])
                    .await
                    .status
            });
        }
        let statuses: Vec<u16> = tasks.join_all().await;
        assert_eq!(
            statuses.iter().filter(|s| [200, 204].contains(*s)).count(),
            1,
            "round {round}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| [200, 204, 404, 412].contains(s)),
            "{statuses:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_answers_its_own_body_and_etag() {
    let s = std::sync::Arc::new(Scim::start().await);
    let id = s.user("own@example.com").await;
    let g = s.group("Own", &[]).await;
    for round in 0..ROUNDS {
        let mut tasks = tokio::task::JoinSet::new();
        for w in 0..WRITERS {
            let s = s.clone();
            let (path, group) = (format!("/Users/{id}"), format!("/Groups/{g}"));
            tasks.spawn(async move {
                let title = format!("r{round}w{w}");
                let a = s
                    .send(Method::PATCH, &path, Some(busy_patch(100, &title)), &[])
                    .await;
                assert_eq!(a.status, 200, "{}", a.body);
                assert_eq!(a.body["title"], title.as_str(), "the body holds this write");
                assert_eq!(
                    a.header("etag"),
                    a.body["meta"]["version"].as_str(),
                    "the ETag is the body's version"
                );
                let b = s
                    .patch(
                        &group,
                        json!([{"op": "replace", "path": "displayName", "value": title}]),
                    )
                    .await;
                assert_eq!(b.status, 204);
                (
                    a.header("etag").unwrap().to_string(),
                    b.header("etag").unwrap().to_string(),
                )
            });
        }
        let tags: Vec<(String, String)> = tasks.join_all().await;
        let users: std::collections::HashSet<&String> = tags.iter().map(|t| &t.0).collect();
        let groups: std::collections::HashSet<&String> = tags.iter().map(|t| &t.1).collect();
        assert_eq!(users.len(), WRITERS, "each write has its own version");
        assert_eq!(
            groups.len(),
            WRITERS,
            "each group write has its own version"
        );
    }
}

#[tokio::test]
async fn if_none_match_is_weak_and_if_match_takes_either_form() {
    let s = Scim::start().await;
    let id = s.user("weak@example.com").await;
    let path = format!("/Users/{id}");
    let etag = s.get(&path).await.header("etag").unwrap().to_string();
    let opaque = etag.trim_start_matches("W/").to_string();
    assert_ne!(opaque, etag);
    let a = s
        .send(Method::GET, &path, None, &[("if-none-match", &opaque)])
        .await;
    assert_eq!(a.status, 304, "RFC 7232 §3.2: weak comparison");
    let a = s
        .send(
            Method::GET,
            &path,
            None,
            &[("if-none-match", &format!("\"other\", {opaque}"))],
        )
        .await;
    assert_eq!(a.status, 304);
    let a = s
        .patch_with(
            &path,
            json!([{"op": "replace", "path": "title", "value": "a"}]),
            &[("if-match", &opaque)],
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let etag = a.header("etag").unwrap().to_string();
    let a = s
        .patch_with(
            &path,
            json!([{"op": "replace", "path": "title", "value": "b"}]),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    s.patch_with(
        &path,
        json!([{"op": "replace", "path": "title", "value": "c"}]),
        &[("if-match", "\"other\"")],
    )
    .await
    .assert_error(412, None);
}

#[tokio::test]
async fn me_405_allow_and_the_root_prefix() {
    let s = Scim::start().await;
    s.get("/Me").await.assert_error(501, None);
    let a = s.send(Method::DELETE, "/Users", None, &[]).await;
    a.assert_error(405, None);
    assert_eq!(a.header("allow"), Some("GET, POST"));
    let id = s.user("allow@example.com").await;
    let a = s
        .send(Method::POST, &format!("/Users/{id}"), Some(json!({})), &[])
        .await;
    assert_eq!(a.header("allow"), Some("GET, PUT, PATCH, DELETE"));
    let a = s
        .send(Method::PUT, "/ServiceProviderConfig", Some(json!({})), &[])
        .await;
    assert_eq!(a.header("allow"), Some("GET"));
    s.get("Users").await.assert_error(404, None);
    s.get("Users/.search").await.assert_error(404, None);
}
