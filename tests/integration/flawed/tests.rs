//! The flawed server with no flaw set is conformant for what the concurrency and scale
//! profiles send: the CLI finds nothing in its members and ETag scenarios, and the requests
//! those profiles make behave as the RFC says.

use reqwest::Method;
use serde_json::{json, Value};

use super::start;
use super::store::USER_URN;
use crate::support::{failing, run_json, TOKEN};

/// A test's client for one flawed server: JSON in and out, the token set.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    pub fn new(base: &str) -> Self {
        Client {
            http: crate::support::http(),
            base: base.to_string(),
        }
    }

    /// Sends `method path` with `body`; the status, headers and JSON body (Null when none).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::Result<(u16, reqwest::header::HeaderMap, Value)> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = req.send().await?;
        let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
        let bytes = resp.bytes().await?;
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, headers, json))
    }

    pub async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let (status, _, json) = self
            .send(method, path, body)
            .await
            .expect("request answered");
        (status, json)
    }

    /// Creates a user named `name`; its id.
    pub async fn user(&self, name: &str) -> String {
        let body = json!({"schemas": [super::store::USER_URN], "userName": name});
        let (status, json) = self.ok(reqwest::Method::POST, "/Users", Some(&body)).await;
        assert_eq!(status, 201, "{json}");
        json["id"].as_str().expect("id").to_string()
    }

    /// Creates a group named `name` with `members`; its id.
    pub async fn group(&self, name: &str, members: &[String]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let body =
            json!({"schemas": [super::store::GROUP_URN], "displayName": name, "members": members});
        let (status, json) = self.ok(reqwest::Method::POST, "/Groups", Some(&body)).await;
        assert_eq!(status, 201, "{json}");
        json["id"].as_str().expect("id").to_string()
    }

    /// The member count of group `gid`.
    pub async fn member_count(&self, gid: &str) -> usize {
        let (status, json) = self
            .ok(reqwest::Method::GET, &format!("/Groups/{gid}"), None)
            .await;
        assert_eq!(status, 200, "{json}");
        json["members"].as_array().map_or(0, Vec::len)
    }
}

