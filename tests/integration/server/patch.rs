//! PATCH in the shapes Okta and Entra really send (shared/scim-field-notes.md).

use serde_json::{json, Value};

use super::Scim;

async fn user_with_manager(s: &Scim) -> (String, String) {
    let manager = s.user("boss@example.com").await;
    let id = s.user("emp@example.com").await;
    (id, manager)
}

async fn body(s: &Scim, path: &str) -> Value {
    s.get(path).await.body
}

#[tokio::test]
async fn okta_path_less_deactivate_and_reactivate() {
    let s = Scim::start().await;
    let id = s.user("okta@example.com").await;
    let a = s
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "value": {"active": false}}]),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["active"], false);
    assert_eq!(body(&s, &format!("/Users/{id}")).await["active"], false);
    let a = s
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "value": {"active": true}}]),
        )
        .await;
    assert_eq!(
        (a.body["active"].clone(), a.body["id"].clone()),
        (json!(true), json!(id))
    );
}

#[tokio::test]
async fn entra_capitalised_ops_and_string_booleans() {
    let s = Scim::start().await;
    let id = s.user("entra@example.com").await;
    let a = s
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
        )
        .await;
    assert_eq!(
        a.body["active"], false,
        "\"False\" is false, not a truthy string"
    );
    let a = s.patch(&format!("/Users/{id}"), json!([{"op": "Add", "path": "displayName", "value": "Added"}, {"op": "Add", "path": "title", "value": "Boss"}])).await;
    assert_eq!(
        (a.body["displayName"].clone(), a.body["title"].clone()),
        (json!("Added"), json!("Boss")),
        "Add on a single-valued attribute sets it"
    );
    let a = s
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "Add", "path": "displayName", "value": "Again"}]),
        )
        .await;
    assert_eq!(a.body["displayName"], "Again");
}

#[tokio::test]
async fn path_less_value_with_dotted_and_urn_keys() {
    let s = Scim::start().await;
    let id = s.user("dots@example.com").await;
    let a = s
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "value": {"name.givenName": "Björn", "displayName": "Björn Ø", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "R&D"}}]),
        )
        .await;
    assert_eq!(a.body["name"]["givenName"], "Björn");
    assert_eq!(
        a.body["name"]["familyName"], "Ångström",
        "sibling sub-attributes stay"
    );
    assert_eq!(a.body["displayName"], "Björn Ø");
    assert_eq!(
        a.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "R&D"
    );
    assert!(a.body["schemas"].as_array().unwrap().contains(&json!(
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    )));
}

#[tokio::test]
async fn value_filter_paths_on_emails() {
    let s = Scim::start().await;
    let id = s.user("vp@example.com").await;
    let a = s.patch(&format!("/Users/{id}"), json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"}])).await;
    assert_eq!(
        a.body["emails"],
        json!([{"value": "new@example.com", "type": "work", "primary": true}])
    );
    let a = s.patch(&format!("/Users/{id}"), json!([{"op": "Add", "path": "emails[type eq \"home\"].value", "value": "home@example.com"}])).await;
    assert_eq!(
        a.body["emails"][1],
        json!({"type": "home", "value": "home@example.com"})
    );
    let a = s
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "remove", "path": "emails[type eq \"home\"]"}]),
        )
        .await;
    assert_eq!(a.body["emails"].as_array().unwrap().len(), 1);
    let a = s
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x"}]),
        )
        .await;
    a.assert_error(400, Some("noTarget"));
}

#[tokio::test]
async fn enterprise_manager_shapes() {
    let s = Scim::start().await;
    let (id, manager) = user_with_manager(&s).await;
    let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let a = s.patch(&format!("/Users/{id}"), json!([{"op": "Add", "path": format!("{ext}:manager"), "value": [{"$ref": null, "value": manager}]}])).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body[ext]["manager"]["value"], manager.as_str());
    let a = s
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "Replace", "path": format!("{ext}:manager"), "value": ""}]),
        )
        .await;
    assert!(
        a.body.get(ext).is_none_or(|e| e.get("manager").is_none()),
        "an empty value removes the manager: {}",
        a.body
    );
    let a = s
        .patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "name.familyName", "value": null}]),
        )
        .await;
    assert!(a.body["name"].get("familyName").is_none(), "null removes");
}

