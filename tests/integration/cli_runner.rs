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

#[test]
fn a_run_in_which_no_check_ran_exits_4() {
    // The reference server does not support bulk: every step is skipped.
    let dir = scenario_dir(&[(
        "bulk.yaml",
        "id: local.bulk\ntitle: Bulk\nprofile: rfc\nreference: RFC 7644 §3.7\nrequires: [bulk]\nsteps:\n  - id: list\n    title: List\n    request: { method: GET, path: /Users }\n",
    )]);
    let out = cli(&[
        "run",
        "--profile",
        "rfc",
        "--scenarios",
        dir.path().to_str().unwrap(),
    ]);
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
