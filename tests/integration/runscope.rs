//! `scimcheck run --runscope FILE`: a Runscope export (Okta's SPEC test shape) run as
//! written against the reference server, every comparison and capture, and the ways an
//! export can be refused.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::{cli, failing, reference_server, run_json, TOKEN};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/runscope/okta-spec-shaped.json"
);
const OWN_CHECKS: usize = 49;

/// Every user and group on the server, as `(kind, id, name)`, sorted.
async fn resources(base: &str) -> Vec<(String, String, String)> {
    let http = crate::support::http();
    let mut out = Vec::new();
    for (kind, name) in [("Users", "userName"), ("Groups", "displayName")] {
        let list = http
            .get(format!("{base}/{kind}?count=1000"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let list: Value = serde_json::from_str(&list).unwrap();
        for r in list["Resources"].as_array().cloned().unwrap_or_default() {
            out.push((
                kind.to_string(),
                r["id"].as_str().unwrap().to_string(),
                r[name].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out.sort();
    out
}

fn write(dir: &Path, name: &str, export: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(export).unwrap()).unwrap();
    path
}

fn checks_of<'a>(report: &'a Value, prefix: &str) -> Vec<&'a Value> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with(prefix))
        .collect()
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {:#}", report["checks"]))
}

async fn run_cli(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || cli(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .unwrap()
}

#[tokio::test]
async fn okta_shaped_export_passes_on_an_empty_server_and_leaves_it_empty() {
    let server = reference_server().await;
    let base = server.base_url().to_string();
    let before = resources(&base).await;
    assert_eq!(before, vec![], "the reference server starts empty");
    let (code, report) = run_json(&base, &["--runscope", FIXTURE]).await;
    assert_eq!(failing(&report), vec![], "{report:#}");
    assert_eq!(code, 0);
    let own: Vec<_> = checks_of(&report, "runscope.okta-spec-shaped.")
        .into_iter()
        .filter(|c| !c["id"].as_str().unwrap().ends_with(".status"))
        .collect();
    assert_eq!(own.len(), OWN_CHECKS);
    assert!(own.iter().all(|c| c["status"] == "passed"));
    assert_eq!(
        check(&report, "runscope.okta-spec-shaped.6.1")["message"],
        "status equals 201"
    );
    let scenario = &report["scenarios"][0];
    assert_eq!(scenario["steps"][0]["id"], "seed");
    assert_eq!(scenario["steps"].as_array().unwrap().len(), 13);
    assert_eq!(report["cleanup"]["deleted"].as_array().unwrap().len(), 2);
    // The scimcheck rules ran on the same exchanges.
    assert!(report["checks"].as_array().unwrap().iter().any(|c| c["id"]
        == "rfc7644.error.schemas"
        && c["scenario"] == "runscope.okta-spec-shaped"));
    assert_eq!(resources(&base).await, before);
    server.shutdown().await;
}

#[tokio::test]
async fn human_report_leads_with_the_tests_own_verdict_and_keeps_the_token_out() {
    let server = reference_server().await;
    let base = server.base_url().to_string();
    // A tenant's own user: the export's first step finds it, and it is left alone.
    let created = crate::support::http()
        .post(format!("{base}/Users"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/scim+json")
        .body(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "tenant.user@example.com"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let before = resources(&base).await;
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("r.md");
    let json_report = dir.path().join("r.json");
    let out = run_cli(vec![
        "run".into(),
        "--base-url".into(),
        base.clone(),
        "--token".into(),
        TOKEN.into(),
        "--runscope".into(),
        FIXTURE.into(),
        "--no-runscope-seed".into(),
        "--report".into(),
        format!("markdown={}", md.display()),
        "--report".into(),
        format!("json={}", json_report.display()),
    ])
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "Imported test: Okta SCIM 2.0 SPEC-shaped Test: {OWN_CHECKS}/{OWN_CHECKS} passed"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("scimcheck's rules on the same exchanges:"),
        "{stdout}"
    );
    assert!(!stdout.contains("scimcheck created one user"), "{stdout}");
    // Passing, the imported test is one line; its steps show with -v.
    assert!(
        stdout.lines().any(
            |l| l.starts_with("✓ Okta SCIM 2.0 SPEC-shaped Test  runscope.okta-spec-shaped · ")
        ),
        "{stdout}"
    );
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(
        markdown.contains("Imported test: Okta SCIM 2.0 SPEC-shaped Test: 49/49 passed"),
        "{markdown}"
    );
    for text in [
        stdout.into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        markdown,
        std::fs::read_to_string(&json_report).unwrap(),
    ] {
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
    }
    assert_eq!(resources(&base).await, before);
    server.shutdown().await;
}

/// One request step of an export.
fn request(note: &str, method: &str, url: &str, assertions: Value) -> Value {
    json!({"step_type": "request", "note": note, "method": method, "url": url,
           "headers": {"Authorization": ["{{auth}}"]}, "assertions": assertions})
}

fn assertion(source: &str, property: &str, comparison: &str, value: &str) -> Value {
    json!({"source": source, "property": property, "comparison": comparison, "value": value})
}

#[tokio::test]
async fn every_comparison_and_capture_source_with_runscope_semantics() {
    let server = reference_server().await;
    let base = server.base_url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut create = request(
        "Create",
        "POST",
        "{{SCIMBaseURL}}/Users",
        json!([assertion("response_status", "", "equal", "201")]),
    );
    create["body"] = json!(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "{{randomUsername}}", "name": {"givenName": "{{randomGivenName}}"}, "active": true}).to_string());
    create["variables"] = json!([
        {"source": "response_json", "property": "id", "name": "uid"},
        {"source": "response_header", "property": "ETag", "name": "etag"},
        {"source": "response_status", "name": "created"}
    ]);
    let j = |property: &str, comparison: &str, value: &str| {
        assertion("response_json", property, comparison, value)
    };
    let read = request(
        "Read with every comparison",
        "GET",
        "{{SCIMBaseURL}}/Users/{{uid}}",
        json!([
            assertion("response_status", "", "equal_number", "200.0"),
            j("id", "equal", "{{uid}}"),
            j("active", "equal", "true"),
            j("userName", "not_equal", "someone.else"),
            j("nickName", "empty", ""),
            j("name.givenName", "not_empty", ""),
            j("userName", "contains", "@atko.com"),
            j("userName", "does_not_contain", "@example.com"),
            j("", "has_key", "schemas"),
            j(
                "schemas",
                "has_value",
                "urn:ietf:params:scim:schemas:core:2.0:User"
            ),
            assertion("response_status", "", "is_a_number", ""),
            assertion("response_status", "", "is_less_than", "300"),
            assertion("response_status", "", "is_less_than_or_equal", "200"),
            assertion("response_time", "", "is_greater_than_or_equal", "0"),
            assertion("response_status", "", "is_greater_than", "199"),
            assertion("response_headers", "ETag", "equal", "{{etag}}"),
            j("userName", "equal", "{{randomUsername}}"),
            assertion("response_status", "", "not_equal", "{{created}}")
        ]),
    );
    let wrong = request(
        "Failures are reported the Runscope way",
        "GET",
        "{{SCIMBaseURL}}/Users/{{uid}}",
        json!([
            assertion("response_status", "", "equal", "200"),
            j("userName", "equal", "nobody@atko.com"),
            j("name.givenName", "is_a_number", "")
        ]),
    );
    let wrong_status = request(
        "A wrong status skips the rest",
        "GET",
        "{{SCIMBaseURL}}/Users/{{UserIdThatDoesNotExist}}",
        json!([
            assertion("response_status", "", "equal", "200"),
            j("id", "not_empty", "")
        ]),
    );
    let path = write(
        dir.path(),
        "comparisons.json",
        &json!({"name": "Comparisons", "steps": [create, read, wrong, wrong_status]}),
    );
    let (code, report) = run_json(
        &base,
        &["--runscope", path.to_str().unwrap(), "--no-runscope-seed"],
    )
    .await;
    assert_eq!(code, 1, "{report:#}");
    let read_checks = checks_of(&report, "runscope.comparisons.2.");
    assert_eq!(read_checks.len(), 18);
    for c in &read_checks {
        assert_eq!(c["status"], "passed", "{c:#}");
    }
    let failed: Vec<_> = failing(&report);
    let ids: Vec<&str> = failed.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "runscope.comparisons.3.2",
            "runscope.comparisons.3.3",
            "runscope.comparisons.4.1"
        ],
        "{failed:#?}"
    );
    assert!(
        failed[0]
            .2
            .starts_with("userName equals nobody@atko.com: got scimcheck-"),
        "{}",
        failed[0].2
    );
    assert!(
        failed[1]
            .2
            .starts_with("name.givenName is a number: got Runscope"),
        "{}",
        failed[1].2
    );
    assert_eq!(failed[2].2, "status equals 200: got 404");
    assert_eq!(
        check(&report, "runscope.comparisons.4.2")["status"],
        "skipped"
    );
    assert_eq!(resources(&base).await, vec![]);
    server.shutdown().await;
}

#[tokio::test]
async fn load_errors_name_the_file_and_step_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad_json = dir.path().join("bad.json");
    std::fs::write(&bad_json, "{\"steps\": [\n  {\"method\": \"GET\",}\n]}").unwrap();
    let unknown = write(
        dir.path(),
        "unknown.json",
        &json!({"steps": [
            request("First", "GET", "{{SCIMBaseURL}}/Users", json!([])),
            request("Second", "GET", "{{SCIMBaseURL}}/Users", json!([assertion("response_json", "totalResults", "greater_than", "0")]))
        ]}),
    );
    let wrong_type = write(
        dir.path(),
        "type.json",
        &json!({"steps": [{"method": "GET", "url": "{{SCIMBaseURL}}/Users", "assertions": {"source": "response_status"}}]}),
    );
    for (file, want) in [
        (&bad_json, format!("{}:2:20: not a JSON Runscope export: trailing comma", bad_json.display())),
        (
            &unknown,
            format!("{}: step 2 (\"Second\"): assertion 1: unknown comparison `greater_than` (supported: equal, not_equal, empty, not_empty, contains, does_not_contain, has_key, has_value, is_a_number, equal_number, is_less_than, is_less_than_or_equal, is_greater_than, is_greater_than_or_equal)", unknown.display()),
        ),
        (
            &wrong_type,
            format!("{}:", wrong_type.display()),
        ),
    ] {
        let out = run_cli(vec!["run".into(), "--runscope".into(), file.display().to_string()]).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(&want), "{err}\nwanted: {want}");
    }
    let out = run_cli(vec![
        "run".into(),
        "--runscope".into(),
        wrong_type.display().to_string(),
    ])
    .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("step 1, `assertions`: invalid type: map, expected a sequence"),
        "{err}"
    );
}

