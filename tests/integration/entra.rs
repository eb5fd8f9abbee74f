//! The Entra ID profile: it passes cleanly against the reference server, and each server
//! below breaks one thing Entra ID depends on (shared/scim-field-notes.md), which the profile
//! reports as that specific check and nothing unrelated.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::support::proxy::{forward, Faulty, Req, Resp, Upstream};
use crate::support::{assert_findings, cli, run_json, status_of};

/// The profile with a one-second burst: the tests below are about other defects.
const ENTRA: &[&str] = &["--profile", "entra", "--burst-seconds", "1"];
const CONTENT_TYPE: &str = "rfc7644.content-type";
const MANAGER_PATH: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";

fn operations(req: &Req) -> Vec<Value> {
    if req.method != "PATCH" {
        return vec![];
    }
    req.body
        .as_ref()
        .and_then(|b| b["Operations"].as_array().cloned())
        .unwrap_or_default()
}

fn operations_mut(req: &mut Req) -> Option<&mut Vec<Value>> {
    req.body
        .as_mut()
        .and_then(|b| b["Operations"].as_array_mut())
}

/// A PATCH the server pretends to apply: it answers with the resource as it is.
fn answer_unchanged(req: Req, up: &Upstream) -> Resp {
    let get = Req {
        method: "GET".into(),
        body: None,
        ..req
    };
    up.send(&get)
}

