//! A filter on an attribute no schema defines is refused with invalidFilter (RFC 7644 §3.12),
//! not answered with an empty list that `not` or `ne` would turn into every resource.

use serde_json::json;

use super::Scim;

fn q(filter: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    format!("/Users?filter={}", encoded.replace('+', "%20"))
}

#[tokio::test]
async fn unknown_attributes_and_sub_attributes_are_invalid_filter() {
    let s = Scim::start().await;
    let user = json!({"userName": "a@example.com", "emails": [{"value": "a@example.com", "type": "work"}]});
    assert_eq!(s.post("/Users", user).await.status, 201);
    for bad in [
        r#"noSuchAttribute eq "x""#,
        r#"not (noSuchAttribute eq "x")"#,
        "noSuchAttribute pr",
        r#"name.noSuchPart eq "x""#,
        r#"noSuchList[value eq "x"]"#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:noSuch eq "x""#,
    ] {
        s.get(&q(bad))
            .await
            .assert_error(400, Some("invalidFilter"));
    }
    for good in [
        r#"userName eq "a@example.com""#,
        r#"emails[type eq "work"]"#,
        "meta.lastModified pr",
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x""#,
    ] {
        assert_eq!(s.get(&q(good)).await.status, 200, "{good}");
    }
    // Across resource types, a name one of them defines is enough.
    let across = json!({"filter": "displayName co \"x\" or userName eq \"a@example.com\""});
    assert_eq!(s.post("/.search", across).await.status, 200);
    s.post("/.search", json!({"filter": "noSuch pr"}))
        .await
        .assert_error(400, Some("invalidFilter"));
    s.post("/Users/.search", json!({"filter": "noSuch pr"}))
        .await
        .assert_error(400, Some("invalidFilter"));
}
