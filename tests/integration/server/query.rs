//! Filters, paging, sorting, projections and searches.

use reqwest::Method;
use serde_json::{json, Value};

use super::Scim;

fn q(filter: &str) -> String {
    format!("/Users?filter={}", percent(filter))
}

fn percent(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

async fn names(s: &Scim, filter: &str) -> Vec<String> {
    let a = s.get(&q(filter)).await;
    assert_eq!(a.status, 200, "{filter}: {}", a.body);
    let mut out: Vec<String> = a.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

async fn people() -> Scim {
    let s = Scim::start().await;
    let users = [
        json!({"userName": "Bjensen@Example.com", "externalId": "Ext-1", "title": "Tour Guide", "active": true, "name": {"familyName": "Jensen", "givenName": "Barbara"},
               "emails": [{"value": "bjensen@example.com", "type": "work"}, {"value": "babs@jensen.org", "type": "home"}],
               "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tours"}}),
        json!({"userName": "jsmith@example.com", "externalId": "ext-2", "active": false, "name": {"familyName": "Smith", "givenName": "John"},
               "emails": [{"value": "john@smith.org", "type": "home"}]}),
        json!({"userName": "mpepper@example.com", "active": true, "name": {"familyName": "Pepperidge", "givenName": "Mandy"}}),
    ];
    for u in users {
        assert_eq!(s.post("/Users", u).await.status, 201);
    }
    s
}

#[tokio::test]
async fn every_comparison_operator() {
    let s = people().await;
    assert_eq!(
        names(&s, r#"userName eq "bjensen@example.com""#).await,
        ["Bjensen@Example.com"]
    );
    assert_eq!(
        names(&s, r#"userName ne "bjensen@example.com""#)
            .await
            .len(),
        2
    );
    assert_eq!(
        names(&s, r#"name.familyName co "PEPP""#).await,
        ["mpepper@example.com"]
    );
    assert_eq!(
        names(&s, r#"userName sw "J""#).await,
        ["jsmith@example.com"]
    );
    assert_eq!(names(&s, r#"userName ew "@example.com""#).await.len(), 3);
    assert_eq!(names(&s, "title pr").await, ["Bjensen@Example.com"]);
    assert_eq!(
        names(&s, r#"name.givenName gt "J""#).await,
        ["jsmith@example.com", "mpepper@example.com"]
    );
    assert_eq!(
        names(&s, r#"name.givenName ge "John""#).await,
        ["jsmith@example.com", "mpepper@example.com"]
    );
    assert_eq!(
        names(&s, r#"name.givenName lt "John""#).await,
        ["Bjensen@Example.com"]
    );
    assert_eq!(
        names(&s, r#"name.givenName le "John""#).await,
        ["Bjensen@Example.com", "jsmith@example.com"]
    );
    assert_eq!(
        names(&s, r#"meta.created gt "2000-01-01T00:00:00Z""#)
            .await
            .len(),
        3
    );
    assert_eq!(names(&s, "active eq false").await, ["jsmith@example.com"]);
}

#[tokio::test]
async fn logic_grouping_and_case_rules() {
    let s = people().await;
    assert_eq!(
        names(
            &s,
            r#"active eq true and (name.familyName eq "jensen" or name.familyName eq "smith")"#
        )
        .await,
        ["Bjensen@Example.com"]
    );
    assert_eq!(
        names(&s, r#"not (active eq true)"#).await,
        ["jsmith@example.com"]
    );
    assert_eq!(
        names(&s, r#"USERNAME eq "JSMITH@EXAMPLE.COM""#).await,
        ["jsmith@example.com"],
        "attribute names and userName ignore case"
    );
    assert!(
        names(&s, r#"externalId eq "EXT-2""#).await.is_empty(),
        "externalId is caseExact"
    );
    assert_eq!(
        names(&s, r#"externalId eq "ext-2""#).await,
        ["jsmith@example.com"]
    );
}

#[tokio::test]
async fn value_paths_and_extension_attributes() {
    let s = people().await;
    assert_eq!(
        names(&s, r#"emails[type eq "work" and value co "@example.com"]"#).await,
        ["Bjensen@Example.com"]
    );
    assert_eq!(
        names(
            &s,
            r#"emails[type eq "work"].value eq "bjensen@example.com""#
        )
        .await,
        ["Bjensen@Example.com"],
        "Entra's form"
    );
    assert_eq!(names(&s, r#"emails.type eq "home""#).await.len(), 2);
    assert_eq!(names(&s, r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#).await, ["Bjensen@Example.com"]);
}

#[tokio::test]
async fn invalid_filters_are_400_invalid_filter() {
    let s = people().await;
    for bad in [
        "userName eq",
        "userName xx \"a\"",
        "(userName eq \"a\"",
        "active gt true",
    ] {
        s.get(&q(bad))
            .await
            .assert_error(400, Some("invalidFilter"));
    }
}

#[tokio::test]
async fn paging_is_one_based_with_integer_counts() {
    let s = people().await;
    let a = s.get("/Users?startIndex=2&count=1").await;
    assert_eq!(
        a.body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert_eq!(
        (
            a.body["totalResults"].clone(),
            a.body["startIndex"].clone(),
            a.body["itemsPerPage"].clone()
        ),
        (json!(3), json!(2), json!(1))
    );
    assert_eq!(
        a.body["Resources"][0]["userName"], "jsmith@example.com",
        "creation order is stable"
    );
    let miss = s.get(&q(r#"userName eq "nobody""#)).await;
    assert_eq!(miss.status, 200);
    assert_eq!(
        (
            miss.body["totalResults"].clone(),
            miss.body["itemsPerPage"].clone()
        ),
        (json!(0), json!(0))
    );
    let zero = s.get("/Users?count=0").await;
    assert_eq!(
        (
            zero.body["totalResults"].clone(),
            zero.body["Resources"].clone()
        ),
        (json!(3), json!([]))
    );
    s.get("/Users?startIndex=abc")
        .await
        .assert_error(400, Some("invalidValue"));
    assert_eq!(
        s.get("/Users?startIndex=0&count=1").await.body["startIndex"],
        1,
        "startIndex below 1 is read as 1"
    );
}

#[tokio::test]
async fn sorting() {
    let s = people().await;
    let a = s
        .get("/Users?sortBy=name.givenName&sortOrder=descending")
        .await;
    let order: Vec<&str> = a.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"]["givenName"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Mandy", "John", "Barbara"]);
    let a = s.get("/Users?sortBy=userName").await;
    assert_eq!(a.body["Resources"][0]["userName"], "Bjensen@Example.com");
}

#[tokio::test]
async fn too_many_to_sort_is_400_too_many() {
    let s = Scim::start().await;
    for i in 0..20_001 {
        s.server
            .store()
            .seed_user(json!({"userName": format!("u{i}@example.com")}))
            .unwrap();
    }
    s.get("/Users?sortBy=userName&count=1")
        .await
        .assert_error(400, Some("tooMany"));
    assert_eq!(
        s.get("/Users?count=1").await.body["totalResults"],
        20_001,
        "unsorted paging still works"
    );
}

#[tokio::test]
async fn attributes_and_excluded_attributes() {
    let s = people().await;
    let a = s
        .get(&format!(
            "{}&attributes=userName,name.familyName",
            q(r#"userName eq "jsmith@example.com""#)
        ))
        .await;
    let r = &a.body["Resources"][0];
    assert_eq!(
        r.as_object().unwrap().keys().cloned().collect::<Vec<_>>(),
        ["schemas", "id", "userName", "name"]
    );
    assert_eq!(r["name"], json!({"familyName": "Smith"}));
    let a = s.get("/Users?excludedAttributes=emails,name,id").await;
    let r = &a.body["Resources"][0];
    assert!(r.get("emails").is_none() && r.get("name").is_none());
    assert!(r.get("id").is_some(), "id is always returned");
    let u = s.user("x@example.com").await;
    let g = s.group("Big", &[&u]).await;
    let a = s
        .get(&format!("/Groups/{g}?excludedAttributes=members"))
        .await;
    assert!(a.body.get("members").is_none());
    assert_eq!(a.body["displayName"], "Big");
}

#[tokio::test]
async fn post_search_on_collections_and_root() {
    let s = people().await;
    let u = s.user("zed@example.com").await;
    s.group("Zed team", &[&u]).await;
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"j\"", "attributes": ["userName"], "startIndex": 1, "count": 10});
    let a = s.post("/Users/.search", body).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["totalResults"], 1);
    assert_eq!(a.body["Resources"][0].as_object().unwrap().len(), 3);
    let a = s
        .post(
            "/.search",
            json!({"filter": "displayName co \"zed\" or userName eq \"zed@example.com\""}),
        )
        .await;
    assert_eq!(a.body["totalResults"], 2, "{}", a.body);
    let kinds: Vec<&Value> = a.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["meta"]["resourceType"])
        .collect();
    assert_eq!(kinds, [&json!("User"), &json!("Group")]);
    assert_eq!(s.send(Method::GET, "/.search", None, &[]).await.status, 405);
}

#[tokio::test]
async fn external_id_is_not_unique() {
    let s = Scim::start().await;
    let mut ids = vec![];
    for n in ["first@example.com", "second@example.com"] {
        let a = s
            .post("/Users", json!({"userName": n, "externalId": "SAME"}))
            .await;
        ids.push(a.body["id"].as_str().unwrap().to_string());
    }
    assert_eq!(
        names(&s, r#"externalId eq "SAME""#).await,
        ["first@example.com", "second@example.com"]
    );
    s.send(Method::DELETE, &format!("/Users/{}", ids[1]), None, &[])
        .await;
    assert_eq!(
        names(&s, r#"externalId eq "SAME""#).await,
        ["first@example.com"]
    );
    let a = s
        .patch(
            &format!("/Users/{}", ids[0]),
            json!([{"op": "replace", "path": "externalId", "value": "NEW"}]),
        )
        .await;
    assert_eq!(a.status, 200);
    assert!(names(&s, r#"externalId eq "SAME""#).await.is_empty());
    assert_eq!(
        names(&s, r#"externalId eq "NEW""#).await,
        ["first@example.com"]
    );
}

async fn total(s: &Scim, path: &str) -> Value {
    let a = s.get(path).await;
    assert_eq!(a.status, 200, "{path}: {}", a.body);
    a.body["totalResults"].clone()
}

#[tokio::test]
async fn filters_see_members_and_groups() {
    let s = Scim::start().await;
    let (u, other) = (
        s.user("in@example.com").await,
        s.user("out@example.com").await,
    );
    let g = s.group("Members", &[&u]).await;
    let parent = s.group("Parent", &[&g]).await;
    s.group("Empty", &[]).await;
    let groups = |f: String| format!("/Groups?filter={}", percent(&f));
    let users = |f: String| q(&f);
    for f in [
        format!("members[value eq \"{u}\"]"),
        format!("members eq \"{u}\""),
        format!("members.value eq \"{u}\""),
        format!("members.value eq \"{}\"", u.to_uppercase()),
        format!("members[type eq \"User\" and value eq \"{u}\"]"),
        format!("members.display pr or members[value eq \"{u}\"]"),
    ] {
        assert_eq!(total(&s, &groups(f.clone())).await, 1, "{f}");
    }
    assert_eq!(
        total(&s, &groups(format!("members[value eq \"{other}\"]"))).await,
        0
    );
    assert_eq!(
        total(&s, &groups(format!("members.value eq \"{g}\""))).await,
        1,
        "nested"
    );
    assert_eq!(total(&s, &groups("members pr".into())).await, 2);
    assert_eq!(total(&s, &groups("not (members pr)".into())).await, 1);
    assert_eq!(
        total(&s, &groups(format!("members.value ne \"{u}\""))).await,
        2
    );
    for f in [
        format!("groups.value eq \"{g}\""),
        format!("groups eq \"{g}\""),
        format!("groups[value eq \"{g}\"]"),
        "groups.display eq \"members\"".to_string(),
        "groups pr".to_string(),
    ] {
        assert_eq!(total(&s, &users(f.clone())).await, 1, "{f}");
    }
    assert_eq!(
        total(&s, &users(format!("groups.value eq \"{parent}\""))).await,
        0,
        "direct only"
    );
}

#[tokio::test]
async fn not_needs_no_space_before_its_parenthesis() {
    let s = people().await;
    assert_eq!(
        names(&s, r#"not(active eq true)"#).await,
        ["jsmith@example.com"]
    );
    assert_eq!(
        names(&s, r#"userName sw "j" or NOT(emails[not(type eq "home")])"#).await,
        ["jsmith@example.com", "mpepper@example.com"]
    );
    assert!(names(&s, r#"title eq "not(x""#).await.is_empty());
}

#[tokio::test]
async fn sorting_follows_case_exact_and_types() {
    let s = Scim::start().await;
    for (name, ext, active) in [
        ("u1@x.example", "b", true),
        ("u2@x.example", "B", false),
        ("u3@x.example", "a", true),
        ("u4@x.example", "A", false),
    ] {
        let a = s
            .post(
                "/Users",
                json!({"userName": name, "externalId": ext, "active": active}),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
    }
    let order = |body: &Value, key: &str| -> Vec<Value> {
        body["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].clone())
            .collect()
    };
    let a = s.get("/Users?sortBy=externalId").await;
    assert_eq!(
        order(&a.body, "externalId"),
        [json!("A"), json!("B"), json!("a"), json!("b")],
        "externalId is caseExact"
    );
    // No published attribute is a number (numeric keys are unit-tested in sort.rs), and an
    // unpublished one is refused, so booleans stand in for a non-string type.
    let a = s.get("/Users?sortBy=active&sortOrder=descending").await;
    assert_eq!(
        order(&a.body, "active"),
        [json!(true), json!(true), json!(false), json!(false)],
        "booleans sort as booleans"
    );
}

#[tokio::test]
async fn a_bare_extension_urn_selects_the_whole_extension() {
    let s = people().await;
    let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let f = q(r#"userName eq "bjensen@example.com""#);
    let a = s.get(&format!("{f}&attributes={ext}")).await;
    let r = &a.body["Resources"][0];
    assert_eq!(
        r[ext],
        json!({"employeeNumber": "701984", "department": "Tours"}),
        "{r}"
    );
    assert!(r.get("userName").is_none(), "{r}");
    let a = s
        .get(&format!("{f}&excludedAttributes={}", ext.to_lowercase()))
        .await;
    let r = &a.body["Resources"][0];
    assert!(r.get(ext).is_none(), "{r}");
    assert_eq!(r["userName"], "Bjensen@Example.com");
}

#[tokio::test]
async fn a_huge_count_is_clamped() {
    let s = people().await;
    let a = s.get("/Users?count=100000000000000000000").await;
    assert_eq!(
        (a.status, a.body["itemsPerPage"].clone()),
        (200, json!(3)),
        "{}",
        a.body
    );
    let a = s.get("/Users?startIndex=100000000000000000000").await;
    assert_eq!(
        (a.status, a.body["itemsPerPage"].clone()),
        (200, json!(0)),
        "{}",
        a.body
    );
    let a = s
        .post(
            "/Users/.search",
            serde_json::from_str(r#"{"count": 100000000000000000000}"#).unwrap(),
        )
        .await;
    assert_eq!(
        (a.status, a.body["itemsPerPage"].clone()),
        (200, json!(3)),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn search_takes_attributes_as_a_comma_string() {
    let s = people().await;
    let a = s
        .post("/Users/.search", json!({"filter": "userName sw \"j\"", "attributes": "userName, name.givenName", "excludedAttributes": "name"}))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["Resources"][0],
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": a.body["Resources"][0]["id"], "userName": "jsmith@example.com", "name": {"givenName": "John"}})
    );
}
