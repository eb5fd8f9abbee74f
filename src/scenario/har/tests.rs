use super::*;
use crate::scim::Method;

/// A HAR as Chrome's devtools save it: extra keys, `_` fields, a page, a script, a CORS
/// preflight, a failed request, a base64 body.
const BROWSER: &str = r#"{
  "log": {
    "version": "1.2",
    "creator": {"name": "WebInspector", "version": "537.36"},
    "pages": [{"startedDateTime": "2026-03-01T10:00:00.000Z", "id": "page_1", "title": "Admin", "pageTimings": {}}],
    "entries": [
      {
        "_initiator": {"type": "other"}, "_priority": "VeryHigh", "pageref": "page_1",
        "startedDateTime": "2026-03-01T10:00:00.100Z", "time": 12.5,
        "request": {"method": "GET", "url": "https://idp.example.com/app.js", "httpVersion": "http/2.0",
          "headers": [{"name": ":authority", "value": "idp.example.com"}], "queryString": [], "cookies": [],
          "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "", "httpVersion": "http/2.0", "headers": [], "cookies": [],
          "content": {"size": 10, "mimeType": "text/javascript", "text": "var a = 1;"},
          "redirectURL": "", "headersSize": -1, "bodySize": -1, "_transferSize": 300, "_error": null},
        "cache": {}, "timings": {"blocked": 1.2, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1, "wait": 10, "receive": 1.2, "_blocked_queueing": 0.5},
        "serverIPAddress": "10.0.0.1", "_fromCache": "memory"
      },
      {
        "startedDateTime": "2026-03-01T10:00:01.000Z", "time": 30,
        "request": {"method": "POST", "url": "https://scim.example.com/scim/v2/Users", "httpVersion": "HTTP/1.1",
          "headers": [{"name": "Authorization", "value": "Bearer tok-123456"}, {"name": "Content-Type", "value": "application/scim+json"}],
          "queryString": [], "cookies": [],
          "postData": {"mimeType": "application/scim+json", "text": "{\"userName\":\"ann\"}", "params": []},
          "headersSize": 120, "bodySize": 18},
        "response": {"status": 201, "statusText": "Created", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
          "content": {"size": 15, "mimeType": "application/scim+json", "text": "eyJpZCI6ICJ1LTEifQ==", "encoding": "base64"},
          "redirectURL": "", "headersSize": 80, "bodySize": 15},
        "cache": {}, "timings": {"send": 1, "wait": 28, "receive": 1}
      },
      {
        "startedDateTime": "2026-03-01T10:00:02.000Z", "time": 1,
        "request": {"method": "OPTIONS", "url": "https://scim.example.com/scim/v2/Users/u-1", "headers": []},
        "response": {"status": 204, "content": {}}
      },
      {
        "startedDateTime": "2026-03-01T10:00:03.000Z", "time": 0,
        "request": {"method": "GET", "url": "https://scim.example.com/scim/v2/Users?filter=userName%20eq%20%22ann%22&access_token=leak", "headers": []},
        "response": {"status": 0, "statusText": "", "content": {"size": 0, "mimeType": "x-unknown"}, "_error": "net::ERR_CONNECTION_RESET"}
      },
      {
        "startedDateTime": "2026-03-01T10:00:04.000Z", "time": 4.4,
        "request": {"method": "get", "url": "https://scim.example.com/scim/v2/Users?filter=userName%20eq%20%22ann%22", "headers": []},
        "response": {"status": 200, "content": {"mimeType": "application/scim+json", "text": "{\"totalResults\":1}"}}
      },
      {
        "startedDateTime": "2026-03-01T10:00:05.000Z", "time": 2,
        "request": {"method": "GET", "url": "https://old.example.com/scim/Users", "headers": []},
        "response": {"status": 200, "content": {}}
      }
    ]
  }
}"#;

#[test]
fn a_browser_har_reads_with_its_extra_keys_and_custom_fields() {
    let har = parse("browser.har", BROWSER).unwrap();
    assert_eq!(har.log.entries.len(), 6);
    assert_eq!(har.log.entries[0].timings.blocked, 1.2);
    assert_eq!(har.log.entries[2].request.http_version, "HTTP/1.1");
    assert_eq!(
        har.log.entries[3].response.error.as_deref(),
        Some("net::ERR_CONNECTION_RESET")
    );
}

