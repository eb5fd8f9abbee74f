//! Reference server throughput at scale: 100,000 users and a group of 10,000 members, then
//! requests over loopback HTTP: resident memory after loading, single-request latencies on
//! the big group, paging the tenant, then throughput from 8 concurrent clients.
//! `cargo bench --bench server`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use scimcheck::server::{RunningServer, ServerConfig};
use serde_json::{json, Value};

const USERS: usize = 100_000;
const GROUP_MEMBERS: usize = 10_000;
const REQUESTS: usize = 2_000;
const CLIENTS: usize = 8;
const TOKEN: &str = "bench-token";

struct Bench {
    http: reqwest::Client,
    base: String,
}

impl Bench {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> u16 {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {TOKEN}"));
        if let Some(b) = body {
            req = req
                .header("content-type", "application/scim+json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let _ = resp.bytes().await;
        status
    }
}

/// Runs `REQUESTS` requests made by `make(i)` from `CLIENTS` tasks; prints requests/s.
async fn measure<F, Fut>(name: &str, bench: Arc<Bench>, make: F)
where
    F: Fn(Arc<Bench>, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let make = Arc::new(make);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let (next, make, bench) = (next.clone(), make.clone(), bench.clone());
        tasks.spawn(async move {
            let mut bad = 0;
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= REQUESTS {
                    return bad;
                }
                let status = make(bench.clone(), i).await;
                if !(200..300).contains(&status) {
                    bad += 1;
                }
            }
        });
    }
    let mut bad = 0;
    while let Some(r) = tasks.join_next().await {
        bad += r.expect("task");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  {name:<36} {:>8.0} req/s  ({REQUESTS} requests, {bad} not 2xx)",
        REQUESTS as f64 / secs
    );
    assert_eq!(bad, 0, "{name}: unexpected answers");
}

/// The process's resident memory (VmRSS), in MB: the server's real footprint, since the
/// bench holds nothing of its own but a few thousand ids while it is read.
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs `op` `n` times, one request at a time; prints the median and the slowest in ms.
async fn timed<F, Fut>(name: &str, n: usize, mut op: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    let mut ms = Vec::with_capacity(n);
    for i in 0..n {
        let started = Instant::now();
        let status = op(i).await;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!((200..300).contains(&status), "{name}: answered {status}");
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "  {name:<44} median {:>7.2} ms   max {:>7.2} ms  ({n} requests)",
        ms[n / 2],
        ms[n - 1]
    );
}

