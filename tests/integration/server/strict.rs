//! Schema-strict writes: URN-prefixed paths split by the longest known schema URN
//! (RFC 7644 §3.10), attributes no schema defines never stored (RFC 7643 §3, RFC 7644
//! §3.5.2), wrong types refused (RFC 7644 §3.12) — and the IdPs' real traffic still taken.

use serde_json::{json, Value};

use super::Scim;

const EXT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Every key of a resource, at any depth, so a junk key cannot hide anywhere.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

fn has_key(v: &Value, needle: &str) -> bool {
    let mut all = vec![];
    keys(v, &mut all);
    all.iter()
        .any(|k| k.to_lowercase().contains(&needle.to_lowercase()))
}

#[tokio::test]
async fn extension_urn_paths_add_replace_and_remove() {
    let s = Scim::start().await;
    let boss = s.user("boss@example.com").await;
    let id = s.user("urn@example.com").await;
    let path = format!("/Users/{id}");
    // The URN alone: the whole extension.
    let a = s
        .patch(&path, json!([{"op": "add", "path": EXT, "value": {"department": "R&D", "employeeNumber": "7"}}]))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body[EXT],
        json!({"employeeNumber": "7", "department": "R&D"})
    );
    assert!(!has_key(&a.body, "enterprise:2.0\""), "{}", a.body);
    assert_eq!(
        s.get(&path)
            .await
            .body
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.starts_with("urn:"))
            .count(),
        1
    );
    // URN and a sub-attribute, in any case.
    let a = s
        .patch(&path, json!([
            {"op": "replace", "path": format!("{EXT}:department"), "value": "Ops"},
            {"op": "Add", "path": format!("{}:manager.value", EXT.to_lowercase()), "value": boss},
        ]))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body[EXT]["department"], "Ops");
    assert_eq!(a.body[EXT]["manager"]["value"], json!(boss));
    let a = s
        .patch(
            &path,
            json!([{"op": "replace", "path": EXT, "value": {"division": "North"}}]),
        )
        .await;
    assert_eq!(
        (
            a.body[EXT]["division"].clone(),
            a.body[EXT]["department"].clone()
        ),
        (json!("North"), json!("Ops")),
        "replace on the URN sets the attributes given and keeps the others"
    );
    let a = s
        .patch(
            &path,
            json!([{"op": "remove", "path": format!("{EXT}:manager.value")}]),
        )
        .await;
    assert!(a.body[EXT].get("manager").is_none(), "{}", a.body);
    let a = s.patch(&path, json!([{"op": "remove", "path": EXT}])).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let got = s.get(&path).await.body;
    assert!(
        got.get(EXT).is_none(),
        "remove with the URN drops the extension: {got}"
    );
    assert_eq!(
        got["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
    assert!(!has_key(&got, "enterprise"), "{got}");
    // The core URN as a prefix works too.
    let a = s
        .patch(&path, json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName", "value": "Urn"}]))
        .await;
    assert_eq!(a.body["name"]["givenName"], "Urn");
}

#[tokio::test]
async fn extension_urn_keys_in_path_less_values_and_filters() {
    let s = Scim::start().await;
    let id = s.user("pathless@example.com").await;
    let path = format!("/Users/{id}");
    let a = s
        .patch(&path, json!([{"op": "replace", "value": {EXT: {"costCenter": "42"}, format!("{EXT}:division"): "West"}}]))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body[EXT], json!({"costCenter": "42", "division": "West"}));
    let found = |f: &str| {
        let url = format!("/Users?filter={}", urlencode(f));
        let s = &s;
        async move { s.get(&url).await.body["totalResults"].clone() }
    };
    assert_eq!(
        found(&format!("{EXT} pr")).await,
        json!(1),
        "the URN alone names the extension"
    );
    assert_eq!(
        found(&format!("{EXT}:division eq \"west\"")).await,
        json!(1)
    );
    // A URN no schema of /Users has is refused (400 invalidFilter: the attribute is not
    // supported), never taken for the core attribute of the same name.
    for f in [
        "urn:example:bogus:1.0:userName pr",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:userName pr",
    ] {
        let answer = s.get(&format!("/Users?filter={}", urlencode(f))).await;
        assert_eq!(answer.status, 400, "{f}: {}", answer.body);
        assert_eq!(answer.body["scimType"], "invalidFilter");
    }
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn unknown_attributes_are_refused_never_stored() {
    let s = Scim::start().await;
    let base = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "strict@example.com"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let a = s.post("/Users", with("bogusAttr", json!("x"))).await;
    a.assert_error(400, Some("invalidValue"));
    let a = s
        .post(
            "/Users",
            with("name", json!({"givenName": "A", "bogusSub": "x"})),
        )
        .await;
    a.assert_error(400, Some("invalidValue"));
    let a = s.post("/Users", with(EXT, json!({"bogus": "x"}))).await;
    a.assert_error(400, Some("invalidValue"));
    let a = s
        .post(
            "/Users",
            with("emails", json!([{"value": "a@b.c", "bogus": 1}])),
        )
        .await;
    a.assert_error(400, Some("invalidValue"));

    let id = s.user("strict@example.com").await;
    let path = format!("/Users/{id}");
    let before = s.get(&path).await.body;
    for (op, bad_path) in [
        ("add", "bogusAttr"),
        ("add", "urn:example:bogus:1.0:Thing"),
        ("replace", "name.bogusSub"),
        (
            "add",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:bogus",
        ),
        (
            "add",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0",
        ),
        ("replace", "emails[bogus eq \"x\"].value"),
        ("replace", "name[givenName eq \"x\"]"),
        ("remove", "bogusAttr"),
        ("remove", "urn:example:bogus:1.0:Thing"),
        ("remove", "urn:ietf:params:scim:schemas:core:2.0:User"),
    ] {
        let a = s
            .patch(&path, json!([{"op": op, "path": bad_path, "value": "x"}]))
            .await;
        assert_eq!(a.status, 400, "{op} {bad_path}: {}", a.body);
        a.assert_error(400, Some("invalidPath"));
    }
    for value in [
        json!({"bogus2": "x"}),
        json!({"urn:example:bogus:1.0:Thing": "x"}),
        json!({EXT: {"bogus": 1}}),
    ] {
        let a = s.patch(&path, json!([{"op": "add", "value": value}])).await;
        a.assert_error(400, Some("invalidValue"));
    }
    let after = s.get(&path).await.body;
    assert_eq!(before, after, "nothing was stored");
    for needle in ["bogus", "Thing", "enterprise"] {
        assert!(!has_key(&after, needle), "{needle} in {after}");
    }
}

#[tokio::test]
async fn wrong_types_are_invalid_value() {
    let s = Scim::start().await;
    let id = s.user("types@example.com").await;
    let path = format!("/Users/{id}");
    for (attr, v) in [
        ("displayName", json!(42)),
        ("active", json!("maybe")),
        ("active", json!(1)),
        ("name", json!("a string")),
        ("emails", json!([{"value": 7}])),
        ("title", json!(["a", "b"])),
        ("title", json!({"value": "x"})),
        ("x509Certificates", json!([{"value": "not base64!"}])),
    ] {
        let a = s
            .post(
                "/Users",
                json!({"userName": format!("t-{attr}@example.com"), attr: v.clone()}),
            )
            .await;
        a.assert_error(400, Some("invalidValue"));
        let a = s
            .patch(&path, json!([{"op": "replace", "path": attr, "value": v}]))
            .await;
        assert_eq!(a.status, 400, "{attr}: {}", a.body);
        a.assert_error(400, Some("invalidValue"));
    }
    let a = s
        .patch(
            &path,
            json!([{"op": "replace", "path": format!("{EXT}:manager"), "value": {"value": 3}}]),
        )
        .await;
    a.assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn idp_traffic_still_works() {
    let s = Scim::start().await;
    // Okta's create: groups [] (readOnly, ignored), password, locale.
    let a = s
        .post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "okta@example.com",
            "name": {"givenName": "O", "familyName": "K"}, "emails": [{"primary": true, "value": "okta@example.com", "type": "work"}],
            "displayName": "O K", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7", "groups": [], "password": "1mP@ss", "active": true}))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(a.body.get("password").is_none() && a.body.get("groups").is_none());
    // Entra's create: both schemas, meta, roles [], explicit nulls, string "True".
    let a = s
        .post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", EXT], "externalId": "e1", "userName": "entra@example.com",
            "active": "True", "emails": [{"primary": true, "type": "work", "value": "entra@example.com"}], "meta": {"resourceType": "User"},
            "name": {"formatted": "E A", "familyName": "A", "givenName": "E"}, "roles": [], "nickName": null, "title": null,
            EXT: {"department": null, "employeeNumber": "12"}}))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(
        (a.body["active"].clone(), a.body[EXT].clone()),
        (json!(true), json!({"employeeNumber": "12"}))
    );
    let id = a.body["id"].as_str().unwrap().to_string();
    let path = format!("/Users/{id}");
    // Entra's PATCH dialect: capitalised ops, "False", dotted and full-URN keys.
    let a = s
        .patch(&path, json!([
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "replace", "value": {"name.givenName": "Eve", "displayName": "Eve A", format!("{EXT}:department"): "R&D", "active": "True"}},
            {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "eve@example.com"},
        ]))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["active"],
        json!(true),
        "a boolean is stored, not the string"
    );
    assert_eq!(a.body["name"]["givenName"], "Eve");
    assert_eq!(a.body[EXT]["department"], "R&D");
    // An extension this server does not support is tolerated in schemas and not kept.
    let a = s
        .post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group",
            "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"], "displayName": "Entra group", "members": []}))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(
        a.body["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:Group"])
    );
    let a = s
        .post("/Users", json!({"userName": "custom@example.com", "urn:ietf:params:scim:schemas:extension:custom:2.0:User": {"badge": "7"}}))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(!has_key(&a.body, "custom:2.0"), "{}", a.body);
}

