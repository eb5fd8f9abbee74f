//! The exact verdict (status and severity) of rules whose severity follows the RFC's word:
//! what the RFC allows is a pass or a note, what it requires fails, and each server here
//! differs from the reference server in that one way only.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::support::proxy::{forward, Faulty, Req, Resp};
use crate::support::run_json;

/// Every verdict of check `id` in `scenario`, as (status, severity).
fn verdicts(report: &Value, scenario: &str, id: &str) -> Vec<(String, String)> {
    let found: Vec<(String, String)> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["id"] == id && c["scenario"] == scenario)
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_string(),
                c["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        !found.is_empty(),
        "no `{id}` in {scenario}: {:#?}",
        crate::support::failing(report)
    );
    found
}

/// Asserts that every verdict of `id` in `scenario` is `status` at `severity`.
pub(crate) fn assert_verdict(
    report: &Value,
    scenario: &str,
    id: &str,
    status: &str,
    severity: &str,
) {
    for v in verdicts(report, scenario, id) {
        assert_eq!(
            v,
            (status.to_string(), severity.to_string()),
            "{id} in {scenario}"
        );
    }
}

async fn run(server: &Faulty, args: &[&str]) -> (i32, Value) {
    run_json(&server.base_url(), args).await
}

fn map_json(mut resp: Resp, f: impl FnOnce(&mut Value)) -> Resp {
    if let Some(mut body) = resp.json() {
        f(&mut body);
        resp.set_json(&body);
    }
    resp
}

const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn rfc_user_schema() -> Value {
    serde_json::from_str(include_str!("../fixtures/rfc7643/user-schema.json")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rfcs_own_user_schema_draws_no_characteristics_warning() {
    // RFC 7643 §8.7.1's User schema as written: no caseExact or uniqueness on booleans,
    // no caseExact on complex attributes.
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if req.method != "GET" || !req.path().contains("/Schemas") {
            return resp;
        }
        map_json(resp, |body| {
            if body["id"] == USER_URN {
                let mut schema = rfc_user_schema();
                schema["schemas"] = body["schemas"].clone();
                *body = schema;
            } else if let Some(items) = body["Resources"].as_array_mut() {
                for s in items.iter_mut().filter(|s| s["id"] == USER_URN) {
                    let schemas = s["schemas"].clone();
                    *s = rfc_user_schema();
                    s["schemas"] = schemas;
                }
            }
        })
    })
    .await;
    let (_, report) = run(
        &server,
        &["--profile", "rfc", "--scenario", "rfc.discovery"],
    )
    .await;
    let found = verdicts(
        &report,
        "rfc.discovery",
        "rfc7643.schema.attribute-characteristics",
    );
    assert_eq!(found.len(), 2, "the list and the User schema by id");
    assert_verdict(
        &report,
        "rfc.discovery",
        "rfc7643.schema.attribute-characteristics",
        "passed",
        "warning",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_scim_type_fails_only_where_a_section_requires_one() {
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if resp.status != 400 {
            return resp;
        }
        map_json(resp, |body| {
            body.as_object_mut().unwrap().remove("scimType");
        })
    })
    .await;
    let (_, report) = run(
        &server,
        &[
            "--profile",
            "rfc",
            "--scenario",
            "rfc.errors",
            "--scenario",
            "rfc.filters",
        ],
    )
    .await;
    // invalidValue and invalidSyntax: OPTIONAL (RFC 7644 §3.12), a note.
    assert_verdict(
        &report,
        "rfc.errors",
        "rfc7644.error.scim-type",
        "passed",
        "info",
    );
    // An unknown filter operator: RFC 7644 §3.4.2.2 requires invalidFilter.
    let filters = verdicts(&report, "rfc.filters", "rfc7644.error.scim-type");
    assert!(
        filters.contains(&("failed".into(), "error".into())),
        "{filters:?}"
    );
    assert!(
        filters.contains(&("passed".into(), "info".into())),
        "{filters:?}"
    );
    assert!(
        !filters.iter().any(|(status, _)| status == "warning"),
        "{filters:?}"
    );
}

