//! Every characteristic `/Schemas` publishes (RFC 7643 §7) is what the server does: walks
//! the published attributes of /Users and /Groups and checks each one's required,
//! mutability, returned, uniqueness, caseExact, canonicalValues and type against the store.

use serde_json::{json, Value};

use super::schema_walk::{full_body, leaves, sample, swap_case, Leaf};
use super::Scim;

/// A user to be a member, and the id of a group it belongs to (so `groups` has values).
async fn fixtures(s: &Scim) -> (String, String) {
    let uid = s.user("member@example.com").await;
    let gid = s.group("MiXeD Fixture Group", &[&uid]).await;
    (uid, gid)
}

fn endpoint(rt: &str) -> String {
    format!("/{rt}s")
}

/// A full body made valid for its resource type: a unique userName for users.
fn body(leaves: &[Leaf], rt: &str, tag: &str, member: &str) -> Value {
    let mut b = full_body(leaves, tag, member);
    if rt == "User" {
        b["userName"] = json!(format!("MiXeD-{tag}@Example.com"));
    }
    b
}

async fn create(s: &Scim, rt: &str, b: Value) -> Value {
    let a = s.post(&endpoint(rt), b).await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body
}

#[tokio::test]
async fn required_and_types_follow_the_published_schemas() {
    let s = Scim::start().await;
    let (uid, _) = fixtures(&s).await;
    for rt in ["User", "Group"] {
        let all = leaves(&s, rt).await;
        let mut n = 0;
        for leaf in all.iter().filter(|l| l.mutability() != "readOnly") {
            n += 1;
            // required: without it, 400; without an optional one, created.
            let mut b = body(&all, rt, &format!("req{n}"), &uid);
            leaf.remove(&mut b);
            let a = s.post(&endpoint(rt), b).await;
            if leaf.flag("required") {
                a.assert_error(400, Some("invalidValue"));
            } else {
                assert_eq!(
                    a.status,
                    201,
                    "{rt} without optional {}: {}",
                    leaf.path(),
                    a.body
                );
            }
            // type: a number is the wrong type for every published type here.
            assert!(!["integer", "decimal"].contains(&leaf.kind()));
            let mut b = body(&all, rt, &format!("type{n}"), &uid);
            leaf.set(&mut b, json!(42));
            let a = s.post(&endpoint(rt), b).await;
            assert_eq!(a.status, 400, "{rt} {} = 42: {}", leaf.path(), a.body);
            a.assert_error(400, Some("invalidValue"));
        }
        // Only the required attributes: created.
        let mut minimal = json!({});
        for leaf in all.iter().filter(|l| l.sub.is_none() && l.flag("required")) {
            leaf.set(&mut minimal, sample(&leaf.top, "min"));
        }
        let a = s.post(&endpoint(rt), minimal).await;
        assert_eq!(a.status, 201, "{rt} minimal: {}", a.body);
    }
}

