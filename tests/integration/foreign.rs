//! Resources the run did not create are never modified or deleted, even when the server
//! hands one back as if the run had created it.

use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::support::proxy::{Faulty, Resp};
use crate::support::run_json;

/// The mutations (method and path) a proxy saw.
type Seen = Arc<Mutex<Vec<String>>>;

/// The mutations in `seen` sent to `id`.
fn sent_to(seen: &Seen, id: &str) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|m| m.contains(id))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answered_with_an_existing_user_never_touches_that_user() {
    let boss: Arc<Mutex<Option<(String, serde_json::Value)>>> = Arc::default();
    let mutations: Seen = Arc::default();
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
    let touched = sent_to(&mutations, &id);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answered_with_another_users_id_is_caught_by_reading_it_back() {
    let victim: Arc<Mutex<String>> = Arc::default();
    let seen: Seen = Arc::default();
    let (v, m) = (victim.clone(), seen.clone());
    let server = Faulty::start(move |req, up| {
        if matches!(req.method.as_str(), "PUT" | "PATCH" | "DELETE") {
            m.lock()
                .unwrap()
                .push(format!("{} {}", req.method, req.path()));
        }
        let mut resp = up.send(&req);
        // Every user create answers with its own body, but the victim's id.
        if req.method == "POST" && req.path().ends_with("/Users") && resp.status == 201 {
            let id = v.lock().unwrap().clone();
            let mut body = resp.json().unwrap();
            let location = body["meta"]["location"]
                .as_str()
                .unwrap()
                .rsplit_once('/')
                .map(|(base, _)| format!("{base}/{id}"))
                .unwrap();
            body["id"] = json!(id);
            body["meta"]["location"] = json!(location);
            resp.set_json(&body);
            resp.set_header("location", &location);
        }
        resp
    })
    .await;
    let alice = server
        .reference()
        .store()
        .seed_user(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "alice@corp.example", "active": true}))
        .unwrap();
    let id = alice["id"].as_str().unwrap().to_string();
    *victim.lock().unwrap() = id.clone();
    let user = |store: &scimcheck::server::Store| {
        store.dump()["Users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id.as_str())
            .cloned()
    };
    let before = user(server.reference().store());
    let (_, report) = run_json(&server.base_url(), &[]).await;
    let touched = sent_to(&seen, &id);
    assert!(touched.is_empty(), "alice was sent {touched:?}");
    assert_eq!(user(server.reference().store()), before);
    assert!(
        crate::support::failing(&report)
            .iter()
            .any(|(c, _, m)| c == "rfc7644.create.new-resource" && m.contains("alice@corp.example")),
        "{:#?}",
        crate::support::failing(&report)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_that_climbs_out_of_its_collection_is_never_put_in_a_url() {
    let target: Arc<Mutex<String>> = Arc::default();
    let seen: Seen = Arc::default();
    let (t, m) = (target.clone(), seen.clone());
    let server = Faulty::start(move |req, up| {
        if matches!(req.method.as_str(), "PUT" | "PATCH" | "DELETE") {
            m.lock()
                .unwrap()
                .push(format!("{} {}", req.method, req.target));
        }
        let mut resp = up.send(&req);
        if req.method == "POST" && req.path().ends_with("/Users") && resp.status == 201 {
            let mut body = resp.json().unwrap();
            body["id"] = json!(format!("zz/../../Groups/{}", t.lock().unwrap()));
            resp.set_json(&body);
        }
        resp
    })
    .await;
    let group = server
        .reference()
        .store()
        .seed_group(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Payroll"}))
        .unwrap();
    let gid = group["id"].as_str().unwrap().to_string();
    *target.lock().unwrap() = gid.clone();
    let before = server.reference().store().dump();
    let (_, report) = run_json(&server.base_url(), &[]).await;
    assert_eq!(sent_to(&seen, &gid), Vec::<String>::new());
    let groups = |d: &serde_json::Value| {
        d["Groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["id"] == gid.as_str())
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        groups(&server.reference().store().dump()),
        groups(&before),
        "Payroll untouched"
    );
    let undeleted = report["cleanup"]["failed"].as_array().unwrap();
    assert!(
        undeleted
            .iter()
            .any(|f| f["reason"].as_str().unwrap().contains("not deleted")),
        "the run's own users it cannot address are reported: {undeleted:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_folds_ascii_case_only() {
    let server = crate::support::reference_server().await;
    let store = server.store();
    let user = |name: &str| {
        store
            .seed_user(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name}))
            .unwrap()
    };
    user("scimcheck-abcd1234-mine@example.com");
    user("SCIMCHECK-ABCD1234-folded@example.com");
    // U+212A KELVIN SIGN lower-cases to `k`; it is not the run's prefix.
    user("scimchec\u{212a}-abcd1234-kelvin@corp.example");
    user("scimcheck-abcd12345-other@corp.example");
    let url = server.base_url().to_string();
    let out = tokio::task::spawn_blocking(move || {
        crate::support::cli(&[
            "cleanup",
            "--base-url",
            &url,
            "--run-id",
            "abcd1234",
            "--token",
            crate::support::TOKEN,
        ])
    })
    .await
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left: Vec<String> = server.store().dump()["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        left,
        [
            "scimchec\u{212a}-abcd1234-kelvin@corp.example",
            "scimcheck-abcd12345-other@corp.example"
        ],
        "only names that carry the prefix, up to ASCII case, are removed"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_answered_with_another_user_is_the_registered_same_resource_finding() {
    let other: Arc<Mutex<Option<serde_json::Value>>> = Arc::default();
    let o = other.clone();
    let server = Faulty::start(move |req, up| {
        let resp = up.send(&req);
        // A write of a user the run created answers with someone else, as a server that
        // mixes up its ids would (the read-back after the create still answers right).
        let by_id = req.path().contains("/Users/");
        if req.method == "PUT" && by_id && resp.status == 200 {
            if let Some(user) = o.lock().unwrap().as_ref() {
                return Resp::scim(200, user.clone());
            }
        }
        resp
    })
    .await;
    let seeded = server
        .reference()
        .store()
        .seed_user(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "someone.else@corp.example",
            "active": true,
        }))
        .unwrap();
    *other.lock().unwrap() = Some(seeded);
    let (code, report) = run_json(&server.base_url(), &["--scenario", "okta.users.update"]).await;
    assert_eq!(code, 1);
    let found = crate::support::checks_with_id(&report, "rfc7644.resource.same-resource");
    let first = found.first().unwrap_or_else(|| {
        panic!("{:#?}", crate::support::failing(&report));
    });
    assert_eq!(first["status"], "failed", "{first}");
    assert_eq!(first["severity"], "error", "{first}");
    // The finding cites the rule's row, the one `scimcheck list` shows.
    assert_eq!(
        first["reference"], "RFC 7644 §3.4.1, §3.5.1, §3.5.2",
        "{first}"
    );
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("someone.else@corp.example"),
        "{first}"
    );
}
