//! Bulk and changePassword: one misbehaving server per defect, the features skipped when not
//! advertised, and what a BulkResponse creates cleaned up.

use std::path::Path;

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{defect, is, map_json};
use crate::support::proxy::{Faulty, Req};
use crate::support::{failing, run_json};

fn bulk(req: &Req) -> bool {
    is(req, "POST", "/Bulk")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numeric_bulk_statuses_are_a_warning_and_nothing_else() {
    let report = defect(
        |req, up| {
            let b = bulk(&req);
            let resp = up.send(&req);
            if !b || resp.status != 200 {
                return resp;
            }
            map_json(resp, |body| {
                for op in body["Operations"].as_array_mut().into_iter().flatten() {
                    let n: u64 = op["status"].as_str().unwrap().parse().unwrap();
                    op["status"] = json!(n);
                }
            })
        },
        &["rfc7644.bulk.status-is-string"],
        &[],
    )
    .await;
    assert_eq!(report["summary"]["failed"], 0, "a warning, not a failure");
}

/// `bulkId:u1` sent on as a plain value: the server never resolves it.
fn unresolve(v: &mut Value) {
    match v {
        Value::String(s) if s.starts_with("bulkId:") => *s = s.replace("bulkId:", "unresolved-"),
        Value::Array(a) => a.iter_mut().for_each(unresolve),
        Value::Object(o) => o.values_mut().for_each(unresolve),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_id_references_ignored() {
    defect(
        |mut req, up| {
            if bulk(&req) {
                if let Some(body) = req.body.as_mut() {
                    unresolve(body);
                }
            }
            up.send(&req)
        },
        &["rfc7644.bulk.statuses", "rfc.bulk.group-created"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_errors_ignored() {
    defect(
        |mut req, up| {
            if bulk(&req) {
                if let Some(body) = req.body.as_mut().and_then(Value::as_object_mut) {
                    body.remove("failOnErrors");
                }
            }
            up.send(&req)
        },
        &["rfc7644.bulk.fail-on-errors"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_operations_than_advertised_accepted_and_cleaned_up() {
    let server = Faulty::start(|req, up| {
        let spc = is(&req, "GET", "/ServiceProviderConfig");
        let resp = up.send(&req);
        if !spc {
            return resp;
        }
        // Advertise fewer than the server enforces: the request one past it is accepted.
        map_json(resp, |b| b["bulk"]["maxOperations"] = json!(20))
    })
    .await;
    let (_, report) = run_json(
        &server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.bulk"],
    )
    .await;
    crate::support::assert_findings(&report, &["rfc.bulk.too-many.status"], &[]);
    let deleted = report["cleanup"]["deleted"].as_array().map_or(0, Vec::len);
    assert_eq!(
        deleted, 21,
        "the 21 users the accepted request created are cleaned up: {}",
        report["cleanup"]
    );
    let left = server.reference().store().dump();
    assert_eq!(left["Users"], json!([]), "nothing left behind");
    assert_eq!(left["Groups"], json!([]), "nothing left behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_returned_by_its_patch_fails() {
    defect(
        |req, up| {
            let sets = req.method == "PATCH"
                && req
                    .body
                    .as_ref()
                    .is_some_and(|b| b.to_string().contains("\"password\""));
            let resp = up.send(&req);
            if !sets || resp.status != 200 {
                return resp;
            }
            map_json(resp, |b| b["password"] = json!("Pw-returned"))
        },
        &["rfc7643.user.password-never-returned"],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unadvertised_bulk_and_change_password_are_skipped_with_the_reason() {
    let server = Faulty::start(|req, up| {
        let spc = is(&req, "GET", "/ServiceProviderConfig");
        let resp = up.send(&req);
        if !spc {
            return resp;
        }
        map_json(resp, |b| {
            b["bulk"]["supported"] = json!(false);
            b["changePassword"]["supported"] = json!(false);
        })
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &["--profile", "rfc"]).await;
    assert!(failing(&report).is_empty(), "{:#?}", failing(&report));
    assert_eq!(code, 0);
    for (scenario, key) in [
        ("rfc.bulk", "bulk"),
        ("rfc.change-password", "changePassword"),
    ] {
        crate::support::assert_all_skipped(&report, scenario, &format!("{key} is not supported"));
    }
    assert_eq!(
        server.reference().store().dump()["Users"],
        json!([]),
        "nothing left behind"
    );
}

const CREATING: &str = r#"id: acme.bulk
title: A bulk create
profile: acme
reference: "RFC 7644 §3.7"
requires: [bulk]
steps:
  - id: create
    title: Create a user and a group in one request
    request:
      method: POST
      path: /Bulk
      body:
        schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]
        Operations:
          - { method: POST, path: /Users, bulkId: u1, data: { userName: "{{user1.userName}}" } }
          - { method: POST, path: /Groups, bulkId: g1, data: { displayName: "{{group1.displayName}}" } }
    expect:
      status: [200]
"#;

/// A server whose BulkResponse reports two creates of the run, one result for an operation
/// the run never sent, and one location of the wrong kind.
async fn bulk_server() -> MockServer {
    let server = MockServer::start().await;
    let spc = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "bulk": {"supported": true, "maxOperations": 10, "maxPayloadSize": 100000}});
    let list = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "Resources": []});
    let base = format!("{}/scim/v2", server.uri());
    let answer = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"], "Operations": [
        {"method": "POST", "bulkId": "u1", "status": "201", "location": format!("{base}/Users/bu1")},
        {"method": "POST", "bulkId": "g1", "status": "201", "location": format!("{base}/Groups/bg1")},
        {"method": "POST", "bulkId": "boss", "status": "201", "location": format!("{base}/Users/ceo")},
        {"method": "POST", "status": "201", "location": format!("{base}/Groups/wrong-kind")},
    ]});
    let scim = |status: u16, body: &Value| {
        ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/scim+json")
    };
    Mock::given(method("GET"))
        .and(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(scim(200, &spc))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users"))
        .respond_with(scim(200, &list))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Groups"))
        .respond_with(scim(200, &list))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/scim/v2/Bulk"))
        .respond_with(scim(200, &answer))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    // Reads of single resources (the read-back) find nothing: the ledger keeps them.
    Mock::given(method("GET"))
        .respond_with(scim(
            404,
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404"}),
        ))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_bulk_response_creates_is_deleted_at_cleanup_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bulk.yaml"), CREATING).unwrap();
    let server = bulk_server().await;
    let scenarios = Path::new(dir.path()).to_str().unwrap().to_string();
    let (code, report) = run_json(
        &format!("{}/scim/v2", server.uri()),
        &["--profile", "acme", "--scenarios", &scenarios],
    )
    .await;
    assert_eq!(code, 0, "{:#?}", failing(&report));
    let deletes: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        deletes,
        ["/scim/v2/Groups/bg1", "/scim/v2/Users/bu1"],
        "the group first, then the user; never `ceo` or `wrong-kind`"
    );
}