#[tokio::test]
async fn okta_membership_remove_by_filter_and_add_without_type() {
    let s = Scim::start().await;
    let (a, b, c) = (
        s.user("a@example.com").await,
        s.user("b@example.com").await,
        s.user("c@example.com").await,
    );
    let g = s.group("Engineering", &[&a, &b]).await;
    let r = s
        .patch(&format!("/Groups/{g}"), json!([{"op": "remove", "path": format!("members[value eq \"{b}\"]")}, {"op": "add", "path": "members", "value": [{"value": c, "display": "c@example.com"}]}]))
        .await;
    assert_eq!(r.status, 204, "groups answer 204: {}", r.body);
    assert_eq!(s.member_ids(&g).await, vec![a.clone(), c.clone()]);
    let r = s
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "add", "path": "members", "value": [{"value": a}]}]),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        s.member_ids(&g).await.len(),
        2,
        "adding an existing member does not duplicate it"
    );
}

#[tokio::test]
async fn okta_push_replace_and_empty_push() {
    let s = Scim::start().await;
    let (a, b) = (s.user("a@example.com").await, s.user("b@example.com").await);
    let g = s.group("Push", &[&a]).await;
    s.patch(
        &format!("/Groups/{g}"),
        json!([{"op": "replace", "path": "members", "value": [{"value": b}]}]),
    )
    .await;
    assert_eq!(s.member_ids(&g).await, vec![b]);
    let r = s
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "replace", "path": "members", "value": []}]),
        )
        .await;
    assert_eq!(r.status, 204);
    assert!(s.member_ids(&g).await.is_empty());
}

#[tokio::test]
async fn okta_rename_with_id_in_value() {
    let s = Scim::start().await;
    let g = s.group("Old", &[]).await;
    s.patch(
        &format!("/Groups/{g}"),
        json!([{"op": "replace", "value": {"id": g, "displayName": "New"}}]),
    )
    .await;
    assert_eq!(
        s.get(&format!("/Groups/{g}")).await.body["displayName"],
        "New"
    );
    let r = s
        .patch(
            &format!("/Groups/{g}"),
            json!([{"op": "replace", "value": {"id": "another", "displayName": "X"}}]),
        )
        .await;
    r.assert_error(400, Some("mutability"));
    assert_eq!(
        s.get(&format!("/Groups/{g}")).await.body["displayName"],
        "New",
        "a failed PATCH changes nothing"
    );
}

#[tokio::test]
async fn entra_member_removal_by_value_array_removes_only_those() {
    let s = Scim::start().await;
    let (a, b, c) = (
        s.user("a@example.com").await,
        s.user("b@example.com").await,
        s.user("c@example.com").await,
    );
    let g = s.group("Entra", &[]).await;
    s.patch(&format!("/Groups/{g}"), json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": a}, {"$ref": null, "value": b}, {"$ref": null, "value": c}]}])).await;
    s.patch(
        &format!("/Groups/{g}"),
        json!([{"op": "Remove", "path": "members", "value": [{"value": b}]}]),
    )
    .await;
    assert_eq!(s.member_ids(&g).await, vec![a, c]);
}

#[tokio::test]
async fn patch_errors() {
    let s = Scim::start().await;
    let id = s.user("err@example.com").await;
    let p = format!("/Users/{id}");
    s.patch(&p, json!([{"op": "merge", "path": "title", "value": "x"}]))
        .await
        .assert_error(400, Some("invalidSyntax"));
    s.patch(
        &p,
        json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
    )
    .await
    .assert_error(400, Some("invalidPath"));
    s.patch(&p, json!([{"op": "remove"}]))
        .await
        .assert_error(400, Some("noTarget"));
    s.patch(
        &p,
        json!([{"op": "replace", "path": "id", "value": "new-id"}]),
    )
    .await
    .assert_error(400, Some("mutability"));
    s.patch(
        &p,
        json!([{"op": "replace", "path": "active", "value": "maybe"}]),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    s.patch(&p, json!([{"op": "remove", "path": "userName"}]))
        .await
        .assert_error(400, Some("invalidValue"));
    let no_schemas = s
        .send(
            reqwest::Method::PATCH,
            &p,
            Some(json!({"Operations": []})),
            &[],
        )
        .await;
    no_schemas.assert_error(400, Some("invalidSyntax"));
    s.patch(
        "/Users/missing",
        json!([{"op": "replace", "value": {"active": false}}]),
    )
    .await
    .assert_error(404, None);
}

#[tokio::test]
async fn user_patch_honours_attributes_and_group_patch_can_return_the_group() {
    let s = Scim::start().await;
    let id = s.user("proj@example.com").await;
    let r = s
        .send(reqwest::Method::PATCH, &format!("/Users/{id}?attributes=active"), Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": false}}]})), &[])
        .await;
    assert_eq!(
        r.body
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        ["schemas", "id", "active"]
    );
    let g = s.group("Projected", &[]).await;
    let r = s
        .send(reqwest::Method::PATCH, &format!("/Groups/{g}?excludedAttributes=members"), Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "displayName", "value": "P2"}]})), &[])
        .await;
    assert_eq!(
        (r.status, r.body["displayName"].clone()),
        (200, json!("P2"))
    );
}