#[tokio::test]
async fn an_undefined_variable_stops_the_run_before_any_request() {
    let mock = wiremock::MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "vars.json",
        &json!({"steps": [request("Get", "GET", "{{SCIMBaseURL}}/Users/{{userIdFromElsewhere}}", json!([]))]}),
    );
    let out = run_cli(vec![
        "run".into(),
        "--base-url".into(),
        format!("{}/scim/v2", mock.uri()),
        "--token".into(),
        TOKEN.into(),
        "--runscope".into(),
        path.display().to_string(),
    ])
    .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "step 1 (\"Get\"): the url uses {{userIdFromElsewhere}}, which is not defined"
        ),
        "{err}"
    );
    assert!(
        err.contains("--variable userIdFromElsewhere=VALUE"),
        "{err}"
    );
    assert_eq!(mock.received_requests().await.unwrap_or_default().len(), 0);
}

#[tokio::test]
async fn a_url_leaving_the_target_is_refused_and_never_sent() {
    let server = reference_server().await;
    let base = server.base_url().to_string();
    let elsewhere = wiremock::MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "origin.json",
        &json!({"steps": [
            request("Stays", "GET", "{{SCIMBaseURL}}/Groups", json!([assertion("response_status", "", "equal", "200")])),
            request("Leaves", "GET", "{{other}}/Users", json!([assertion("response_status", "", "equal", "200")])),
            request("Climbs out", "GET", "{{SCIMBaseURL}}/../../admin", json!([]))
        ]}),
    );
    let other = format!("--variable=other={}/scim/v2", elsewhere.uri());
    let (code, report) = run_json(
        &base,
        &[
            "--runscope",
            path.to_str().unwrap(),
            "--no-runscope-seed",
            &other,
        ],
    )
    .await;
    assert_eq!(code, 1);
    let refused: Vec<_> = failing(&report);
    assert_eq!(refused.len(), 2, "{refused:#?}");
    for (id, _, message) in &refused {
        assert_eq!(id, "scimcheck.off-origin");
        assert!(
            message.contains("not under the target's base URL"),
            "{message}"
        );
    }
    assert!(
        refused[0]
            .2
            .starts_with(&format!("GET {}/scim/v2/Users", elsewhere.uri())),
        "{}",
        refused[0].2
    );
    assert_eq!(check(&report, "runscope.origin.1.1")["status"], "passed");
    assert_eq!(check(&report, "runscope.origin.2.1")["status"], "skipped");
    assert_eq!(
        elsewhere
            .received_requests()
            .await
            .unwrap_or_default()
            .len(),
        0
    );
    server.shutdown().await;
}

