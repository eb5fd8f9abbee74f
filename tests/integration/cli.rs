//! The command line: exit codes, messages, and the report contract.

use std::io::Write;

use serde_json::Value;

use crate::support::cli;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_lists_the_commands_and_exit_codes() {
    let out = cli(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for word in ["run", "serve", "list", "Exit codes"] {
        assert!(text.contains(word), "{text}");
    }
}

#[test]
fn broken_scenario_file_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.yaml");
    let mut f = std::fs::File::create(&path).unwrap();
    write!(f, "id: my.scenario\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request:\n      method: GET\n      path: /Users\n    expect:\n      statuss: [200]\n").unwrap();
    let out = cli(&["run", "--scenarios", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{}:12:7: unknown field `statuss`, expected one of status",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn undefined_variable_in_scenario_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("v.yaml"), "id: my.vars\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request:\n      method: GET\n      path: /Users/{{user_idd}}\n").unwrap();
    let out = cli(&["list", "--scenarios", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let file = dir.path().join("v.yaml");
    assert!(stderr(&out).contains(&format!("{}:6:9: scenario `my.vars`, step `s`: `{{{{user_idd}}}}` is neither a built-in variable nor captured by an earlier step", file.display())), "{}", stderr(&out));
}

#[test]
fn rules_checked_after_parsing_still_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.yaml");
    std::fs::write(&file, "id: my.checks\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n    expect:\n      checks:\n        - rfc7644.list-response\n        - rfc7644.no-such-check\n").unwrap();
    let out = cli(&["list", "--scenarios", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!(
            "{}:12:11: unknown named check `rfc7644.no-such-check`",
            file.display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn named_check_arguments_are_typed_and_asserts_take_one_operator() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.yaml");
    std::fs::write(&file, "id: my.checks\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n    expect:\n      checks:\n        - { id: rfc7644.error-response, args: { scim_type_severity: Error } }\n").unwrap();
    let out = cli(&["list", "--scenarios", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:11:11:", file.display())), "{err}");
    assert!(err.contains("unknown variant `Error`"), "{err}");
    std::fs::write(&file, "id: my.checks\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n    expect:\n      asserts:\n        - { id: a.b, pointer: /x, equals: 1, exists: true, hint: h }\n").unwrap();
    let out = cli(&["list", "--scenarios", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:11:11:", file.display())), "{err}");
    assert!(err.contains("needs exactly one of equals"), "{err}");
}

#[test]
fn unknown_profile_is_a_usage_error() {
    let out = cli(&["run", "--profile", "okta,octa"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown profile `octa`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_report_spec_is_a_usage_error() {
    let out = cli(&["run", "--report", "pdf=x.pdf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown kind `pdf`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreachable_target_exits_3() {
    // Bind then drop: the port is closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/scim/v2");
    let out = cli(&["run", "--base-url", &url, "--token", "x", "--timeout", "5"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cannot connect to 127.0.0.1:{port} (connection refused): is the server running?"
        )),
        "{err}"
    );
    // A person acts on the cause, not on the HTTP client's error chain.
    assert!(!err.contains("error sending request"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_credentials_exit_3_without_echoing_the_token() {
    let server = crate::support::reference_server().await;
    let url = server.base_url().to_string();
    let out = tokio::task::spawn_blocking(move || {
        cli(&["run", "--base-url", &url, "--token", "wrong-secret-value"])
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("rejected the credentials"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("wrong-secret-value")
            && !stdout(&out).contains("wrong-secret-value")
    );
    server.shutdown().await;
}

#[test]
fn default_run_uses_the_embedded_server_and_passes() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let out = cli(&["run", "--report", &format!("json={}", report.display())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(text.contains("(embedded reference server)"), "{text}");
    assert!(text.contains(" 0 failed, 0 warnings"), "{text}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    for key in [
        "run_id",
        "target",
        "profiles",
        "summary",
        "checks",
        "scenarios",
        "report_version",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    for key in ["passed", "failed", "warnings", "skipped"] {
        assert!(json["summary"][key].is_u64(), "summary.{key}");
    }
    assert!(json["summary"]["passed"].as_u64().unwrap() > 100);
    assert_eq!(json["profiles"], serde_json::json!(["okta"]));
    let check = &json["checks"][0];
    for key in [
        "id",
        "scenario",
        "step",
        "status",
        "severity",
        "reference",
        "message",
    ] {
        assert!(check[key].is_string(), "checks[0].{key}");
    }
    // Every resource the run created was deleted.
    assert!(json["cleanup"]["failed"].as_array().unwrap().is_empty());
    assert!(!json["cleanup"]["deleted"].as_array().unwrap().is_empty());
}

#[test]
fn json_flag_prints_only_json() {
    let out = cli(&["run", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(json["summary"]["failed"], 0);
}

#[test]
fn every_report_format_from_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let out = cli(&[
        "run",
        "--report",
        &format!("json={}", path("r.json")),
        "--report",
        &format!("junit={}", path("r.xml")),
        "--report",
        &format!("markdown={}", path("r.md")),
        "--report",
        &format!("html={}", path("r.html")),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(path("r.json")).unwrap()).unwrap();
    let xml = std::fs::read_to_string(path("r.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let total = json["summary"]["passed"].as_u64().unwrap()
        + json["summary"]["warnings"].as_u64().unwrap()
        + json["summary"]["skipped"].as_u64().unwrap();
    assert_eq!(
        root.attribute("tests").unwrap().parse::<u64>().unwrap(),
        total,
        "one testcase per check"
    );
    assert_eq!(root.attribute("failures"), Some("0"));
    let suites = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .count();
    assert_eq!(
        suites,
        json["scenarios"].as_array().unwrap().len(),
        "one testsuite per scenario"
    );
    let md = std::fs::read_to_string(path("r.md")).unwrap();
    assert!(md.starts_with("## scimcheck: ✅ passed"), "{md}");
    let html = std::fs::read_to_string(path("r.html")).unwrap();
    assert!(
        html.starts_with("<!doctype html>")
            && html.contains("Conformance report")
            && html.contains("okta.users.create")
    );
}

#[test]
fn fail_on_and_exit_codes_with_a_failing_scenario() {
    // A user scenario whose assert the reference server cannot meet: a real failure.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("strict.yaml"),
        "id: local.strict\ntitle: Strict\nprofile: okta\nreference: local rule\nsteps:\n  - id: list\n    title: List\n    request:\n      method: GET\n      path: /Users\n    expect:\n      status: [200]\n      asserts:\n        - id: local.must-have-many\n          pointer: /totalResults\n          equals: 1000000\n          hint: have a million users\n        - id: local.nice-to-have\n          pointer: /itemsPerPage\n          equals: 999\n          severity: warning\n          hint: nice\n",
    )
    .unwrap();
    let scenarios = dir.path().to_str().unwrap();
    assert_eq!(
        cli(&["run", "--scenarios", scenarios]).status.code(),
        Some(1)
    );
    let out = cli(&["run", "--scenarios", scenarios, "--json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["failed"], 1);
    assert_eq!(json["summary"]["warnings"], 1);
    // The warning alone: passes at --fail-on error, fails at --fail-on warning.
    std::fs::write(
        dir.path().join("strict.yaml"),
        std::fs::read_to_string(dir.path().join("strict.yaml"))
            .unwrap()
            .replace("equals: 1000000", "type: integer"),
    )
    .unwrap();
    assert_eq!(
        cli(&["run", "--scenarios", scenarios, "--fail-on", "error"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        cli(&["run", "--scenarios", scenarios, "--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn list_names_every_check_a_run_reports() {
    let listed = stdout(&cli(&["list"]));
    let patterns: Vec<&str> = listed
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| w.ends_with('*') || w.starts_with("<scenario>"))
        .collect();
    let run = cli(&["run", "--json"]);
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    for check in report["checks"].as_array().unwrap() {
        let id = check["id"].as_str().unwrap();
        let literal = listed
            .split(|c: char| c.is_whitespace() || c == ',')
            .any(|w| w == id);
        let by_pattern = patterns.iter().any(|p| {
            if p.starts_with('<') {
                id.ends_with(".status")
            } else {
                id.starts_with(p.trim_end_matches('*'))
            }
        });
        assert!(literal || by_pattern, "`{id}` is not in `scimcheck list`");
    }
}

#[test]
fn an_exported_scim_token_does_not_block_the_other_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "from-the-file\n").unwrap();
    let out = assert_cmd::Command::cargo_bin("scimcheck")
        .unwrap()
        .args([
            "run",
            "--base-url",
            "http://127.0.0.1:9/scim/v2",
            "--token-file",
        ])
        .arg(&file)
        .env("SCIM_TOKEN", "from-the-environment")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    // Port 9 is closed: the options were accepted and the target was tried.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

#[test]
fn bad_options_are_usage_errors_not_panics_or_unreachable_targets() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "--max-rps", "1e-300"], "is not a rate"),
        (
            &[
                "run",
                "--base-url",
                "http://127.0.0.1:9/scim/v2",
                "--header",
                "X-Key: a\u{1}b",
            ],
            "control character",
        ),
        (
            &[
                "run",
                "--base-url",
                "http://127.0.0.1:9/scim/v2",
                "--proxy",
                "notaurl",
            ],
            "--proxy",
        ),
        (
            &["run", "--base-url", "/scim/v2"],
            "give the absolute SCIM root",
        ),
        (&["serve", "--token", ""], "the token is empty"),
        (
            &["run", "--snapshot-drift", "warning"],
            "--snapshot-drift needs --snapshots DIR",
        ),
    ];
    for (args, message) in cases {
        let out = cli(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn serve_on_a_port_in_use_is_a_usage_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = cli(&["serve", "--port", &port]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot listen on"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn list_describes_every_built_in_profile_and_marks_the_opt_in_ones() {
    let out = cli(&["list", "--profile", "rfc"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for line in [
        "okta  Okta's provisioning traffic, replayed",
        "concurrency  IdP traffic in parallel, judged by the end state (opt-in, not in all)",
        "scale  large groups and large directories the way Okta and Entra push them (opt-in, not in all)",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    assert!(!text
        .contains("rfc  the wider rules of RFC 7643 and RFC 7644, beyond the IdP flows (opt-in"));
    let json: Value = serde_json::from_slice(&cli(&["list", "--json"]).stdout).unwrap();
    let rows: Vec<(String, bool)> = json["builtin_profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p["in_all"] == true))
        .collect();
    let expected = [
        ("okta", true),
        ("entra", true),
        ("rfc", true),
        ("concurrency", false),
        ("scale", false),
    ];
    assert_eq!(rows, expected.map(|(n, all)| (n.to_string(), all)).to_vec());
    // `all`, the default of `list`, is the three conformance profiles.
    assert_eq!(
        json["profiles"],
        serde_json::json!(["okta", "entra", "rfc"])
    );
}

#[test]
fn list_shows_the_ids_the_run_itself_decides() {
    let text = stdout(&cli(&["list"]));
    for (id, reference, when) in [
        (
            "rfc7644.resource.same-resource",
            "RFC 7644 §3.4.1, §3.5.1, §3.5.2",
            "a read or write of a resource this run created, answered with another resource",
        ),
        (
            "scimcheck.off-origin",
            "scimcheck safety: requests and credentials go only to the target",
            "a step whose URL leaves the target's base URL (it is not sent)",
        ),
        (
            "scimcheck.internal-error",
            "scimcheck",
            "a step or scenario during which scimcheck itself failed",
        ),
        (
            "rfc7644.create.new-resource",
            "RFC 7644 §3.3",
            "a create answered 2xx",
        ),
    ] {
        assert!(
            text.contains(&format!("{id}  ({reference})")),
            "{id}\n{text}"
        );
        assert!(text.contains(&format!("    when: {when}")), "{when}");
    }
    let json: Value = serde_json::from_slice(&cli(&["list", "--json"]).stdout).unwrap();
    let rule = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "scimcheck.off-origin")
        .expect("off-origin has a row");
    assert_eq!(
        rule["when"],
        "a step whose URL leaves the target's base URL (it is not sent)"
    );
    assert!(rule["part_of"].is_null());
}

#[test]
fn help_and_completions_name_the_opt_in_profiles() {
    let help = stdout(&cli(&["run", "--help"]));
    assert!(
        help.contains("concurrency and scale are opt-in, run only when named"),
        "{help}"
    );
    let zsh = stdout(&cli(&["completions", "zsh"]));
    assert!(
        zsh.contains(r#"concurrency\:"IdP traffic in parallel, judged by the end state (opt-in, not in all)""#),
        "{zsh}"
    );
    let bash = stdout(&cli(&["completions", "bash"]));
    assert!(
        bash.contains("okta entra rfc all concurrency scale"),
        "{bash}"
    );
}
