//! The reference server over HTTP, one test per behaviour of RFC 7643/7644 and per IdP quirk.

mod bulk;
mod characteristics;
mod discovery;
mod filter_attributes;
mod media_type;
mod patch;
mod protocol;
mod query;
mod resources;
mod schema_walk;
mod strict;

use reqwest::Method;
use scimcheck::server::RunningServer;
use serde_json::{json, Value};

use crate::support::TOKEN;

/// A reference server and a client for it.
pub struct Scim {
    pub server: RunningServer,
    http: reqwest::Client,
}

/// Status, headers and JSON body (Null when empty).
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a SCIM error body with the given status and scimType.
    pub fn assert_error(&self, status: u16, scim_type: Option<&str>) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.body["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], json!(status.to_string()));
        assert_eq!(self.body["scimType"].as_str(), scim_type, "{}", self.body);
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(self.header("content-type"), Some("application/scim+json"));
    }
}

impl Scim {
    pub async fn start() -> Scim {
        let server = crate::support::reference_server().await;
        Scim {
            server,
            http: crate::support::http(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("authorization", format!("Bearer {TOKEN}"));
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        if let Some(b) = body {
            if !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                req = req.header("content-type", "application/scim+json");
            }
            req = req.body(b.to_string());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, ops: Value) -> Answer {
        self.patch_with(path, ops, &[]).await
    }

    pub async fn patch_with(&self, path: &str, ops: Value, headers: &[(&str, &str)]) -> Answer {
        self.send(Method::PATCH, path, Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})), headers).await
    }

    /// Creates a user and returns its id.
    pub async fn user(&self, user_name: &str) -> String {
        let a = self
            .post(
                "/Users",
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name, "name": {"givenName": "Zoë", "familyName": "Ångström"},
                       "emails": [{"value": user_name, "type": "work", "primary": true}], "active": true}),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
        a.body["id"].as_str().unwrap().to_string()
    }

    pub async fn group(&self, name: &str, members: &[&str]) -> String {
        let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
        let a = self.post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name, "members": members})).await;
        assert_eq!(a.status, 201, "{}", a.body);
        a.body["id"].as_str().unwrap().to_string()
    }

    /// The member ids of a group, in order.
    pub async fn member_ids(&self, gid: &str) -> Vec<String> {
        let g = self.get(&format!("/Groups/{gid}")).await;
        g.body["members"]
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|x| x["value"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}