fn me(req: &Req) -> bool {
    req.method == "GET" && req.path().ends_with("/Me")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_answered_with_a_404_page_stays_a_warning() {
    // Not a SCIM Error: /Me is not offered, and RFC 7644 §3.11 asks for 501 (a SHOULD).
    let server = Faulty::start(|req, up| {
        if me(&req) {
            return Resp {
                status: 404,
                headers: vec![("content-type".into(), "text/html".into())],
                body: b"<html><body>Not Found</body></html>".to_vec(),
            };
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run(&server, &["--profile", "rfc", "--scenario", "rfc.optional"]).await;
    assert_verdict(
        &report,
        "rfc.optional",
        "rfc.optional.me.status",
        "warning",
        "warning",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_type_endpoint_that_repeats_the_base_path_fails() {
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if req.method != "GET" || !req.path().contains("/ResourceTypes") {
            return resp;
        }
        map_json(resp, |body| {
            let fix = |t: &mut Value| {
                if let Some(e) = t["endpoint"].as_str() {
                    t["endpoint"] = json!(format!("/scim/v2{e}"));
                }
            };
            match body["Resources"].as_array_mut() {
                Some(items) => items.iter_mut().for_each(fix),
                None => fix(body),
            }
        })
    })
    .await;
    let (_, report) = run(
        &server,
        &["--profile", "rfc", "--scenario", "rfc.discovery"],
    )
    .await;
    assert_verdict(
        &report,
        "rfc.discovery",
        "rfc7643.resource-type.endpoint-relative",
        "failed",
        "error",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim_json_labelled_text_html_is_a_content_type_finding_not_a_wrong_base_url() {
    let server = Faulty::start(|req, up| {
        let mut resp = up.send(&req);
        if resp.json().is_some() {
            resp.set_header("content-type", "text/html; charset=utf-8");
        }
        resp
    })
    .await;
    let (code, report) = run(
        &server,
        &["--profile", "okta", "--scenario", "okta.credentials"],
    )
    .await;
    assert_eq!(code, 1, "the run went on and found the media type");
    assert_verdict(
        &report,
        "okta.credentials",
        "rfc7644.content-type",
        "failed",
        "error",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_attributes_ignored_is_an_error_under_rfc_and_a_warning_under_okta() {
    let server = Faulty::start(|mut req, up| {
        if req.query("excludedAttributes").is_some() {
            let target = req.target.clone();
            let (path, query) = target.split_once('?').unwrap();
            let kept: Vec<&str> = query
                .split('&')
                .filter(|p| !p.starts_with("excludedAttributes="))
                .collect();
            req.target = format!("{path}?{}", kept.join("&"));
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run(
        &server,
        &["--profile", "rfc", "--scenario", "rfc.projection"],
    )
    .await;
    assert_verdict(
        &report,
        "rfc.projection",
        "rfc.projection.get-excluded.no-emails",
        "failed",
        "error",
    );
    let (_, report) = run(
        &server,
        &["--profile", "okta", "--scenario", "okta.groups.push"],
    )
    .await;
    assert_verdict(
        &report,
        "okta.groups.push",
        "okta.group.excluded-members",
        "warning",
        "warning",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_that_drops_external_id_is_caught_on_read_back() {
    let server = Faulty::start(|mut req, up| {
        if req.method == "PUT" {
            if let Some(body) = req.body.as_mut().and_then(Value::as_object_mut) {
                body.remove("externalId");
            }
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run(
        &server,
        &[
            "--profile",
            "okta,rfc",
            "--scenario",
            "okta.users.update",
            "--scenario",
            "rfc.writes",
        ],
    )
    .await;
    assert_verdict(
        &report,
        "okta.users.update",
        "okta.user.update.persisted-external-id",
        "failed",
        "error",
    );
    assert_verdict(
        &report,
        "rfc.writes",
        "rfc.writes.read-put.external-id",
        "failed",
        "error",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_in_another_order_on_the_next_run_does_not_drift() {
    // Lists without sortBy come back reversed on the second run, and every list answer
    // carries a Location naming the list itself.
    let reversed = Arc::new(AtomicBool::new(false));
    let server = Faulty::start({
        let reversed = reversed.clone();
        move |req, up| {
            let mut resp = forward(req.clone(), up);
            let Some(mut body) = resp.json() else {
                return resp;
            };
            let Some(items) = body["Resources"].as_array_mut() else {
                return resp;
            };
            if reversed.load(Ordering::SeqCst) && req.query("sortBy").is_none() {
                items.reverse();
            }
            resp.set_json(&body);
            resp.set_header("location", &format!("http://example.invalid{}", req.path()));
            resp
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let snapshots = dir.path().to_str().unwrap();
    let args = [
        "--profile",
        "okta",
        "--scenario",
        "okta.users.import",
        "--snapshots",
        snapshots,
    ];
    let mut first = args.to_vec();
    first.push("--update-snapshots");
    let (code, _) = run(&server, &first).await;
    assert_eq!(code, 0);
    reversed.store(true, Ordering::SeqCst);
    let (code, report) = run(&server, &args).await;
    assert_verdict(
        &report,
        "okta.users.import",
        "snapshot.drift",
        "passed",
        "error",
    );
    assert_eq!(code, 0);
    let saved = std::fs::read_to_string(dir.path().join("okta.users.import.json")).unwrap();
    assert!(saved.contains("\"path\": \"/Users\""), "{saved}");
    assert!(!saved.contains("[id-1]"), "{saved}");
}
