//! Reference server throughput at scale: 100,000 users and a group of 10,000 members, then
//! requests over loopback HTTP from 8 concurrent clients. `cargo bench --bench server`.

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

#[tokio::main(flavor = "multi_thread")]
async fn main() {
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
    let mut ids = Vec::with_capacity(USERS);
    for i in 0..USERS {
        let u = server.store().seed_user(json!({"userName": format!("user{i:06}@example.com"), "name": {"givenName": "Zoë", "familyName": format!("Nº{i}")}, "emails": [{"value": format!("user{i:06}@example.com"), "type": "work", "primary": true}], "active": true})).unwrap();
        ids.push(u["id"].as_str().unwrap().to_string());
    }
    let members: Vec<Value> = ids[..GROUP_MEMBERS]
        .iter()
        .map(|id| json!({"value": id}))
        .collect();
    let group = server
        .store()
        .seed_group(json!({"displayName": "Everyone", "members": members}))
        .unwrap();
    let gid = group["id"].as_str().unwrap().to_string();
    println!(
        "reference server: {USERS} users and a group of {GROUP_MEMBERS} members loaded in {:.1} s",
        load.elapsed().as_secs_f64()
    );
    println!("{CLIENTS} concurrent clients over loopback HTTP/1.1:");

    let bench = Arc::new(Bench {
        http: {
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::new()
        },
        base: server.base_url().to_string(),
    });
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
        let uid = add_ids[GROUP_MEMBERS + i].clone();
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
