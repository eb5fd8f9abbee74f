//! The command line as users of other test runners expect it: nothing checked is not a pass,
//! actionable errors, choosing what runs, streaming output, configuration files.

use crate::support::cli;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scenario_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_in_which_no_check_ran_exits_4() {
    // A server that says it does not support bulk: every step is skipped.
    let server = crate::support::proxy::Faulty::start(|req, up| {
        let spc = req.method == "GET" && req.path().ends_with("/ServiceProviderConfig");
        let mut resp = up.send(&req);
        if let (true, Some(mut body)) = (spc, resp.json()) {
            body["bulk"]["supported"] = serde_json::json!(false);
            resp.set_json(&body);
        }
        resp
    })
    .await;
    let dir = scenario_dir(&[(
        "bulk.yaml",
        "id: local.bulk\ntitle: Bulk\nprofile: local\nreference: RFC 7644 §3.7\nrequires: [bulk]\nsteps:\n  - id: list\n    title: List\n    request: { method: GET, path: /Users }\n",
    )]);
    let args: Vec<String> = [
        "run",
        "--base-url",
        &server.base_url(),
        "--token",
        crate::support::TOKEN,
        "--profile",
        "local",
        "--scenarios",
        dir.path().to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = tokio::task::spawn_blocking(move || {
        cli(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("no check ran"), "{}", stderr(&out));
}

#[test]
fn a_step_that_could_never_be_sent_is_a_load_error() {
    let text = "id: local.unsafe\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: list\n    title: List\n    request: { method: GET, path: /Users }\n  - id: delete\n    title: Delete someone\n    request: { method: DELETE, path: /Users/2819c223 }\n";
    let dir = scenario_dir(&[("unsafe.yaml", text)]);
    let file = dir.path().join("unsafe.yaml");
    let out = cli(&["run", "--scenarios", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "{}:9:9: scenario `local.unsafe`, step `delete`: DELETE /Users/2819c223",
            file.display()
        )),
        "{}",
        stderr(&out)
    );
    let text = "id: local.unprefixed\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: create\n    title: Create\n    request:\n      method: POST\n      path: /Users\n      body: { userName: alice@example.com }\n";
    std::fs::write(&file, text).unwrap();
    let out = cli(&["run", "--scenarios", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("{}:6:9:", file.display()))
            && stderr(&out).contains("run prefix"),
        "{}",
        stderr(&out)
    );
}

async fn not_a_scim_root(status: u16, content_type: &str, body: &str) -> (i32, String) {
    use wiremock::{matchers::any, Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("content-type", content_type)
                .set_body_string(body),
        )
        .mount(&server)
        .await;
    let url = format!("{}/app", server.uri());
    let out = tokio::task::spawn_blocking(move || {
        cli(&["run", "--base-url", &url, "--token", "t", "--timeout", "5"])
    })
    .await
    .unwrap();
    (out.status.code().unwrap(), stderr(&out))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base_url_that_is_not_the_scim_root_exits_3_with_a_hint() {
    let (code, err) = not_a_scim_root(404, "text/plain", "Not Found").await;
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("/app/Users answered 404"), "{err}");
    assert!(
        err.contains("is --base-url the SCIM root (…/scim/v2)?"),
        "{err}"
    );
    let (code, err) = not_a_scim_root(200, "text/html", "<!doctype html><p>Welcome</p>").await;
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("200 with an HTML page"), "{err}");
    assert!(err.contains("is --base-url the SCIM root"), "{err}");
}

fn run_json_args(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["run", "--json"];
    all.extend_from_slice(args);
    let out = cli(&all);
    let report =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (out.status.code().unwrap(), report)
}

fn scenario_ids(report: &serde_json::Value) -> Vec<String> {
    report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn scenario_and_skip_globs_choose_what_runs() {
    let (code, report) = run_json_args(&["--scenario", "okta.users.*", "--skip", "*.import"]);
    assert_eq!(code, 0);
    let ids = scenario_ids(&report);
    assert!(!ids.is_empty());
    assert!(
        ids.iter().all(|id| id.starts_with("okta.users.")),
        "{ids:?}"
    );
    assert!(!ids.iter().any(|id| id.ends_with(".import")), "{ids:?}");
    // A pattern that matches nothing is a usage error that says where it would match.
    let out = cli(&["run", "--scenario", "entra.users.create*"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("add --profile entra"),
        "{}",
        stderr(&out)
    );
}

const PASSING: &str = "title: t\nprofile: acme\nreference: r\nsteps:\n  - id: list\n    title: List\n    request: { method: GET, path: /Users }\n    expect: { status: [200] }\n";
const FAILING: &str = "title: t\nprofile: acme\nreference: r\nsteps:\n  - id: list\n    title: List\n    request: { method: GET, path: /Users }\n    expect: { status: [418] }\n";

#[test]
fn user_scenarios_from_files_and_directories_run_under_their_own_profile() {
    let dir = scenario_dir(&[("a.yaml", &format!("id: acme.a\n{PASSING}"))]);
    let single = tempfile::NamedTempFile::with_suffix(".yaml").unwrap();
    std::fs::write(single.path(), format!("id: acme.b\n{PASSING}")).unwrap();
    let (code, report) = run_json_args(&[
        "--profile",
        "acme",
        "--scenarios",
        dir.path().to_str().unwrap(),
        "--scenarios",
        single.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(scenario_ids(&report), ["acme.a", "acme.b"]);
    assert_eq!(report["profiles"], serde_json::json!(["acme"]));
    // The name is known only from the files: without them it is a typo.
    let out = cli(&["run", "--profile", "acme"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown profile `acme`"),
        "{}",
        stderr(&out)
    );
}

/// A file given without --profile runs alone, under the profile it names; with a --profile
/// that leaves it out, the run refuses to start rather than ignore it.
#[test]
fn a_scenario_file_given_alone_runs_and_one_no_profile_selects_is_refused() {
    let single = tempfile::NamedTempFile::with_suffix(".yaml").unwrap();
    std::fs::write(single.path(), format!("id: acme.b\n{PASSING}")).unwrap();
    let file = single.path().to_str().unwrap();
    let (code, report) = run_json_args(&["--scenarios", file]);
    assert_eq!(code, 0);
    assert_eq!(scenario_ids(&report), ["acme.b"]);
    assert_eq!(report["profiles"], serde_json::json!(["acme"]));
    let out = cli(&["run", "--profile", "okta", "--scenarios", file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("scenario `acme.b` would not run: it is of profile acme"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fail_fast_starts_no_scenario_after_a_failure() {
    let dir = scenario_dir(&[
        ("a.yaml", &format!("id: acme.a\n{FAILING}")),
        ("b.yaml", &format!("id: acme.b\n{PASSING}")),
    ]);
    let scenarios = dir.path().to_str().unwrap();
    let args = [
        "--profile",
        "acme",
        "--scenarios",
        scenarios,
        "--concurrency",
        "1",
    ];
    let (code, report) = run_json_args(&[&args[..], &["--fail-fast"]].concat());
    assert_eq!(code, 1);
    let b = &report["scenarios"][1];
    assert_eq!(b["id"], "acme.b");
    assert!(
        b["skipped"].as_str().unwrap().contains("--fail-fast"),
        "{b}"
    );
    let (_, report) = run_json_args(&args);
    assert!(report["scenarios"][1]["skipped"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_scenario_block_arrives_before_the_run_ends() {
    use std::io::BufRead;
    use std::sync::atomic::{AtomicBool, Ordering};
    // The first request to /Groups (the last scenario, with one at a time) waits 4 s.
    let slowed = AtomicBool::new(false);
    let server = crate::support::proxy::Faulty::start(move |req, up| {
        if req.path().contains("/Groups") && !slowed.swap(true, Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_secs(4));
        }
        up.send(&req)
    })
    .await;
    let base = server.base_url();
    let (first_line, early, rest) = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("scimcheck"))
            .args(["run", "--base-url", &base, "--token", crate::support::TOKEN])
            .args(["--concurrency", "1"])
            .env("NO_COLOR", "1")
            .env_remove("CI")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first_line = lines.next().unwrap().unwrap();
        // The first block: its header line names the first scenario.
        let mut early = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line.contains("okta.credentials") {
                early = Some(child.try_wait().unwrap().is_none());
                break;
            }
        }
        let rest: Vec<String> = lines.map(Result::unwrap).collect();
        child.wait().unwrap();
        (first_line, early, rest)
    })
    .await
    .unwrap();
    assert!(first_line.starts_with("scimcheck "), "{first_line}");
    assert_eq!(early, Some(true), "the first block came only at the end");
    assert!(rest.iter().any(|l| l.starts_with("Summary:")), "{rest:?}");
}

#[test]
fn a_passing_scenario_is_one_line_and_its_steps_show_with_v() {
    let out = cli(&["run", "--scenario", "okta.credentials"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.lines().any(|l| l
            .starts_with("✓ Okta: Test API Credentials  okta.credentials · 3 steps · ")
            && l.ends_with(" ms")),
        "{text}"
    );
    assert!(!text.contains("  ✓ "), "steps only with -v: {text}");
    let summary = text.lines().find(|l| l.starts_with("Summary: ")).unwrap();
    assert!(
        summary.contains(" steps, ") && summary.contains(" checks: "),
        "{summary}"
    );
    let verbose = cli(&["run", "--scenario", "okta.credentials", "-v"]);
    let text = String::from_utf8_lossy(&verbose.stdout).into_owned();
    assert!(
        text.lines().any(|l| l
            .starts_with("  ✓ List users with the configured token  GET /Users?")
            && l.ends_with(" ms")),
        "{text}"
    );
    assert!(text.contains("    ✓ okta.credentials."), "{text}");
    assert!(!text.contains("reproduce:"), "{text}");
    let very = cli(&["run", "--scenario", "okta.credentials", "-vv"]);
    assert!(String::from_utf8_lossy(&very.stdout).contains("reproduce:"));
}

/// A failing read names the change it checks in one line, and its own bodiless request only
/// in its step line and curl line; `-v` shows both requests and curl lines in full.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_change_a_failing_read_checks_is_named_and_shown_in_full_with_v() {
    // Reads by id always say the user is active, whatever was stored.
    let server = crate::support::proxy::Faulty::start(|req, up| {
        let read = req.method == "GET" && req.path().contains("/Users/");
        let mut resp = up.send(&req);
        if let (true, Some(mut body)) = (read, resp.json()) {
            body["active"] = serde_json::json!(true);
            resp.set_json(&body);
        }
        resp
    })
    .await;
    let base = server.base_url();
    let run = move |extra: &'static [&'static str]| {
        let base = base.clone();
        tokio::task::spawn_blocking(move || {
            let mut args = vec![
                "run",
                "--base-url",
                base.as_str(),
                "--token",
                crate::support::TOKEN,
                "--scenario",
                "okta.users.deactivate",
            ];
            args.extend_from_slice(extra);
            String::from_utf8(cli(&args).stdout).unwrap()
        })
    };
    let default = run(&[]).await.unwrap();
    // The change a failing read needs is named on its curl line.
    let after: Vec<&str> = default
        .lines()
        .filter(|l| l.contains("reproduce: after "))
        .collect();
    assert!(!after.is_empty(), "{default}");
    assert!(
        after
            .iter()
            .all(|l| l.contains("after PATCH `deactivate` (-v shows them): curl ")),
        "{after:#?}"
    );
    assert!(
        !default.contains("curl -sS -i -X PATCH"),
        "the change's curl waits for -v:\n{default}"
    );
    // The failing read has no body: its step line and curl line say it all.
    assert!(!default.contains("request:  GET"), "{default}");
    let verbose = run(&["-v"]).await.unwrap();
    assert!(
        verbose.contains("(step `deactivate`)") && verbose.contains("curl -sS -i -X PATCH"),
        "{verbose}"
    );
    assert!(verbose.contains("request:  GET"), "{verbose}");
}
