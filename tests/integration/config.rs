//! scimcheck.toml, `--variable`/`--variables-file` as `{{vars.NAME}}`, and `--secret` as
//! `{{secrets.NAME}}`, end to end against the embedded reference server.

use std::process::Output;

use crate::support::cli_in;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn both(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// A scenario whose only finding is a warning: the reference server never answers
/// totalResults -1.
const WARNS: &str = "id: local.warns\ntitle: Warns\nprofile: local\nreference: RFC 7644 §3.4.2\nsteps:\n  - id: list\n    title: List\n    request: { method: GET, path: /Users }\n    expect:\n      status: [200]\n      asserts:\n        - id: local.warns.total\n          pointer: /totalResults\n          equals: -1\n          severity: warning\n          hint: Count -1 users.\n";

/// A project directory: scenarios/warns.yaml and scimcheck.toml with `config`.
fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("scenarios")).unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("scenarios/warns.yaml"), WARNS).unwrap();
    std::fs::write(dir.path().join("scimcheck.toml"), config).unwrap();
    dir
}

const CONFIG: &str = "# what CI runs\nprofile = \"local\"\nscenarios = [\"scenarios\"]\nfail-on = \"warning\"\nreport = [\"junit=out/junit.xml\"]\n";

#[test]
fn a_config_file_sets_profile_scenarios_report_and_fail_on() {
    let dir = project(CONFIG);
    let file = dir.path().join("scimcheck.toml");
    // Run from elsewhere: the file's relative paths are its directory's.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = cli_in(
        elsewhere.path(),
        &["run", "--config", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("· profiles local · config {}", file.display())),
        "{stdout}"
    );
    assert!(stdout.contains("! local.warns.total"), "{stdout}");
    let junit = std::fs::read_to_string(dir.path().join("out/junit.xml")).unwrap();
    assert!(junit.contains("local.warns.total"), "{junit}");
}