#[tokio::test]
async fn password_set_by_patch_is_never_returned_nor_matched() {
    let s = Scim::start().await;
    let id = s.user("pw@example.com").await;
    let p = format!("/Users/{id}");
    for (ops, secret) in [
        (
            json!([{"op": "replace", "path": "password", "value": "hunter2"}]),
            "hunter2",
        ),
        (
            json!([{"op": "replace", "value": {"password": "swordfish"}}]),
            "swordfish",
        ),
    ] {
        let a = s.patch(&p, ops).await;
        assert_eq!(a.status, 200, "{}", a.body);
        assert!(!a.body.to_string().contains(secret), "{}", a.body);
        for path in [
            p.clone(),
            format!("{p}?attributes=password"),
            "/Users".into(),
            "/Users?attributes=password,userName".into(),
        ] {
            let a = s.get(&path).await;
            assert_eq!(a.status, 200, "{path}: {}", a.body);
            assert!(!a.body.to_string().contains(secret), "{path}: {}", a.body);
        }
        // No filter can compare a password, not even under `not`.
        for f in [
            format!("password eq \"{secret}\""),
            "not (password eq \"x\")".to_string(),
            "password pr".to_string(),
        ] {
            let path = format!(
                "/Users?filter={}",
                f.replace(' ', "%20").replace('"', "%22")
            );
            let a = s.get(&path).await;
            a.assert_error(400, Some("invalidFilter"));
            assert!(!a.body.to_string().contains(secret), "{}", a.body);
        }
    }
}

#[tokio::test]
async fn the_value_just_made_primary_wins() {
    let s = Scim::start().await;
    let a = s
        .post(
            "/Users",
            json!({"userName": "prim@example.com", "emails": [
                {"value": "h@example.com", "type": "home"},
                {"value": "w@example.com", "type": "work", "primary": true}]}),
        )
        .await;
    let p = format!("/Users/{}", a.body["id"].as_str().unwrap());
    let primary = |body: &Value| -> Vec<String> {
        body["emails"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["primary"] == true)
            .map(|e| e["value"].as_str().unwrap().to_string())
            .collect()
    };
    let a = s
        .patch(
            &p,
            json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}]),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        primary(&a.body),
        ["h@example.com"],
        "value-path form: {}",
        a.body
    );
    let a = s
        .patch(&p, json!([{"op": "replace", "path": "emails[type eq \"work\"]", "value": {"primary": true}}]))
        .await;
    assert_eq!(
        primary(&a.body),
        ["w@example.com"],
        "value-path object form: {}",
        a.body
    );
    let a = s
        .patch(&p, json!([{"op": "add", "path": "emails", "value": [{"value": "o@example.com", "type": "other", "primary": true}]}]))
        .await;
    assert_eq!(primary(&a.body), ["o@example.com"], "add form: {}", a.body);
    let a = s
        .patch(
            &p,
            json!([{"op": "replace", "value": {"emails[type eq \"home\"].primary": true}}]),
        )
        .await;
    assert_eq!(
        primary(&a.body),
        ["h@example.com"],
        "path-less form: {}",
        a.body
    );
    let a = s
        .patch(&p, json!([{"op": "add", "value": {"emails": [{"value": "w@example.com", "type": "work", "primary": true}]}}]))
        .await;
    assert_eq!(
        primary(&a.body),
        ["w@example.com"],
        "path-less add of an existing value: {}",
        a.body
    );
}

#[tokio::test]
async fn remove_with_a_filter_matching_nothing_is_no_target() {
    let s = Scim::start().await;
    let id = s.user("nt@example.com").await;
    let p = format!("/Users/{id}");
    s.patch(
        &p,
        json!([{"op": "remove", "path": "emails[type eq \"nope\"]"}]),
    )
    .await
    .assert_error(400, Some("noTarget"));
    s.patch(
        &p,
        json!([{"op": "remove", "path": "emails[type eq \"nope\"].value"}]),
    )
    .await
    .assert_error(400, Some("noTarget"));
    let member = s.user("member@example.com").await;
    let gone = s.user("gone@example.com").await;
    let g = s.group("NoTarget", &[&member]).await;
    let gp = format!("/Groups/{g}");
    s.patch(
        &gp,
        json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]),
    )
    .await
    .assert_error(400, Some("noTarget"));
    let r = s
        .patch(
            &gp,
            json!([{"op": "Remove", "path": "members", "value": [{"value": gone}]}]),
        )
        .await;
    assert_eq!(
        r.status, 204,
        "Entra's removal of an absent member is idempotent: {}",
        r.body
    );
    assert_eq!(s.member_ids(&g).await, vec![member]);
}

