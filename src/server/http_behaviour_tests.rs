//! The reference and the alternative server side by side, request by request: each legal
//! choice of [`Behaviour`] and nothing else differs.

use axum::http::{HeaderMap, HeaderValue, Method};
use serde_json::{json, Value};

use super::{dispatch, App, Reply};
use crate::server::behaviour::Behaviour;
use crate::server::store::Store;

const BASE: &str = "http://h/scim/v2";

fn app(behaviour: Behaviour) -> App {
    App {
        store: Store::with_behaviour(BASE, behaviour),
        token: None,
        log_requests: false,
    }
}

fn send(
    app: &App,
    method: Method,
    target: &str,
    extra: &[(&'static str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut headers = HeaderMap::new();
    headers.insert("authorization", HeaderValue::from_static("Bearer t"));
    for (name, value) in extra {
        headers.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let body = body
        .map(|b| serde_json::to_vec(&b).unwrap())
        .unwrap_or_default();
    dispatch(
        app,
        &method,
        &format!("/scim/v2{path}"),
        query,
        &headers,
        &body,
    )
}

fn etag_of(reply: &Reply) -> Option<&str> {
    reply
        .headers
        .iter()
        .find(|(n, _)| *n == "etag")
        .map(|(_, v)| v.as_str())
}

fn create_user(app: &App, name: &str) -> (String, Option<String>) {
    let r = send(
        app,
        Method::POST,
        "/Users",
        &[],
        Some(json!({"userName": name, "title": "Engineer"})),
    );
    assert_eq!(r.status, 201);
    let id = r.body.as_ref().unwrap()["id"].as_str().unwrap().to_string();
    (id, etag_of(&r).map(str::to_string))
}

fn patch_title(title: &str) -> Option<Value> {
    Some(
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": title}]}),
    )
}

#[test]
fn patch_answers_204_in_the_alternative_and_200_when_attributes_are_asked_for() {
    let alt = app(Behaviour::alternative());
    let (uid, _) = create_user(&alt, "a@x.example");
    let r = send(
        &alt,
        Method::PATCH,
        &format!("/Users/{uid}"),
        &[],
        patch_title("Architect"),
    );
    assert_eq!((r.status, r.body.is_none()), (204, true));
    let r = send(&alt, Method::GET, &format!("/Users/{uid}"), &[], None);
    assert_eq!(r.body.unwrap()["title"], "Architect");
    // RFC 7644 §3.5.2: "MUST return a 200 OK if the "attributes" parameter is specified".
    let r = send(
        &alt,
        Method::PATCH,
        &format!("/Users/{uid}?attributes=title"),
        &[],
        patch_title("Lead"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body.unwrap()["title"], "Lead");
    let g = send(
        &alt,
        Method::POST,
        "/Groups",
        &[],
        Some(json!({"displayName": "G"})),
    );
    let gid = g.body.unwrap()["id"].as_str().unwrap().to_string();
    let rename = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "displayName", "value": "H"}]});
    let r = send(
        &alt,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        &[],
        Some(rename),
    );
    assert_eq!((r.status, r.body.is_none()), (204, true));

    let reference = app(Behaviour::reference());
    let (uid, _) = create_user(&reference, "a@x.example");
    let r = send(
        &reference,
        Method::PATCH,
        &format!("/Users/{uid}"),
        &[],
        patch_title("Architect"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.body.unwrap()["title"], "Architect");
}

#[test]
fn the_alternative_sends_no_etag_and_ignores_preconditions() {
    let alt = app(Behaviour::alternative());
    let (uid, etag) = create_user(&alt, "a@x.example");
    assert_eq!(etag, None);
    let r = send(
        &alt,
        Method::GET,
        &format!("/Users/{uid}"),
        &[("if-none-match", "*")],
        None,
    );
    assert_eq!((r.status, etag_of(&r)), (200, None));
    let body = r.body.unwrap();
    assert!(body["meta"].get("version").is_none(), "{body}");
    assert!(body["meta"].get("location").is_some(), "{body}");
    let r = send(
        &alt,
        Method::PATCH,
        &format!("/Users/{uid}"),
        &[("if-match", "W/\"stale\"")],
        patch_title("Applied"),
    );
    assert_eq!((r.status, etag_of(&r)), (204, None));
    let list = send(&alt, Method::GET, "/Users", &[], None).body.unwrap();
    assert!(
        list["Resources"][0]["meta"].get("version").is_none(),
        "{list}"
    );
    assert_eq!(list["Resources"][0]["title"], "Applied");
    let r = send(
        &alt,
        Method::DELETE,
        &format!("/Users/{uid}"),
        &[("if-match", "W/\"stale\"")],
        None,
    );
    assert_eq!(r.status, 204);

    let reference = app(Behaviour::reference());
    let (uid, etag) = create_user(&reference, "a@x.example");
    let etag = etag.expect("the reference server sends an ETag");
    let r = send(
        &reference,
        Method::GET,
        &format!("/Users/{uid}"),
        &[("if-none-match", &etag)],
        None,
    );
    assert_eq!(r.status, 304);
    let r = send(
        &reference,
        Method::PATCH,
        &format!("/Users/{uid}"),
        &[("if-match", "W/\"stale\"")],
        patch_title("Refused"),
    );
    assert_eq!(r.status, 412);
}

#[test]
fn service_provider_config_advertises_the_choices() {
    let spc = |b| {
        send(&app(b), Method::GET, "/ServiceProviderConfig", &[], None)
            .body
            .unwrap()
    };
    let alt = spc(Behaviour::alternative());
    for cap in ["etag", "sort", "bulk"] {
        assert_eq!(alt[cap]["supported"], false, "{cap}: {alt}");
    }
    assert_eq!(alt["patch"]["supported"], true);
    let reference = spc(Behaviour::reference());
    assert_eq!(
        (
            &reference["etag"]["supported"],
            &reference["sort"]["supported"]
        ),
        (&json!(true), &json!(true))
    );
}

#[test]
fn sort_by_is_ignored_without_sort_support() {
    let names = |b: Behaviour, target: &str, search: Option<Value>| -> Vec<String> {
        let app = app(b);
        for name in ["c@x.example", "a@x.example", "b@x.example"] {
            create_user(&app, name);
        }
        let r = match search {
            Some(body) => send(&app, Method::POST, target, &[], Some(body)),
            None => send(&app, Method::GET, target, &[], None),
        };
        assert_eq!(r.status, 200);
        r.body.unwrap()["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["userName"].as_str().unwrap().to_string())
            .collect()
    };
    let created = ["c@x.example", "a@x.example", "b@x.example"];
    let sorted = ["a@x.example", "b@x.example", "c@x.example"];
    let q = "/Users?sortBy=userName";
    assert_eq!(names(Behaviour::alternative(), q, None), created);
    assert_eq!(names(Behaviour::reference(), q, None), sorted);
    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "sortBy": "userName"});
    assert_eq!(
        names(
            Behaviour::alternative(),
            "/Users/.search",
            Some(search.clone())
        ),
        created
    );
    assert_eq!(
        names(Behaviour::reference(), "/Users/.search", Some(search)),
        sorted
    );
}