#[tokio::test]
async fn mutability_and_returned_follow_the_published_schemas() {
    let s = Scim::start().await;
    let (uid, _) = fixtures(&s).await;
    for rt in ["User", "Group"] {
        let all = leaves(&s, rt).await;
        let sent = body(&all, rt, "mut", &uid);
        let mut with_read_only = sent.clone();
        for leaf in all.iter().filter(|l| l.mutability() == "readOnly") {
            leaf.set(&mut with_read_only, sample(leaf.def(), "client"));
        }
        let created = create(&s, rt, with_read_only).await;
        let id = created["id"].as_str().unwrap().to_string();
        let url = format!("{}/{id}", endpoint(rt));
        let got = s.get(&url).await.body;
        let updated = s
            .send(reqwest::Method::PUT, &url, Some(sent.clone()), &[])
            .await;
        assert_eq!(updated.status, 200, "{}", updated.body);
        let listed = s
            .get(&format!("{}?filter=id eq \"{id}\"", endpoint(rt)))
            .await
            .body;
        for leaf in &all {
            let path = leaf.path();
            let client = sample(leaf.def(), "client");
            match (leaf.mutability(), leaf.str("returned")) {
                // readOnly: what the client sent is ignored (RFC 7644 §3.3).
                ("readOnly", _) => {
                    for v in leaf.values(&created).into_iter().chain(leaf.values(&got)) {
                        assert_ne!(v, &client, "{rt} read-only {path} took the client's value");
                    }
                }
                (_, "never") => {}
                // readWrite, immutable, writeOnly set at creation: returned as sent.
                // (Complex ones leaf by leaf: the server adds members' `$ref` and `type`.)
                (m, _) if leaf.kind() != "complex" && !leaf.values(&sent).is_empty() => {
                    assert_ne!(m, "writeOnly", "{path}: writeOnly must be returned never");
                    let want = leaf.values(&sent);
                    let same = |b: &Value| leaf.values(b) == want;
                    if !path.ends_with("$ref") {
                        assert!(same(&got), "{rt} {path}: sent {want:?}, got {got}");
                        assert!(
                            same(&updated.body),
                            "{rt} {path} after PUT: {}",
                            updated.body
                        );
                    }
                }
                _ => {}
            }
            // returned: never in no response, even when asked for; default unless excluded.
            let asked = s.get(&format!("{url}?attributes={path}")).await.body;
            let excluded = s
                .get(&format!("{url}?excludedAttributes={path}"))
                .await
                .body;
            match leaf.str("returned") {
                "never" => {
                    for b in [&created, &got, &updated.body, &listed, &asked] {
                        assert!(leaf.values(b).is_empty(), "{rt} {path} returned: {b}");
                        assert!(!b.to_string().contains("client"), "{b}");
                    }
                }
                "default" => {
                    if leaf.sub.is_none() && !leaf.values(&got).is_empty() {
                        assert!(
                            !leaf.values(&asked).is_empty(),
                            "{rt} {path} asked for: {asked}"
                        );
                        assert!(
                            leaf.values(&excluded).is_empty(),
                            "{rt} {path} excluded: {excluded}"
                        );
                    }
                }
                "always" => assert!(!leaf.values(&excluded).is_empty(), "{path}"),
                "request" => assert!(leaf.values(&got).is_empty(), "{path}"),
                other => panic!("{path}: returned {other}"),
            }
            // A PATCH may not change what readOnly or immutable protects (RFC 7644 §3.5.2).
            // `$ref` is no ATTRNAME of the path grammar (RFC 7644 §3.10): invalidPath.
            if ["readOnly", "immutable"].contains(&leaf.mutability()) && !path.contains('$') {
                let a = s
                    .patch(
                        &url,
                        json!([{"op": "replace", "path": path, "value": client}]),
                    )
                    .await;
                a.assert_error(400, Some("mutability"));
            }
        }
        // writeOnly can still be written, by PATCH too.
        for leaf in all.iter().filter(|l| l.mutability() == "writeOnly") {
            let a = s
                .patch(&url, json!([{"op": "replace", "path": leaf.path(), "value": sample(leaf.def(), "w")}]))
                .await;
            assert_eq!(a.status, if rt == "User" { 200 } else { 204 }, "{}", a.body);
        }
    }
}

#[tokio::test]
async fn uniqueness_follows_the_published_schemas() {
    let s = Scim::start().await;
    let (uid, _) = fixtures(&s).await;
    for rt in ["User", "Group"] {
        let all = leaves(&s, rt).await;
        let first = body(&all, rt, "one", &uid);
        create(&s, rt, first.clone()).await;
        for (i, leaf) in all
            .iter()
            .filter(|l| l.sub.is_none() && l.mutability() != "readOnly")
            .enumerate()
        {
            let mut again = body(&all, rt, &format!("two{i}"), &uid);
            let Some(v) = leaf.values(&first).first().map(|v| (*v).clone()) else {
                continue;
            };
            // Unique values compare by the attribute's case rule.
            let v = match (&v, leaf.flag("caseExact")) {
                (Value::String(x), false) => json!(swap_case(x)),
                _ => v,
            };
            leaf.set(&mut again, v);
            let a = s.post(&endpoint(rt), again).await;
            match leaf.str("uniqueness") {
                "server" | "global" => a.assert_error(409, Some("uniqueness")),
                _ => assert_eq!(
                    a.status,
                    201,
                    "{rt} {} is not unique: {}",
                    leaf.path(),
                    a.body
                ),
            }
        }
    }
}

