//! Snapshots of paged lists without sortBy: a server that puts the same users on other pages
//! in the next run does not drift (RFC 7644 §3.4.2.3 defines no order without sortBy), and one
//! that changes what it answers still does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::{check_of, run_json};

/// The scenarios that page through users without sortBy.
const PAGED: &[&str] = &[
    "--profile",
    "all",
    "--scenario",
    "entra.users.paging",
    "--scenario",
    "okta.users.import",
    "--scenario",
    "rfc.paging",
];

/// A user list without sortBy, asked for by page, answered from the whole list in an order of
/// the server's own: the reference server's, or reversed. Pages stay consistent within a run.
fn paged_in_order(req: &Req, up: &Upstream, reversed: bool) -> Option<Resp> {
    let listing = req.method == "GET" && req.path().ends_with("/Users");
    if !listing || req.query("sortBy").is_some() || req.query("startIndex").is_none() {
        return None;
    }
    let start: usize = req.query("startIndex")?.parse().ok()?;
    let count: usize = req.query("count")?.parse().ok()?;
    if start < 1 {
        return None;
    }
    let mut all = req.clone();
    all.set_query("startIndex", "1");
    all.set_query("count", "1000");
    let resp = up.send(&all);
    let mut body = resp.json().filter(|_| resp.status == 200)?;
    let mut users = body["Resources"].as_array()?.clone();
    if users.len() != body["totalResults"].as_u64()? as usize {
        return None;
    }
    if reversed {
        users.reverse();
    }
    let page: Vec<Value> = users.into_iter().skip(start - 1).take(count).collect();
    body["startIndex"] = json!(start);
    body["itemsPerPage"] = json!(page.len());
    body["Resources"] = Value::Array(page);
    let mut out = resp;
    out.set_json(&body);
    Some(out)
}

fn drift_of(report: &Value, scenario: &str) -> (String, String, String) {
    let check = check_of(report, scenario, "snapshot.drift");
    let diff = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == scenario)
        .unwrap()["snapshot"]["diff"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (
        check["status"].as_str().unwrap().into(),
        check["severity"].as_str().unwrap().into(),
        diff,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_users_on_other_pages_do_not_drift() {
    let second = Arc::new(AtomicBool::new(false));
    let flag = second.clone();
    let server = Faulty::start(move |req, up| {
        paged_in_order(&req, up, flag.load(Ordering::SeqCst)).unwrap_or_else(|| up.send(&req))
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let snaps = dir.path().to_str().unwrap().to_string();
    let mut args = PAGED.to_vec();
    args.extend(["--snapshots", &snaps]);
    let (code, first) = run_json(&server.base_url(), &args).await;
    assert_eq!(code, 0, "{first:#}");

    second.store(true, Ordering::SeqCst);
    let (code, again) = run_json(&server.base_url(), &args).await;
    for scenario in ["entra.users.paging", "okta.users.import", "rfc.paging"] {
        let (status, _, diff) = drift_of(&again, scenario);
        assert_eq!(status, "passed", "{scenario} drifted:\n{diff}");
    }
    assert_eq!(code, 0);
    let page = std::fs::read_to_string(dir.path().join("entra.users.paging.json")).unwrap();
    assert!(page.contains("\"resources\": \"each resource by its shape"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attribute_added_to_every_resource_still_drifts() {
    let second = Arc::new(AtomicBool::new(false));
    let flag = second.clone();
    let server = Faulty::start(move |req, up| {
        let changed = flag.load(Ordering::SeqCst);
        let mut resp = paged_in_order(&req, up, changed).unwrap_or_else(|| up.send(&req));
        // The changed server lists every user with a nickName.
        let listing = req.method == "GET" && req.path().ends_with("/Users");
        if let Some(mut body) = resp.json().filter(|_| changed && listing) {
            for user in body["Resources"].as_array_mut().into_iter().flatten() {
                user["nickName"] = json!("Changed");
            }
            resp.set_json(&body);
        }
        resp
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let snaps = dir.path().to_str().unwrap().to_string();
    let args = [
        "--profile",
        "all",
        "--scenario",
        "entra.users.paging",
        "--snapshots",
        &snaps,
    ];
    let (code, _) = run_json(&server.base_url(), &args).await;
    assert_eq!(code, 0);

    second.store(true, Ordering::SeqCst);
    let (code, again) = run_json(&server.base_url(), &args).await;
    let (status, severity, diff) = drift_of(&again, "entra.users.paging");
    assert_eq!((status.as_str(), severity.as_str()), ("failed", "error"));
    let added = diff
        .lines()
        .filter(|l| l.starts_with('+') && l[1..].trim() == "\"nickName\": \"Changed\",")
        .count();
    assert_eq!(
        added, 11,
        "each listed user shows the new attribute:\n{diff}"
    );
    assert_eq!(code, 1, "drift is an error by default");
}