#[test]
fn bulk_is_501_only_where_not_supported() {
    let bulk = |b| {
        send(
            &app(b),
            Method::POST,
            "/Bulk",
            &[],
            Some(
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": []}),
            ),
        )
    };
    let r = bulk(Behaviour::alternative());
    assert_eq!(r.status, 501);
    assert_eq!(r.body.unwrap()["status"], "501");
    assert_ne!(bulk(Behaviour::reference()).status, 501);
}

#[test]
fn unknown_members_are_kept_without_integrity_and_refused_with_it() {
    let unknown = "00000000-0000-4000-8000-000000000000";
    let alt = app(Behaviour::alternative());
    let (uid, _) = create_user(&alt, "a@x.example");
    let members = json!([{"value": unknown, "display": "Gone"}, {"value": uid}]);
    let r = send(
        &alt,
        Method::POST,
        "/Groups",
        &[],
        Some(json!({"displayName": "G", "members": members})),
    );
    assert_eq!(r.status, 201);
    let group = r.body.unwrap();
    assert_eq!(
        group["members"][0],
        json!({"value": unknown, "display": "Gone"})
    );
    assert_eq!(group["members"][1]["type"], "User");
    let gid = group["id"].as_str().unwrap();
    let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": "not-an-id"}]}]});
    let r = send(
        &alt,
        Method::PATCH,
        &format!("/Groups/{gid}"),
        &[],
        Some(add.clone()),
    );
    assert_eq!(r.status, 204);
    let filtered = send(
        &alt,
        Method::GET,
        "/Groups?filter=members.value%20eq%20%22not-an-id%22",
        &[],
        None,
    );
    assert_eq!(filtered.body.unwrap()["totalResults"], 1);
    let remove = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": format!("members[value eq \"{unknown}\"]")}]});
    assert_eq!(
        send(
            &alt,
            Method::PATCH,
            &format!("/Groups/{gid}"),
            &[],
            Some(remove)
        )
        .status,
        204
    );
    let group = send(&alt, Method::GET, &format!("/Groups/{gid}"), &[], None)
        .body
        .unwrap();
    let values: Vec<&str> = group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, [uid.as_str(), "not-an-id"]);

    let reference = app(Behaviour::reference());
    let r = send(
        &reference,
        Method::POST,
        "/Groups",
        &[],
        Some(json!({"displayName": "G", "members": [{"value": unknown}]})),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.body.unwrap()["scimType"], "invalidValue");
    let g = send(
        &reference,
        Method::POST,
        "/Groups",
        &[],
        Some(json!({"displayName": "G"})),
    );
    let gid = g.body.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(
        send(
            &reference,
            Method::PATCH,
            &format!("/Groups/{gid}"),
            &[],
            Some(add)
        )
        .status,
        400
    );
}