#[test]
fn the_working_directorys_scimcheck_toml_is_read_and_flags_win_over_it() {
    let dir = project(CONFIG);
    let out = cli_in(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(
        text(&out.stdout).contains("config ./scimcheck.toml"),
        "{}",
        both(&out)
    );
    // The flag wins over the file's fail-on; the file's other options still hold.
    let out = cli_in(dir.path(), &["run", "--fail-on", "error"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        text(&out.stdout).contains("profiles local"),
        "{}",
        both(&out)
    );
    // A list on the command line replaces the file's list.
    let junit = dir.path().join("out/other.xml");
    let out = cli_in(
        dir.path(),
        &["run", "--report", &format!("junit={}", junit.display())],
    );
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(junit.is_file());
}

#[test]
fn unknown_keys_wrong_types_and_credentials_are_located_errors() {
    let dir = project("profile = \"local\"\n\ncolour = \"never\"\n");
    let out = cli_in(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("scimcheck.toml:3:1: unknown key `colour`"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("scimcheck.toml"),
        "profile = \"local\"\nconcurrency = \"four\"\n",
    )
    .unwrap();
    let out = cli_in(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        text(&out.stderr).contains("scimcheck.toml:2:15: `concurrency`: expected a whole number"),
        "{}",
        both(&out)
    );

    std::fs::write(
        dir.path().join("scimcheck.toml"),
        "profile = \"local\"\ntoken = \"tok-do-not-print\"\n",
    )
    .unwrap();
    let out = cli_in(dir.path(), &["run"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("scimcheck.toml:2:1: `token`"), "{stderr}");
    assert!(stderr.contains("SCIM_TOKEN") && stderr.contains("--token-file"));
    assert!(!both(&out).contains("tok-do-not-print"), "{}", both(&out));
}

#[test]
fn a_missing_config_file_is_an_error_only_when_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli_in(dir.path(), &["run", "--config", "ci/scimcheck.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        text(&out.stderr).contains("--config ci/scimcheck.toml: no such file"),
        "{}",
        both(&out)
    );
}

/// A user scenario that sends a variable and a secret in fields the reference server stores
/// and returns, and checks they come back.
const TENANT: &str = r#"id: local.tenant
title: Tenant values
profile: local
reference: "RFC 7644 §3.3"
steps:
  - id: create
    title: Create the user
    request:
      method: POST
      path: /Users
      headers: { X-Tenant-Key: "{{secrets.key}}" }
      query: { attributes: "userName,title,nickName,externalId" }
      body:
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"]
        userName: "{{user1.userName}}"
        externalId: "{{scenario.prefix}}{{secrets.key}}"
        nickName: "{{secrets.key}}"
        title: "{{vars.tenant}} in {{vars.region}}"
    expect:
      status: [201]
      asserts:
        - id: local.tenant.title
          pointer: /title
          equals: "{{vars.tenant}} in {{vars.region}}"
          hint: Store the title.
        - id: local.tenant.nick
          pointer: /nickName
          equals: "{{secrets.key}}"
          hint: Store the nickName.
        - id: local.tenant.not-other
          pointer: /nickName
          not_equals: "{{vars.tenant}}"
          hint: Keep the fields apart.
"#;

fn tenant_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tenant.yaml"), TENANT).unwrap();
    std::fs::write(
        dir.path().join("tenant.env"),
        "# tenant values\ntenant=acme\n\nregion=eu-west\n",
    )
    .unwrap();
    dir
}

#[test]
fn variables_reach_user_scenarios_and_the_command_line_wins_over_the_file() {
    let dir = tenant_project();
    let out = cli_in(
        dir.path(),
        &[
            "run",
            "--profile",
            "local",
            "--scenarios",
            "tenant.yaml",
            "--variables-file",
            "tenant.env",
            "--variable",
            "tenant=globex",
            "--secret",
            "key=k3y-of-the-tenant",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let body = &report["scenarios"][0]["steps"][0]["exchange"]["request"]["body"];
    assert_eq!(body["title"], "globex in eu-west", "{body}");
    let passed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "passed")
        .filter_map(|c| c["id"].as_str())
        .collect();
    for id in [
        "local.tenant.title",
        "local.tenant.nick",
        "local.tenant.not-other",
    ] {
        assert!(passed.contains(&id), "{id} in {passed:?}");
    }
}

#[test]
fn an_undefined_variable_is_a_load_error_naming_the_file_and_what_to_pass() {
    let dir = tenant_project();
    let file = dir.path().join("tenant.yaml");
    let out = cli_in(
        dir.path(),
        &[
            "run",
            "--profile",
            "local",
            "--scenarios",
            file.to_str().unwrap(),
            "--variable",
            "tenant=acme",
            "--secret",
            "key=k3y-of-the-tenant",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:6:9:", file.display())),
        "{stderr}"
    );
    assert!(stderr.contains("--variable region=VALUE"), "{stderr}");
    let out = cli_in(
        dir.path(),
        &[
            "run",
            "--profile",
            "local",
            "--scenarios",
            "tenant.yaml",
            "--variables-file",
            "tenant.env",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        text(&out.stderr).contains("--secret key=VALUE"),
        "{}",
        both(&out)
    );
}

#[test]
fn a_bad_variables_file_line_is_named_by_file_and_line() {
    let dir = tenant_project();
    std::fs::write(
        dir.path().join("bad.env"),
        "# ok\ntenant=acme\nregion: eu\n",
    )
    .unwrap();
    let out = cli_in(dir.path(), &["run", "--variables-file", "bad.env"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        text(&out.stderr).contains("bad.env:3: expected NAME=VALUE"),
        "{}",
        both(&out)
    );
}

#[test]
fn a_secret_is_sent_but_never_shown_even_when_the_server_echoes_it() {
    const SECRET: &str = "k3y-of-the-tenant";
    let dir = tenant_project();
    let snapshots = dir.path().join("snaps");
    let report = dir.path().join("report.json");
    let html = dir.path().join("report.html");
    let common = [
        "run",
        "--profile",
        "local",
        "--scenarios",
        "tenant.yaml",
        "--variables-file",
        "tenant.env",
    ];
    let secret = format!("key={SECRET}");
    let mut args: Vec<&str> = common.to_vec();
    let report_arg = format!("json={}", report.display());
    let html_arg = format!("html={}", html.display());
    args.extend([
        "--secret",
        &secret,
        "--report",
        &report_arg,
        "--report",
        &html_arg,
        "--snapshots",
        snapshots.to_str().unwrap(),
        "-vv",
    ]);
    let out = cli_in(dir.path(), &args);
    // The asserts compare what was sent with what came back, both redacted: they pass.
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let mut shown = both(&out);
    shown.push_str(&std::fs::read_to_string(&report).unwrap());
    shown.push_str(&std::fs::read_to_string(&html).unwrap());
    for entry in std::fs::read_dir(&snapshots).unwrap() {
        shown.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let exchange = &json["scenarios"][0]["steps"][0]["exchange"];
    assert_eq!(exchange["request"]["body"]["nickName"], "[redacted]");
    assert_eq!(exchange["request"]["headers"]["x-tenant-key"], "[redacted]");
    let response: serde_json::Value =
        serde_json::from_str(exchange["response"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(response["nickName"], "[redacted]", "{response}");
    // A failing assert quotes what it expected: never the secret.
    let fail = TENANT.replace(
        "equals: \"{{secrets.key}}\"",
        "equals: \"not {{secrets.key}}\"",
    );
    std::fs::write(dir.path().join("tenant.yaml"), fail).unwrap();
    let mut args: Vec<&str> = common.to_vec();
    args.extend(["--secret", &secret, "-vv"]);
    let out = cli_in(dir.path(), &args);
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(both(&out).contains("✗ local.tenant.nick"), "{}", both(&out));
    assert!(!both(&out).contains(SECRET), "{}", both(&out));
}

#[test]
fn a_secret_in_an_option_error_is_never_echoed() {
    let dir = tempfile::tempdir().unwrap();
    for spec in ["key=short", "bad name=hunter2-long-value"] {
        let out = cli_in(dir.path(), &["run", "--secret", spec]);
        assert_eq!(out.status.code(), Some(2), "{}", both(&out));
        assert!(text(&out.stderr).contains("--secret"), "{}", both(&out));
        assert!(!both(&out).contains("hunter2"), "{}", both(&out));
        assert!(!both(&out).contains("=short"), "{}", both(&out));
    }
}