pub fn patch_op(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flaws_the_cli_finds_the_members_and_etag_scenarios_conformant() {
    let server = start(&[]).await;
    let (code, report) = run_json(
        &server.base_url,
        &[
            "--profile",
            "rfc",
            "--scenario",
            "rfc.members",
            "--scenario",
            "rfc.etag",
        ],
    )
    .await;
    assert_eq!(report["summary"]["failed"], 0, "{:#?}", failing(&report));
    assert!(
        report["summary"]["passed"].as_u64().unwrap() > 10,
        "{}",
        report["summary"]
    );
    assert_eq!(code, 0);
    assert_eq!(
        (server.users(), server.groups()),
        (0, 0),
        "the run cleaned up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flaws_errors_are_scim_errors() {
    let server = start(&[]).await;
    let c = Client::new(&server.base_url);
    let resp = c
        .http
        .get(format!("{}/Users", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["www-authenticate"], "Bearer");
    assert_eq!(resp.headers()["content-type"], "application/scim+json");
    let (status, headers, body) = c.send(Method::GET, "/Users/nobody", None).await.unwrap();
    assert_eq!(
        (status, &headers["content-type"]),
        (404, &"application/scim+json".parse().unwrap())
    );
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(body["status"], "404");
    c.user("Jane@Example.com").await;
    let twin = json!({"schemas": [USER_URN], "userName": "jane@example.COM"});
    let (status, body) = c.ok(Method::POST, "/Users", Some(&twin)).await;
    assert_eq!(
        (status, body["status"].as_str(), body["scimType"].as_str()),
        (409, Some("409"), Some("uniqueness"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flaws_creates_carry_location_meta_and_etag() {
    let server = start(&[]).await;
    let c = Client::new(&server.base_url);
    let body = json!({"schemas": [USER_URN], "userName": "meta@example.com", "password": "secret"});
    let (status, headers, user) = c.send(Method::POST, "/Users", Some(&body)).await.unwrap();
    assert_eq!(status, 201);
    let meta = &user["meta"];
    assert_eq!(headers["location"].to_str().unwrap(), meta["location"]);
    assert_eq!(headers["etag"].to_str().unwrap(), meta["version"]);
    assert!(meta["version"].as_str().unwrap().starts_with("W/\""));
    assert_eq!(meta["resourceType"], "User");
    assert!(meta["created"].is_string() && meta["lastModified"].is_string());
    assert_eq!(user.get("password"), None, "password is returned never");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flaws_filters_and_projections_answer_what_was_asked() {
    let server = start(&[]).await;
    let c = Client::new(&server.base_url);
    let ann = c.user("ann@example.com").await;
    c.user("bob@example.com").await;
    let gid = c.group("Team A", std::slice::from_ref(&ann)).await;
    let ids = |list: &Value| -> Vec<String> {
        list["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, list) = c
        .ok(
            Method::GET,
            "/Users?filter=userName%20eq%20%22ANN@example.com%22",
            None,
        )
        .await;
    assert_eq!(
        (list["totalResults"].as_u64(), ids(&list)),
        (Some(1), vec![ann.clone()])
    );
    let (_, list) = c
        .ok(Method::GET, "/Users?filter=userName%20sw%20%22b%22", None)
        .await;
    assert_eq!(list["totalResults"], 1);
    let (_, list) = c
        .ok(
            Method::GET,
            "/Users?filter=userName%20eq%20%22nobody%22",
            None,
        )
        .await;
    assert_eq!(
        (list["totalResults"].as_u64(), list["itemsPerPage"].as_u64()),
        (Some(0), Some(0))
    );
    let member_check = format!(
        "/Groups?filter=id%20eq%20%22{gid}%22%20and%20members%5Bvalue%20eq%20%22{ann}%22%5D"
    );
    assert_eq!(
        ids(&c.ok(Method::GET, &member_check, None).await.1),
        vec![gid.clone()]
    );
    let by_name = "/Groups?filter=displayName%20eq%20%22team%20a%22&excludedAttributes=members";
    let (_, list) = c.ok(Method::GET, by_name, None).await;
    assert_eq!(ids(&list), vec![gid.clone()]);
    assert_eq!(list["Resources"][0].get("members"), None);
    let (_, group) = c
        .ok(
            Method::GET,
            &format!("/Groups/{gid}?attributes=members"),
            None,
        )
        .await;
    assert_eq!(
        (group.get("displayName"), &group["members"][0]["value"]),
        (None, &json!(ann))
    );
    assert_eq!(group["members"][0]["type"], "User");
    let (_, user) = c.ok(Method::GET, &format!("/Users/{ann}"), None).await;
    assert_eq!(user["groups"][0]["value"], gid);
    let (_, page) = c.ok(Method::GET, "/Users?startIndex=2&count=1", None).await;
    assert_eq!(
        (
            page["startIndex"].as_u64(),
            page["itemsPerPage"].as_u64(),
            page["totalResults"].as_u64()
        ),
        (Some(2), Some(1), Some(2))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flaws_patch_takes_the_okta_and_entra_shapes() {
    let server = start(&[]).await;
    let c = Client::new(&server.base_url);
    let uid = c.user("pat@example.com").await;
    let path = format!("/Users/{uid}");
    let ops = patch_op(json!([
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Add", "path": "title", "value": "Engineer"},
        {"op": "Replace", "path": "name.givenName", "value": "Pat"},
        {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"},
        {"op": "replace", "value": {"displayName": "Pat P", "name.familyName": "P"}},
    ]));
    let (status, user) = c.ok(Method::PATCH, &path, Some(&ops)).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(
        (&user["active"], &user["title"], &user["displayName"]),
        (&json!(false), &json!("Engineer"), &json!("Pat P"))
    );
    assert_eq!(user["name"], json!({"givenName": "Pat", "familyName": "P"}));
    assert_eq!(
        user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "R&D"
    );
    let (_, user) = c
        .ok(
            Method::PATCH,
            &path,
            Some(&patch_op(json!([{"op": "Remove", "path": "title"}]))),
        )
        .await;
    assert_eq!(user.get("title"), None);

    let others = [
        c.user("m1@example.com").await,
        c.user("m2@example.com").await,
    ];
    let gid = c
        .group(
            "Patched",
            &[uid.clone(), others[0].clone(), others[1].clone()],
        )
        .await;
    let gpath = format!("/Groups/{gid}");
    let entra_remove =
        json!([{"op": "Remove", "path": "members", "value": [{"value": others[0]}]}]);
    c.ok(Method::PATCH, &gpath, Some(&patch_op(entra_remove)))
        .await;
    assert_eq!(
        c.member_count(&gid).await,
        2,
        "Entra's removal by value removes that member only"
    );
    let okta_remove = json!([{"op": "remove", "path": format!("members[value eq \"{uid}\"]")}]);
    c.ok(Method::PATCH, &gpath, Some(&patch_op(okta_remove)))
        .await;
    assert_eq!(c.member_count(&gid).await, 1);
    c.ok(Method::DELETE, &format!("/Users/{}", others[1]), None)
        .await;
    assert_eq!(
        c.member_count(&gid).await,
        0,
        "a deleted user leaves its groups"
    );
    let unknown = json!([{"op": "add", "path": "members", "value": [{"value": "nobody"}]}]);
    assert_eq!(
        c.ok(Method::PATCH, &gpath, Some(&patch_op(unknown)))
            .await
            .0,
        400
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flaws_put_and_delete_honour_if_match() {
    let server = start(&[]).await;
    let c = Client::new(&server.base_url);
    let uid = c.user("put@example.com").await;
    let path = format!("/Users/{uid}");
    let (_, user) = c.ok(Method::GET, &path, None).await;
    let stale = user["meta"]["version"].as_str().unwrap().to_string();
    let replace = json!({"schemas": [USER_URN], "userName": "put@example.com", "title": "T"});
    let (status, put) = c.ok(Method::PUT, &path, Some(&replace)).await;
    assert_eq!((status, &put["title"]), (200, &json!("T")));
    let send_if = |method: Method, version: &str, body: Option<&Value>| {
        let mut req = c
            .http
            .request(method, format!("{}{path}", c.base))
            .bearer_auth(TOKEN)
            .header("if-match", version);
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        req.send()
    };
    assert_eq!(
        send_if(Method::PUT, &stale, Some(&replace))
            .await
            .unwrap()
            .status(),
        412
    );
    assert_eq!(
        send_if(Method::DELETE, &stale, None)
            .await
            .unwrap()
            .status(),
        412
    );
    let current = put["meta"]["version"].as_str().unwrap();
    assert_eq!(
        send_if(Method::DELETE, current, None)
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(server.users(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flaws_discovery_describes_what_the_server_does() {
    let server = start(&[]).await;
    let c = Client::new(&server.base_url);
    let (status, spc) = c.ok(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(status, 200);
    let supported = |k: &str| spc[k]["supported"].as_bool();
    assert_eq!(
        ["patch", "filter", "etag", "bulk", "sort", "changePassword"].map(supported),
        [true, true, true, false, false, false].map(Some)
    );
    assert_eq!(spc["filter"]["maxResults"], 200);
    assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");
    let (_, schemas) = c.ok(Method::GET, "/Schemas", None).await;
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&USER_URN) && ids.contains(&super::store::GROUP_URN),
        "{ids:?}"
    );
    let (_, types) = c.ok(Method::GET, "/ResourceTypes", None).await;
    assert_eq!(types["totalResults"], 2);
    assert_eq!(
        c.ok(Method::POST, "/Schemas", Some(&json!({}))).await.0,
        405
    );
    assert_eq!(
        c.ok(
            Method::GET,
            "/ResourceTypes?filter=name%20eq%20%22User%22",
            None
        )
        .await
        .0,
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_flaws_or_filters_and_core_urn_paths_match() {
    let server = start(&[]).await;
    let c = Client::new(&server.base_url);
    c.user("ann@example.com").await;
    c.user("bob@example.com").await;
    c.user("cy@example.com").await;
    let either = "/Users?filter=userName%20eq%20%22ann@example.com%22%20or%20(userName%20eq%20%22bob@example.com%22)";
    assert_eq!(c.ok(Method::GET, either, None).await.1["totalResults"], 2);
    let urn = format!("/Users?filter={USER_URN}:userName%20eq%20%22cy@example.com%22");
    assert_eq!(c.ok(Method::GET, &urn, None).await.1["totalResults"], 1);
}
