//! One misbehaving server per known real-world defect (shared/scim-field-notes.md): each test
//! asserts that the specific check fails and that no unrelated check does.

use serde_json::{json, Value};

use crate::support::proxy::{forward, Faulty, Req, Resp, Upstream};
use crate::support::{assert_findings, run_json, status_of};

fn is_user_filter(req: &Req) -> bool {
    req.method == "GET" && req.path().ends_with("/Users") && req.query("filter").is_some()
}

fn map_json(mut resp: Resp, f: impl FnOnce(&mut Value)) -> Resp {
    if let Some(mut body) = resp.json() {
        f(&mut body);
        resp.set_json(&body);
    }
    resp
}

/// Drops list resources the defect hides, keeping the counts consistent.
fn keep_resources(body: &mut Value, keep: impl Fn(&Value) -> bool) {
    let all = body["Resources"].as_array().cloned().unwrap_or_default();
    let kept: Vec<Value> = all.iter().filter(|r| keep(r)).cloned().collect();
    let dropped = all.len() - kept.len();
    body["totalResults"] = json!(body["totalResults"].as_u64().unwrap_or(0) - dropped as u64);
    body["itemsPerPage"] = json!(kept.len());
    body["Resources"] = Value::Array(kept);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_miss_answered_with_404_is_a_warning() {
    let server = Faulty::start(|req, up| {
        let filtered = is_user_filter(&req);
        let resp = up.send(&req);
        if filtered && resp.json().is_some_and(|b| b["totalResults"] == 0) {
            return Resp::scim_error(404, None, "no such user");
        }
        resp
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.users.create.existence-check.status"], &[]);
    assert_eq!(
        status_of(
            &report,
            "okta.users.create",
            "okta.users.create.existence-check.status"
        )
        .as_deref(),
        Some("warning")
    );
    assert_eq!(
        code, 0,
        "a warning alone does not fail the run at --fail-on error"
    );
    let (code, _) = run_json(&server.base_url(), &["--fail-on", "warning"]).await;
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_sensitive_user_name_filter() {
    let server = Faulty::start(|req, up| {
        let wanted = req
            .query("filter")
            .filter(|f| is_user_filter(&req) && f.contains(" eq "))
            .and_then(|f| f.split('"').nth(1).map(str::to_string));
        let resp = up.send(&req);
        match wanted {
            Some(wanted) => map_json(resp, |b| {
                keep_resources(b, |r| r["userName"] == wanted.as_str())
            }),
            None => resp,
        }
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.user.lookup.case-insensitive"], &[]);
    assert_eq!(
        status_of(
            &report,
            "okta.users.create",
            "okta.user.lookup.case-insensitive-id"
        )
        .as_deref(),
        Some("skipped"),
        "the same empty result is reported once"
    );
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_user_name_accepted() {
    let server = Faulty::start(|req, up| {
        let body = req.body.clone();
        let resp = up.send(&req);
        if req.method == "POST" && resp.status == 409 {
            let mut user = body.unwrap_or_default();
            user["id"] = json!("dup-0001");
            user.as_object_mut().unwrap().remove("password");
            user["meta"] = json!({"resourceType": "User", "location": "http://example.invalid/Users/dup-0001"});
            let mut created = Resp::scim(201, user);
            created.set_header("location", "http://example.invalid/Users/dup-0001");
            return created;
        }
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.users.create.duplicate.status"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_bodies_are_html() {
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if resp.status >= 400 {
            return Resp {
                status: resp.status,
                headers: vec![("content-type".into(), "text/html".into())],
                body: b"<html><body>Error</body></html>".to_vec(),
            };
        }
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    // An HTML page is one defect: its text/html label is true to what it is.
    assert_findings(&report, &["rfc7644.error.json"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_counts_sent_as_strings() {
    let server = Faulty::start(|req, up| {
        map_json(up.send(&req), |b| {
            for key in ["totalResults", "itemsPerPage", "startIndex"] {
                if let Some(n) = b.get(key).and_then(Value::as_u64) {
                    b[key] = json!(n.to_string());
                }
            }
        })
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(
        &report,
        &["rfc7644.list.integer-counts"],
        &[
            "schema.ListResponse.totalResults",
            "schema.ListResponse.itemsPerPage",
            "schema.ListResponse.startIndex",
            "rfc7644.list.start-index",
            "rfc7644.list.total-results",
            "rfc7644.list.items-per-page",
        ],
    );
}

fn has_pathless_op(req: &Req) -> bool {
    req.method == "PATCH"
        && req
            .body
            .as_ref()
            .and_then(|b| b["Operations"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .any(|op| op.get("path").is_none())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_less_patch_rejected() {
    let server = Faulty::start(|req, up| {
        if has_pathless_op(&req) {
            return Resp::scim_error(400, Some("invalidPath"), "path is required");
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(
        &report,
        &[
            "okta.users.deactivate.deactivate.status",
            "okta.groups.push.rename.status",
        ],
        &[],
    );
    assert_eq!(
        status_of(
            &report,
            "okta.users.deactivate",
            "okta.user.deactivate.inactive"
        )
        .as_deref(),
        Some("skipped"),
        "dependent checks are skipped, not failed again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivated_user_disappears() {
    let gone = std::sync::Mutex::new(std::collections::HashSet::<String>::new());
    let server = Faulty::start(move |req, up| {
        let id = req
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        if req.method == "PATCH" && req.path().contains("/Users/") {
            let deactivating = req
                .body
                .as_ref()
                .is_some_and(|b| b["Operations"][0]["value"]["active"] == false);
            let mut set = gone.lock().unwrap();
            if deactivating {
                set.insert(id.clone());
            } else {
                set.remove(&id);
            }
        }
        let hidden = gone.lock().unwrap().clone();
        if req.method == "GET" && hidden.contains(&id) {
            return Resp::scim_error(404, None, "not found");
        }
        let resp = up.send(&req);
        if is_user_filter(&req) {
            return map_json(resp, |b| {
                keep_resources(b, |r| {
                    !hidden.contains(r["id"].as_str().unwrap_or_default())
                })
            });
        }
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(
        &report,
        &[
            "okta.users.deactivate.get-deactivated.status",
            "okta.user.deactivate.still-listed",
        ],
        &["okta.user.deactivate.listed-inactive"],
    );
}

fn drop_ops(req: &mut Req, drop: impl Fn(&Value) -> bool) {
    if let Some(ops) = req
        .body
        .as_mut()
        .and_then(|b| b["Operations"].as_array_mut())
    {
        ops.retain(|op| !drop(op));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_removal_ignored() {
    let server = Faulty::start(|mut req, up| {
        if req.method == "PATCH" && req.path().contains("/Groups/") {
            drop_ops(&mut req, |op| {
                op["op"]
                    .as_str()
                    .is_some_and(|o| o.eq_ignore_ascii_case("remove"))
            });
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.group.remove-member.removed"], &[]);
    assert_eq!(
        status_of(
            &report,
            "okta.groups.push",
            "okta.group.change-members.count"
        )
        .as_deref(),
        Some("skipped")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_member_push_rejected() {
    let server = Faulty::start(|req, up| {
        let empty_push = req.method == "PATCH"
            && req.body.as_ref().is_some_and(|b| {
                b["Operations"].as_array().is_some_and(|ops| {
                    ops.iter()
                        .any(|op| op["path"] == "members" && op["value"] == json!([]))
                })
            });
        if empty_push {
            return Resp::scim_error(400, Some("invalidValue"), "members must not be empty");
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.groups.push.push-empty.status"], &[]);
    assert_eq!(
        status_of(&report, "okta.groups.push", "okta.group.push.empty-clears").as_deref(),
        Some("skipped")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_rename_ignored() {
    let server = Faulty::start(|mut req, up| {
        if req.method == "PATCH" && req.path().contains("/Groups/") {
            drop_ops(&mut req, |op| op.get("path").is_none());
            // A server that ignores renames answers as if it had applied them; when nothing
            // is left to forward (an empty Operations is refused), it answers itself.
            let nothing_left = req
                .body
                .as_ref()
                .and_then(|b| b["Operations"].as_array())
                .is_some_and(Vec::is_empty);
            if nothing_left {
                return Resp {
                    status: 204,
                    headers: vec![],
                    body: vec![],
                };
            }
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.group.rename.applied"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_with_wrong_content_type() {
    let server = Faulty::start(|req, up| {
        let mut resp = up.send(&req);
        resp.set_header("content-type", "text/plain");
        resp
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["rfc7644.content-type"], &[]);
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_json_content_type_is_only_a_warning() {
    let server = Faulty::start(|req, up| {
        let mut resp = up.send(&req);
        if resp.headers.iter().any(|(n, _)| n == "content-type") {
            resp.set_header("content-type", "application/json");
        }
        resp
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["rfc7644.content-type"], &[]);
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_not_enforced() {
    let server = Faulty::start(|mut req, up| {
        req.set_header(
            "authorization",
            &format!("Bearer {}", crate::support::TOKEN),
        );
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(
        &report,
        &[
            "okta.credentials.malformed-authorization.status",
            "okta.credentials.missing-authorization.status",
        ],
        &[],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_returned() {
    let server = Faulty::start(|req, up| {
        let is_user = req.path().contains("/Users");
        let resp = up.send(&req);
        if !is_user {
            return resp;
        }
        map_json(resp, |b| {
            if b.get("userName").is_some() {
                b["password"] = json!("hunter2");
            }
        })
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["rfc7643.user.password-never-returned"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_ignored() {
    let server = Faulty::start(|req, up: &Upstream| {
        if req.method == "PUT" {
            let get = Req {
                method: "GET".into(),
                body: None,
                ..req
            };
            return up.send(&get);
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    // The read-back needs the PUT, so it is skipped rather than failed a second time.
    assert_findings(
        &report,
        &["okta.user.update.family-name"],
        &["okta.user.update.email"],
    );
    assert_eq!(
        status_of(
            &report,
            "okta.users.update",
            "okta.user.update.persisted-family-name"
        )
        .as_deref(),
        Some("skipped")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_based_paging() {
    let server = Faulty::start(|mut req, up| {
        // The server reads startIndex as a 0-based offset.
        if let Some(start) = req.query("startIndex").and_then(|s| s.parse::<u64>().ok()) {
            req.set_query("startIndex", &(start + 1).to_string());
            return map_json(up.send(&req), |b| b["startIndex"] = json!(start));
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    // Okta's lookups (startIndex=1) find an empty first page: that is the finding, and the
    // asserts that read the first resource are not blamed for it.
    assert_findings(
        &report,
        &["rfc7644.list.first-page", "rfc7644.paging.complete"],
        &["okta.import.last-page-size"],
    );
    assert_eq!(
        status_of(&report, "okta.users.create", "okta.user.lookup.right-user").as_deref(),
        Some("skipped")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faithful_proxy_passes_everything() {
    let server = Faulty::start(forward).await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &[], &[]);
    assert_eq!(code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_without_www_authenticate_is_an_error() {
    let server = Faulty::start(|req, up| {
        let mut resp = up.send(&req);
        if resp.status == 401 {
            resp.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("www-authenticate"));
        }
        resp
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    let ids = [
        "okta.credentials.malformed-authorization.www-authenticate",
        "okta.credentials.missing-authorization.www-authenticate",
    ];
    // RFC 7235 §3.1: "The server generating a 401 response MUST send a WWW-Authenticate
    // header field".
    assert_findings(&report, &ids, &[]);
    for id in ids {
        assert_eq!(
            status_of(&report, "okta.credentials", id).as_deref(),
            Some("failed")
        );
    }
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_display_name_computed_from_the_name_is_caught() {
    let server = Faulty::start(|mut req, up| {
        if req.method == "PUT" && req.path().contains("/Users/") {
            if let Some(body) = req.body.as_mut() {
                let given = body["name"]["givenName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let family = body["name"]["familyName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                body["displayName"] = json!(format!("{given} {family}"));
            }
        }
        forward(req, up)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.user.update.persisted-display-name"], &[]);
    assert_eq!(code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_create_body_is_one_root_cause_not_one_failure_per_scenario() {
    let server = Faulty::start(|req, up| {
        let refused = req.method == "POST"
            && req.path().ends_with("/Users")
            && req
                .body
                .as_ref()
                .is_some_and(|b| b["name"]["formatted"].is_null());
        if refused {
            return Resp::scim_error(
                400,
                Some("invalidValue"),
                "Attribute 'name.formatted' is required",
            );
        }
        forward(req, up)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_eq!(code, 1);
    let failed: Vec<_> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "failed")
        .collect();
    let refusals: Vec<_> = failed
        .iter()
        .filter(|c| c["message"].as_str().unwrap().contains("got 400"))
        .collect();
    assert_eq!(refusals.len(), 1, "{failed:#?}");
    assert!(refusals[0]["hint"]
        .as_str()
        .unwrap()
        .contains("requires `name.formatted`"));
    let pointed: Vec<_> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["status"] == "skipped"
                && c["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("same root cause as ")
        })
        .collect();
    assert!(
        pointed.len() >= 3,
        "the other scenarios' creates point at the first"
    );
}
