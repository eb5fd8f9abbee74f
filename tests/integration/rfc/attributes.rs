//! The scenarios generated from /Schemas: a server that drops a published attribute, one that
//! returns a `returned: never` attribute, and one whose /Schemas is garbage.

use serde_json::{json, Value};

use super::{defect, each_resource, is, map_json};
use crate::support::proxy::{Faulty, Resp};
use crate::support::run_json;

/// Every User in a response loses `attr`, as if the server never stored it.
fn drop_attribute(resp: Resp, attr: &'static str) -> Resp {
    map_json(resp, |b| {
        each_resource(b, |r| {
            if let Some(obj) = r.as_object_mut() {
                obj.remove(attr);
            }
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_attribute_dropped_on_write_fails_its_own_checks() {
    defect(
        |req, up| drop_attribute(up.send(&req), "userType"),
        &[
            "rfc.attributes.user.userType.created",
            "rfc.attributes.user.userType.replaced",
            "rfc.attributes.user.userType.added",
        ],
        &[],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_never_attribute_returned_fails_its_check() {
    defect(
        |req, up| {
            let users = req.path().contains("/Users");
            let resp = up.send(&req);
            if !users {
                return resp;
            }
            map_json(resp, |b| {
                each_resource(b, |r| {
                    if r.get("userName").is_some() {
                        r["password"] = json!("hunter2");
                    }
                })
            })
        },
        &["rfc.attributes.user.password.never-returned"],
        // The rule that watches every response for a password sees the same defect.
        &["rfc7643.user.password-never-returned"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_schemas_skip_the_generated_scenarios_with_the_reason() {
    let server = Faulty::start(|req, up| {
        if is(&req, "GET", "/Schemas") {
            let mut resp = Resp::scim(200, json!(null));
            resp.body = b"<html><body>Schemas</body></html>".to_vec();
            resp.set_header("content-type", "text/html");
            return resp;
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(
        &server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.attributes.*"],
    )
    .await;
    let checks: Vec<&Value> = report["checks"].as_array().unwrap().iter().collect();
    assert_eq!(checks.len(), 3, "{checks:#?}");
    for c in &checks {
        assert_eq!(c["status"], "skipped", "{c}");
        let message = c["message"].as_str().unwrap();
        assert!(
            message.contains("/Schemas") && message.contains("without a JSON body"),
            "{message}"
        );
    }
    // Nothing was checked, so nothing failed: exit 4, not 1.
    assert_eq!(code, 4);
    assert_eq!(report["summary"]["failed"], 0);
}
