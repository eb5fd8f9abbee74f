//! Inputs refused with a clear error before, or instead of, a recording: an upstream that
//! does not answer (exit 3); a listen address in use or off loopback, bad names and places
//! (exit 2).

use super::child::{blocking, dead_address};
use crate::support::{cli, reference_server};

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
