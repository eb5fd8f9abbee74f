//! Safe on production tenants: only the run's own resources are touched, redirects are not
//! followed, rate limits are waited out, runs can be stopped and always clean up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scimcheck::server::RunningServer;
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::proxy::{Faulty, Req, Resp};
use crate::support::{cli, failing, run_json, TOKEN};

async fn reference() -> RunningServer {
    crate::support::reference_server().await
}

/// Real-looking people and teams that a run must never touch.
fn seed(server: &RunningServer) {
    let store = server.store();
    let mut ids = Vec::new();
    for i in 0..150 {
        let user = store
            .seed_user(json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": format!("employee{i}@corp.example"),
                "name": {"givenName": "Ann", "familyName": format!("Employee {i}")},
                "emails": [{"value": format!("employee{i}@corp.example"), "type": "work", "primary": true}],
                "active": i % 7 != 0,
            }))
            .unwrap();
        ids.push(user["id"].as_str().unwrap().to_string());
    }
    for g in 0..15 {
        let members: Vec<Value> = ids
            .iter()
            .skip(g * 10)
            .take(10)
            .map(|id| json!({"value": id}))
            .collect();
        store.seed_group(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("Team {g}"), "members": members})).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_tenant_is_byte_identical_after_a_run() {
    let server = reference().await;
    seed(&server);
    let before = server.store().dump();
    let (code, report) = run_json(server.base_url(), &[]).await;
    assert_eq!(code, 0, "{:#?}", failing(&report));
    assert_eq!(
        server.store().dump(),
        before,
        "the run changed seeded data or left its own behind"
    );
    server.shutdown().await;
}

