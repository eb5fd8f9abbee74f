//! Discovery endpoints (RFC 7644 §4), validated against the harness's own JSON Schemas.

use scimcheck::check::SchemaSet;
use serde_json::Value;

use super::Scim;

fn valid(name: &str, v: &Value) {
    assert_eq!(
        SchemaSet::builtin().validate(name, v).unwrap(),
        vec![],
        "{name}: {v}"
    );
}

#[tokio::test]
async fn service_provider_config() {
    let s = Scim::start().await;
    let a = s.get("/ServiceProviderConfig").await;
    assert_eq!(a.status, 200);
    valid("ServiceProviderConfig", &a.body);
    assert_eq!(a.body["patch"]["supported"], true);
    assert_eq!(a.body["bulk"]["supported"], true);
    assert_eq!(a.body["bulk"]["maxOperations"], 100);
    assert_eq!(a.body["bulk"]["maxPayloadSize"], 1024 * 1024);
    assert_eq!(a.body["changePassword"]["supported"], true);
    assert_eq!(a.body["filter"]["maxResults"], 1000);
}

#[tokio::test]
async fn resource_types() {
    let s = Scim::start().await;
    let a = s.get("/ResourceTypes").await;
    valid("ListResponse", &a.body);
    assert_eq!(a.body["totalResults"], 2);
    for r in a.body["Resources"].as_array().unwrap() {
        valid("ResourceType", r);
    }
    let user = s.get("/ResourceTypes/User").await;
    assert_eq!(user.body["endpoint"], "/Users");
    assert_eq!(
        user.body["schemaExtensions"][0]["schema"],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    );
    s.get("/ResourceTypes/Printer")
        .await
        .assert_error(404, None);
}

#[tokio::test]
async fn schemas_with_attribute_characteristics() {
    let s = Scim::start().await;
    let a = s.get("/Schemas").await;
    valid("ListResponse", &a.body);
    assert_eq!(a.body["totalResults"], 3);
    for schema in a.body["Resources"].as_array().unwrap() {
        valid("Schema", schema);
    }
    let user = s
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    let attrs = user.body["attributes"].as_array().unwrap();
    let find = |n: &str| attrs.iter().find(|a| a["name"] == n).unwrap();
    assert_eq!(find("userName")["uniqueness"], "server");
    assert_eq!(find("userName")["required"], true);
    assert_eq!(find("userName")["caseExact"], false);
    assert_eq!(find("password")["returned"], "never");
    assert_eq!(find("password")["mutability"], "writeOnly");
    assert_eq!(find("groups")["mutability"], "readOnly");
    assert_eq!(find("emails")["multiValued"], true);
    assert!(find("emails")["subAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"] == "primary" && a["type"] == "boolean"));
    s.get("/Schemas/urn:example:nope")
        .await
        .assert_error(404, None);
}

#[tokio::test]
async fn photo_values_are_external_references() {
    let s = Scim::start().await;
    let user = s
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    let photos = user.body["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "photos")
        .unwrap();
    let value = photos["subAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "value")
        .unwrap();
    assert_eq!(value["type"], "reference");
    assert_eq!(value["referenceTypes"], serde_json::json!(["external"]));
}

#[tokio::test]
async fn discovery_lists_refuse_filters() {
    let s = Scim::start().await;
    for path in ["/Schemas", "/ResourceTypes"] {
        s.get(&format!("{path}?filter=id%20pr"))
            .await
            .assert_error(403, None);
        assert_eq!(s.get(path).await.status, 200);
    }
}

#[tokio::test]
async fn other_methods_are_405_with_allow_get() {
    use reqwest::Method;
    let s = Scim::start().await;
    for (method, path) in [
        (Method::POST, "/ServiceProviderConfig"),
        (Method::PUT, "/ResourceTypes"),
        (Method::PATCH, "/Schemas"),
        (
            Method::DELETE,
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        ),
        (Method::PUT, "/ResourceTypes/User"),
    ] {
        let a = s.send(method.clone(), path, None, &[]).await;
        a.assert_error(405, None);
        assert_eq!(a.header("allow"), Some("GET"), "{method} {path}");
    }
    // Nothing changed: the documents still answer as before.
    assert_eq!(s.get("/ResourceTypes").await.body["totalResults"], 2);
}
