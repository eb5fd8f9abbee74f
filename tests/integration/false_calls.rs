//! Verdicts once given against real servers for what the RFC allows: each server here
//! differs from the reference server in that one allowed way, and the check says so with
//! the exact status and severity (or stays silent).

use serde_json::{json, Value};

use crate::support::proxy::{Faulty, Req, Resp};
use crate::support::{check_of, run_json};
use crate::verdicts::assert_verdict;

/// The create's one warning for what it did not keep, and `skipped` (an error check that
/// builds on it) skipped with that reason, not failed.
fn ignored_on_create_and_skipped(report: &Value, scenario: &str, skipped: &str) {
    assert_verdict(
        report,
        scenario,
        "rfc7644.create.ignored-content",
        "warning",
        "warning",
    );
    assert_verdict(report, scenario, skipped, "skipped", "error");
}

fn map_json(mut resp: Resp, f: impl FnOnce(&mut Value)) -> Resp {
    if let Some(mut body) = resp.json() {
        f(&mut body);
        resp.set_json(&body);
    }
    resp
}

fn user_read(req: &Req) -> bool {
    req.method == "GET" && req.path().contains("/Users/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_groups_not_returned_is_no_finding_and_a_list_without_the_group_a_warning() {
    // RFC 7643 §4.1.2: User.groups is optional and readOnly; a server that never returns it
    // has nothing to judge.
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if !user_read(&req) {
            return resp;
        }
        map_json(resp, |b| {
            if let Some(o) = b.as_object_mut() {
                o.remove("groups");
            }
        })
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &["--scenario", "okta.groups.push"]).await;
    let scenario = "okta.groups.push";
    assert_verdict(
        &report,
        scenario,
        "okta.group.user-groups-returned",
        "passed",
        "info",
    );
    assert_verdict(
        &report,
        scenario,
        "okta.group.user-groups-reflected",
        "skipped",
        "error",
    );
    let skipped = check_of(&report, scenario, "okta.group.user-groups-reflected");
    assert!(
        skipped["message"]
            .as_str()
            .unwrap()
            .contains("okta.group.user-groups-returned` did not hold"),
        "{skipped}"
    );

    // One that returns `groups` says who the user's groups are: a list without the group is
    // a warning, never an error.
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if !user_read(&req) {
            return resp;
        }
        map_json(resp, |b| b["groups"] = json!([]))
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &["--scenario", "okta.groups.push"]).await;
    assert_verdict(
        &report,
        scenario,
        "okta.group.user-groups-returned",
        "passed",
        "info",
    );
    assert_verdict(
        &report,
        scenario,
        "okta.group.user-groups-reflected",
        "warning",
        "warning",
    );
    assert_eq!(code, 0, "a warning only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_individual_schema_or_resource_type_answered_404_is_a_warning() {
    // RFC 7644 §4: individual schema definitions "can be returned by appending the schema
    // URI"; no MUST, so the server that offers only the lists is warned, not failed.
    let server = Faulty::start(|req, up| {
        let single =
            req.path().contains("/Schemas/urn:") || req.path().ends_with("/ResourceTypes/User");
        if req.method == "GET" && single {
            return Resp::scim_error(404, None, "not found");
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(
        &server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.discovery"],
    )
    .await;
    for id in [
        "rfc.discovery.schema-user.status",
        "rfc.discovery.resource-type-user.status",
    ] {
        assert_verdict(&report, "rfc.discovery", id, "warning", "warning");
    }
    assert_eq!(
        code,
        0,
        "warnings only: {:#?}",
        crate::support::failing(&report)
    );
}

/// Removes `type` from the User schema's `nickName`, in a list of schemas or alone.
fn untype_nick_name(body: &mut Value) {
    let mut strip = |schema: &mut Value| {
        for a in schema["attributes"].as_array_mut().into_iter().flatten() {
            if a["name"] == "nickName" {
                a.as_object_mut().unwrap().remove("type");
            }
        }
    };
    match body["Resources"].as_array_mut() {
        Some(items) => items.iter_mut().for_each(&mut strip),
        None => strip(body),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_attribute_without_type_is_a_string_by_rfc7643_default() {
    // RFC 7643 §2.2: ""type" is "string"" where a schema does not state it.
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if req.method == "GET" && req.path().contains("/Schemas") {
            return map_json(resp, untype_nick_name);
        }
        resp
    })
    .await;
    let (_, report) = run_json(
        &server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.discovery"],
    )
    .await;
    assert_verdict(
        &report,
        "rfc.discovery",
        "rfc7643.schema.attribute-required",
        "passed",
        "error",
    );
    let omitted = check_of(
        &report,
        "rfc.discovery",
        "rfc7643.schema.attribute-characteristics",
    );
    assert_eq!(
        (&omitted["status"], &omitted["severity"]),
        (&json!("warning"), &json!("warning"))
    );
    let message = omitted["message"].as_str().unwrap();
    assert!(
        message.contains("nickName.type (§2.2 default string)"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_boolean_that_reads_back_after_remove_may_be_the_servers_default() {
    // The server gives `active` its default (false) when it is removed: RFC 7644 §3.5.1 lets
    // it "assign default values", and false is what it held before, so nothing can be told.
    let server = Faulty::start(|mut req, up| {
        if req.method == "PATCH" && req.path().contains("/Users/") {
            if let Some(ops) = req
                .body
                .as_mut()
                .and_then(|b| b["Operations"].as_array_mut())
            {
                for op in ops.iter_mut() {
                    if op["op"] == "remove" && op["path"] == "active" {
                        *op = json!({"op": "replace", "path": "active", "value": false});
                    }
                }
            }
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(
        &server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.attributes.user"],
    )
    .await;
    let scenario = "rfc.attributes.user";
    assert_verdict(
        &report,
        scenario,
        "rfc.attributes.user.active.removed",
        "passed",
        "info",
    );
    // A string has no such ambiguity: its remove stays judged at error severity.
    assert_verdict(
        &report,
        scenario,
        "rfc.attributes.user.title.removed",
        "passed",
        "error",
    );
}

/// A server that does not store `attribute` (a top-level name, or `name.<sub>`): its User
/// answers never carry it.
async fn server_without(attribute: &'static str) -> Faulty {
    Faulty::start(move |req, up| {
        let resp = up.send(&req);
        if !req.path().contains("/Users") {
            return resp;
        }
        map_json(resp, |b| {
            let strip = |u: &mut Value| match attribute.split_once('.') {
                Some((outer, inner)) => {
                    if let Some(o) = u[outer].as_object_mut() {
                        o.remove(inner);
                    }
                }
                None => {
                    if let Some(o) = u.as_object_mut() {
                        o.remove(attribute);
                    }
                }
            };
            match b["Resources"].as_array_mut() {
                Some(items) => items.iter_mut().for_each(strip),
                None => strip(b),
            }
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attribute_the_idp_mapping_does_not_need_ignored_on_create_is_one_warning() {
    // Okta: displayName is not one its mapping depends on. Ignored on create (RFC 7644 §3.3),
    // it is one warning, and the PUT's read-back of it is skipped: the server does not store it.
    let server = server_without("displayName").await;
    let (code, report) = run_json(&server.base_url(), &["--scenario", "okta.users.update"]).await;
    let scenario = "okta.users.update";
    ignored_on_create_and_skipped(&report, scenario, "okta.user.update.persisted-display-name");
    assert_eq!(code, 0, "{:#?}", crate::support::failing(&report));

    // Entra: name.formatted is not one its matching or default mapping depends on either.
    let server = server_without("name.formatted").await;
    let (_, report) = run_json(
        &server.base_url(),
        &["--profile", "entra", "--scenario", "entra.users.create"],
    )
    .await;
    let scenario = "entra.users.create";
    ignored_on_create_and_skipped(&report, scenario, "entra.user.create.stored-formatted-name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_that_drops_a_display_name_the_create_kept_stays_an_error() {
    // RFC 7644 §3.5.1: "Any values provided SHALL replace the existing attribute values".
    let server = Faulty::start(|req, up| {
        let mut req = req;
        if req.method == "PUT" {
            if let Some(b) = req.body.as_mut() {
                b["displayName"] = json!("kept from before");
            }
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &["--scenario", "okta.users.update"]).await;
    assert_verdict(
        &report,
        "okta.users.update",
        "okta.user.update.persisted-display-name",
        "failed",
        "error",
    );
}

/// Keeps only the first of the emails a User create sends, as a server with one email per
/// user does.
fn first_email_only(mut req: Req) -> Req {
    if req.method == "POST" && req.path().ends_with("/Users") {
        if let Some(emails) = req.body.as_mut().and_then(|b| b["emails"].as_array_mut()) {
            emails.truncate(1);
        }
    }
    req
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_on_content_the_create_ignored_is_skipped_not_failed() {
    // The create keeps one of two emails (RFC 7644 §3.3): the warning is the create's, and
    // the filter that would find users by the second email is not judged on it.
    let server = Faulty::start(|req, up| up.send(&first_email_only(req))).await;
    let (_, report) = run_json(
        &server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.filters"],
    )
    .await;
    let scenario = "rfc.filters";
    ignored_on_create_and_skipped(&report, scenario, "rfc.filter.multi-valued.total");
    let skipped = check_of(&report, scenario, "rfc.filter.multi-valued.total");
    assert!(
        skipped["message"]
            .as_str()
            .unwrap()
            .contains("second-email"),
        "{skipped}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projection_of_an_attribute_the_create_ignored_is_skipped_not_failed() {
    // The server does not keep title (RFC 7644 §3.3): asking for it by its URN cannot return it.
    let server = Faulty::start(|mut req, up| {
        if req.method == "POST" && req.path().ends_with("/Users") {
            if let Some(o) = req.body.as_mut().and_then(Value::as_object_mut) {
                o.remove("title");
            }
        }
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(
        &server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.projection"],
    )
    .await;
    let scenario = "rfc.projection";
    ignored_on_create_and_skipped(&report, scenario, "rfc.projection.get-urn-attribute.title");
    assert_verdict(
        &report,
        scenario,
        "rfc.projection.get-urn-attribute.user-name",
        "passed",
        "error",
    );
}
