//! What the proxy forwards (everything end to end, unchanged), adds (nothing), and answers
//! itself: 404 outside the root, 413 past the body limit, 502 when the upstream fails. A
//! recording that kept nothing writes no file (exit 2).

use std::time::Duration;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::child::{blocking, start};

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

/// An upstream whose root answers at once and whose `/Users` answers after `delay`.
async fn slow_upstream(delay: Duration) -> MockServer {
    let upstream = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&upstream)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users"))
        .respond_with(ResponseTemplate::new(200).set_delay(delay))
        .mount(&upstream)
        .await;
    upstream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_past_the_limit_and_upstream_failures_are_answered_not_kept() {
    let upstream = slow_upstream(Duration::from_secs(5)).await;
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
async fn a_second_signal_while_requests_finish_exits_130_writing_nothing() {
    let upstream = slow_upstream(Duration::from_secs(20)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.yaml");
    let (up, out) = (format!("{}/scim/v2", upstream.uri()), file.clone());
    let mut recorder = blocking(move || start(&up, &out, &[])).await;
    let slow = tokio::spawn(
        crate::support::http()
            .get(format!("{}/Users", recorder.idp))
            .send(),
    );
    // The request is in flight once the upstream holds it.
    while upstream.received_requests().await.unwrap().len() < 2 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let done = blocking(move || {
        recorder.terminate();
        while !recorder.next_line().starts_with("stopping: SIGTERM;") {}
        recorder.terminate();
        recorder.wait()
    })
    .await;
    assert_eq!(done.code, Some(130), "{}\n{}", done.stdout, done.stderr);
    assert!(
        done.stderr.contains("SIGTERM again: exiting;") && done.stderr.contains("was not written"),
        "{}",
        done.stderr
    );
    assert!(!file.exists());
    slow.abort();
}
