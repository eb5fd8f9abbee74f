//! Truthful verdicts: behaviours the RFC allows pass, defects that look alike are told
//! apart, and one defect gives one finding while the checks that can still run do run.

use serde_json::{json, Value};

use crate::support::proxy::{Faulty, Req, Resp};
use crate::support::{assert_findings, failing, run_json, status_of};

fn map_json(mut resp: Resp, f: impl FnOnce(&mut Value)) -> Resp {
    if let Some(mut body) = resp.json() {
        f(&mut body);
        resp.set_json(&body);
    }
    resp
}

fn is_create(req: &Req) -> bool {
    req.method == "POST" && !req.path().contains(".search")
}

/// The Host the harness sent, to build URLs on the target's own origin.
fn host_of(req: &Req) -> String {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.clone())
        .unwrap()
}

fn group_patch(req: &Req) -> bool {
    req.method == "PATCH" && req.path().contains("/Groups/")
}

/// Applies `f` to every operation of a group PATCH before it is forwarded.
fn edit_group_ops(req: &mut Req, f: impl Fn(&mut Value)) {
    if !group_patch(req) {
        return;
    }
    if let Some(ops) = req
        .body
        .as_mut()
        .and_then(|b| b["Operations"].as_array_mut())
    {
        ops.iter_mut().for_each(f);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_that_replaces_the_members_is_told_from_remove_that_removes_all() {
    // Adding members replaces the list instead of appending to it.
    let server = Faulty::start(|mut req, up| {
        edit_group_ops(&mut req, |op| {
            if op["op"] == "add" && op["path"] == "members" {
                op["op"] = json!("replace");
            }
        });
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.group.add-member.appends"], &[]);
    assert_eq!(
        status_of(
            &report,
            "okta.groups.push",
            "okta.group.remove-member.others-kept"
        )
        .as_deref(),
        Some("skipped"),
        "the removal is not blamed for the add"
    );

    // Removing by value filter removes every member.
    let server = Faulty::start(|mut req, up| {
        edit_group_ops(&mut req, |op| {
            if op["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("members["))
            {
                op["path"] = json!("members");
            }
        });
        up.send(&req)
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.group.remove-member.others-kept"], &[]);
    assert_eq!(
        status_of(&report, "okta.groups.push", "okta.group.add-member.appends").as_deref(),
        Some("passed")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_attributes_ignored_while_the_group_has_members() {
    let server = Faulty::start(|mut req, up| {
        if req.query("excludedAttributes").is_some() {
            req.target = req.path().to_string();
        }
        up.send(&req)
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["okta.group.excluded-members"], &[]);
    assert_eq!(code, 0, "a warning only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relative_location_is_resolved_and_a_wrong_one_is_found() {
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if !(is_create(&req) && resp.status == 201) {
            return resp;
        }
        // Location relative to the request URL; meta.location the absolute URL it names.
        let id = resp.json().unwrap()["id"].as_str().unwrap().to_string();
        let endpoint = req.path().rsplit('/').next().unwrap().to_string();
        let host = host_of(&req);
        let absolute = format!("http://{host}/scim/v2/{endpoint}/{id}");
        let mut resp = map_json(resp, |b| b["meta"]["location"] = json!(absolute));
        resp.set_header("location", &format!("{endpoint}/{id}"));
        resp
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &[], &[]);
    assert_eq!(
        code, 0,
        "RFC 9110 §10.2.2: a relative Location is a URI-reference"
    );

    // Location and meta.location agree with each other but name another resource: not of
    // the form …/{id}, so the harness reads it, and the read does not answer the new user.
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if !(is_create(&req) && resp.status == 201) {
            return resp;
        }
        let host = host_of(&req);
        let wrong = format!("http://{host}/scim/v2/Users/not-this-one");
        let mut resp = map_json(resp, |b| b["meta"]["location"] = json!(wrong));
        resp.set_header("location", &wrong);
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["rfc7644.create.location-is-resource"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etag_that_is_not_meta_version() {
    let server = Faulty::start(|req, up| {
        let mut resp = up.send(&req);
        if resp.headers.iter().any(|(n, _)| n == "etag") {
            resp.set_header("etag", "W/\"something-else\"");
        }
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &["rfc7643.meta.version-matches-etag"], &[]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_format_defect_does_not_hide_the_steps_that_build_on_it() {
    // Create answers 200 instead of 201, and the deactivation's answer has a bad timestamp:
    // each is one finding, and the steps after them still run and pass.
    let server = Faulty::start(|req, up| {
        let mut resp = up.send(&req);
        if is_create(&req) && resp.status == 201 && req.path().ends_with("/Users") {
            resp.status = 200;
        }
        if req.method == "PATCH" && req.path().contains("/Users/") {
            resp = map_json(resp, |b| b["meta"]["created"] = json!("yesterday"));
        }
        resp
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    let failing_ids: Vec<String> = failing(&report).into_iter().map(|(id, _, _)| id).collect();
    assert!(
        failing_ids
            .iter()
            .all(|id| id.ends_with(".status") || id == "schema.User.meta"),
        "{failing_ids:#?}"
    );
    for (scenario, check) in [
        ("okta.users.create", "okta.user.lookup.finds-user"),
        ("okta.users.deactivate", "okta.user.deactivate.inactive"),
        ("okta.users.deactivate", "okta.user.reactivate.same-id"),
    ] {
        assert_eq!(
            status_of(&report, scenario, check).as_deref(),
            Some("passed"),
            "{scenario} / {check}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_smaller_than_count_are_allowed_by_the_rfc() {
    // The server returns one resource per page, whatever `count` asks, with honest numbers.
    let server = Faulty::start(|req, up| {
        let resp = up.send(&req);
        if !(req.method == "GET" && req.query("count").is_some() && req.path().ends_with("/Users"))
        {
            return resp;
        }
        map_json(resp, |b| {
            if let Some(items) = b["Resources"].as_array_mut() {
                items.truncate(1);
                let n = items.len();
                b["itemsPerPage"] = json!(n);
            }
        })
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(
        &report,
        &["okta.import.page-size"],
        &["okta.import.last-page-size"],
    );
    assert_eq!(
        status_of(&report, "okta.users.import", "rfc7644.paging.complete").as_deref(),
        Some("skipped")
    );
    assert_eq!(code, 0, "Okta's paging risk is a warning");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_index_may_be_omitted_when_nothing_is_paged() {
    let server = Faulty::start(|req, up| {
        map_json(up.send(&req), |b| {
            let shown = b["Resources"].as_array().map_or(0, Vec::len) as u64;
            let partial = b["totalResults"].as_u64().is_some_and(|t| shown < t);
            if b.get("totalResults").is_some() && !partial {
                let obj = b.as_object_mut().unwrap();
                obj.remove("startIndex");
                obj.remove("itemsPerPage");
            }
        })
    })
    .await;
    let (code, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(&report, &[], &[]);
    assert_eq!(code, 0);

    // On a partial page both are REQUIRED (RFC 7644 §3.4.2).
    let server = Faulty::start(|req, up| {
        map_json(up.send(&req), |b| {
            if let Some(obj) = b.as_object_mut().filter(|o| o.contains_key("totalResults")) {
                obj.remove("startIndex");
                obj.remove("itemsPerPage");
            }
        })
    })
    .await;
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_findings(
        &report,
        &["rfc7644.list.start-index", "rfc7644.list.items-per-page"],
        &[],
    );
}

/// One generic defect seen on many steps (itemsPerPage set to the requested count) is one
/// finding with its steps in the human, Markdown and HTML reports; JSON keeps each step's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_defect_on_many_steps_is_one_finding_for_people() {
    let server = Faulty::start(|req, up| {
        let count = req.query("count");
        let resp = up.send(&req);
        match count {
            Some(count) if req.method == "GET" => map_json(resp, |b| {
                if b.get("Resources").is_some() {
                    b["itemsPerPage"] = json!(count.parse::<u64>().unwrap_or(0));
                }
            }),
            _ => resp,
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("r.md");
    let html = dir.path().join("r.html");
    let (_, report) = run_json(
        &server.base_url(),
        &[
            "--report",
            &format!("markdown={}", md.display()),
            "--report",
            &format!("html={}", html.display()),
        ],
    )
    .await;
    const ID: &str = "rfc7644.list.items-per-page";
    let per_step = failing(&report)
        .iter()
        .filter(|(id, _, _)| id == ID)
        .count();
    assert!(per_step > 2, "JSON keeps one entry per step: {per_step}");
    let md = std::fs::read_to_string(&md).unwrap();
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.contains(&format!("`{ID}`")))
        .collect();
    assert_eq!(rows.len(), 1, "{md}");
    assert!(
        rows[0].contains(&format!("and {} more", per_step - 1)),
        "{}",
        rows[0]
    );
    let html = std::fs::read_to_string(&html).unwrap();
    let findings = html.split("<ul class=\"findings\">").nth(1).unwrap();
    let findings = findings.split("</ul>").next().unwrap();
    assert_eq!(
        findings.matches("list.<wbr>items-per-page").count(),
        1,
        "{findings}"
    );
    assert!(
        findings.contains(&format!("in {per_step} steps")),
        "{findings}"
    );

    let args = [
        "run".to_string(),
        "--base-url".into(),
        server.base_url(),
        "--token".into(),
        crate::support::TOKEN.into(),
    ];
    let out = tokio::task::spawn_blocking(move || {
        crate::support::cli(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let (blocks, summary) = text
        .split_once("Findings, one line per cause")
        .expect("a findings summary");
    let full = blocks
        .lines()
        .filter(|l| l.contains(ID) && l.trim_start().starts_with('✗'))
        .filter(|l| !l.contains("findings shown above") && !l.contains("also here, shown above"))
        .count();
    // A list whose page happens to be full passes, so each run counts its own steps.
    assert_eq!(full, 1, "{text}");
    // The other steps refer to it, and the summary lists it once with every step counted.
    assert!(
        blocks.contains("only repeat findings shown above: ")
            || blocks.contains("also here, shown above: "),
        "{text}"
    );
    let listed: Vec<&str> = summary.lines().filter(|l| l.contains(ID)).collect();
    assert_eq!(listed.len(), 1, "{summary}");
    assert!(
        listed[0].contains(&format!("at {per_step} steps: ")),
        "{}",
        listed[0]
    );
}
