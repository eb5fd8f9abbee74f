//! A request body declared in a media type SCIM does not use is refused with 415 and a SCIM
//! error, not parsed as JSON anyway (RFC 7644 §3.1).

use reqwest::Method;
use serde_json::json;

use super::Scim;

#[tokio::test]
async fn a_body_that_is_not_json_by_its_content_type_is_415() {
    let s = Scim::start().await;
    let body = json!({"userName": "plain@example.com"});
    let a = s
        .send(
            Method::POST,
            "/Users",
            Some(body.clone()),
            &[("content-type", "text/plain")],
        )
        .await;
    a.assert_error(415, None);
    assert_eq!(s.get("/Users").await.body["totalResults"], 0);
    for ok in ["application/scim+json; charset=utf-8", "application/json"] {
        let user = json!({"userName": format!("{}@example.com", ok.len())});
        let a = s
            .send(Method::POST, "/Users", Some(user), &[("content-type", ok)])
            .await;
        assert_eq!(a.status, 201, "{ok}: {}", a.body);
    }
}