#[tokio::test]
async fn required_names_cannot_be_removed_or_emptied() {
    let s = Scim::start().await;
    let g = s.group("Named", &[]).await;
    let gp = format!("/Groups/{g}");
    for ops in [
        json!([{"op": "replace", "path": "displayName", "value": ""}]),
        json!([{"op": "remove", "path": "displayName"}]),
        json!([{"op": "replace", "value": {"displayName": ""}}]),
        json!([{"op": "replace", "path": "displayName", "value": null}]),
    ] {
        s.patch(&gp, ops.clone())
            .await
            .assert_error(400, Some("invalidValue"));
        assert_eq!(s.get(&gp).await.body["displayName"], "Named", "{ops}");
    }
    let id = s.user("named@example.com").await;
    let up = format!("/Users/{id}");
    for ops in [
        json!([{"op": "replace", "path": "userName", "value": ""}]),
        json!([{"op": "replace", "value": {"userName": "  "}}]),
    ] {
        s.patch(&up, ops)
            .await
            .assert_error(400, Some("invalidValue"));
    }
    assert_eq!(s.get(&up).await.body["userName"], "named@example.com");
}

#[tokio::test]
async fn removing_the_last_extension_attribute_drops_the_extension() {
    let s = Scim::start().await;
    let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let a = s
        .post(
            "/Users",
            json!({"userName": "ext@example.com", ext: {"department": "R&D"}}),
        )
        .await;
    let p = format!("/Users/{}", a.body["id"].as_str().unwrap());
    let a = s
        .patch(
            &p,
            json!([{"op": "remove", "path": format!("{ext}:department")}]),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.get(ext).is_none(), "{}", a.body);
    assert_eq!(
        a.body["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
}

#[tokio::test]
async fn read_only_manager_display_name_by_patch() {
    let s = Scim::start().await;
    let (id, manager) = user_with_manager(&s).await;
    let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let p = format!("/Users/{id}");
    s.patch(
        &p,
        json!([{"op": "replace", "path": format!("{ext}:manager.displayName"), "value": "Boss"}]),
    )
    .await
    .assert_error(400, Some("mutability"));
    let a = s
        .patch(&p, json!([{"op": "replace", "value": {ext: {"manager": {"value": manager, "displayName": "Boss"}}}}]))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body[ext]["manager"],
        json!({"value": manager}),
        "{}",
        a.body
    );
    let a = s
        .patch(&p, json!([{"op": "add", "path": format!("{ext}:manager"), "value": {"displayName": "Boss"}}]))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body[ext]["manager"],
        json!({"value": manager}),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn null_values_add_is_refused_replace_clears() {
    let s = Scim::start().await;
    let id = s.user("nulls@example.com").await;
    let p = format!("/Users/{id}");
    s.patch(&p, json!([{"op": "add", "path": "title", "value": null}]))
        .await
        .assert_error(400, Some("invalidValue"));
    s.patch(&p, json!([{"op": "add", "path": "title", "value": "T"}]))
        .await;
    let a = s
        .patch(
            &p,
            json!([{"op": "replace", "path": "title", "value": null}]),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.get("title").is_none(), "{}", a.body);
}

#[tokio::test]
async fn an_empty_operations_array_is_invalid_syntax() {
    let s = Scim::start().await;
    let id = s.user("empty-ops@example.com").await;
    let p = format!("/Users/{id}");
    let before = s.get(&p).await.body["meta"]["version"].clone();
    s.patch(&p, json!([]))
        .await
        .assert_error(400, Some("invalidSyntax"));
    assert_eq!(s.get(&p).await.body["meta"]["version"], before);
}

#[tokio::test]
async fn value_filter_paths_take_not_without_a_space() {
    let s = Scim::start().await;
    let a = s
        .post(
            "/Users",
            json!({"userName": "notpath@example.com", "emails": [
                {"value": "w@example.com", "type": "work"},
                {"value": "h@example.com", "type": "home"}]}),
        )
        .await;
    let p = format!("/Users/{}", a.body["id"].as_str().unwrap());
    let a = s
        .patch(
            &p,
            json!([{"op": "remove", "path": "emails[not(type eq \"work\")]"}]),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["emails"],
        json!([{"value": "w@example.com", "type": "work"}])
    );
}