fn mutation_target(req: &Req) -> Option<String> {
    matches!(req.method.as_str(), "PUT" | "PATCH" | "DELETE").then(|| {
        req.path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_injected_errors_only_created_ids_are_mutated() {
    let created: Arc<Mutex<Vec<String>>> = Arc::default();
    let foreign: Arc<Mutex<Vec<String>>> = Arc::default();
    let counter = Arc::new(AtomicUsize::new(0));
    let (c, f, n) = (created.clone(), foreign.clone(), counter.clone());
    let server = Faulty::start(move |req, up| {
        if let Some(id) = mutation_target(&req) {
            if !c.lock().unwrap().contains(&id) {
                f.lock()
                    .unwrap()
                    .push(format!("{} {}", req.method, req.target));
            }
        }
        // Every 9th request after the preflight fails with a 500.
        let k = n.fetch_add(1, Ordering::SeqCst);
        if k > 2 && k % 9 == 0 {
            return Resp::scim_error(500, None, "injected failure");
        }
        let resp = up.send(&req);
        if req.method == "POST" && resp.status == 201 {
            if let Some(id) = resp
                .json()
                .and_then(|b| b["id"].as_str().map(str::to_string))
            {
                c.lock().unwrap().push(id);
            }
        }
        resp
    })
    .await;
    seed(server.reference());
    let before = server.reference().store().dump();
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert!(
        report["summary"]["failed"].as_u64().unwrap() > 0,
        "the injected 500s show as failures"
    );
    assert!(
        foreign.lock().unwrap().is_empty(),
        "mutations of ids the run did not create: {:?}",
        foreign.lock().unwrap()
    );
    assert!(
        report["cleanup"]["failed"].as_array().unwrap().is_empty(),
        "{}",
        report["cleanup"]
    );
    assert_eq!(server.reference().store().dump(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_connection_resets_nothing_of_the_run_remains() {
    let server = reference().await;
    seed(&server);
    let before = server.store().dump();
    let upstream = server
        .base_url()
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let proxy = crate::support::raw::reset_proxy(upstream, 6).await;
    let (_, report) = run_json(&proxy.base_url, &[]).await;
    assert!(
        failing(&report)
            .iter()
            .any(|(id, _, _)| id == "transport.broken"),
        "resets happened: {:#?}",
        failing(&report)
    );
    assert_eq!(
        server.store().dump(),
        before,
        "seeded data intact and nothing of the run left, even creations whose answer was lost"
    );
    server.shutdown().await;
}

/// Waits (at most a minute) until the server holds a user it did not hold in `before`: the
/// run is then past its preflight, its signal handlers in place and a resource to clean up.
async fn created_a_user(server: &scimcheck::server::RunningServer, before: &Value) {
    let users = |dump: &Value| dump["Users"].as_array().map_or(0, Vec::len);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while users(&server.store().dump()) <= users(before) {
        assert!(
            std::time::Instant::now() < deadline,
            "the run created no user within a minute"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `scimcheck run --json` against `server` at `rps` requests per second, in the background.
fn paced_run(server: &scimcheck::server::RunningServer, rps: &str) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("scimcheck"))
        .args(["run", "--base-url", server.base_url(), "--token", TOKEN])
        .args(["--json", "--max-rps", rps])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends SIGINT to `pid`.
fn interrupt(pid: u32) {
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_mid_run_cleans_up_and_exits_130() {
    let server = reference().await;
    seed(&server);
    let before = server.store().dump();
    let child = paced_run(&server, "10");
    // Mid-run: once the run has created a user (at 10 requests/s it has ~9 s to go).
    created_a_user(&server, &before).await;
    interrupt(child.id());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("SIGINT: finishing requests in flight, then cleaning up"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["interrupted"], "interrupted by SIGINT");
    assert!(report["summary"]["skipped"].as_u64().unwrap() > 0);
    assert_eq!(
        server.store().dump(),
        before,
        "after SIGINT nothing of the run remains"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_sigint_exits_at_once_and_names_what_is_left() {
    let server = reference().await;
    let before = server.store().dump();
    let child = paced_run(&server, "5");
    created_a_user(&server, &before).await;
    interrupt(child.id());
    // The second comes while the first is still finishing: at 5 requests/s cleanup has
    // not ended 100 ms later.
    tokio::time::sleep(Duration::from_millis(100)).await;
    interrupt(child.id());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("SIGINT again: exiting without cleanup"),
        "{stderr}"
    );
    assert!(
        stderr.contains("/Users/"),
        "the leftover ids are printed: {stderr}"
    );
    assert!(
        stderr.contains("remove them with: scimcheck cleanup --base-url"),
        "{stderr}"
    );
    // What it names is exactly what is left, and it can be removed.
    let left = server.store().dump()["Users"].as_array().unwrap().len();
    assert!(left > 0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_resources_then_cleanup_command_removes_exactly_the_run() {
    let server = reference().await;
    seed(&server);
    let before = server.store().dump();
    let (_, report) = run_json(server.base_url(), &["--keep-resources"]).await;
    assert_eq!(report["cleanup"]["kept"], true);
    let run_id = report["run_id"].as_str().unwrap().to_string();
    assert_ne!(
        server.store().dump(),
        before,
        "--keep-resources keeps what the run created"
    );

    let url = server.base_url().to_string();
    let (id, u) = (run_id.clone(), url.clone());
    let dry = tokio::task::spawn_blocking(move || {
        cli(&[
            "cleanup",
            "--base-url",
            &u,
            "--token",
            TOKEN,
            "--run-id",
            &id,
            "--dry-run",
        ])
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&dry.stdout).to_string();
    assert_eq!(dry.status.code(), Some(0), "{text}");
    assert!(text.contains("would delete /Users/"), "{text}");
    let prefix = format!("(scimcheck-{}-", report["run_id"].as_str().unwrap());
    assert!(
        text.lines()
            .filter(|l| l.contains("would delete"))
            .all(|l| l.contains(&prefix)),
        "{text}"
    );
    assert_ne!(server.store().dump(), before, "--dry-run deletes nothing");

    let real = tokio::task::spawn_blocking(move || {
        cli(&[
            "cleanup",
            "--base-url",
            &url,
            "--token",
            TOKEN,
            "--run-id",
            &run_id,
        ])
    })
    .await
    .unwrap();
    assert_eq!(
        real.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&real.stdout)
    );
    assert_eq!(server.store().dump(), before);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_not_followed_and_credentials_stay_home() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&elsewhere)
        .await;
    let target = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}/scim/v2/Users", elsewhere.uri()).as_str(),
        ))
        .mount(&target)
        .await;
    let (code, report) = run_json(&format!("{}/scim/v2", target.uri()), &[]).await;
    assert_eq!(code, 1);
    assert!(
        failing(&report).iter().any(|(_, _, m)| m.contains(&format!(
            "got 302 (a redirect to {}/scim/v2/Users, not followed)",
            elsewhere.uri()
        ))),
        "{:#?}",
        failing(&report)
    );
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "a request followed the redirect to another origin"
    );
    let seen = target.received_requests().await.unwrap();
    assert!(seen.iter().any(|r| r
        .headers
        .get("authorization")
        .is_some_and(|v| v == &format!("Bearer {TOKEN}"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_waited_out_and_reported_as_throttling() {
    let throttled = Arc::new(AtomicUsize::new(0));
    let t = throttled.clone();
    let probed = Arc::new(AtomicUsize::new(0));
    let server = Faulty::start(move |req, up| {
        // The reachability probe is throttled once too: reported, not hidden.
        if req.method == "GET" && probed.fetch_add(1, Ordering::SeqCst) == 0 {
            let mut resp = Resp::scim_error(429, None, "slow down");
            resp.set_header("retry-after", "1");
            return resp;
        }
        // The first two creations are throttled, once with seconds and once with an HTTP date.
        if req.method == "POST" && t.load(Ordering::SeqCst) < 2 {
            let n = t.fetch_add(1, Ordering::SeqCst);
            let mut resp = Resp::scim_error(429, None, "slow down");
            let retry_after = if n == 0 {
                "1".to_string()
            } else {
                httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(1))
            };
            resp.set_header("retry-after", &retry_after);
            return resp;
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_eq!(
        code,
        0,
        "throttling is not a conformance failure: {:#?}",
        failing(&report)
    );
    let throttles: Vec<&Value> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["steps"].as_array().unwrap())
        .filter_map(|s| s["exchange"]["throttled"].as_array())
        .flatten()
        .collect();
    assert_eq!(throttles.len(), 2, "{throttles:?}");
    assert_eq!(throttles[0]["status"], 429);
    assert_eq!(report["preflight_throttled"][0]["retry_after"], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_throttling_fails_when_retries_run_out() {
    let server = Faulty::start(|req, up| {
        if req.method == "POST" && req.path().ends_with("/Groups") {
            let mut resp = Resp::scim_error(429, None, "slow down");
            resp.set_header("retry-after", "1");
            return resp;
        }
        up.send(&req)
    })
    .await;
    let started = Instant::now();
    let (_, report) = run_json(&server.base_url(), &["--max-retry-wait", "2"]).await;
    assert!(
        failing(&report)
            .iter()
            .any(|(id, _, m)| id == "okta.groups.push.create.status" && m.contains("got 429")),
        "{:#?}",
        failing(&report)
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_rps_paces_requests() {
    let server = reference().await;
    let started = Instant::now();
    let (code, report) = run_json(server.base_url(), &["--max-rps", "100"]).await;
    assert_eq!(code, 0);
    let exchanges = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["steps"].as_array().unwrap())
        .filter(|s| s.get("exchange").is_some())
        .count();
    // A lower bound only: pacing can make a run slower, never faster.
    assert!(
        started.elapsed() >= Duration::from_millis((exchanges as u64 - 1) * 10),
        "{exchanges} exchanges in {:?}",
        started.elapsed()
    );
    server.shutdown().await;
}

#[test]
fn non_loopback_target_needs_consent_without_a_terminal() {
    // 192.0.2.0/24 is TEST-NET-1: nothing is sent because consent is refused first.
    let out = cli(&[
        "run",
        "--base-url",
        "http://192.0.2.1/scim/v2",
        "--token",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a loopback address") && err.contains("pass --yes"),
        "{err}"
    );
    assert!(err.contains("delete them when the run ends"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_deadline_stops_new_steps_and_still_cleans_up() {
    let server = reference().await;
    seed(&server);
    let before = server.store().dump();
    let (code, report) = run_json(server.base_url(), &["--max-rps", "10", "--deadline", "2"]).await;
    assert_eq!(report["interrupted"], "the run deadline of 2 s passed");
    assert_eq!(code, 124, "an incomplete run is not a pass");
    assert!(report["summary"]["skipped"].as_u64().unwrap() > 0);
    assert_eq!(server.store().dump(), before);
    server.shutdown().await;
}
