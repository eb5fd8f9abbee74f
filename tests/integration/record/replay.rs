//! The harness as its own IdP: the okta profile recorded through the proxy replays cleanly
//! against a fresh server and fails against one that drops PATCH `active`; the recording
//! committed under `examples/` replays too.

use super::child::{blocking, schema_errors, start};
use crate::flawed::{self, Flaw};
use crate::support::{cli, failing, reference_server, run_json, TOKEN};

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

    // ...against the flawed server with no flaw, nothing fails either...
    let sound = flawed::start(&[]).await;
    let (code, report) = run_json(&sound.base_url, &["--scenarios", &replay]).await;
    assert_eq!(code, 0, "{:#?}", failing(&report));

    // ...and against it when a PATCH setting `active` to false is ignored, the reads after Okta's
    // deactivation fail, on `active` only.
    let flawed = flawed::start(&[Flaw::IgnoresDeactivation]).await;
    let (code, report) = run_json(&flawed.base_url, &["--scenarios", &replay]).await;
    assert_eq!(code, 1, "{report:#}");
    let failures = failing(&report);
    assert!(
        failures.iter().all(|(id, _, _)| id.ends_with(".active")),
        "{failures:#?}"
    );
    assert!(
        failures
            .iter()
            .any(|(_, _, m)| m.contains("expected false, got true")),
        "{failures:#?}"
    );
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
