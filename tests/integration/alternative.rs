//! Truthful verdicts on legal variation: `scimcheck serve --alternative` takes the other choice
//! the RFC allows everywhere (PATCH → 204, no ETags, no sorting, no bulk, members not checked)
//! and every profile passes against it as against the reference server, without a warning.
//! Behind a proxy, the same alternative with a real defect still fails the check for it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::rfc::{is, map_json};
use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::{assert_findings, failing, run_json, TOKEN};
use scimcheck::server::Behaviour;

/// Every profile, with Entra's throughput burst kept to one second.
const ALL: &[&str] = &["--profile", "all", "--burst-seconds", "1"];

/// `scimcheck serve` as a child process, stopped by its PID when dropped (also on a panic).
struct Served {
    child: Child,
    base_url: String,
}

impl Served {
    fn start(extra: &[&str]) -> Served {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("scimcheck"))
            .args(["serve", "--port", "0", "--token", TOKEN])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("scimcheck serve starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // The first line names the URL; the rest (one line per request) is drained so the
            // server never blocks on a full pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut served = Served {
            child,
            base_url: String::new(),
        };
        let first = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("scimcheck serve prints its URL");
        served.base_url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in `{first}`"))
            .to_string();
        assert!(first.contains("alternative"), "{first}");
        served
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // Child::kill signals this child's own PID, and nothing else.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn skipped(report: &Value) -> Vec<(String, String, String)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "skipped")
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("scenario"), s("id"), s("message"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_profile_passes_against_serve_alternative() {
    let served = Served::start(&["--alternative"]);
    let (code, report) = run_json(&served.base_url, ALL).await;
    drop(served);
    assert!(failing(&report).is_empty(), "{:#?}", failing(&report));
    assert_eq!(code, 0);
    let summary = &report["summary"];
    assert_eq!(
        (&summary["failed"], &summary["warnings"]),
        (&json!(0), &json!(0))
    );
    assert!(summary["passed"].as_u64().unwrap() > 1500, "{summary}");

    let skipped = skipped(&report);
    for (scenario, capability) in [
        ("rfc.sort", "sort"),
        ("rfc.etag", "etag"),
        ("rfc.bulk", "bulk"),
    ] {
        let reason =
            format!("the server's /ServiceProviderConfig says {capability} is not supported");
        let of_scenario: Vec<_> = skipped.iter().filter(|(s, _, _)| s == scenario).collect();
        assert!(!of_scenario.is_empty(), "{scenario} was not skipped");
        assert!(
            of_scenario.iter().all(|(_, _, m)| *m == reason),
            "{of_scenario:#?}"
        );
        let ran = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["scenario"] == scenario && c["status"] != "skipped")
            .count();
        assert_eq!(
            ran, 0,
            "{scenario}: checks ran though {capability} is not supported"
        );
    }
    // Every other skip is an assert on the body of a PATCH answered 204; the reads after it
    // check the same values.
    let others: Vec<_> = skipped
        .iter()
        .filter(|(s, _, m)| {
            !["rfc.sort", "rfc.etag", "rfc.bulk"].contains(&s.as_str())
                && m != "status 204 carries no body to check"
        })
        .collect();
    assert!(others.is_empty(), "{others:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_profile_passes_against_the_reference_server() {
    let server = crate::support::reference_server().await;
    let (code, report) = run_json(server.base_url(), ALL).await;
    assert!(failing(&report).is_empty(), "{:#?}", failing(&report));
    assert_eq!(code, 0);
    let summary = &report["summary"];
    assert_eq!(
        (
            &summary["failed"],
            &summary["warnings"],
            &summary["skipped"]
        ),
        (&json!(0), &json!(0), &json!(0)),
        "{summary}"
    );
}

/// Runs `args` against a server of `behaviour` behind a proxy with `defect`; the failing
/// checks are exactly `must`: the defect is found, and only the defect.
async fn defect_on(
    behaviour: Behaviour,
    args: &[&str],
    defect: impl Fn(Req, &Upstream) -> Resp + Send + Sync + 'static,
    must: &[&str],
) {
    let server = Faulty::start_with(behaviour, defect).await;
    let (_, report) = run_json(&server.base_url(), args).await;
    assert_findings(&report, must, &[]);
}

/// /ServiceProviderConfig with `capability` advertised though the server lacks it.
fn advertise(req: Req, up: &Upstream, capability: &'static str) -> Resp {
    let resp = up.send(&req);
    if is(&req, "GET", "/ServiceProviderConfig") {
        return map_json(resp, |b| b[capability]["supported"] = json!(true));
    }
    resp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_204_that_applied_nothing_still_fails() {
    defect_on(
        Behaviour::alternative(),
        &["--profile", "okta"],
        |req, up| {
            let deactivation = req.method == "PATCH"
                && req.path().contains("/Users/")
                && req
                    .body
                    .as_ref()
                    .is_some_and(|b| b.to_string().contains("\"active\":false"));
            if deactivation {
                return Resp {
                    status: 204,
                    headers: vec![],
                    body: vec![],
                };
            }
            up.send(&req)
        },
        &[
            "okta.user.deactivate.inactive",
            "okta.user.deactivate.listed-inactive",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etags_advertised_but_not_sent_fail() {
    defect_on(
        Behaviour::alternative(),
        &["--profile", "rfc"],
        |req, up| advertise(req, up, "etag"),
        // Its dependent steps are skipped: one root cause, one finding.
        &["rfc.etag.create.header"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorting_advertised_but_ignored_fails() {
    defect_on(
        Behaviour::alternative(),
        &["--profile", "rfc"],
        |req, up| advertise(req, up, "sort"),
        // Creation order happens to be the descending order's first user, so that one
        // assert passes; the others catch it.
        &[
            "rfc7644.sort.order",
            "rfc.sort.user-name-default.first",
            "rfc.sort.user-name-default.last",
            "rfc.sort.user-name-descending.last",
        ],
    )
    .await;
}

/// Only the members scenario: enough to see its verdicts.
const MEMBERS: &[&str] = &["--profile", "rfc", "--scenario", "rfc.members"];

fn unknown_member_add(req: &Req) -> bool {
    is(req, "PATCH", "") && req.path().contains("/Groups/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_unknown_member_needs_a_scim_error() {
    defect_on(
        Behaviour::reference(),
        MEMBERS,
        |req, up| {
            let resp = up.send(&req);
            if unknown_member_add(&req) && resp.status == 400 {
                return Resp {
                    status: 400,
                    headers: vec![("content-type".into(), "text/html".into())],
                    body: b"<html>Bad Request</html>".to_vec(),
                };
            }
            resp
        },
        &["rfc7644.error.json"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_member_kept_in_place_of_the_others_fails() {
    defect_on(
        Behaviour::alternative(),
        MEMBERS,
        |mut req, up| {
            if unknown_member_add(&req) {
                if let Some(body) = req.body.as_mut() {
                    body["Operations"][0]["op"] = json!("replace");
                }
            }
            up.send(&req)
        },
        &["rfc.members.after-unknown.member-kept"],
    )
    .await;
}
