//! The scenarios generated from /Schemas: a server that drops a published attribute, one that
//! returns a `returned: never` attribute, and one whose /Schemas is garbage.

use serde_json::{json, Value};

use super::{defect, each_resource, is, map_json};
use crate::support::proxy::{Faulty, Resp};
use crate::support::{check_of, checks_with_id, run_json};

/// A create the server ignores part of: RFC 7644 §3.3 lets it ("free to alter and/or ignore
/// POSTed content"), so it is one warning for the resource type, naming what was not kept,
/// and the PATCH steps of those attributes are skipped with that reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attributes_ignored_on_create_are_one_warning_and_their_patches_skipped() {
    let report = defect(
        |mut req, up| {
            if is(&req, "POST", "/Users") {
                if let Some(obj) = req.body.as_mut().and_then(Value::as_object_mut) {
                    obj.remove("userType");
                    obj.remove("preferredLanguage");
                }
            }
            up.send(&req)
        },
        &["rfc7644.create.ignored-content"],
        &[],
    )
    .await;
    let warned: Vec<&Value> = checks_with_id(&report, "rfc7644.create.ignored-content")
        .into_iter()
        .filter(|c| c["status"] == "warning")
        .collect();
    assert_eq!(
        warned.len(),
        1,
        "one finding for the User type: {warned:#?}"
    );
    let w = warned[0];
    assert_eq!(w["scenario"], "rfc.attributes.user");
    assert_eq!(w["severity"], "warning");
    let message = w["message"].as_str().unwrap();
    assert!(
        message.contains("2 of the")
            && message.contains("userType")
            && message.contains("preferredLanguage"),
        "{message}"
    );
    let status = |id: &str| {
        let c = check_of(&report, "rfc.attributes.user", id);
        (
            c["status"].as_str().unwrap(),
            c["message"].as_str().unwrap(),
        )
    };
    let (created, why) = status("rfc.attributes.user.userType.created");
    assert_eq!(created, "skipped", "{why}");
    assert_eq!(status("rfc.attributes.user.userType.replaced").0, "skipped");
    let (write, why) = status("rfc.attributes.user.userType.replace.status");
    assert_eq!(write, "skipped");
    assert!(
        why.contains("`rfc.attributes.user.userType.created` did not pass"),
        "{why}"
    );
    // An attribute the create kept is still patched and read back.
    assert_eq!(status("rfc.attributes.user.title.replaced").0, "passed");
}

/// A PATCH the server answers 2xx but does not apply has no such freedom (RFC 7644 §3.5.2):
/// its read-backs stay errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patch_not_applied_to_an_attribute_the_create_kept_is_an_error() {
    let report = defect(
        |mut req, up| {
            if req.method == "PATCH" && req.path().contains("/Users/") {
                if let Some(ops) = req
                    .body
                    .as_mut()
                    .and_then(|b| b.get_mut("Operations"))
                    .and_then(Value::as_array_mut)
                {
                    let touches = |op: &Value| op["path"].as_str().is_some_and(|p| p == "userType");
                    if ops.iter().any(touches) {
                        // Answer as if applied, change nothing.
                        return up.send(&crate::support::proxy::Req {
                            method: "GET".into(),
                            body: None,
                            ..req
                        });
                    }
                }
            }
            up.send(&req)
        },
        &[
            "rfc.attributes.user.userType.replaced",
            "rfc.attributes.user.userType.removed",
        ],
        &[],
    )
    .await;
    let replaced = check_of(
        &report,
        "rfc.attributes.user",
        "rfc.attributes.user.userType.replaced",
    );
    assert_eq!(replaced["status"], "failed");
    assert_eq!(replaced["severity"], "error");
}

/// Members a group create sends and the server does not keep: a warning, and the member
/// steps that build on them are skipped, not failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_ignored_on_create_are_a_warning_not_a_cascade() {
    let report = defect(
        |mut req, up| {
            if is(&req, "POST", "/Groups") {
                if let Some(obj) = req.body.as_mut().and_then(Value::as_object_mut) {
                    obj.remove("members");
                }
            }
            up.send(&req)
        },
        &["rfc7644.create.ignored-content"],
        &[],
    )
    .await;
    let after = check_of(
        &report,
        "rfc.members",
        "rfc.members.after-unknown.member-kept",
    );
    assert_eq!(after["status"], "skipped", "{after}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_every_generated_step() {
    let server = crate::support::reference_server().await;
    let (code, report) = run_json(
        server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.attributes.*"],
    )
    .await;
    assert_eq!(code, 0);
    let summary = &report["summary"];
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["warnings"], 0, "{summary}");
    assert_eq!(summary["skipped"], 0, "{summary}");
    assert!(summary["passed"].as_u64().unwrap() > 300, "{summary}");
    let scenarios = report["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 3);
    for s in scenarios {
        assert_eq!(s["file"], "generated from /Schemas at run time");
        assert!(s["steps"].as_array().unwrap().len() > 2, "{}", s["id"]);
    }
}

