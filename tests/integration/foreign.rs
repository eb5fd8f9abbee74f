//! Resources the run did not create are never modified or deleted, even when the server
//! hands one back as if the run had created it.

use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::support::proxy::{Faulty, Resp};
use crate::support::run_json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answered_with_an_existing_user_never_touches_that_user() {
    let boss: Arc<Mutex<Option<(String, serde_json::Value)>>> = Arc::default();
    let mutations: Arc<Mutex<Vec<String>>> = Arc::default();
    let (b, m) = (boss.clone(), mutations.clone());
    let server = Faulty::start(move |req, up| {
        if matches!(req.method.as_str(), "PUT" | "PATCH" | "DELETE") {
            m.lock()
                .unwrap()
                .push(format!("{} {}", req.method, req.path()));
        }
        // Every user create is answered with the existing user, as a buggy upsert would.
        if req.method == "POST" && req.path().ends_with("/Users") {
            if let Some((_, user)) = b.lock().unwrap().as_ref() {
                let mut resp = Resp::scim(201, user.clone());
                resp.set_header("location", user["meta"]["location"].as_str().unwrap());
                return resp;
            }
        }
        up.send(&req)
    })
    .await;
    let existing = server
        .reference()
        .store()
        .seed_user(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ceo@corp.example",
            "active": true,
        }))
        .unwrap();
    let id = existing["id"].as_str().unwrap().to_string();
    *boss.lock().unwrap() = Some((id.clone(), existing));
    let before = server.reference().store().dump();
    let (_, report) = run_json(&server.base_url(), &[]).await;
    let touched: Vec<String> = mutations
        .lock()
        .unwrap()
        .iter()
        .filter(|m| m.ends_with(&id))
        .cloned()
        .collect();
    assert!(touched.is_empty(), "the existing user was sent {touched:?}");
    assert_eq!(server.reference().store().dump(), before);
    let found = crate::support::failing(&report)
        .into_iter()
        .filter(|(id, _, m)| id == "rfc7644.create.new-resource" && m.contains("ceo@corp.example"))
        .count();
    assert!(
        found > 0,
        "the create is a finding that names what came back"
    );
}