#[test]
fn scim_requests_to_the_shared_root_are_kept_and_the_rest_listed() {
    let imported = import(&parse("browser.har", BROWSER).unwrap());
    assert_eq!(
        imported.base_url.as_deref(),
        Some("https://scim.example.com/scim/v2")
    );
    assert_eq!(imported.entries, 6);
    let kept: Vec<(Method, &str, u16)> = imported
        .recorded
        .iter()
        .map(|r| (r.method, r.path.as_str(), r.status))
        .collect();
    assert_eq!(
        kept,
        [(Method::Post, "/Users", 201), (Method::Get, "/Users", 200)]
    );
    let post = &imported.recorded[0];
    assert_eq!(post.request_body.as_deref(), Some(r#"{"userName":"ann"}"#));
    assert_eq!(
        post.response_body.as_deref(),
        Some(r#"{"id": "u-1"}"#),
        "a base64 body is decoded"
    );
    assert_eq!(post.started.as_deref(), Some("2026-03-01T10:00:01.000Z"));
    assert_eq!(post.duration_ms, 30);
    assert_eq!(
        imported.recorded[1].query,
        [("filter".to_string(), "userName eq \"ann\"".to_string())]
    );
    let listed: Vec<String> = imported.left_out.iter().map(|l| l.to_string()).collect();
    assert_eq!(
        listed,
        [
            "GET https://idp.example.com/app.js: not a SCIM request",
            "OPTIONS https://scim.example.com/scim/v2/Users/u-1: a method SCIM does not use",
            "GET https://scim.example.com/scim/v2/Users: no response (net::ERR_CONNECTION_RESET)",
            "GET https://old.example.com/scim/Users: a SCIM request to another root (https://old.example.com/scim)",
        ]
    );
    assert!(
        !listed.iter().any(|l| l.contains("leak")),
        "a query is not listed"
    );
    assert_eq!(imported.secrets, ["Bearer tok-123456", "tok-123456"]);
}

#[test]
fn a_har_of_scimchecks_own_holds_no_secret_to_scrub() {
    let text = BROWSER.replace("Bearer tok-123456", "Bearer [redacted]");
    let imported = import(&parse("own.har", &text).unwrap());
    assert!(imported.secrets.is_empty(), "{:?}", imported.secrets);
}

#[test]
fn a_redirect_is_left_out() {
    let text = BROWSER.replace(r#""status": 201"#, r#""status": 302"#);
    let imported = import(&parse("r.har", &text).unwrap());
    assert!(imported
        .left_out
        .iter()
        .any(|l| l.why == Why::Redirect(302) && l.method == "POST"));
}

#[test]
fn not_json_is_located() {
    let err = parse("x.har", "{\n  \"log\": {\n    \"version\": \"1.2\",,\n").unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("x.har:3:"), "{text}");
    assert!(text.contains("not a HAR file"), "{text}");
}

#[test]
fn json_that_is_not_har_says_what_is_missing() {
    let err = parse("x.har", "{\"steps\": []}").unwrap_err().to_string();
    assert!(err.contains("not a HAR file"), "{err}");
    assert!(err.contains("missing field `log`"), "{err}");
    let err = parse(
        "x.har",
        "{\"log\": {\"version\": \"1.2\", \"entries\": [{\"request\": {}}]}}",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("`log.entries[0].request`"), "{err}");
}

#[test]
fn another_version_is_refused_at_its_line() {
    let text = "{\n \"log\": {\n  \"creator\": {\"name\": \"x\", \"version\": \"9\"},\n  \"version\": \"2.0\",\n  \"entries\": []\n }\n}";
    let err = parse("new.har", text).unwrap_err().to_string();
    assert!(err.starts_with("new.har:4: log.version is `2.0`"), "{err}");
    assert!(parse("old.har", &text.replace("2.0", "1.1")).is_ok());
}

#[test]
fn a_written_har_reads_back_equal() {
    let har = parse("browser.har", BROWSER).unwrap();
    let text = serde_json::to_string(&har).unwrap();
    assert_eq!(parse("again.har", &text).unwrap(), har);
}

#[test]
fn scim_requests_that_all_went_unanswered_leave_nothing_to_replay() {
    let text = BROWSER
        .replace(r#""status": 201"#, r#""status": 0"#)
        .replace(
            r#""status": 200, "content": {"mimeType""#,
            r#""status": 0, "content": {"mimeType""#,
        );
    let imported = import(&parse("failed.har", &text).unwrap());
    assert!(imported.recorded.is_empty());
    assert!(imported
        .left_out
        .iter()
        .any(|l| l.why == Why::NoResponse(None) && l.method == "POST"));
}