fn patch_op(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let before = rss_mb();
    let server = RunningServer::start(
        ([127, 0, 0, 1], 0).into(),
        ServerConfig {
            token: Some(TOKEN.into()),
            log_requests: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let load = Instant::now();
    let mut first = Vec::with_capacity(GROUP_MEMBERS);
    for i in 0..USERS {
        let u = server.store().seed_user(json!({"userName": format!("user{i:06}@example.com"), "name": {"givenName": "Zoë", "familyName": format!("Nº{i}")}, "emails": [{"value": format!("user{i:06}@example.com"), "type": "work", "primary": true}], "active": true})).unwrap();
        if i < GROUP_MEMBERS {
            first.push(json!({"value": u["id"]}));
        }
    }
    let group = server
        .store()
        .seed_group(json!({"displayName": "Everyone", "members": first}))
        .unwrap();
    let gid = group["id"].as_str().unwrap().to_string();
    drop(group);
    println!(
        "reference server: {USERS} users and a group of {GROUP_MEMBERS} members loaded in {:.1} s",
        load.elapsed().as_secs_f64()
    );
    println!(
        "  resident memory (VmRSS)                      {:>7.1} MB  ({:.1} MB before loading)",
        rss_mb(),
        before
    );

    let bench = Arc::new(Bench {
        http: {
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::new()
        },
        base: server.base_url().to_string(),
    });
    println!("one client, one request at a time:");
    // Paging the whole tenant also yields the ids the later requests use.
    let mut ids: Vec<String> = Vec::with_capacity(USERS);
    let started = Instant::now();
    for page in 0..USERS / 100 {
        let url = format!(
            "{}/Users?startIndex={}&count=100",
            bench.base,
            page * 100 + 1
        );
        let resp = bench.http.get(url).bearer_auth(TOKEN).send().await.unwrap();
        let body: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        for r in body["Resources"].as_array().unwrap() {
            ids.push(r["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids.len(), USERS);
    println!(
        "  page through {USERS} users by 100 (startIndex/count) {:>7.0} ms total",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let group_path = format!("/Groups/{gid}");
    timed("GET the 10,000-member group", 20, |_| {
        bench.send(reqwest::Method::GET, &group_path, None)
    })
    .await;
    timed("filter userName eq (another case)", 200, |i| {
        let name = format!("USER{:06}@example.com", (i * 7919) % USERS);
        let path = format!("/Users?filter=userName%20eq%20%22{name}%22");
        let bench = bench.clone();
        async move { bench.send(reqwest::Method::GET, &path, None).await }
    })
    .await;
    // No index answers this one: every user's attributes are read.
    timed("filter emails[type eq \"work\"].value (a scan)", 5, |i| {
        let path = format!("/Users?filter=emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22user{:06}%40example.com%22", i * 7919);
        let bench = bench.clone();
        async move { bench.send(reqwest::Method::GET, &path, None).await }
    })
    .await;
    // Each PATCH adds 100 users not yet members: the group grows from 10,000 to 12,000.
    timed("PATCH adding 100 members", 20, |i| {
        let value: Vec<Value> = ids[GROUP_MEMBERS + i * 100..GROUP_MEMBERS + (i + 1) * 100]
            .iter()
            .map(|id| json!({"value": id}))
            .collect();
        let body = patch_op(json!([{"op": "add", "path": "members", "value": value}]));
        bench.send(reqwest::Method::PATCH, &group_path, Some(body))
    })
    .await;
    timed("PATCH remove members[value eq \"…\"]", 50, |i| {
        let path = format!("members[value eq \"{}\"]", ids[i]);
        let body = patch_op(json!([{"op": "remove", "path": path}]));
        bench.send(reqwest::Method::PATCH, &group_path, Some(body))
    })
    .await;
    timed("PATCH Remove members value [{value}] (Entra)", 50, |i| {
        let value = json!([{"value": ids[100 + i]}]);
        let body = patch_op(json!([{"op": "Remove", "path": "members", "value": value}]));
        bench.send(reqwest::Method::PATCH, &group_path, Some(body))
    })
    .await;
    let gid = gid.clone();

    println!("{CLIENTS} concurrent clients over loopback HTTP/1.1:");
    measure("create (POST /Users)", bench.clone(), |b, i| async move {
        b.send(
            reqwest::Method::POST,
            "/Users",
            Some(json!({"userName": format!("new{i}@example.com"), "active": true})),
        )
        .await
    })
    .await;
    let ids = Arc::new(ids);
    let by_id = ids.clone();
    measure("get by id (GET /Users/{id})", bench.clone(), move |b, i| {
        let id = by_id[(i * 7919) % USERS].clone();
        async move {
            b.send(reqwest::Method::GET, &format!("/Users/{id}"), None)
                .await
        }
    })
    .await;
    measure("filter by userName", bench.clone(), |b, i| async move {
        let name = format!("user{:06}@example.com", (i * 7919) % USERS);
        b.send(
            reqwest::Method::GET,
            &format!("/Users?filter=userName%20eq%20%22{name}%22"),
            None,
        )
        .await
    })
    .await;
    let add_ids = ids.clone();
    measure("member add to the 10,000 group (PATCH)", bench.clone(), move |b, i| {
        let uid = add_ids[GROUP_MEMBERS + 2_000 + i].clone();
        let path = format!("/Groups/{gid}");
        async move { b.send(reqwest::Method::PATCH, &path, Some(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}]}))).await }
    })
    .await;
    measure(
        "list page of 100 at startIndex 50,000",
        bench.clone(),
        |b, _| async move {
            b.send(
                reqwest::Method::GET,
                "/Users?startIndex=50000&count=100",
                None,
            )
            .await
        },
    )
    .await;
    server.shutdown().await;
}
