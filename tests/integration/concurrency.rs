//! The concurrency profile end to end: conformant on the reference server and on the flawed
//! server without flaws, each race of the flawed server found by its own check, and a server
//! that fails a share of requests still left with nothing the run created.

use serde_json::Value;

use crate::flawed::{start, Flaw};
use crate::support::{assert_findings, failing, reference_server, run_json};

const SCENARIOS: [&str; 7] = [
    "concurrency.member-adds",
    "concurrency.adds-removes",
    "concurrency.racing-creates",
    "concurrency.overlapping-writes",
    "concurrency.if-match",
    "concurrency.read-after-write",
    "concurrency.idp-rate",
];

/// `scimcheck run --profile concurrency --parallel 10 --burst-seconds 1`, narrowed to
/// `scenario` when one is given.
async fn run(base_url: &str, scenario: Option<&str>) -> (i32, Value) {
    let mut args = vec![
        "--profile",
        "concurrency",
        "--parallel",
        "10",
        "--burst-seconds",
        "1",
    ];
    if let Some(s) = scenario {
        args.extend(["--scenario", s]);
    }
    run_json(base_url, &args).await
}

fn assert_clean(code: i32, report: &Value) {
    assert_eq!(report["summary"]["failed"], 0, "{:#?}", failing(report));
    assert_eq!(report["summary"]["warnings"], 0, "{:#?}", failing(report));
    assert_eq!(code, 0);
    let ran: Vec<&str> = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter(|s| s["skipped"].is_null())
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ran, SCENARIOS, "every scenario ran");
    for id in [
        "rfc7644.patch.members-kept",
        "rfc7644.create.race-one-created",
        "rfc7644.etag.race-one-wins",
    ] {
        assert!(
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == id && c["status"] == "passed"),
            "{id} passed"
        );
    }
}

