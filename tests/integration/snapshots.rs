//! Snapshots: the repository's accepted ones hold, runs are byte-identical, drift is found
//! with the right diff, and --update-snapshots accepts it.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::support::proxy::Faulty;
use crate::support::{cli, failing, run_json};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn read_dir(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn drift_checks(report: &Value) -> Vec<(String, String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "snapshot.drift")
        .map(|c| {
            (
                c["scenario"].as_str().unwrap().into(),
                c["status"].as_str().unwrap().into(),
                c["message"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn repository_snapshots_match_the_reference_server() {
    let accepted = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&accepted, dir.path());
    let out = cli(&[
        "run",
        "--json",
        "--profile",
        "all",
        "--burst-seconds",
        "1",
        "--concurrency",
        "4",
        "--snapshots",
        dir.path().to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = drift_checks(&report);
    assert_eq!(
        checks.len(),
        read_dir(&accepted).len(),
        "one snapshot per built-in scenario"
    );
    for (scenario, status, message) in &checks {
        assert_eq!(
            status,
            "passed",
            "{scenario} drifted from snapshots/: {message}\n{}",
            report["scenarios"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == scenario.as_str())
                .unwrap()["snapshot"]["diff"]
        );
        assert!(message.starts_with("matches "), "{message}");
    }
    assert_eq!(read_dir(dir.path()), read_dir(&accepted));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn two_runs_with_concurrency_are_byte_identical() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [&a, &b] {
        let out = cli(&[
            "run",
            "--concurrency",
            "8",
            "--snapshots",
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Snapshots: 6 recorded in "),
            "a first run says it recorded the snapshots"
        );
    }
    let (fa, fb) = (read_dir(a.path()), read_dir(b.path()));
    assert_eq!(fa.len(), 6);
    assert_eq!(fa, fb);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_is_found_with_its_diff_and_can_be_accepted() {
    let changed = Arc::new(AtomicBool::new(false));
    let flag = changed.clone();
    let server = Faulty::start(move |req, up| {
        let mut resp = up.send(&req);
        // The changed server starts returning a nickName on every user it reads back by id.
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
    let (code, first) = run_json(&server.base_url(), &["--snapshots", &snaps]).await;
    assert_eq!(code, 0);
    // Written, compared with nothing: recorded and skipped, never passed.
    assert!(drift_checks(&first)
        .iter()
        .all(|(_, s, m)| s == "skipped" && m.starts_with("recorded ")));

    changed.store(true, Ordering::SeqCst);
    let (code, second) = run_json(&server.base_url(), &["--snapshots", &snaps]).await;
    assert_eq!(code, 1, "drift is an error by default");
    let drifted: Vec<_> = failing(&second)
        .into_iter()
        .filter(|(id, _, _)| id == "snapshot.drift")
        .map(|(_, scenario, _)| scenario)
        .collect();
    assert!(
        drifted.contains(&"okta.users.update".to_string()),
        "{drifted:?}"
    );
    assert!(
        !drifted.contains(&"okta.credentials".to_string()),
        "scenarios without a user read do not drift"
    );
    let diff = second["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "okta.users.update")
        .unwrap()["snapshot"]["diff"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        diff.contains("+          \"nickName\": \"Changed\""),
        "{diff}"
    );
    assert!(
        diff.starts_with("--- ") && diff.contains("+++ this run") && diff.contains("@@ "),
        "a unified diff:\n{diff}"
    );
    assert_eq!(
        failing(&second)
            .iter()
            .filter(|(id, _, _)| id != "snapshot.drift")
            .count(),
        0,
        "no conformance check fails"
    );

    let (code, _) = run_json(
        &server.base_url(),
        &["--snapshots", &snaps, "--snapshot-drift", "warning"],
    )
    .await;
    assert_eq!(code, 0, "drift as a warning does not fail the run");
    let (_, accepted) = run_json(
        &server.base_url(),
        &["--snapshots", &snaps, "--update-snapshots"],
    )
    .await;
    assert!(drift_checks(&accepted)
        .iter()
        .any(|(_, s, m)| s == "skipped"
            && m.starts_with("recorded ")
            && m.contains("--update-snapshots")));
    let (code, after) = run_json(&server.base_url(), &["--snapshots", &snaps]).await;
    assert_eq!(code, 0);
    assert!(drift_checks(&after).iter().all(|(_, s, _)| s == "passed"));
}

/// A server whose texts name the ids, and the time, as many real servers do: two runs in a
/// row must still write byte-identical snapshots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_and_times_inside_texts_do_not_drift() {
    let server = Faulty::start(|req, up| {
        let mut resp = up.send(&req);
        let path = req.path().to_string();
        let id = path.rsplit('/').next().unwrap_or_default().to_string();
        let kind = if path.contains("/Groups/") {
            "Group"
        } else {
            "User"
        };
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        if resp.status == 404 && (path.contains("/Users/") || path.contains("/Groups/")) {
            return crate::support::proxy::Resp::scim_error(
                404,
                None,
                &format!("{kind} {id} not found (checked {now})"),
            );
        }
        if req.method == "GET" && resp.status == 200 && path.contains("/Users/") {
            if let Some(mut body) = resp.json() {
                body["title"] = format!("Profile {id}, see /scim/v2/Users/{id} as of {now}").into();
                resp.set_json(&body);
            }
        }
        resp
    })
    .await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [&a, &b] {
        let (code, _) = run_json(
            &server.base_url(),
            &["--snapshots", dir.path().to_str().unwrap()],
        )
        .await;
        assert_eq!(code, 0);
    }
    let (fa, fb) = (read_dir(a.path()), read_dir(b.path()));
    assert!(
        fa.iter()
            .any(|(_, text)| text.contains("not found (checked [timestamp])")),
        "the texts were normalised, not dropped"
    );
    assert_eq!(fa, fb);
}