/// The reference server behind a /Schemas that publishes `title` with other characteristics
/// than the server has: the generated steps hold the server to what it publishes.
async fn published_as(characteristic: &'static str, value: Value) -> (i32, Value) {
    published_with(characteristic, value, |r| r).await
}

/// [`published_as`], with every other response changed by `f`.
async fn published_with(
    characteristic: &'static str,
    value: Value,
    f: impl Fn(Resp) -> Resp + Send + Sync + 'static,
) -> (i32, Value) {
    let server = Faulty::start(move |req, up| {
        let resp = up.send(&req);
        if !is(&req, "GET", "/Schemas") {
            return f(resp);
        }
        let value = value.clone();
        map_json(resp, move |b| {
            each_resource(b, |schema| {
                for attr in schema["attributes"].as_array_mut().into_iter().flatten() {
                    if attr["name"] == "title" {
                        attr[characteristic] = value.clone();
                    }
                }
            })
        })
    })
    .await;
    run_json(
        &server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.attributes.user"],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_attribute_stored_from_the_client_fails() {
    let (_, report) = published_as("mutability", json!("readOnly")).await;
    crate::support::assert_findings(&report, &["rfc.attributes.user.title.read-only"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unique_attribute_duplicated_fails_the_duplicate_create() {
    let (_, report) = published_as("uniqueness", json!("server")).await;
    crate::support::assert_findings(
        &report,
        &["rfc.attributes.user.title.duplicate.status"],
        &[],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_required_attribute_not_enforced_is_a_warning() {
    let (code, report) = published_as("required", json!(true)).await;
    crate::support::assert_findings(&report, &["rfc.attributes.user.title.required.status"], &[]);
    assert_eq!(
        crate::support::status_of(
            &report,
            "rfc.attributes.user",
            "rfc.attributes.user.title.required.status"
        )
        .as_deref(),
        Some("warning")
    );
    assert_eq!(code, 0, "a warning does not fail the run");
}

#[test]
fn list_shows_the_generated_scenarios() {
    let out = crate::support::cli(&["list", "--profile", "rfc"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for id in [
        "rfc.attributes.user",
        "rfc.attributes.group",
        "rfc.attributes.extensions",
    ] {
        let line = text
            .lines()
            .position(|l| l.starts_with(&format!("{id}  [rfc]")))
            .unwrap_or_else(|| panic!("{id} in {text}"));
        let block: Vec<&str> = text.lines().skip(line).take(4).collect();
        assert!(
            block[1].contains("(generated from /Schemas at run time)"),
            "{block:?}"
        );
        assert!(
            block[3].contains("steps generated from /Schemas at run time"),
            "{block:?}"
        );
    }
}

/// Every User's title comes back lowercased.
fn lowercase_title(resp: Resp) -> Resp {
    map_json(resp, |b| {
        each_resource(b, |r| {
            if let Some(t) = r.get("title").and_then(Value::as_str) {
                r["title"] = json!(t.to_lowercase());
            }
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_changes_fail_only_where_case_exact_forbids_them() {
    // caseExact false (as the reference server publishes title): another case is the same value.
    let (code, report) = published_with("caseExact", json!(false), lowercase_title).await;
    crate::support::assert_findings(&report, &[], &[]);
    assert_eq!(code, 0);
    // caseExact true: the create's value was altered, which RFC 7644 §3.3 allows; it is the
    // one warning for the values the create did not keep, and title's PATCH steps are skipped.
    let (_, report) = published_with("caseExact", json!(true), lowercase_title).await;
    crate::support::assert_findings(&report, &["rfc7644.create.ignored-content"], &[]);
    let (_, _, message) = crate::support::failing(&report).remove(0);
    assert!(message.contains("title ("), "{message}");
}
