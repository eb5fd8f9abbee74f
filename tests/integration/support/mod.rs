//! Shared helpers: the CLI as a subprocess, its JSON report, and wiremock servers that
//! forward to the reference server and break one behaviour on the way.

pub mod proxy;
pub mod raw;

use std::collections::BTreeSet;
use std::process::Output;

use serde_json::Value;

pub const TOKEN: &str = "integration-test-token";

/// A reference server on an ephemeral loopback port that accepts only [`TOKEN`].
pub async fn reference_server() -> scimcheck::server::RunningServer {
    server_with(scimcheck::server::Behaviour::reference()).await
}

/// A server making the choices of `behaviour` (the reference or the alternative), on an
/// ephemeral loopback port, accepting only [`TOKEN`].
pub async fn server_with(
    behaviour: scimcheck::server::Behaviour,
) -> scimcheck::server::RunningServer {
    let config = scimcheck::server::ServerConfig {
        token: Some(TOKEN.into()),
        log_requests: false,
        behaviour,
    };
    scimcheck::server::RunningServer::start(([127, 0, 0, 1], 0).into(), config)
        .await
        .expect("server starts")
}

/// The scimcheck binary with `args`, without the caller's SCIM environment or colours, and
/// stopped after two minutes.
fn command(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("scimcheck").expect("binary builds");
    cmd.args(args)
        .env_remove("SCIM_TOKEN")
        .env_remove("SCIM_BASE_URL")
        .env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(120));
    cmd
}

/// Runs the scimcheck binary with `args` (blocking; call from `spawn_blocking`).
pub fn cli(args: &[&str]) -> Output {
    command(args).output().expect("scimcheck runs")
}

/// Runs the scimcheck binary with `args` in `dir`, where it looks for scimcheck.toml and
/// resolves relative paths (blocking).
pub fn cli_in(dir: &std::path::Path, args: &[&str]) -> Output {
    command(args)
        .current_dir(dir)
        .output()
        .expect("scimcheck runs")
}

/// Runs `scimcheck run --json` against `base_url` and parses the report.
pub async fn run_json(base_url: &str, extra: &[&str]) -> (i32, Value) {
    let mut args: Vec<String> = vec![
        "run".into(),
        "--base-url".into(),
        base_url.into(),
        "--token".into(),
        TOKEN.into(),
        "--json".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = tokio::task::spawn_blocking(move || {
        cli(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .expect("cli task");
    let code = out.status.code().expect("exit code");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}); exit {code}\nstderr: {}\nstdout: {}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (code, report)
}

/// Ids of checks that failed or warned, with the scenario and message, for assertions.
pub fn failing(report: &Value) -> Vec<(String, String, String)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| matches!(c["status"].as_str(), Some("failed" | "warning")))
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["scenario"].as_str().unwrap().to_string(),
                c["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub fn failing_ids(report: &Value) -> BTreeSet<String> {
    failing(report).into_iter().map(|(id, _, _)| id).collect()
}

/// Asserts that each of `must` failed (or warned), and that nothing outside `allowed`
/// (which includes `must`) did: the defect is found, and only the defect.
pub fn assert_findings(report: &Value, must: &[&str], allowed: &[&str]) {
    let got = failing_ids(report);
    for id in must {
        assert!(
            got.contains(*id),
            "expected check `{id}` to fail; failing checks: {:#?}",
            failing(report)
        );
    }
    let unexpected: Vec<_> = failing(report)
        .into_iter()
        .filter(|(id, _, _)| !must.contains(&id.as_str()) && !allowed.contains(&id.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unrelated checks failed: {unexpected:#?}"
    );
}

/// Every check of the report with id `id`, in any scenario.
pub fn checks_with_id<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["id"] == id)
        .collect()
}

/// Check `id` of `scenario` (first occurrence); the test fails when there is none.
pub fn check_of<'a>(report: &'a Value, scenario: &str, id: &str) -> &'a Value {
    checks_with_id(report, id)
        .into_iter()
        .find(|c| c["scenario"] == scenario)
        .unwrap_or_else(|| panic!("no check `{id}` in `{scenario}`"))
}

/// Asserts that `scenario` reported checks and that every one was skipped with a message
/// holding `because`.
pub fn assert_all_skipped(report: &Value, scenario: &str, because: &str) {
    let checks: Vec<&Value> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["scenario"] == scenario)
        .collect();
    assert!(!checks.is_empty(), "{scenario} reports its checks");
    for c in checks {
        assert_eq!(c["status"], "skipped", "{c}");
        let message = c["message"].as_str().unwrap();
        assert!(message.contains(because), "{message}");
    }
}

/// The status of check `id` in `scenario` (first occurrence).
pub fn status_of(report: &Value, scenario: &str, id: &str) -> Option<String> {
    report["checks"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == id && c["scenario"] == scenario)
        .and_then(|c| c["status"].as_str())
        .map(str::to_string)
}

/// An HTTP client for tests that talk to a server directly. scimcheck builds reqwest without
/// a crypto provider and makes ring's the process default; a test that builds its own client
/// does the same first.
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
