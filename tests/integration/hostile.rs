//! Hostile or broken servers: each yields clear failed checks with the evidence, the run goes
//! on to the next scenario, and nothing panics or hangs past the timeout.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::proxy::{Faulty, Resp};
use crate::support::raw::{self, Hostile};
use crate::support::{assert_findings, failing, run_json};

/// Every scenario ran (or was skipped with a reason): the run did not stop at the first one.
fn assert_every_scenario_reported(report: &Value) {
    let scenarios = report["scenarios"].as_array().unwrap();
    assert!(scenarios.len() >= 6, "{} scenarios", scenarios.len());
    for s in scenarios {
        assert!(
            !s["steps"].as_array().unwrap().is_empty(),
            "scenario {} has no steps",
            s["id"]
        );
    }
}

fn transport_failures(report: &Value, kind: &str) -> usize {
    failing(report)
        .iter()
        .filter(|(id, _, _)| id == &format!("transport.{kind}"))
        .count()
}

async fn run_raw(mode: Hostile) -> (i32, Value, Duration) {
    let server = raw::start(mode).await;
    let started = Instant::now();
    let (code, report) = run_json(&server.base_url, &["--timeout", "1"]).await;
    (code, report, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_that_never_ends_times_out() {
    let (code, report, took) = run_raw(Hostile::EndlessBody).await;
    assert_eq!(code, 1);
    assert!(
        transport_failures(&report, "timeout") > 0,
        "{:#?}",
        failing(&report)
    );
    assert_every_scenario_reported(&report);
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_that_never_answers_times_out() {
    let (code, report, _) = run_raw(Hostile::Silent).await;
    assert_eq!(code, 1);
    assert!(
        transport_failures(&report, "timeout") > 0,
        "{:#?}",
        failing(&report)
    );
    assert_every_scenario_reported(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_resets_are_failures_not_crashes() {
    let (code, report, _) = run_raw(Hostile::Reset).await;
    assert_eq!(code, 1);
    assert!(
        transport_failures(&report, "broken") > 0,
        "{:#?}",
        failing(&report)
    );
    assert_every_scenario_reported(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_that_are_not_http() {
    let (code, report, _) = run_raw(Hostile::Garbage).await;
    assert_eq!(code, 1);
    assert!(
        transport_failures(&report, "broken") > 0,
        "{:#?}",
        failing(&report)
    );
    assert_every_scenario_reported(&report);
}

fn is_create(req: &crate::support::proxy::Req) -> bool {
    req.method == "POST" && req.path().ends_with("/Users")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_error_page_on_create() {
    let server = Faulty::start(|req, up| {
        if is_create(&req) {
            return Resp {
                status: 500,
                headers: vec![("content-type".into(), "text/html".into())],
                body: b"<html><h1>Internal Server Error</h1></html>".to_vec(),
            };
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_eq!(code, 1);
    let create = failing(&report)
        .into_iter()
        .find(|(id, _, _)| id == "okta.users.create.create-application-json.status")
        .expect("create fails");
    assert!(create.2.contains("got 500"), "{}", create.2);
    assert_every_scenario_reported(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_body_on_create() {
    let server = Faulty::start(|req, up| {
        let create = is_create(&req);
        let mut resp = up.send(&req);
        if create && resp.status == 201 {
            resp.body.clear();
        }
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    // Without the id nothing can follow; the empty body is the one finding.
    assert_findings(&report, &["rfc7644.body.present"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_json() {
    let server = Faulty::start(|req, up| {
        let get_one = req.method == "GET" && req.path().contains("/Users/");
        let mut resp = up.send(&req);
        if get_one && resp.status == 200 {
            let half = resp.body.len() / 2;
            resp.body.truncate(half);
        }
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["rfc7644.body.json"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_json() {
    let server = Faulty::start(|req, up| {
        let get_one = req.method == "GET" && req.path().contains("/Users/");
        let mut resp = up.send(&req);
        if get_one && resp.status == 200 {
            resp.body = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)).into_bytes();
        }
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["rfc7644.body.json"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_body_is_cut_at_the_cap() {
    let server = Faulty::start(|req, up| {
        let get_one = req.method == "GET" && req.path().contains("/Users/");
        let mut resp = up.send(&req);
        if get_one && resp.status == 200 {
            let mut body = resp.json().unwrap();
            body["padding"] = Value::String("x".repeat(3 * 1024 * 1024));
            resp.set_json(&body);
        }
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &["--max-body-mib", "1"]).await;
    assert_findings(&report, &["rfc7644.body.json"], &[]);
    let msg = failing(&report)
        .into_iter()
        .find(|(id, _, _)| id == "rfc7644.body.json")
        .unwrap()
        .2;
    assert!(msg.contains("size limit"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_server_error_on_every_request_after_preflight() {
    let server = Faulty::start(|req, up| {
        if req.target.ends_with("/Users?startIndex=1&count=1")
            || req.path().ends_with("/ServiceProviderConfig")
        {
            return up.send(&req);
        }
        Resp::scim_error(500, None, "boom")
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_eq!(code, 1);
    assert!(report["summary"]["failed"].as_u64().unwrap() > 5);
    assert_every_scenario_reported(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_retry_after_is_a_finding_not_a_panic() {
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let n = answered.clone();
    let server = Faulty::start(move |req, up| {
        // After the probe, the first group create is throttled with waits no run can afford.
        if req.method == "POST" && req.path().ends_with("/Groups") {
            let k = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut resp = Resp::scim_error(429, None, "slow down");
            let wait = if k == 0 { "1" } else { "18446744073709551615" };
            resp.set_header("retry-after", wait);
            return resp;
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &["--max-retry-wait", "5"]).await;
    assert_eq!(code, 1);
    assert!(
        failing(&report).iter().any(|(id, _, m)| {
            id == "okta.groups.push.create.status" && m.contains("rate limited")
        }),
        "{:#?}",
        failing(&report)
    );
    assert_every_scenario_reported(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_oauth_token_response_is_refused_not_buffered() {
    let idp = raw::start(Hostile::Flood).await;
    let server = crate::support::reference_server().await;
    let out = tokio::task::spawn_blocking({
        let base = server.base_url().to_string();
        let token_url = format!("{}/token", idp.base_url.trim_end_matches("/scim/v2"));
        move || {
            assert_cmd::Command::cargo_bin("scimcheck")
                .unwrap()
                .args(["run", "--base-url", &base, "--oauth-token-url", &token_url])
                .args(["--client-id", "c", "--timeout", "20"])
                .env("SCIM_CLIENT_SECRET", "client-secret-value")
                .env_remove("SCIM_TOKEN")
                .timeout(Duration::from_secs(60))
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("more than 64 KiB"), "{err}");
    server.shutdown().await;
}