#[test]
fn the_profile_passes_against_the_reference_server() {
    let out = cli(&[
        "run",
        "--profile",
        "entra",
        "--burst-seconds",
        "2",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["summary"]["failed"], 0, "{}", report["summary"]);
    assert_eq!(report["summary"]["warnings"], 0, "{}", report["summary"]);
    assert_eq!(report["summary"]["skipped"], 0, "{}", report["summary"]);
    let scenarios = report["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 12);
    assert!(scenarios
        .iter()
        .all(|s| s["id"].as_str().unwrap().starts_with("entra.")));
    // The burst: 25/s for 2 s, every request counted, latencies in the message.
    let burst = scenarios
        .iter()
        .find(|s| s["id"] == "entra.throughput")
        .and_then(|s| s["steps"].as_array()?.iter().find(|st| st["id"] == "burst"))
        .expect("the burst step");
    assert_eq!(burst["set"]["mode"], "burst");
    assert_eq!(burst["set"]["planned"], 50);
    assert_eq!(burst["set"]["sent"], 50);
    assert_eq!(burst["set"]["statuses"]["200"], 50);
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "throughput.sustained")
        .expect("the throughput check");
    assert_eq!(check["status"], "passed");
    let message = check["message"].as_str().unwrap();
    assert!(
        message.contains("p50 ") && message.contains("p95 "),
        "{message}"
    );
}

#[test]
fn an_entra_dialect_runs_only_its_own_scenarios() {
    for (dialect, other) in [("2017", ".2020"), ("2020", ".2017")] {
        let out = cli(&[
            "run",
            "--profile",
            "entra",
            "--entra-dialect",
            dialect,
            "--burst-seconds",
            "1",
            "--json",
        ]);
        assert_eq!(out.status.code(), Some(0));
        let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        let ids: Vec<&str> = report["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert!(ids.iter().all(|id| !id.ends_with(other)), "{ids:?}");
        assert!(
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| !c["scenario"].as_str().unwrap().ends_with(other)),
            "no check of the other dialect"
        );
        let own = format!(".{dialect}");
        assert_eq!(ids.iter().filter(|id| id.ends_with(&own)).count(), 2);
        assert!(
            ids.contains(&"entra.groups"),
            "dialect-neutral scenarios still run"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faithful_proxy_passes_the_profile() {
    let server = Faulty::start(forward).await;
    let (code, report) = run_json(&server.base_url(), ENTRA).await;
    assert_findings(&report, &[], &[]);
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capitalised_ops_rejected() {
    let server = Faulty::start(|req, up| {
        let capitalised = operations(&req).iter().any(|op| {
            op["op"]
                .as_str()
                .is_some_and(|o| o != o.to_ascii_lowercase())
        });
        if capitalised {
            return Resp::scim_error(400, Some("invalidSyntax"), "unknown op");
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), ENTRA).await;
    // Every PATCH sent with "Replace", "Add" or "Remove" is refused; the 2020 dialect's
    // lowercase ops pass, and the read-backs of refused PATCHes are skipped, not failed.
    let refused = [
        "entra.users.update.2017.replace.status",
        "entra.users.update.2017.add-single-valued.status",
        "entra.users.manager.add-reference-list.status",
        "entra.users.clear.clear-empty.status",
        "entra.users.disable.2017.disable.status",
        "entra.users.disable.2020.disable.status",
        "entra.groups.add-members.status",
        "entra.groups.rename.status",
    ];
    assert_findings(&report, &refused, &[]);
    // The fix says what to change for Entra's shape, not "answer with 200".
    let fix = crate::support::check_of(
        &report,
        "entra.users.update.2017",
        "entra.users.update.2017.replace.status",
    )["hint"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fix.contains("capitalised ops (`Replace`)"), "{fix}");
    assert_eq!(
        status_of(
            &report,
            "entra.users.update.2020",
            "entra.user.update-2020.given-name"
        )
        .as_deref(),
        Some("passed")
    );
    assert_eq!(
        status_of(
            &report,
            "entra.users.update.2017",
            "entra.user.update-2017.family-name"
        )
        .as_deref(),
        Some("skipped")
    );
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn string_false_stored_as_truthy() {
    let server = Faulty::start(|mut req, up| {
        // A server that tests "is there a value" instead of parsing the boolean.
        for op in operations_mut(&mut req).into_iter().flatten() {
            if op["path"] == "active" && op["value"].is_string() {
                op["value"] = json!(true);
            }
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), ENTRA).await;
    assert_findings(&report, &["entra.user.disable-2017.inactive"], &[]);
    assert_eq!(
        status_of(
            &report,
            "entra.users.disable.2020",
            "entra.user.disable-2020.inactive"
        )
        .as_deref(),
        Some("passed"),
        "real booleans still work"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dotted_path_less_keys_ignored() {
    let server = Faulty::start(|mut req, up| {
        for op in operations_mut(&mut req).into_iter().flatten() {
            if op.get("path").is_none() {
                if let Some(value) = op["value"].as_object_mut() {
                    value.retain(|k, _| !k.contains('.') && !k.contains(':'));
                }
            }
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), ENTRA).await;
    assert_findings(
        &report,
        &[
            "entra.user.update-2020.given-name",
            "entra.user.update-2020.family-name",
            "entra.user.update-2020.work-email",
            "entra.user.update-2020.department",
        ],
        &[],
    );
    assert_eq!(
        status_of(
            &report,
            "entra.users.update.2020",
            "entra.user.update-2020.display-name"
        )
        .as_deref(),
        Some("passed"),
        "the plain key of the same value is applied"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_by_value_removes_all_members() {
    let server = Faulty::start(|mut req, up| {
        for op in operations_mut(&mut req).into_iter().flatten() {
            let by_value = op["op"]
                .as_str()
                .is_some_and(|o| o.eq_ignore_ascii_case("remove"))
                && op["path"] == "members"
                && op.get("value").is_some();
            if by_value {
                *op = json!({"op": "replace", "path": "members", "value": []});
            }
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), ENTRA).await;
    assert_findings(&report, &["entra.group.remove-2017.others-kept"], &[]);
    for skipped in [
        "entra.group.remove-2017.others-kept-2",
        "entra.group.member-check.found",
        "entra.group.remove-2020.removed",
    ] {
        assert_eq!(
            status_of(&report, "entra.groups", skipped).as_deref(),
            Some("skipped"),
            "{skipped} has the same root cause"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_and_ignores_its_second_clause() {
    let server = Faulty::start(|mut req, up| {
        if let Some(filter) = req.query("filter") {
            if let Some((first, _)) = filter.split_once(" and ") {
                req.set_query("filter", first);
            }
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), ENTRA).await;
    assert_findings(
        &report,
        &["entra.group.member-check.removed-not-found"],
        &[],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_filter_result_answered_with_404() {
    let server = Faulty::start(|req, up| {
        let filtered = req.method == "GET" && req.query("filter").is_some();
        let resp = up.send(&req);
        if filtered && resp.json().is_some_and(|b| b["totalResults"] == 0) {
            return Resp::scim_error(404, None, "no match");
        }
        resp
    })
    .await;
    let (code, report) = run_json(&server.base_url(), ENTRA).await;
    let refused = [
        (
            "entra.test-connection",
            "entra.test-connection.match-user-name.status",
        ),
        (
            "entra.test-connection",
            "entra.test-connection.match-external-id.status",
        ),
        ("entra.users.create", "entra.users.create.match-miss.status"),
        ("entra.groups", "entra.groups.match-miss.status"),
        ("entra.groups", "entra.groups.member-check-removed.status"),
        ("entra.throughput", "entra.throughput.burst.status"),
    ];
    let ids: Vec<&str> = refused.iter().map(|(_, id)| *id).collect();
    assert_findings(&report, &ids, &[]);
    for (scenario, id) in refused {
        assert_eq!(
            status_of(&report, scenario, id).as_deref(),
            Some("failed"),
            "Entra ID does not tolerate a 404 for {id}"
        );
    }
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manager_removal_ignored() {
    let server = Faulty::start(|req, up| {
        let clears_manager = operations(&req)
            .iter()
            .any(|op| op["path"] == MANAGER_PATH && op["value"] == "");
        if clears_manager {
            return answer_unchanged(req, up);
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), ENTRA).await;
    assert_findings(&report, &["entra.user.manager.removed"], &[]);
    assert_eq!(
        status_of(
            &report,
            "entra.users.manager",
            "entra.user.manager.set-plain"
        )
        .as_deref(),
        Some("skipped")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_patch_answered_200_with_every_member_is_a_note() {
    let server = Faulty::start(|req, up| {
        let group_patch = req.method == "PATCH" && req.path().contains("/Groups/");
        let resp = up.send(&req);
        if group_patch && resp.status == 204 {
            let mut read = answer_unchanged(req, up);
            read.status = 200;
            return read;
        }
        resp
    })
    .await;
    let (code, report) = run_json(&server.base_url(), ENTRA).await;
    // The RFC allows 200; Entra ID documents 204 and discourages the body, but accepts it.
    assert_findings(&report, &[], &[]);
    let status = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "entra.groups.add-members.status")
        .unwrap();
    assert_eq!(
        (&status["status"], &status["severity"]),
        (&json!("passed"), &json!("info")),
        "{status}"
    );
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .starts_with("status 200: "),
        "{status}"
    );
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_part_of_the_burst_fails_the_throughput_check() {
    let gets = Arc::new(AtomicUsize::new(0));
    let server = Faulty::start(move |req, up| {
        // Every tenth read is throttled; the other steps wait out their one 429 and go on.
        if req.method == "GET" && gets.fetch_add(1, Ordering::SeqCst) % 10 == 9 {
            let mut resp = Resp::scim_error(429, None, "too many requests");
            resp.set_header("retry-after", "1");
            return resp;
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), ENTRA).await;
    // The burst's first read may be one of the throttled ones too.
    assert_findings(
        &report,
        &["throughput.sustained"],
        &["entra.throughput.burst.status"],
    );
    assert_eq!(
        status_of(&report, "entra.throughput", "throughput.sustained").as_deref(),
        Some("failed")
    );
    let message = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "throughput.sustained")
        .and_then(|c| c["message"].as_str())
        .unwrap()
        .to_string();
    assert!(message.contains("× 429"), "{message}");
    assert!(message.contains("p95 "), "{message}");
    assert_eq!(code, 1);
}

/// Every `application/scim+json` answer relabelled `application/json`.
fn plain_json(req: Req, up: &Upstream) -> Resp {
    let mut resp = up.send(&req);
    let scim = resp
        .headers
        .iter()
        .any(|(n, v)| n == "content-type" && v.starts_with("application/scim+json"));
    if scim {
        resp.set_header("content-type", "application/json");
    }
    resp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_json_responses_fail_under_entra_and_warn_under_okta() {
    let server = Faulty::start(plain_json).await;
    let (code, report) = run_json(&server.base_url(), ENTRA).await;
    assert_findings(&report, &[CONTENT_TYPE], &[]);
    let content_type: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == CONTENT_TYPE)
        .collect();
    assert!(content_type
        .iter()
        .all(|c| c["status"] == "failed" && c["severity"] == "error"));
    assert_eq!(code, 1);

    let (code, report) = run_json(&server.base_url(), &["--profile", "okta"]).await;
    assert_findings(&report, &[CONTENT_TYPE], &[]);
    let failing: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == CONTENT_TYPE && c["status"] != "passed")
        .collect();
    assert!(!failing.is_empty());
    assert!(failing
        .iter()
        .all(|c| c["status"] == "warning" && c["severity"] == "warning"));
    assert_eq!(code, 0, "a warning under okta");
}

/// An itemsPerPage that echoes the requested count is one finding, the list rule's: the last
/// page's own check reads how many users it holds, not the same number again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_per_page_echoing_count_is_one_finding_on_the_paging_scenario() {
    let server = Faulty::start(|req, up| {
        let count = req.query("count");
        let mut resp = up.send(&req);
        if let (Some(count), Some(mut body)) = (count, resp.json()) {
            if body.get("itemsPerPage").is_some() {
                body["itemsPerPage"] = serde_json::json!(count.parse::<u64>().unwrap());
                resp.set_json(&body);
            }
        }
        resp
    })
    .await;
    let (_, report) = run_json(
        &server.base_url(),
        &["--profile", "entra", "--scenario", "entra.users.paging"],
    )
    .await;
    assert_findings(&report, &["rfc7644.list.items-per-page"], &[]);
    assert_eq!(
        status_of(
            &report,
            "entra.users.paging",
            "entra.paging.page-3.holds-the-rest"
        )
        .as_deref(),
        Some("passed")
    );
}
