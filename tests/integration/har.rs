//! HAR both ways: a run written with `--report har`, and `scimcheck import har` turning that
//! file (the harness as its own IdP) or a browser's capture into a scenario that replays.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::flawed::{self, Flaw};
use crate::support::{cli, reference_server, run_json, TOKEN};

const BROWSER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/har/browser.har"
);
/// Sent as an extra header, so a secret the run really sends: it must not reach the HAR.
const HEADER_SECRET: &str = "hdr-secret-5b1e77";

async fn cli_async(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || cli(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .expect("cli task")
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// Runs the okta profile against a fresh reference server with `--report har=DIR/run.har`.
async fn okta_har(dir: &Path) -> PathBuf {
    let server = reference_server().await;
    let har = dir.join("run.har");
    let (code, _) = run_json(
        server.base_url(),
        &[
            "--profile",
            "okta",
            "--header",
            &format!("X-Api-Key: {HEADER_SECRET}"),
            "--report",
            &format!("har={}", har.display()),
        ],
    )
    .await;
    assert_eq!(
        code, 0,
        "the okta profile passes against the reference server"
    );
    har
}

/// Asserts the HAR 1.2 members every entry must have.
fn assert_har_12(har: &Value) {
    let log = &har["log"];
    assert_eq!(log["version"], "1.2");
    assert_eq!(log["creator"]["name"], "scimcheck");
    assert!(log["creator"]["version"].is_string());
    let entries = log["entries"].as_array().expect("entries");
    assert!(
        entries.len() > 20,
        "every step's exchange: {}",
        entries.len()
    );
    for e in entries {
        let started = e["startedDateTime"].as_str().expect("startedDateTime");
        assert!(
            time::OffsetDateTime::parse(started, &time::format_description::well_known::Rfc3339)
                .is_ok(),
            "ISO 8601: {started}"
        );
        assert!(e["time"].is_number());
        for key in [
            "method",
            "url",
            "httpVersion",
            "cookies",
            "headers",
            "queryString",
            "headersSize",
            "bodySize",
        ] {
            assert!(!e["request"][key].is_null(), "request.{key}: {e}");
        }
        for key in [
            "status",
            "statusText",
            "httpVersion",
            "cookies",
            "headers",
            "content",
            "redirectURL",
            "headersSize",
            "bodySize",
        ] {
            assert!(!e["response"][key].is_null(), "response.{key}: {e}");
        }
        assert!(e["response"]["content"]["size"].is_number());
        assert!(e["response"]["content"]["mimeType"].is_string());
        assert!(e["cache"].is_object());
        for key in ["send", "wait", "receive"] {
            assert!(e["timings"][key].as_f64().unwrap() >= 0.0, "timings.{key}");
        }
    }
}

#[tokio::test]
async fn an_okta_run_as_har_holds_every_step_and_no_credential() {
    let dir = tempfile::tempdir().unwrap();
    let path = okta_har(dir.path()).await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(TOKEN), "the token is not in the HAR");
    assert!(
        !text.contains(HEADER_SECRET),
        "a --header value is not in the HAR"
    );
    let har: Value = serde_json::from_str(&text).unwrap();
    assert_har_12(&har);
    let authorizations: Vec<&str> = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["request"]["headers"].as_array().unwrap())
        .filter(|h| h["name"] == "authorization")
        .map(|h| h["value"].as_str().unwrap())
        .collect();
    assert!(authorizations.contains(&"Bearer [redacted]"));
    let pages = har["log"]["pages"].as_array().unwrap();
    assert!(
        pages.iter().any(|p| p["id"] == "okta.users.create"),
        "a page per scenario"
    );
}

#[tokio::test]
async fn an_imported_okta_har_replays_clean_and_finds_a_server_ignoring_active() {
    let dir = tempfile::tempdir().unwrap();
    let har = okta_har(dir.path()).await;
    let out = dir.path().join("okta.yaml");
    let imported = cli_async(strings(&[
        "import",
        "har",
        har.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--id",
        "recorded.okta-cycle",
    ]))
    .await;
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        text(&imported.stderr)
    );
    let said = text(&imported.stdout);
    assert!(said.contains("wrote "), "{said}");
    let yaml = std::fs::read_to_string(&out).unwrap();
    assert!(!yaml.contains(TOKEN), "no token in the scenario");
    assert!(!yaml.contains(HEADER_SECRET));
    scimcheck::scenario::parse(out.to_str().unwrap(), &yaml).expect("the file loads");

    let fresh = reference_server().await;
    let (code, report) = run_json(fresh.base_url(), &["--scenarios", out.to_str().unwrap()]).await;
    assert_eq!(
        (code, report["summary"]["failed"].as_u64()),
        (0, Some(0)),
        "{:#?}",
        crate::support::failing(&report)
    );

    let flawed = flawed::start(&[Flaw::IgnoresDeactivation]).await;
    let (code, report) = run_json(&flawed.base_url, &["--scenarios", out.to_str().unwrap()]).await;
    assert_eq!(
        code, 1,
        "a server that answers a deactivation 200 and leaves the user active fails the replay"
    );
    let failing = crate::support::failing(&report);
    assert!(
        !failing.is_empty() && failing.iter().all(|(id, _, _)| id.ends_with(".active")),
        "the replay's asserts of `active` fail, and only they: {failing:#?}"
    );
    assert!(
        failing
            .iter()
            .any(|(_, _, message)| message.contains("expected false")),
        "the deactivation a PATCH sent is missed: {failing:#?}"
    );
}

