//! The flawed server with no flaw set is conformant for what the concurrency and scale
//! profiles send: the CLI finds nothing in its members and ETag scenarios, and the requests
//! those profiles make behave as the RFC says.

use serde_json::{json, Value};

use super::start;
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
