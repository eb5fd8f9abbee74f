//! The scale profile end to end: conformant on the reference server and on the flawed server
//! without flaws, and each large-group or large-directory defect of the flawed server found
//! by its own check, on its own step, and by nothing else.

use serde_json::Value;

use crate::flawed::{start, Flaw};
use crate::support::proxy::{Faulty, Resp};
use crate::support::{assert_findings, cli, failing, reference_server, run_json};

/// Small enough to stay well under a few seconds, large enough for pages, batches of 100
/// and a group past 100 members.
const SCALE: &str = "200";

const SCENARIOS: [&str; 5] = [
    "scale.users.import",
    "scale.group.push",
    "scale.group.change",
    "scale.group.batch-limit",
    "scale.user.groups",
];

/// `scimcheck run --profile scale --scale 200`, narrowed to `scenario` when one is given.
async fn run_scale(base_url: &str, scenario: Option<&str>) -> (i32, Value) {
    let mut args = vec!["--profile", "scale", "--scale", SCALE];
    if let Some(s) = scenario {
        args.extend(["--scenario", s]);
    }
    run_json(base_url, &args).await
}

/// The failed or warned checks with `id`: (step, severity, message).
fn findings_of(report: &Value, id: &str) -> Vec<(String, String, String)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["id"] == id && matches!(c["status"].as_str(), Some("failed" | "warning")))
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (text("step"), text("severity"), text("message"))
        })
        .collect()
}

fn assert_clean(code: i32, report: &Value) {
    assert_eq!(report["summary"]["failed"], 0, "{:#?}", failing(report));
    assert_eq!(report["summary"]["warnings"], 0, "{:#?}", failing(report));
    assert_eq!(code, 0);
    let ran: Vec<&str> = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    for id in SCENARIOS {
        assert!(ran.contains(&id), "{id} ran: {ran:?}");
    }
    // The set rules judged something: they are not merely absent.
    for id in [
        "rfc7644.patch.members-kept",
        "rfc7644.walk.each-once",
        "okta.group.patch-time",
        "okta.group.patch-size",
        "rfc7643.user.groups-listed",
        "scale.user.deleted-left-groups",
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

/// The scenario ids `scimcheck list --json --profile <profile>` lists.
fn listed(profile: &str) -> Vec<String> {
    let out = cli(&["list", "--json", "--profile", profile]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("list --json");
    doc["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_scale_scenarios_are_built_in_and_run_only_when_named() {
    let mut scale = listed("scale");
    scale.sort();
    let mut want = SCENARIOS.map(String::from).to_vec();
    want.sort();
    assert_eq!(scale, want);
    let all = listed("all");
    assert!(
        !all.iter().any(|id| id.starts_with("scale.")),
        "all never runs the scale profile: {all:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scale_profile_passes_on_the_reference_server() {
    let server = reference_server().await;
    let (code, report) = run_scale(server.base_url(), None).await;
    assert_clean(code, &report);
    let limit = &findings_of(&report, "okta.group.patch-size");
    assert!(limit.is_empty(), "{limit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scale_profile_passes_on_the_flawed_server_without_flaws() {
    let server = start(&[]).await;
    let (code, report) = run_scale(&server.base_url, None).await;
    assert_clean(code, &report);
    assert_eq!((server.users(), server.groups()), (0, 0), "cleaned up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_cap_is_named_on_the_read_back() {
    let server = start(&[Flaw::MemberCap(50)]).await;
    let (code, report) = run_scale(&server.base_url, Some("scale.group.push")).await;
    assert_findings(&report, &["rfc7644.patch.members-kept"], &[]);
    let found = findings_of(&report, "rfc7644.patch.members-kept");
    assert_eq!(found.len(), 1, "{found:?}");
    let (step, severity, message) = &found[0];
    assert_eq!((step.as_str(), severity.as_str()), ("read", "error"));
    assert!(message.contains("holds 50 of 200"), "{message}");
    assert!(message.contains("a cap at 50"), "{message}");
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remove_that_truncates_a_large_group_fails_on_the_remove_and_nowhere_after() {
    let server = start(&[Flaw::RemoveTruncates]).await;
    let (code, report) = run_scale(&server.base_url, Some("scale.group.change")).await;
    assert_findings(&report, &["rfc7644.patch.members-kept"], &[]);
    let found = findings_of(&report, "rfc7644.patch.members-kept");
    assert_eq!(found.len(), 1, "one defect, one finding: {found:?}");
    let (step, severity, message) = &found[0];
    assert_eq!((step.as_str(), severity.as_str()), ("removed-one", "error"));
    assert!(message.contains("holds 100 of 199"), "{message}");
    // The changes judged against the lost state are skipped, not failed again.
    let swap = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "scale.group.change.swap.status")
        .expect("the swap step reports its status");
    assert_eq!(swap["status"], "skipped", "{swap}");
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_for_a_large_group_read_fails_the_read_back_status() {
    let server = start(&[Flaw::BigGet500(100)]).await;
    let (code, report) = run_scale(&server.base_url, Some("scale.group.push")).await;
    assert_findings(&report, &["scale.group.push.read.status"], &[]);
    let found = findings_of(&report, "scale.group.push.read.status");
    assert_eq!(found[0].1, "error", "{found:?}");
    assert!(found[0].2.contains("500"), "{found:?}");
    // Without the members, the same group reads fine.
    let lean = findings_of(&report, "scale.group.push.read-without-members.status");
    assert!(lean.is_empty(), "{lean:?}");
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_413_below_100_members_is_an_okta_patch_size_error() {
    let server = start(&[Flaw::PatchLimit(50)]).await;
    let (code, report) = run_scale(&server.base_url, Some("scale.group.batch-limit")).await;
    assert_findings(&report, &["okta.group.patch-size"], &[]);
    let found = findings_of(&report, "okta.group.patch-size");
    let (step, severity, message) = &found[0];
    assert_eq!((step.as_str(), severity.as_str()), ("probe", "error"));
    assert!(message.contains("down to 100 members"), "{message}");
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unstable_page_order_fails_each_once_on_both_walks() {
    let server = start(&[Flaw::UnstablePaging]).await;
    let (code, report) = run_scale(&server.base_url, Some("scale.users.import")).await;
    assert_findings(&report, &["rfc7644.walk.each-once"], &[]);
    let found = findings_of(&report, "rfc7644.walk.each-once");
    let steps: Vec<&str> = found.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(steps, ["okta-walk", "entra-walk"], "{found:?}");
    assert!(found.iter().all(|(_, sev, _)| sev == "error"), "{found:?}");
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_refusing_the_prefix_filter_has_its_walks_skipped_not_failed() {
    let server = Faulty::start(|req, up| {
        let sw = req.query("filter").is_some_and(|f| f.contains(" sw "));
        if sw {
            return Resp::scim_error(400, Some("invalidFilter"), "sw is not supported");
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(
        &server.base_url(),
        &[
            "--profile",
            "scale",
            "--scale",
            "20",
            "--scenario",
            "scale.users.import",
        ],
    )
    .await;
    assert_eq!(report["summary"]["failed"], 0, "{:#?}", failing(&report));
    assert_eq!(report["summary"]["warnings"], 0, "{:#?}", failing(&report));
    let walks: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "rfc7644.paging-walk")
        .collect();
    assert_eq!(walks.len(), 2, "{walks:?}");
    for walk in walks {
        assert_eq!(walk["status"], "skipped", "{walk}");
        let message = walk["message"].as_str().unwrap();
        assert!(message.contains("answered 400"), "{message}");
        assert!(message.contains("`sw` filter"), "{message}");
    }
    assert_eq!(code, 0);
}
