//! Create, read, replace, delete; uniqueness; write-only and read-only attributes.

use reqwest::Method;
use serde_json::json;

use super::Scim;

#[tokio::test]
async fn post_answers_201_with_location_meta_and_etag() {
    let s = Scim::start().await;
    let a = s.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "jane@example.com", "id": "client-chosen", "password": "Secret-1"})).await;
    assert_eq!(a.status, 201);
    let id = a.body["id"].as_str().unwrap();
    assert_ne!(id, "client-chosen", "the server assigns the id");
    let location = a.header("location").unwrap();
    assert_eq!(location, s.url(&format!("/Users/{id}")));
    assert_eq!(a.body["meta"]["location"], location);
    assert_eq!(a.body["meta"]["resourceType"], "User");
    assert!(a.body["meta"]["created"].is_string() && a.body["meta"]["lastModified"].is_string());
    let version = a.body["meta"]["version"].as_str().unwrap();
    assert!(version.starts_with("W/\""));
    assert_eq!(a.header("etag"), Some(version));
    assert!(a.body.get("password").is_none());
    assert_eq!(a.header("content-type"), Some("application/scim+json"));
}

#[tokio::test]
async fn application_json_requests_are_accepted() {
    let s = Scim::start().await;
    let a = s.send(Method::POST, "/Users", None, &[]).await;
    a.assert_error(400, Some("invalidSyntax"));
    let http = crate::support::http();
    let resp = http
        .post(s.url("/Users"))
        .header("authorization", format!("Bearer {}", crate::support::TOKEN))
        .header("content-type", "application/json")
        .body(json!({"userName": "json@example.com"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
}

#[tokio::test]
async fn get_by_id_and_unknown_id() {
    let s = Scim::start().await;
    let id = s.user("a@example.com").await;
    let a = s.get(&format!("/Users/{id}")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["id"], id.as_str());
    s.get("/Users/does-not-exist").await.assert_error(404, None);
}

#[tokio::test]
async fn user_name_is_unique_ignoring_case() {
    let s = Scim::start().await;
    s.user("Dup@Example.com").await;
    let a = s
        .post("/Users", json!({"userName": "dup@example.COM"}))
        .await;
    a.assert_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn password_is_never_returned() {
    let s = Scim::start().await;
    let a = s
        .post(
            "/Users",
            json!({"userName": "p@example.com", "password": "hunter2"}),
        )
        .await;
    let id = a.body["id"].as_str().unwrap().to_string();
    for path in [
        format!("/Users/{id}"),
        format!("/Users/{id}?attributes=password"),
        "/Users?filter=password%20pr".into(),
    ] {
        let a = s.get(&path).await;
        assert!(
            !a.body.to_string().contains("hunter2"),
            "{path}: {}",
            a.body
        );
    }
}

#[tokio::test]
async fn put_replaces_keeps_id_and_clears_omitted_attributes() {
    let s = Scim::start().await;
    let id = s.user("put@example.com").await;
    let before = s.get(&format!("/Users/{id}")).await.body;
    let a = s
        .send(Method::PUT, &format!("/Users/{id}"), Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "other", "userName": "put@example.com", "displayName": "New", "meta": {"created": "1999-01-01T00:00:00Z"}, "groups": [{"value": "x"}]})), &[])
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["id"], id.as_str());
    assert_eq!(a.body["displayName"], "New");
    assert!(
        a.body.get("name").is_none() && a.body.get("emails").is_none(),
        "omitted attributes are cleared: {}",
        a.body
    );
    assert!(a.body.get("groups").is_none(), "groups is read-only");
    assert_eq!(a.body["meta"]["created"], before["meta"]["created"]);
    assert_ne!(a.body["meta"]["version"], before["meta"]["version"]);
}

#[tokio::test]
async fn put_cannot_take_another_users_name() {
    let s = Scim::start().await;
    s.user("one@example.com").await;
    let two = s.user("two@example.com").await;
    let a = s
        .send(
            Method::PUT,
            &format!("/Users/{two}"),
            Some(json!({"userName": "ONE@example.com"})),
            &[],
        )
        .await;
    a.assert_error(409, Some("uniqueness"));
}

#[tokio::test]
async fn delete_then_404_and_membership_is_removed() {
    let s = Scim::start().await;
    let u = s.user("d@example.com").await;
    let keep = s.user("k@example.com").await;
    let g = s.group("Team", &[&u, &keep]).await;
    let a = s
        .send(Method::DELETE, &format!("/Users/{u}"), None, &[])
        .await;
    assert_eq!(a.status, 204);
    assert_eq!(a.body, serde_json::Value::Null);
    s.get(&format!("/Users/{u}")).await.assert_error(404, None);
    s.send(Method::DELETE, &format!("/Users/{u}"), None, &[])
        .await
        .assert_error(404, None);
    assert_eq!(s.member_ids(&g).await, vec![keep]);
    assert_eq!(
        s.send(Method::DELETE, &format!("/Groups/{g}"), None, &[])
            .await
            .status,
        204
    );
    s.get(&format!("/Groups/{g}")).await.assert_error(404, None);
}