#[tokio::test]
async fn case_exact_and_canonical_values_follow_the_published_schemas() {
    let s = Scim::start().await;
    let (uid, gid) = fixtures(&s).await;
    for rt in ["User", "Group"] {
        let all = leaves(&s, rt).await;
        let created = create(&s, rt, body(&all, rt, "case", &uid)).await;
        let id = created["id"].as_str().unwrap().to_string();
        if rt == "User" {
            // A member of a group, so that `groups` has values to compare too.
            let a = s
                .patch(
                    &format!("/Groups/{gid}"),
                    json!([{"op": "add", "path": "members", "value": [{"value": id}]}]),
                )
                .await;
            assert_eq!(a.status, 204, "{}", a.body);
        }
        let resource = s.get(&format!("{}/{id}", endpoint(rt))).await.body;
        let mut compared = 0;
        for leaf in &all {
            let path = leaf.path();
            let strings = ["string", "reference", "binary"].contains(&leaf.kind());
            // `$ref` is no ATTRNAME of the filter grammar (RFC 7644 §3.4.2.2).
            if !strings || leaf.str("returned") == "never" || leaf.name().starts_with('$') {
                continue;
            }
            let values = leaf.values(&resource);
            let Some(v) = values
                .iter()
                .filter_map(|v| v.as_str())
                .find(|v| swap_case(v) != **v)
            else {
                // A read-only attribute the server does not fill (manager.displayName).
                assert_eq!(
                    leaf.mutability(),
                    "readOnly",
                    "{rt} {path} has no value: {resource}"
                );
                continue;
            };
            let filter = format!("{path} eq \"{}\" and id eq \"{id}\"", swap_case(v));
            let q = format!(
                "{}?filter={}",
                endpoint(rt),
                percent_encoding::utf8_percent_encode(&filter, percent_encoding::NON_ALPHANUMERIC)
            );
            let a = s.get(&q).await;
            assert_eq!(a.status, 200, "{filter}: {}", a.body);
            let want = if leaf.flag("caseExact") { 0 } else { 1 };
            assert_eq!(
                a.body["totalResults"],
                json!(want),
                "{rt} {path} caseExact {}: {filter}",
                leaf.flag("caseExact")
            );
            compared += 1;
        }
        assert!(
            compared >= if rt == "User" { 40 } else { 4 },
            "{rt}: {compared}"
        );
        // canonicalValues: each is taken as sent; the values the server makes are among them.
        for (n, leaf) in all
            .iter()
            .filter(|l| l.def()["canonicalValues"].is_array())
            .enumerate()
        {
            let canon: Vec<Value> = leaf.def()["canonicalValues"].as_array().unwrap().clone();
            for v in leaf.values(&resource) {
                if ["readOnly", "immutable"].contains(&leaf.mutability()) {
                    assert!(
                        canon.contains(v),
                        "{rt} {}: {v} not in {canon:?}",
                        leaf.path()
                    );
                }
            }
            if leaf.mutability() != "readWrite" {
                continue;
            }
            for (i, c) in canon.iter().enumerate() {
                let mut b = body(&all, rt, &format!("canon{n}x{i}"), &uid);
                leaf.set(&mut b, c.clone());
                let got = create(&s, rt, b).await;
                assert_eq!(leaf.values(&got), [c], "{rt} {}", leaf.path());
            }
        }
    }
}
