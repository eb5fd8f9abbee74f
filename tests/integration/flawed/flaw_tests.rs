//! Each flaw happens, and without it the same requests behave: the same traffic against the
//! server with the flaw and without it.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use super::tests::{patch_op, Client};
use super::{start, Flaw};

/// Creates `n` users named `<prefix>-<i>`; their ids, in creation order.
async fn users(c: &Client, prefix: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(c.user(&format!("{prefix}-{i}@example.com")).await);
    }
    ids
}

fn add_members(ids: &[String]) -> Value {
    let values: Vec<Value> = ids.iter().map(|id| json!({"value": id})).collect();
    patch_op(json!([{"op": "add", "path": "members", "value": values}]))
}

/// 20 PATCHes, each adding one member, sent at once to an empty group; the members left.
async fn concurrent_adds(flaws: &[Flaw]) -> usize {
    let server = start(flaws).await;
    let c = Client::new(&server.base_url);
    let ids = users(&c, "racer", 20).await;
    let gid = c.group("racers", &[]).await;
    let path = format!("/Groups/{gid}");
    let sent = ids.iter().map(|id| {
        let body = add_members(std::slice::from_ref(id));
        let (c, path) = (&c, &path);
        async move { c.ok(Method::PATCH, path, Some(&body)).await.0 }
    });
    let statuses = join_all(sent).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    c.member_count(&gid).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_update_keeps_fewer_members_than_concurrent_adds_sent() {
    assert_eq!(concurrent_adds(&[]).await, 20);
    let kept = concurrent_adds(&[Flaw::LostUpdate]).await;
    assert!(kept < 20, "all 20 concurrent adds kept despite LostUpdate");
}

/// 8 creates of one userName sent at once; the statuses, and the users left.
async fn racing_creates(flaws: &[Flaw]) -> (Vec<u16>, usize) {
    let server = start(flaws).await;
    let c = Client::new(&server.base_url);
    let body = json!({"schemas": [super::store::USER_URN], "userName": "twin@example.com"});
    let sent = (0..8).map(|_| c.ok(Method::POST, "/Users", Some(&body)));
    let mut statuses: Vec<u16> = join_all(sent).await.into_iter().map(|r| r.0).collect();
    statuses.sort();
    (statuses, server.users())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_create_makes_two_users_of_one_user_name() {
    let (statuses, left) = racing_creates(&[]).await;
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    assert_eq!(left, 1);
    let (statuses, left) = racing_creates(&[Flaw::DuplicateCreate]).await;
    let created = statuses.iter().filter(|s| **s == 201).count();
    assert!(created > 1, "{statuses:?}");
    assert_eq!(left, created);
}

/// 6 creates of different users sent at once; the error bodies of those not created.
async fn concurrent_writes(flaws: &[Flaw]) -> Vec<(u16, Value)> {
    let server = start(flaws).await;
    let c = Client::new(&server.base_url);
    let bodies: Vec<Value> = (0..6)
        .map(|i| json!({"schemas": [super::store::USER_URN], "userName": format!("w{i}@example.com")}))
        .collect();
    let sent = bodies.iter().map(|b| c.ok(Method::POST, "/Users", Some(b)));
    join_all(sent)
        .await
        .into_iter()
        .filter(|(s, _)| *s != 201)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_writes_answer_500_database_is_locked() {
    assert_eq!(concurrent_writes(&[]).await, []);
    let refused = concurrent_writes(&[Flaw::LockedWrites]).await;
    assert!(!refused.is_empty(), "no write found the lock held");
    for (status, body) in refused {
        assert_eq!((status, body["status"].as_str()), (500, Some("500")));
        assert_eq!(body["detail"], "database is locked");
    }
}

/// 15 GETs sent at once; the statuses and Retry-After headers of the answers.
async fn burst(flaws: &[Flaw]) -> Vec<(u16, Option<String>, Value)> {
    let server = start(flaws).await;
    let c = Client::new(&server.base_url);
    let sent = (0..15).map(|_| c.send(Method::GET, "/Users?count=1", None));
    let answers = join_all(sent).await.into_iter().map(|r| {
        let (status, headers, body) = r.expect("answered");
        let retry = headers
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        (status, retry, body)
    });
    let answers: Vec<_> = answers.collect();
    assert_eq!(server.requests(), 15);
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_above_the_rate_with_retry_after_when_set() {
    assert!(burst(&[])
        .await
        .iter()
        .all(|(s, r, _)| *s == 200 && r.is_none()));
    for retry_after in [true, false] {
        let answers = burst(&[Flaw::RateLimit {
            per_second: 5,
            retry_after,
        }])
        .await;
        assert_eq!(answers.iter().filter(|a| a.0 == 200).count(), 5);
        let limited: Vec<_> = answers.iter().filter(|a| a.0 == 429).collect();
        assert_eq!(limited.len(), 10);
        for (_, retry, body) in limited {
            assert_eq!(body["status"], "429");
            assert_eq!(retry.as_deref(), retry_after.then_some("1"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_reads_answer_the_version_before_the_last_write_until_the_lag_passed() {
    let server = start(&[Flaw::StaleReads { lag_ms: 400 }]).await;
    let c = Client::new(&server.base_url);
    let uid = c.user("slow@example.com").await;
    let path = format!("/Users/{uid}");
    assert_eq!(
        c.ok(Method::GET, &path, None).await.0,
        404,
        "read right after create"
    );
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    let retitle = patch_op(json!([{"op": "replace", "path": "title", "value": "New"}]));
    let (status, patched) = c.ok(Method::PATCH, &path, Some(&retitle)).await;
    assert_eq!((status, &patched["title"]), (200, &json!("New")));
    let (status, read) = c.ok(Method::GET, &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        read.get("title"),
        None,
        "a read within the lag sees the old version"
    );
    assert_ne!(read["meta"]["version"], patched["meta"]["version"]);
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    assert_eq!(c.ok(Method::GET, &path, None).await.1["title"], "New");

    let fresh = start(&[]).await;
    let c = Client::new(&fresh.base_url);
    let uid = c.user("quick@example.com").await;
    assert_eq!(
        c.ok(Method::GET, &format!("/Users/{uid}"), None).await.0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_answer_500_or_drop_the_connection_every_nth_request_and_change_nothing() {
    let server = start(&[Flaw::Faults { percent: 50 }]).await;
    let c = Client::new(&server.base_url);
    let body = json!({"schemas": [super::store::USER_URN], "userName": "f@example.com"});
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        outcomes.push(match c.send(Method::POST, "/Users", Some(&body)).await {
            Ok((status, _, _)) => status.to_string(),
            Err(_) => "dropped".to_string(),
        });
    }
    // Every 2nd request fails: 500, then a dropped connection; the 3rd finds the first user.
    assert_eq!(outcomes, ["201", "500", "409", "dropped"]);
    assert_eq!((server.users(), server.requests()), (1, 4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_cap_keeps_the_first_members_and_still_answers_200() {
    for (flaws, kept) in [(vec![], 12), (vec![Flaw::MemberCap(5)], 5)] {
        let server = start(&flaws).await;
        let c = Client::new(&server.base_url);
        let ids = users(&c, "capped", 12).await;
        let gid = c.group("capped", &[]).await;
        let (status, _) = c
            .ok(
                Method::PATCH,
                &format!("/Groups/{gid}"),
                Some(&add_members(&ids)),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(c.member_count(&gid).await, kept);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_truncates_a_big_group_to_100_members() {
    for (flaws, left) in [(vec![], 119), (vec![Flaw::RemoveTruncates], 100)] {
        let server = start(&flaws).await;
        let c = Client::new(&server.base_url);
        let ids = users(&c, "many", 120).await;
        let gid = c.group("many", &ids).await;
        assert_eq!(c.member_count(&gid).await, 120);
        let remove = patch_op(
            json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", ids[7])}]),
        );
        let (status, _) = c
            .ok(Method::PATCH, &format!("/Groups/{gid}"), Some(&remove))
            .await;
        assert_eq!(status, 200);
        assert_eq!(c.member_count(&gid).await, left);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_get_500_fails_reads_of_a_group_above_the_size() {
    let server = start(&[Flaw::BigGet500(10)]).await;
    let c = Client::new(&server.base_url);
    let ids = users(&c, "big", 11).await;
    let small = c.group("small", &ids[..10]).await;
    let big = c.group("big", &ids).await;
    assert_eq!(c.member_count(&small).await, 10);
    let (status, body) = c.ok(Method::GET, &format!("/Groups/{big}"), None).await;
    assert_eq!((status, body["status"].as_str()), (500, Some("500")));
    let lean = format!("/Groups/{big}?excludedAttributes=members");
    assert_eq!(c.ok(Method::GET, &lean, None).await.0, 200);

    let fine = start(&[]).await;
    let c = Client::new(&fine.base_url);
    let ids = users(&c, "big", 11).await;
    let big = c.group("big", &ids).await;
    assert_eq!(c.member_count(&big).await, 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_limit_answers_413_above_the_member_values() {
    let server = start(&[Flaw::PatchLimit(10)]).await;
    let c = Client::new(&server.base_url);
    let ids = users(&c, "batch", 11).await;
    let gid = c.group("batch", &[]).await;
    let path = format!("/Groups/{gid}");
    let (status, body) = c.ok(Method::PATCH, &path, Some(&add_members(&ids))).await;
    assert_eq!((status, body["status"].as_str()), (413, Some("413")));
    assert_eq!(
        c.member_count(&gid).await,
        0,
        "a refused PATCH changes nothing"
    );
    assert_eq!(
        c.ok(Method::PATCH, &path, Some(&add_members(&ids[..10])))
            .await
            .0,
        200
    );

    let fine = start(&[]).await;
    let c = Client::new(&fine.base_url);
    let ids = users(&c, "batch", 11).await;
    let gid = c.group("batch", &[]).await;
    let (status, _) = c
        .ok(
            Method::PATCH,
            &format!("/Groups/{gid}"),
            Some(&add_members(&ids)),
        )
        .await;
    assert_eq!(status, 200);
}

/// The ids a startIndex walk of 60 users in pages of 10 collects, in order.
async fn walk(flaws: &[Flaw]) -> (Vec<String>, Vec<String>) {
    let server = start(flaws).await;
    let c = Client::new(&server.base_url);
    let ids = users(&c, "pager", 60).await;
    let mut seen = Vec::new();
    for start_index in (1..=60).step_by(10) {
        let (status, page) = c
            .ok(
                Method::GET,
                &format!("/Users?startIndex={start_index}&count=10"),
                None,
            )
            .await;
        assert_eq!((status, page["totalResults"].as_u64()), (200, Some(60)));
        assert_eq!(page["startIndex"], start_index);
        for r in page["Resources"].as_array().expect("Resources") {
            seen.push(r["id"].as_str().expect("id").to_string());
        }
    }
    (ids, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unstable_paging_repeats_and_skips_resources_in_a_walk() {
    let (ids, seen) = walk(&[]).await;
    assert_eq!(seen, ids);
    let (ids, seen) = walk(&[Flaw::UnstablePaging]).await;
    let distinct: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(seen.len(), 60);
    assert!(
        distinct.len() < ids.len(),
        "a shuffled walk saw every user once"
    );
}
