//! The terminal report as someone new to scimcheck reads it: step lines relative to the base
//! URL and decoded, a server's multi-line detail kept inside its block, curl lines that say
//! when the resources they name are gone, and snapshot drift that says how to accept it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::json;

use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::{cli, TOKEN};

/// A server whose SCIM root is `/api/scim` (the reference server behind it, its URLs
/// rewritten), answering the upper-cased userName lookup with a 500 whose detail has two
/// lines.
fn under_api_scim(mut req: Req, up: &Upstream) -> Resp {
    req.target = req.target.replacen("/api/scim", "/scim/v2", 1);
    if req.method == "GET"
        && req
            .query("filter")
            .is_some_and(|f| f.starts_with("userName eq \"SCIMCHECK-"))
    {
        return Resp::scim_error(500, None, "lookup failed\nretry later");
    }
    let mut resp = up.send(&req);
    resp.body = String::from_utf8_lossy(&resp.body)
        .replace("/scim/v2", "/api/scim")
        .into_bytes();
    for (_, v) in resp.headers.iter_mut() {
        *v = v.replace("/scim/v2", "/api/scim");
    }
    resp
}

/// Runs okta.users.create against `base` and returns the terminal report.
async fn terminal(base: &str, extra: &[&str]) -> String {
    let mut args: Vec<String> = [
        "run",
        "--base-url",
        base,
        "--token",
        TOKEN,
        "--scenario",
        "okta.users.create",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = tokio::task::spawn_blocking(move || {
        cli(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1), "the 500 is a failure");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_lines_are_relative_to_the_base_url_decoded_and_details_stay_indented() {
    let server = Faulty::start(under_api_scim).await;
    let base = format!("{}/api/scim", server.mock.uri());
    let text = terminal(&base, &[]).await;
    let step = text
        .lines()
        .find(|l| l.contains("→ 500"))
        .unwrap_or_else(|| panic!("no step line for the 500:\n{text}"));
    assert!(
        step.contains("GET /Users?filter=userName eq \"SCIMCHECK-")
            && step.contains("@EXAMPLE.COM\""),
        "the whole filter, decoded, relative to {base}: {step}"
    );
    assert!(!step.contains(&server.mock.uri()), "{step}");
    // The curl line stays exact: the full URL, percent-encoded.
    assert!(
        text.contains(&format!(
            "curl -sS -i '{base}/Users?filter=userName%20eq%20%22SCIMCHECK-"
        )),
        "{text}"
    );
    assert!(
        text.contains("(detail: lookup failed\n        retry later)"),
        "the detail's second line is indented under its check:\n{text}"
    );
    // Nowhere, the findings at the end included, does the detail restart at the margin.
    assert!(
        !text.lines().any(|l| l.starts_with("retry later")),
        "{text}"
    );
    assert!(
        text.contains("\n  the curl lines name resources this run deleted: rerun with --keep-resources to replay them\n"),
        "{text}"
    );
    assert_eq!(server.reference().store().dump()["Users"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_resources_come_with_the_cleanup_line_that_removes_them() {
    let server = Faulty::start(under_api_scim).await;
    let base = format!("{}/api/scim", server.mock.uri());
    let text = terminal(&base, &["--keep-resources"]).await;
    assert!(!text.contains("rerun with --keep-resources"), "{text}");
    assert!(!text.contains(TOKEN), "never the token:\n{text}");
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("remove them later with: "))
        .unwrap_or_else(|| panic!("no cleanup line:\n{text}"));
    let mut args: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(args.first(), Some(&"scimcheck"), "{line}");
    assert!(line.starts_with(&format!("scimcheck cleanup --base-url {base} --run-id ")));
    assert_ne!(server.reference().store().dump()["Users"], json!([]));
    // The line as printed, with the credential the user holds, removes what the run kept.
    args.remove(0);
    args.extend(["--token", TOKEN]);
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let out = tokio::task::spawn_blocking(move || {
        cli(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.reference().store().dump()["Users"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_drift_in_the_terminal_says_how_to_accept_it() {
    let changed = Arc::new(AtomicBool::new(false));
    let flag = changed.clone();
    // The changed server returns a nickName on every user it reads back by id.
    let server = Faulty::start(move |req, up| {
        let mut resp = up.send(&req);
        if flag.load(Ordering::SeqCst) && req.method == "GET" && req.path().contains("/Users/") {
            if let Some(mut body) = resp.json() {
                body["nickName"] = "Changed".into();
                resp.set_json(&body);
            }
        }
        resp
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let snaps = dir.path().to_str().unwrap().to_string();
    let base = server.base_url();
    let run = move || {
        let (base, snaps) = (base.clone(), snaps.clone());
        tokio::task::spawn_blocking(move || {
            cli(&[
                "run",
                "--base-url",
                &base,
                "--token",
                TOKEN,
                "--scenario",
                "okta.users.update",
                "--snapshots",
                &snaps,
            ])
        })
    };
    let first = run().await.unwrap();
    assert_eq!(first.status.code(), Some(0));
    let first = String::from_utf8(first.stdout).unwrap();
    assert!(!first.contains("--update-snapshots"), "{first}");
    changed.store(true, Ordering::SeqCst);
    let second = run().await.unwrap();
    assert_eq!(second.status.code(), Some(1), "drift is an error");
    let text = String::from_utf8(second.stdout).unwrap();
    let drift = text
        .split_once("Snapshot drift")
        .unwrap_or_else(|| panic!("no drift shown:\n{text}"))
        .1;
    let (diff, after) = drift.split_once("\n\n").unwrap_or((drift, ""));
    assert!(diff.contains("+") && diff.contains("Changed"), "{diff}");
    assert!(
        diff.contains("if the new behaviour is right, accept it: rerun with --update-snapshots"),
        "the drift says how to accept it:\n{text}"
    );
    assert!(after.contains("snapshot.drift"), "{after}");
}