#[tokio::test]
async fn user_groups_attribute_reflects_membership() {
    let s = Scim::start().await;
    let u = s.user("m@example.com").await;
    let g = s.group("Engineering", &[&u]).await;
    let a = s.get(&format!("/Users/{u}")).await;
    assert_eq!(a.body["groups"][0]["value"], g.as_str());
    assert_eq!(a.body["groups"][0]["display"], "Engineering");
    assert_eq!(a.body["groups"][0]["type"], "direct");
    s.patch(
        &format!("/Groups/{g}"),
        json!([{"op": "remove", "path": "members"}]),
    )
    .await;
    assert!(s
        .get(&format!("/Users/{u}"))
        .await
        .body
        .get("groups")
        .is_none());
}

#[tokio::test]
async fn group_members_carry_value_ref_display_type() {
    let s = Scim::start().await;
    let u = s.user("gm@example.com").await;
    let a = s
        .post(
            "/Groups",
            json!({"displayName": "G", "members": [{"value": u, "display": "GM"}]}),
        )
        .await;
    let m = &a.body["members"][0];
    assert_eq!(m["value"], u.as_str());
    assert_eq!(m["display"], "GM");
    assert_eq!(m["type"], "User");
    assert_eq!(m["$ref"], s.url(&format!("/Users/{u}")));
    let bad = s
        .post(
            "/Groups",
            json!({"displayName": "H", "members": [{"value": "nobody"}]}),
        )
        .await;
    bad.assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn concurrent_creates_are_safe() {
    let s = std::sync::Arc::new(Scim::start().await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let s = s.clone();
        tasks.spawn(async move {
            s.post(
                "/Users",
                json!({"userName": format!("c{}@example.com", i % 20)}),
            )
            .await
            .status
        });
    }
    let mut created = 0;
    let mut conflicts = 0;
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            201 => created += 1,
            409 => conflicts += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((created, conflicts), (20, 20));
    assert_eq!(s.get("/Users?count=0").await.body["totalResults"], 20);
}

#[tokio::test]
async fn deleting_a_group_removes_it_from_its_parents() {
    let s = Scim::start().await;
    let u = s.user("nested@example.com").await;
    let child = s.group("Child", &[&u]).await;
    let parent = s.group("Parent", &[&child, &u]).await;
    let before = s.get(&format!("/Groups/{parent}")).await;
    let a = s
        .send(Method::DELETE, &format!("/Groups/{child}"), None, &[])
        .await;
    assert_eq!(a.status, 204);
    assert_eq!(s.member_ids(&parent).await, vec![u.clone()]);
    let after = s.get(&format!("/Groups/{parent}")).await;
    assert_ne!(
        after.header("etag"),
        before.header("etag"),
        "the parent changed"
    );
    let filter = format!("/Groups?filter=members.value%20eq%20%22{child}%22");
    assert_eq!(s.get(&filter).await.body["totalResults"], 0);
}

#[tokio::test]
async fn a_users_etag_follows_its_groups() {
    let s = Scim::start().await;
    let u = s.user("etag-groups@example.com").await;
    let path = format!("/Users/{u}");
    let not_modified = |etag: String| {
        let s = &s;
        let path = path.clone();
        async move {
            s.send(Method::GET, &path, None, &[("if-none-match", &etag)])
                .await
        }
    };
    let tag = |a: &super::Answer| a.header("etag").unwrap().to_string();
    let first = s.get(&path).await;
    let g = s.group("Before", &[&u]).await;
    let a = not_modified(tag(&first)).await;
    assert_eq!(a.status, 200, "joining a group changes the user");
    assert_eq!(a.body["groups"][0]["display"], "Before");
    assert_eq!(a.header("etag"), a.body["meta"]["version"].as_str());
    s.patch(
        &format!("/Groups/{g}"),
        json!([{"op": "replace", "path": "displayName", "value": "After"}]),
    )
    .await;
    let b = not_modified(tag(&a)).await;
    assert_eq!(b.status, 200, "renaming its group changes the user");
    assert_eq!(b.body["groups"][0]["display"], "After");
    s.patch(
        &format!("/Groups/{g}"),
        json!([{"op": "remove", "path": format!("members[value eq \"{u}\"]")}]),
    )
    .await;
    let c = not_modified(tag(&b)).await;
    assert_eq!(c.status, 200, "leaving a group changes the user");
    assert!(c.body.get("groups").is_none());
    let other = s.group("Other", &[&u]).await;
    let d = s.get(&path).await;
    s.send(Method::DELETE, &format!("/Groups/{other}"), None, &[])
        .await;
    assert_eq!(not_modified(tag(&d)).await.status, 200, "its group deleted");
    let unrelated = s.user("unrelated@example.com").await;
    let e = s.get(&path).await;
    s.group("Unrelated", &[&unrelated]).await;
    assert_eq!(
        not_modified(tag(&e)).await.status,
        304,
        "other users' groups do not matter"
    );
}

#[tokio::test]
async fn read_only_manager_display_name_is_ignored_on_post_and_put() {
    let s = Scim::start().await;
    let boss = s.user("boss@example.com").await;
    let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let a = s
        .post("/Users", json!({"userName": "emp@example.com", ext: {"manager": {"value": boss, "displayName": "Forged"}}}))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body[ext]["manager"], json!({"value": boss}), "{}", a.body);
    let id = a.body["id"].as_str().unwrap().to_string();
    let a = s
        .send(
            Method::PUT,
            &format!("/Users/{id}"),
            Some(
                json!({"userName": "emp@example.com", ext: {"manager": {"displayName": "Forged"}}}),
            ),
            &[],
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.body.get(ext).is_none(),
        "nothing settable is left: {}",
        a.body
    );
}