#[tokio::test]
async fn a_browser_har_keeps_its_scim_requests_and_lists_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("browser.yaml");
    let imported = cli_async(strings(&[
        "import",
        "har",
        BROWSER,
        "--out",
        out.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        text(&imported.stderr)
    );
    let said = text(&imported.stdout);
    for line in [
        "left out 4 of 7 entries:",
        "GET https://admin.example.com/static/app.4f2c.js: not a SCIM request",
        "GET https://admin.example.com/favicon.ico: not a SCIM request",
        "OPTIONS https://scim.example.com/scim/v2/Users: a method SCIM does not use",
        "GET https://scim.example.com/scim/v2/Users/u-1: no response (net::ERR_NETWORK_CHANGED)",
        "with 3 steps from 3 SCIM requests to https://scim.example.com/scim/v2",
    ] {
        assert!(said.contains(line), "{line}\n{said}");
    }
    let yaml = std::fs::read_to_string(&out).unwrap();
    assert!(!yaml.contains("browser-session-token-7f3a9c"), "{yaml}");
    let scenario = scimcheck::scenario::parse("browser.yaml", &yaml).expect("the file loads");
    assert_eq!(scenario.id.as_str(), "recorded.browser");
    assert_eq!(scenario.steps.len(), 3);

    let server = reference_server().await;
    let (code, report) = run_json(server.base_url(), &["--scenarios", out.to_str().unwrap()]).await;
    assert_eq!(
        code,
        0,
        "the capture replays: {:#?}",
        crate::support::failing(&report)
    );

    let secret_out = dir.path().join("secret.yaml");
    let imported = cli_async(strings(&[
        "import",
        "har",
        BROWSER,
        "--out",
        secret_out.to_str().unwrap(),
        "--secret",
        "Lee",
    ]))
    .await;
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        text(&imported.stderr)
    );
    let yaml = std::fs::read_to_string(&secret_out).unwrap();
    assert!(
        !yaml.contains("Lee"),
        "a --secret value is not written: {yaml}"
    );
    let (code, report) = run_json(
        server.base_url(),
        &["--scenarios", secret_out.to_str().unwrap()],
    )
    .await;
    assert_eq!(
        code,
        0,
        "the capture replays: {:#?}",
        crate::support::failing(&report)
    );
}

#[tokio::test]
async fn bad_hars_are_refused_with_where_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.yaml");
    let cases: [(&str, &str, &str); 4] = [
        (
            "broken.har",
            "{\n  \"log\": {\n    \"version\": \"1.2\",,\n",
            "broken.har:3:",
        ),
        ("other.json", "{\"steps\": []}", "missing field `log`"),
        (
            "future.har",
            "{\n  \"log\": {\n    \"version\": \"2.0\",\n    \"entries\": []\n  }\n}",
            "future.har:3: log.version is `2.0`",
        ),
        (
            "no-scim.har",
            r#"{"log": {"version": "1.2", "creator": {"name": "x", "version": "1"}, "entries": [
              {"startedDateTime": "2026-03-01T10:00:00Z", "time": 1,
               "request": {"method": "GET", "url": "https://example.com/index.html", "headers": []},
               "response": {"status": 200, "content": {}}}]}}"#,
            "no SCIM request to replay among its 1 entry",
        ),
    ];
    for (name, content, expected) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, content).unwrap();
        let result = cli_async(strings(&[
            "import",
            "har",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]))
        .await;
        let stderr = text(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!out.exists(), "{name}: nothing written");
    }
    let missing = cli_async(strings(&[
        "import",
        "har",
        dir.path().join("absent.har").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("cannot read"));
}

/// A fan-out's every request is an entry, so the HAR carries the request mix (for k6).
#[tokio::test]
async fn every_request_of_a_fan_out_is_an_entry() {
    let dir = tempfile::tempdir().unwrap();
    let server = reference_server().await;
    let har = dir.path().join("run.har");
    let (code, _) = run_json(
        server.base_url(),
        &[
            "--profile",
            "concurrency",
            "--scenario",
            "concurrency.member-adds",
            "--parallel",
            "8",
            "--report",
            &format!("har={}", har.display()),
        ],
    )
    .await;
    assert_eq!(code, 0);
    let har: Value = serde_json::from_str(&std::fs::read_to_string(&har).unwrap()).unwrap();
    assert_har_12(&har);
    let entries = har["log"]["entries"].as_array().unwrap();
    let of_a_set: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["comment"].as_str())
        .filter(|c| c.contains("of the set)"))
        .collect();
    // 8 users created, then 8 member adds to each of the two groups, at least.
    assert!(of_a_set.len() >= 24, "{of_a_set:#?}");
    assert!(!entries
        .iter()
        .filter_map(|e| e["comment"].as_str())
        .any(|c| c.contains("the first of")));
}
