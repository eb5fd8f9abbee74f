//! `scimcheck record` end to end: the harness is its own IdP. The okta profile runs through
//! the proxy to the reference server; the file written loads, holds no credential, replays
//! cleanly against a fresh server and fails against one that drops PATCH `active`. Plus what
//! the proxy forwards and adds (nothing), and each input it refuses.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::flawed::{self, Flaw};
use crate::support::{cli, failing, reference_server, run_json, TOKEN};

/// A `scimcheck record` child process, its address read from its first lines.
struct Recorder {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// The base URL to point the IdP at.
    idp: String,
    /// Its stdout so far.
    stdout: Vec<String>,
}

/// What a stopped recorder said and how it exited.
struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn spawn(args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("scimcheck"))
        .arg("record")
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("scimcheck starts")
}

/// Starts the recorder in front of `upstream` on a free loopback port (blocking).
fn start(upstream: &str, out: &Path, extra: &[&str]) -> Recorder {
    let out = out.to_str().unwrap();
    let mut args = vec![
        "--upstream",
        upstream,
        "--listen",
        "127.0.0.1:0",
        "--out",
        out,
    ];
    args.extend(extra);
    let mut child = spawn(&args);
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => {
                let idp = line
                    .strip_prefix("recording: point the IdP at ")
                    .map(str::to_string);
                seen.push(line);
                if let Some(idp) = idp {
                    return Recorder {
                        child,
                        lines,
                        idp,
                        stdout: seen,
                    };
                }
            }
            Err(_) => {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!(
                    "the recorder printed no address; stdout: {seen:?}\nstderr: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

impl Recorder {
    /// Sends SIGTERM and waits for it to write its file and exit (blocking).
    fn stop(self) -> Finished {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        self.wait()
    }

    /// Waits (at most 30 s) for it to exit on its own (blocking).
    fn wait(mut self) -> Finished {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the recorder did not exit within 30 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stdout = std::mem::take(&mut self.stdout);
        stdout.extend(self.lines.iter());
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        Finished {
            code: status.code(),
            stdout: stdout.join("\n"),
            stderr,
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}

/// What an editor holding `text` to `schemas/scenario.schema.json` would flag.
fn schema_errors(text: &str) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/scenario.schema.json")).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let instance: serde_json::Value = serde_saphyr::from_str(text).unwrap();
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// A loopback address nothing listens on.
fn dead_address() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_okta_cycle_recorded_through_the_proxy_replays_against_any_server() {
    let upstream = reference_server().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("okta-cycle.yaml");
    let (up, out) = (upstream.base_url().to_string(), file.clone());
    let recorder = blocking(move || start(&up, &out, &[])).await;
    assert!(recorder.idp.ends_with("/scim/v2"), "{}", recorder.idp);
    let (code, report) = run_json(&recorder.idp, &["--profile", "okta"]).await;
    assert_eq!(code, 0, "{:#?}", failing(&report));
    let done = blocking(move || recorder.stop()).await;
    assert_eq!(done.code, Some(0), "{}\n{}", done.stdout, done.stderr);
    // One live line per exchange, then the count.
    assert!(
        done.stdout.contains("POST /scim/v2/Users 201 "),
        "{}",
        done.stdout
    );
    assert!(done.stdout.contains("stopped: SIGTERM"), "{}", done.stdout);
    assert!(
        done.stdout
            .contains("as scenario recorded.okta-cycle (profile recorded)"),
        "{}",
        done.stdout
    );

    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("# Recorded by scimcheck "),
        "{}",
        &text[..200]
    );
    assert!(!text.contains(TOKEN), "the token reached the file");
    assert!(
        !text.contains("Pw-"),
        "a password the run sent reached the file"
    );

    assert_eq!(schema_errors(&text), Vec::<String>::new());
    // The file is an ordinary scenario file: it replays, under its own profile, against a
    // fresh server with no failure...
    let fresh = reference_server().await;
    let replay = file.to_str().unwrap().to_string();
    let (code, report) = run_json(fresh.base_url(), &["--scenarios", &replay]).await;
    assert_eq!(code, 0, "{:#?}", failing(&report));
    assert_eq!(report["profiles"], serde_json::json!(["recorded"]));
    assert!(report["summary"]["passed"].as_u64().unwrap() > 50);

    // ...and against a server that drops `active` it fails where Okta's deactivation is
    // replayed.
    let flawed = flawed::start(&[Flaw::Ignores("active")]).await;
    let (code, report) = run_json(&flawed.base_url, &["--scenarios", &replay]).await;
    assert_eq!(code, 1, "{report:#}");
    let failures = failing(&report);
    assert!(
        failures.iter().any(|(_, _, m)| m.contains("active")),
        "{failures:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_forwards_unchanged_and_adds_nothing() {
    let upstream = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&upstream)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/scim+json")
                .insert_header("x-upstream", "kept")
                .set_body_string(r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#),
        )
        .mount(&upstream)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Groups"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", "https://elsewhere.example/login"),
        )
        .mount(&upstream)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.yaml");
    let (up, out) = (format!("{}/scim/v2", upstream.uri()), file.clone());
    let recorder = blocking(move || {
        start(
            &up,
            &out,
            &["--max-requests", "2", "--secret", "tenant-key-42"],
        )
    })
    .await;
    let _ = crate::support::http();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let send = |p: &str| {
        http.get(format!("{}{p}", recorder.idp))
            .header("authorization", "Bearer sekret-token-1")
            .header("user-agent", "Okta SCIM Client 1.0.0")
            .header("accept", "application/scim+json")
            .header("x-api-key", "tenant-key-42")
            .send()
    };
    let outside = http
        .get(recorder.idp.replace("/scim/v2", "/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), 404);
    let listed = send("/Users?filter=userName%20eq%20%22ada%40example.com%22")
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    assert_eq!(listed.headers()["x-upstream"], "kept");
    let redirected = send("/Groups").await.unwrap();
    assert_eq!(
        redirected.status(),
        302,
        "a redirect is returned, not followed"
    );
    assert_eq!(
        redirected.headers()["location"],
        "https://elsewhere.example/login"
    );

    let done = blocking(move || recorder.wait()).await;
    assert_eq!(done.code, Some(0), "{}\n{}", done.stdout, done.stderr);
    assert!(
        done.stdout.contains("stopped: --max-requests reached"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("GET /favicon.ico 404")
            && done.stdout.contains("outside the SCIM root"),
        "{}",
        done.stdout
    );

    let received = upstream.received_requests().await.unwrap();
    let users = received
        .iter()
        .find(|r| r.url.path() == "/scim/v2/Users")
        .expect("forwarded");
    let host = upstream.address().to_string();
    assert_eq!(users.headers["host"], host.as_str());
    assert_eq!(users.headers["user-agent"], "Okta SCIM Client 1.0.0");
    assert_eq!(users.headers["authorization"], "Bearer sekret-token-1");
    assert_eq!(
        users.url.query(),
        Some("filter=userName%20eq%20%22ada%40example.com%22")
    );
    assert!(
        !users
            .headers
            .keys()
            .any(|k| k.as_str().starts_with("x-forwarded") || k == "via"),
        "{:?}",
        users.headers
    );
    let probe = &received[0];
    assert_eq!(probe.url.path(), "/scim/v2/ServiceProviderConfig");
    assert!(probe.headers.get("authorization").is_none());

    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("sekret-token-1"), "{text}");
    assert!(!text.contains("tenant-key-42"), "{text}");
    assert!(
        text.contains("userName eq \\\"ada@example.com\\\"")
            || text.contains("userName eq \"ada@example.com\""),
        "{text}"
    );
    let loaded = scimcheck::scenario::parse("r.yaml", &text).expect("the file loads");
    assert_eq!(loaded.steps.len(), 2);
    assert_eq!(loaded.profile.as_str(), "recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_past_the_limit_and_upstream_failures_are_answered_not_kept() {
    let upstream = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&upstream)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&upstream)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.yaml");
    let (up, out) = (format!("{}/scim/v2", upstream.uri()), file.clone());
    let recorder = blocking(move || {
        start(
            &up,
            &out,
            &[
                "--max-body-mib",
                "1",
                "--timeout",
                "1",
                "--max-seconds",
                "4",
            ],
        )
    })
    .await;
    let http = crate::support::http();
    let big = http
        .post(format!("{}/Users", recorder.idp))
        .header("content-type", "application/scim+json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    let slow = http
        .get(format!("{}/Users", recorder.idp))
        .send()
        .await
        .unwrap();
    assert_eq!(slow.status(), 502);
    assert!(slow
        .text()
        .await
        .unwrap()
        .contains("the upstream did not answer"));

    // Nothing kept: no file, a usage error that says why.
    let done = blocking(move || recorder.wait()).await;
    assert_eq!(done.code, Some(2), "{}\n{}", done.stdout, done.stderr);
    assert!(
        done.stdout.contains("stopped: --max-seconds 4 passed"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("POST /scim/v2/Users 413"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("GET /scim/v2/Users 502"),
        "{}",
        done.stdout
    );
    assert!(
        done.stderr
            .contains("nothing recorded: no SCIM request reached the proxy (2 requests seen)"),
        "{}",
        done.stderr
    );
    assert!(!file.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_that_does_not_answer_exits_3_naming_it() {
    let dead = format!("http://{}/scim/v2", dead_address());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let (up, o) = (dead.clone(), out.clone());
    let done = blocking(move || {
        cli(&[
            "record",
            "--upstream",
            &up,
            "--listen",
            "127.0.0.1:0",
            "--out",
            o.to_str().unwrap(),
        ])
    })
    .await;
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the upstream {dead}/ServiceProviderConfig does not answer"
        )),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listen_address_in_use_or_off_loopback_exits_2_saying_why() {
    let upstream = reference_server().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml").to_str().unwrap().to_string();
    let up = upstream.base_url().to_string();
    let (in_use, off_loopback) = blocking(move || {
        let run = |listen: &str| {
            cli(&[
                "record",
                "--upstream",
                &up,
                "--listen",
                listen,
                "--out",
                &out,
            ])
        };
        (run(&addr), run("0.0.0.0:0"))
    })
    .await;
    let stderr = String::from_utf8_lossy(&in_use.stderr);
    assert_eq!(in_use.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {}", taken.local_addr().unwrap())),
        "{stderr}"
    );
    assert!(stderr.contains("choose another --listen"), "{stderr}");
    let stderr = String::from_utf8_lossy(&off_loopback.stderr);
    assert_eq!(off_loopback.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--allow-non-loopback"), "{stderr}");
}

#[test]
fn bad_names_and_places_are_refused_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.yaml");
    let out = out.to_str().unwrap();
    let missing = dir.path().join("no/such/dir/r.yaml");
    for (args, says) in [
        (
            vec!["--upstream", "app.example.com/scim/v2", "--out", out],
            "give the SCIM root",
        ),
        (
            vec![
                "--upstream",
                "http://127.0.0.1:9/scim/v2",
                "--out",
                out,
                "--id",
                "Bad Id",
            ],
            "--id `Bad Id`",
        ),
        (
            vec![
                "--upstream",
                "http://127.0.0.1:9/scim/v2",
                "--out",
                out,
                "--profile",
                "all",
            ],
            "--profile",
        ),
        (
            vec![
                "--upstream",
                "http://127.0.0.1:9/scim/v2",
                "--out",
                missing.to_str().unwrap(),
            ],
            "does not exist",
        ),
    ] {
        let mut full = vec!["record", "--listen", "127.0.0.1:0"];
        full.extend(args);
        let done = cli(&full);
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{full:?}: {stderr}");
        assert!(stderr.contains(says), "{full:?}: {stderr}");
    }
}

#[test]
fn the_example_recording_is_a_scenario_file_that_replays() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/okta-cycle.yaml");
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.starts_with("# Recorded by scimcheck "));
    assert_eq!(schema_errors(&text), Vec::<String>::new());
    // Against the embedded reference server, with that run's own token.
    let out = cli(&["run", "--scenarios", file, "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{:#?}", failing(&report));
    assert_eq!(report["summary"]["failed"], 0);
}