#[tokio::test]
async fn member_sub_attributes() {
    let s = Scim::start().await;
    let u = s.user("m1@example.com").await;
    let v = s.user("m2@example.com").await;
    let g = s.group("Subs", &[&u, &v]).await;
    let path = format!("/Groups/{g}");
    let a = s
        .patch(&path, json!([{"op": "replace", "path": format!("members[value eq \"{u}\"].display"), "value": "One"}]))
        .await;
    assert_eq!(a.status, 204, "{}", a.body);
    let members = s.get(&path).await.body["members"].clone();
    let one = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["value"] == json!(u))
        .unwrap();
    assert_eq!(one["display"], "One");
    // members.value, $ref and type are immutable (RFC 7643 §4.2).
    let a = s
        .patch(&path, json!([{"op": "replace", "path": format!("members[value eq \"{u}\"].value"), "value": v}]))
        .await;
    a.assert_error(400, Some("mutability"));
    // Removing a sub-attribute never removes the members.
    let a = s
        .patch(&path, json!([{"op": "remove", "path": "members.display"}]))
        .await;
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(s.member_ids(&g).await.len(), 2);
    let a = s
        .patch(&path, json!([{"op": "remove", "path": "members.type"}]))
        .await;
    a.assert_error(400, Some("mutability"));
    assert_eq!(s.member_ids(&g).await.len(), 2);
}
