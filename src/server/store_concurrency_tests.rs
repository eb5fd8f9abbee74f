//! Writes that overlap: every one runs under the store's single write lock, so concurrent
//! PATCHes compose and a uniqueness check cannot race its own insert.

use serde_json::json;
use std::sync::Barrier;

use super::*;
use crate::server::patch;

#[test]
fn concurrent_member_adds_lose_no_member() {
    let store = Store::new("http://h/scim/v2");
    let users: Vec<String> = (0..50)
        .map(|i| {
            let u = store
                .seed_user(json!({"userName": format!("u{i}@example.com")}))
                .unwrap();
            u["id"].as_str().unwrap().to_string()
        })
        .collect();
    let g = store.seed_group(json!({"displayName": "All"})).unwrap();
    let gid = g["id"].as_str().unwrap();
    let start = Barrier::new(users.len());
    std::thread::scope(|s| {
        for uid in &users {
            let (store, start) = (&store, &start);
            s.spawn(move || {
                let ops = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}]});
                start.wait();
                store
                    .modify(Kind::Group, gid, &IfMatch::new(None), false, |b, m, d| {
                        patch::apply(Kind::Group, b, m, d, &ops)
                    })
                    .unwrap();
            });
        }
    });
    let (group, _) = store.get(Kind::Group, gid).unwrap();
    let mut held: Vec<&str> = group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    held.sort_unstable();
    let mut expected: Vec<&str> = users.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(held, expected);
    // The reverse index agrees: each user lists the group.
    for uid in &users {
        let (user, _) = store.get(Kind::User, uid).unwrap();
        assert_eq!(user["groups"][0]["value"], gid);
    }
}

#[test]
fn concurrent_creates_of_one_user_name_make_one_user() {
    let store = Store::new("http://h/scim/v2");
    for round in 0..20 {
        let start = Barrier::new(2);
        let results: Vec<Result<Written, ScimError>> = std::thread::scope(|s| {
            // The same userName, differently cased: it is caseExact false (RFC 7643 §4.1.1).
            let names = [
                format!("race{round}@example.com"),
                format!("RACE{round}@Example.com"),
            ];
            let handles: Vec<_> = names
                .into_iter()
                .map(|name| {
                    let (store, start) = (&store, &start);
                    s.spawn(move || {
                        start.wait();
                        store.create(Kind::User, json!({"userName": name}))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let created = results.iter().filter(|r| r.is_ok()).count();
        let refused: Vec<(u16, Option<&str>)> = results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| (e.status, e.scim_type))
            .collect();
        assert_eq!(created, 1, "round {round}");
        assert_eq!(refused, [(409, Some("uniqueness"))], "round {round}");
    }
    assert_eq!(store.dump()["Users"].as_array().unwrap().len(), 20);
}
