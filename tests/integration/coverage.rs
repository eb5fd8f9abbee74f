//! The HTML report's coverage statement agrees with the run: an area a scenario tested is
//! never called untested, and one the server declined says why.

use serde_json::{json, Value};

use crate::rfc::{is, map_json};
use crate::support::proxy::Faulty;
use crate::support::{cli, TOKEN};

/// Runs `profile` against `base_url` with an HTML and a JSON report; returns both.
async fn reports(base_url: &str, profile: &str) -> (String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("cert.html");
    let json = dir.path().join("run.json");
    let args: Vec<String> = vec![
        "run".into(),
        "--base-url".into(),
        base_url.into(),
        "--token".into(),
        TOKEN.into(),
        "--profile".into(),
        profile.into(),
        "--burst-seconds".into(),
        "1".into(),
        "--report".into(),
        format!("html={}", html.display()),
        "--report".into(),
        format!("json={}", json.display()),
    ];
    let out = tokio::task::spawn_blocking(move || {
        cli(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        std::fs::read_to_string(html).unwrap(),
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap(),
    )
}

/// The coverage section's part for `profile`.
fn profile_section<'a>(html: &'a str, profile: &str) -> &'a str {
    let coverage = html
        .split_once("id=\"coverage\"")
        .expect("a coverage section")
        .1;
    let coverage = coverage.split_once("</section>").unwrap().0;
    let part = coverage
        .split_once(&format!("<h3>Profile {profile}</h3>"))
        .unwrap_or_else(|| panic!("no profile {profile} in {coverage}"))
        .1;
    part.split("<h3>").next().unwrap()
}

/// The areas a request of the JSON report tests, read independently of scimcheck's own
/// table: its method, the path after the base URL, its query and body.
fn areas_of(base: &str, request: &Value) -> Vec<&'static str> {
    let method = request["method"].as_str().unwrap_or_default();
    let url = request["url"].as_str().unwrap_or_default();
    let rest = url.strip_prefix(base).unwrap_or(url);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut areas = vec![];
    if path == "/Bulk" {
        areas.push("Bulk (");
    }
    if path.starts_with("/Groups") {
        areas.push("the Groups endpoint (");
    }
    if method == "DELETE" && path.starts_with("/Users/") {
        areas.push("deleting users (");
    }
    if method == "PUT" && path.starts_with("/Users/") {
        areas.push("replacing a user (");
    }
    if query.split('&').any(|kv| kv.starts_with("filter=")) {
        areas.push("filters (");
    }
    if query.split('&').any(|kv| kv.starts_with("sortBy=")) {
        areas.push("sorting (");
    }
    if path.ends_with("/.search") && method == "POST" {
        areas.push("searching with POST .search (");
    }
    let password_op = request["body"]["Operations"]
        .as_array()
        .is_some_and(|ops| ops.iter().any(|op| op["path"] == "password"));
    if method == "PATCH" && password_op {
        areas.push("password changes (");
    }
    areas
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_area_a_scenario_tested_is_called_untested_in_any_built_in_profile() {
    let server = crate::support::reference_server().await;
    let base = server.base_url().trim_end_matches('/').to_string();
    let (html, report) = reports(&base, "all").await;
    let mut seen = 0;
    for sc in report["scenarios"].as_array().unwrap() {
        let (id, profile) = (sc["id"].as_str().unwrap(), sc["profile"].as_str().unwrap());
        let section = profile_section(&html, profile);
        let (tested, untested) = section
            .split_once("<b>Not tested by this run:</b>")
            .unwrap_or((section, ""));
        for st in sc["steps"].as_array().unwrap() {
            let judged = st["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["status"] != "skipped");
            if !judged {
                continue;
            }
            for area in areas_of(&base, &st["exchange"]["request"]) {
                seen += 1;
                let line = tested
                    .split("<li>")
                    .find(|l| l.starts_with(area))
                    .unwrap_or_else(|| {
                        panic!(
                            "{id} › {} tested {area}…, the report says: {section}",
                            st["id"]
                        )
                    });
                assert!(line.contains(&format!("<code>{id}</code>")), "{id}: {line}");
                assert!(!untested.contains(&format!("<li>{area}")), "{section}");
            }
        }
    }
    assert!(seen > 20, "the run's requests cover the areas: {seen}");
    // What the fixed statement used to deny for the rfc profile.
    let rfc = profile_section(&html, "rfc");
    for (area, by) in [
        ("Bulk (", "rfc.bulk"),
        ("password changes (", "rfc.change-password"),
        ("the Groups endpoint (", "rfc.members"),
    ] {
        let line = rfc.split("<li>").find(|l| l.starts_with(area)).unwrap();
        assert!(
            line.contains(&format!("<code>{by}</code>")) && !line.contains("not tested"),
            "{line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_declared_unsupported_is_not_tested_with_the_server_s_reason() {
    let server = Faulty::start(|req, up| {
        let spc = is(&req, "GET", "/ServiceProviderConfig");
        let resp = up.send(&req);
        if !spc {
            return resp;
        }
        map_json(resp, |b| b["bulk"]["supported"] = json!(false))
    })
    .await;
    let (html, _) = reports(&server.base_url(), "rfc").await;
    let rfc = profile_section(&html, "rfc");
    assert!(
        rfc.contains("<li>Bulk (RFC 7644 §3.7): not tested: the server&#39;s /ServiceProviderConfig says bulk is not supported (rfc.bulk)</li>"),
        "{rfc}"
    );
    assert!(!rfc.contains("<li>Bulk (RFC 7644 §3.7): <code>"), "{rfc}");
    // Everything else the profile sends still ran.
    let groups = rfc
        .split("<li>")
        .find(|l| l.starts_with("the Groups endpoint ("))
        .unwrap();
    assert!(groups.contains("<code>rfc.members</code>"), "{groups}");
}
