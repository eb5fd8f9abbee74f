//! POST /Bulk (RFC 7644 §3.7): references in any order, circles refused, the limits enforced.

use serde_json::{json, Value};

use super::Scim;

const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

fn user(bulk_id: &str, name: &str) -> Value {
    json!({"method": "POST", "path": "/Users", "bulkId": bulk_id,
           "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name}})
}

#[tokio::test]
async fn a_reference_to_an_operation_further_down_waits_for_it() {
    let s = Scim::start().await;
    let a = s
        .post(
            "/Bulk",
            json!({"schemas": [BULK], "Operations": [
                {"method": "POST", "path": "/Groups", "bulkId": "g",
                 "data": {"displayName": "G", "members": [{"value": "bulkId:u"}]}},
                user("u", "later"),
            ]}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let ops = a.body["Operations"].as_array().unwrap();
    assert_eq!(ops[0]["bulkId"], "g", "results keep the request's order");
    assert_eq!(ops[0]["status"], "201");
    let uid = ops[1]["location"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let gid = ops[0]["location"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let group = s.get(&format!("/Groups/{gid}")).await;
    assert_eq!(group.body["members"][0]["value"], uid);
}

#[tokio::test]
async fn circular_and_dangling_references_fail_alone() {
    let s = Scim::start().await;
    let a = s
        .post(
            "/Bulk",
            json!({"schemas": [BULK], "Operations": [
                {"method": "POST", "path": "/Groups", "bulkId": "a", "data": {"displayName": "A", "members": [{"value": "bulkId:b"}]}},
                {"method": "POST", "path": "/Groups", "bulkId": "b", "data": {"displayName": "B", "members": [{"value": "bulkId:a"}]}},
                {"method": "DELETE", "path": "/Users/bulkId:nowhere"},
                user("ok", "fine"),
            ]}),
        )
        .await;
    let statuses: Vec<&str> = a.body["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["409", "409", "409", "201"], "{}", a.body);
    for op in &a.body["Operations"].as_array().unwrap()[..3] {
        assert_eq!(
            op["response"]["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
    }
}

#[tokio::test]
async fn the_limits_are_enforced_with_413_naming_them() {
    let s = Scim::start().await;
    let ops: Vec<Value> = (0..101)
        .map(|i| user(&format!("b{i}"), &format!("u{i}")))
        .collect();
    let a = s
        .post("/Bulk", json!({"schemas": [BULK], "Operations": ops}))
        .await;
    a.assert_error(413, None);
    assert!(
        a.body["detail"]
            .as_str()
            .unwrap()
            .contains("maxOperations (100)"),
        "{}",
        a.body
    );
    assert_eq!(
        s.get("/Users").await.body["totalResults"],
        0,
        "nothing was processed"
    );
    let big: Vec<Value> = (0..60)
        .map(|i| user(&format!("b{i}"), &"x".repeat(20_000)))
        .collect();
    let a = s
        .post("/Bulk", json!({"schemas": [BULK], "Operations": big}))
        .await;
    a.assert_error(413, None);
    assert!(
        a.body["detail"]
            .as_str()
            .unwrap()
            .contains("maxPayloadSize"),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn a_request_that_is_not_a_bulk_request_is_refused() {
    let s = Scim::start().await;
    s.post("/Bulk", json!({"Operations": []}))
        .await
        .assert_error(400, Some("invalidSyntax"));
    s.post(
        "/Bulk",
        json!({"schemas": [BULK], "failOnErrors": 0, "Operations": []}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    let a = s
        .post("/Bulk", json!({"schemas": [BULK], "Operations": [{"method": "POST", "path": "/Users", "data": {"userName": "n"}}]}))
        .await;
    assert_eq!(
        a.body["Operations"][0]["status"], "400",
        "a POST needs a bulkId: {}",
        a.body
    );
}