#[tokio::test]
async fn pauses_are_reported_or_waited_and_scripts_listed() {
    let server = reference_server().await;
    let base = server.base_url().to_string();
    let dir = tempfile::tempdir().unwrap();
    let mut list = request(
        "List",
        "GET",
        "{{SCIMBaseURL}}/Users",
        json!([assertion("response_status", "", "equal", "200")]),
    );
    list["scripts"] = json!([
        "// totals\nvar data = JSON.parse(response.body);\nassert.equal(data.totalResults, 0);"
    ]);
    let path = write(
        dir.path(),
        "pause.json",
        &json!({"steps": [{"step_type": "pause", "duration": 0.3}, list]}),
    );
    let (code, report) = run_json(
        &base,
        &["--runscope", path.to_str().unwrap(), "--no-runscope-seed"],
    )
    .await;
    assert_eq!(code, 0, "{report:#}");
    let pause = &report["scenarios"][0]["steps"][0];
    assert_eq!(pause["title"], "Pause 0.3 s");
    assert!(pause["skipped"]
        .as_str()
        .unwrap()
        .contains("not waited (--runscope-pauses waits)"));
    let script = check(&report, "runscope.pause.2.script-1");
    assert_eq!(script["status"], "skipped");
    assert_eq!(
        script["message"],
        "a script after the response was not run (scimcheck runs no JavaScript): // totals"
    );
    let (code, report) = run_json(
        &base,
        &[
            "--runscope",
            path.to_str().unwrap(),
            "--no-runscope-seed",
            "--runscope-pauses",
        ],
    )
    .await;
    assert_eq!(code, 0);
    assert!(report["scenarios"][0]["steps"][0].get("skipped").is_none());
    assert!(report["duration_ms"].as_u64().unwrap() >= 300);
    server.shutdown().await;
}
