//! Bad input (RFC 7644 §3.12) and other methods on the discovery endpoints: one misbehaving
//! server per defect, each failing its own check and no other, and nothing the harness sends
//! there left behind, even by a server that accepts what it should refuse.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::{defect, is};
use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::{assert_findings, cli, run_json, status_of, TOKEN};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// The create the `truncated-json` step sends: a POST /Users whose body is not JSON.
fn truncated(req: &Req) -> bool {
    is(req, "POST", "/Users") && req.unparsed.is_some()
}

/// The userName in a body cut short, read by hand as a lenient server would.
fn user_name_in(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let (_, rest) = text.split_once(r#""userName": ""#).expect("a userName");
    rest.split('"').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_json_answered_with_500() {
    let server = Faulty::start(|req, up: &Upstream| {
        if truncated(&req) {
            return Resp::scim_error(500, None, "unexpected end of input");
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &["--profile", "rfc"]).await;
    assert_findings(&report, &["rfc.errors.truncated-json.status"], &[]);
    assert_eq!(
        status_of(&report, "rfc.errors", "rfc.errors.truncated-json.status").as_deref(),
        Some("failed")
    );
    assert_eq!(code, 1);
    // The body went out verbatim, cut where the scenario cuts it, as SCIM JSON.
    let received = server.mock.received_requests().await.unwrap();
    let sent: Vec<_> = received
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .filter(|r| !r.body.is_empty() && serde_json::from_slice::<Value>(&r.body).is_err())
        .collect();
    assert_eq!(sent.len(), 1, "one body that is not JSON");
    let text = String::from_utf8(sent[0].body.clone()).unwrap();
    let head = format!(r#"{{"schemas": ["{USER}"], "userName": "scimcheck-"#);
    assert!(text.starts_with(&head), "{text}");
    assert!(text.ends_with(r#"", "#), "{text}");
    assert_eq!(
        sent[0].headers.get("content-type").unwrap(),
        "application/scim+json"
    );
    // The report shows what was sent, as sent.
    let step = &report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "rfc.errors")
        .unwrap()["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "truncated-json")
        .unwrap()["exchange"]["request"];
    assert_eq!(step["raw_body"], json!(text));
    assert!(step.get("body").is_none(), "{step}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_json_refused_with_another_scim_type_is_only_a_warning() {
    let report = defect(
        |req, up| {
            if truncated(&req) {
                return Resp::scim_error(400, Some("invalidValue"), "cannot read the body");
            }
            up.send(&req)
        },
        &["rfc7644.error.scim-type"],
        &[],
    )
    .await;
    // scimType is OPTIONAL (RFC 7644 §3.12): the wrong keyword is a warning, on this step only.
    let flagged: Vec<_> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "rfc7644.error.scim-type" && c["status"] != "passed")
        .map(|c| (c["step"].clone(), c["status"].clone()))
        .collect();
    assert_eq!(flagged, [(json!("truncated-json"), json!("warning"))]);
    assert_eq!(report["summary"]["failed"], 0, "{}", report["summary"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_json_accepted_creates_a_user_that_cleanup_deletes() {
    let server = Faulty::start(|req, up: &Upstream| {
        let Some(raw) = req.unparsed.clone().filter(|_| truncated(&req)) else {
            return up.send(&req);
        };
        // A lenient parser: it keeps what it could read, and creates the user.
        let create = Req {
            body: Some(json!({"schemas": [USER], "userName": user_name_in(&raw)})),
            unparsed: None,
            ..req
        };
        up.send(&create)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &["--profile", "rfc"]).await;
    assert_findings(&report, &["rfc.errors.truncated-json.status"], &[]);
    assert_eq!(code, 1);
    let received = server.mock.received_requests().await.unwrap();
    let raw = received
        .iter()
        .find(|r| {
            r.method.as_str() == "POST"
                && !r.body.is_empty()
                && serde_json::from_slice::<Value>(&r.body).is_err()
        })
        .expect("the truncated create");
    let name = user_name_in(&raw.body);
    let deleted = report["cleanup"]["deleted"].as_array().unwrap();
    let entry = deleted
        .iter()
        .find(|e| e["name"] == json!(name))
        .unwrap_or_else(|| panic!("{name} is not among the deleted: {deleted:#?}"));
    let id = entry["id"].as_str().unwrap();
    assert!(received
        .iter()
        .any(|r| r.method.as_str() == "DELETE" && r.url.path().ends_with(&format!("/Users/{id}"))));
    assert_eq!(
        users_named(&server, &name).await,
        0,
        "{name} was left behind"
    );
}

/// How many users of the reference server behind `server` carry `name`.
async fn users_named(server: &Faulty, name: &str) -> u64 {
    let mut url = url::Url::parse(&format!("{}/Users", server.reference().base_url())).unwrap();
    url.query_pairs_mut()
        .append_pair("filter", &format!("userName eq \"{name}\""));
    let text = crate::support::http()
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let list: Value = serde_json::from_str(&text).unwrap();
    list["totalResults"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_user_name_accepted_is_a_failure_and_is_deleted() {
    const ID: &str = "nameless-1";
    let stored: Arc<Mutex<Option<Value>>> = Arc::default();
    let kept = stored.clone();
    let server = Faulty::start(move |req, up: &Upstream| {
        let nameless = req
            .body
            .as_ref()
            .is_some_and(|b| b.get("userName").is_none());
        if is(&req, "POST", "/Users") && nameless {
            // Created as sent, with no userName: only externalId and displayName name it.
            let mut user = req.body.clone().unwrap();
            user["id"] = json!(ID);
            *kept.lock().unwrap() = Some(user.clone());
            return Resp::scim(201, user);
        }
        if req.path().ends_with(&format!("/Users/{ID}")) {
            let mut held = kept.lock().unwrap();
            return match (req.method.as_str(), held.clone()) {
                ("GET", Some(user)) => Resp::scim(200, user),
                ("DELETE", Some(_)) => {
                    *held = None;
                    Resp {
                        status: 204,
                        headers: vec![],
                        body: vec![],
                    }
                }
                _ => Resp::scim_error(404, None, "no such user"),
            };
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &["--profile", "rfc"]).await;
    assert_findings(&report, &["rfc.errors.missing-user-name.status"], &[]);
    assert_eq!(
        status_of(&report, "rfc.errors", "rfc.errors.missing-user-name.status").as_deref(),
        Some("failed")
    );
    assert_eq!(code, 1);
    let deletes: Vec<_> = server
        .mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.method.as_str() == "DELETE" && r.url.path().ends_with(&format!("/Users/{ID}"))
        })
        .collect();
    assert_eq!(deletes.len(), 1, "the nameless user is deleted once");
    assert!(
        stored.lock().unwrap().is_none(),
        "the nameless user was left behind"
    );
    let deleted = report["cleanup"]["deleted"].as_array().unwrap();
    assert!(deleted.iter().any(|e| e["id"] == ID), "{deleted:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_to_service_provider_config_answered_200_is_only_a_warning() {
    let report = defect(
        |req, up| {
            if is(&req, "POST", "/ServiceProviderConfig") {
                let get = Req {
                    method: "GET".into(),
                    ..req
                };
                return up.send(&get);
            }
            up.send(&req)
        },
        &["rfc.discovery.post-service-provider-config.status"],
        &[],
    )
    .await;
    let id = "rfc.discovery.post-service-provider-config.status";
    assert_eq!(
        status_of(&report, "rfc.discovery", id).as_deref(),
        Some("warning")
    );
    assert_eq!(report["summary"]["failed"], 0, "{}", report["summary"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discovery_probe_answered_500_is_an_error() {
    defect(
        |req, up| {
            if is(&req, "PUT", "/ResourceTypes") {
                return Resp::scim_error(500, None, "NullPointerException");
            }
            up.send(&req)
        },
        &["rfc.discovery.put-resource-types.status"],
        &[],
    )
    .await;
}

#[test]
fn a_raw_body_without_the_run_prefix_is_refused_at_load_time() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("raw.yaml");
    std::fs::write(
        &file,
        "id: acme.raw\ntitle: t\nprofile: acme\nreference: r\nsteps:\n  - id: cut\n    title: t\n    request:\n      method: POST\n      path: /Users\n      raw_body: '{\"userName\": \"jane@example.com\", '\n",
    )
    .unwrap();
    let out = cli(&[
        "run",
        "--scenarios",
        file.to_str().unwrap(),
        "--profile",
        "acme",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("raw.yaml:6:9"), "{stderr}");
    assert!(
        stderr.contains("raw_body must hold the run prefix"),
        "{stderr}"
    );
}