/// The messages of the failed or warned checks with `id`.
fn messages(report: &Value, id: &str) -> Vec<String> {
    failing(report)
        .into_iter()
        .filter(|(i, _, _)| i == id)
        .map(|(_, _, m)| m)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_passes_on_the_reference_server() {
    let server = reference_server().await;
    let (code, report) = run(server.base_url(), None).await;
    assert_clean(code, &report);
    // Fan-out steps say how they were sent.
    let set = report["scenarios"][0]["steps"][0]["set"].clone();
    assert_eq!(set["mode"], "fan-out", "{set}");
    assert_eq!(set["sent"], 10);
    assert_eq!(set["statuses"]["201"], 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_passes_on_a_plain_server_and_leaves_nothing() {
    let server = start(&[]).await;
    let (code, report) = run(&server.base_url, None).await;
    assert_clean(code, &report);
    assert_eq!((server.users(), server.groups()), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_member_updates_are_counted_and_named() {
    let server = start(&[Flaw::LostUpdate]).await;
    let (code, report) = run(&server.base_url, Some("concurrency.member-adds")).await;
    assert_eq!(code, 1);
    assert_findings(&report, &["rfc7644.patch.members-kept"], &[]);
    let lost = messages(&report, "rfc7644.patch.members-kept");
    assert_eq!(lost.len(), 2, "both shapes: {lost:#?}");
    assert!(
        lost[0].contains("lost ") && lost[0].contains("of 10 members"),
        "{lost:#?}"
    );
    let (_, report) = run(&server.base_url, Some("concurrency.adds-removes")).await;
    assert_findings(&report, &["rfc7644.patch.members-kept"], &[]);
    assert_eq!((server.users(), server.groups()), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_creates_that_make_duplicates_fail_the_race_rule() {
    let server = start(&[Flaw::DuplicateCreate]).await;
    let (code, report) = run(&server.base_url, Some("concurrency.racing-creates")).await;
    assert_eq!(code, 1);
    assert_findings(
        &report,
        &[
            "rfc7644.create.race-one-created",
            "concurrency.racing-creates.count.one-user",
        ],
        &[],
    );
    let race = messages(&report, "rfc7644.create.race-one-created");
    assert!(
        race[0].contains("racing creates of one name succeeded"),
        "{race:#?}"
    );
    // Every duplicate it made was the run's, and cleanup deleted them all.
    assert_eq!((server.users(), server.groups()), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_locks_writes_fails_the_overlapping_writes() {
    let server = start(&[Flaw::LockedWrites]).await;
    let (code, report) = run(&server.base_url, Some("concurrency.overlapping-writes")).await;
    assert_eq!(code, 1);
    // The 500s are the finding; the read-back that needs them is skipped, not failed.
    assert_findings(
        &report,
        &["concurrency.overlapping-writes.writes.status"],
        &[],
    );
    let status = messages(&report, "concurrency.overlapping-writes.writes.status");
    assert!(status[0].contains("got 500"), "{status:#?}");
    assert_eq!((server.users(), server.groups()), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_waited_out_and_a_429_without_retry_after_is_a_warning() {
    let server = start(&[Flaw::RateLimit {
        per_second: 8,
        retry_after: false,
    }])
    .await;
    let (code, report) = run(&server.base_url, Some("concurrency.idp-rate")).await;
    // Retried until answered: the end state is right, only the 429s' shape is reported.
    assert_eq!(code, 0, "{:#?}", failing(&report));
    assert_findings(&report, &["rfc6585.retry-after"], &[]);
    let polite = start(&[Flaw::RateLimit {
        per_second: 8,
        retry_after: true,
    }])
    .await;
    let (code, report) = run(&polite.base_url, Some("concurrency.idp-rate")).await;
    assert_eq!(code, 0, "{:#?}", failing(&report));
    assert_findings(&report, &[], &[]);
    let passed = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "rfc6585.retry-after" && c["status"] == "passed");
    assert!(passed, "the 429s were seen and judged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_reads_after_writes_are_a_warning() {
    let server = start(&[Flaw::StaleReads { lag_ms: 400 }]).await;
    let (code, report) = run(&server.base_url, Some("concurrency.read-after-write")).await;
    assert_eq!(code, 0, "a warning only: {:#?}", failing(&report));
    assert_findings(
        &report,
        &["concurrency.read-after-write.write-read.shows-write"],
        &[],
    );
    // Each stale read is read again until the write shows: the lag is measured.
    let stale = messages(
        &report,
        "concurrency.read-after-write.write-read.shows-write",
    );
    assert!(stale[0].contains("showed the write within"), "{stale:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attribute_the_server_never_keeps_is_a_note_not_a_lost_write() {
    // A server without `title` keeps none, alone or in parallel: that is not a race.
    let server = start(&[Flaw::Ignores("title")]).await;
    for scenario in [
        "concurrency.overlapping-writes",
        "concurrency.read-after-write",
        "concurrency.idp-rate",
    ] {
        let (code, report) = run(&server.base_url, Some(scenario)).await;
        assert_eq!(code, 0, "{scenario}: {:#?}", failing(&report));
        assert_findings(&report, &[], &[]);
        let skipped_for_title = report["scenarios"][0]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                s["skipped"]
                    .as_str()
                    .is_some_and(|r| r.contains("alone.title` did not pass"))
            })
            .count();
        assert_eq!(skipped_for_title, 1, "{scenario}");
    }
    // The attributes it keeps are still judged in parallel.
    let (_, report) = run(&server.base_url, Some("concurrency.overlapping-writes")).await;
    let active = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "concurrency.overlapping-writes.read.active")
        .unwrap()
        .clone();
    assert_eq!(active["status"], "passed", "{active}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_under_load_lose_nothing() {
    let server = start(&[Flaw::Faults { percent: 10 }]).await;
    let (_, report) = run(&server.base_url, None).await;
    // Faults are the server's findings, never a harness error, and every resource the run
    // created is gone afterwards.
    assert!(report["summary"]["failed"].as_u64().unwrap() > 0);
    assert!(
        failing(&report)
            .iter()
            .all(|(id, _, _)| !id.starts_with("scimcheck.")),
        "{:#?}",
        failing(&report)
    );
    assert_eq!(
        (server.users(), server.groups()),
        (0, 0),
        "{:#?}",
        report["cleanup"]
    );
}

#[test]
fn before_touching_a_remote_target_the_run_states_its_load() {
    let out = crate::support::cli(&[
        "run",
        "--base-url",
        "http://192.0.2.1/scim/v2",
        "--token",
        "t",
        "--profile",
        "concurrency",
        "--parallel",
        "5",
    ]);
    // No terminal to confirm on, and no --yes: nothing is sent.
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("create up to 29 users and 8 groups"), "{err}");
    assert!(
        err.contains("send about 196 requests, up to 5 at once (--parallel)"),
        "{err}"
    );
}
