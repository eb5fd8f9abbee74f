//! Run wall time over a slow link: the Okta profile (concurrency 4) against the reference
//! server (a child process) through a reverse proxy that delays every request by 50 ms. The
//! wall time is compared with a budget set by the longest scenario, since on such a link a
//! run cannot be shorter than its longest chain of sequential requests:
//!
//!   budget = 1.3 × (steps of the longest Okta scenario + 3) × 50 ms
//!
//! `cargo bench --bench latency`; with `LATENCY_TRACE=1` it also prints the last run's requests
//! (start and end in ms from the start of the run), to see which chain sets the wall time.

#[path = "common/serve.rs"]
mod serve;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, StatusCode};
use axum::response::Response;

use scimcheck::exec::{Auth, Client, ClientConfig, Secret};
use scimcheck::plan::RunId;
use scimcheck::result::Target;
use scimcheck::run::{self, RunOptions, Shared};
use scimcheck::scenario::{self, Profile};

const ITERATIONS: usize = 3;
const LATENCY: Duration = Duration::from_millis(50);
const CONCURRENCY: usize = 4;
const TOKEN: &str = "bench-token";

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1); the proxy's own
/// connections set them.
const HOP_BY_HOP: [HeaderName; 5] = [
    header::CONNECTION,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::TE,
    header::HOST,
];

struct Proxy {
    http: reqwest::Client,
    /// `http://127.0.0.1:port` of the reference server.
    upstream: String,
    requests: AtomicUsize,
    /// When each request arrived and was answered, and what it was.
    trace: Mutex<Vec<(Instant, Instant, String)>>,
}

/// Waits `LATENCY`, then forwards the request and returns the answer unchanged.
async fn forward(State(proxy): State<Arc<Proxy>>, req: Request) -> Response {
    proxy.requests.fetch_add(1, Ordering::SeqCst);
    let arrived = Instant::now();
    tokio::time::sleep(LATENCY).await;
    let (parts, body) = req.into_parts();
    let what = format!("{} {}", parts.method, parts.uri);
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_string();
    let bad_gateway = |why: String| {
        Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::from(why))
            .unwrap()
    };
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => return bad_gateway(format!("reading the request: {e}")),
    };
    let mut headers = parts.headers;
    for h in &HOP_BY_HOP {
        headers.remove(h);
    }
    let sent = proxy
        .http
        .request(parts.method, format!("{}{target}", proxy.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let answer = match sent {
        Ok(a) => a,
        Err(e) => return bad_gateway(format!("forwarding: {e}")),
    };
    let status = answer.status();
    let mut headers = answer.headers().clone();
    for h in &HOP_BY_HOP {
        headers.remove(h);
    }
    let bytes = match answer.bytes().await {
        Ok(b) => b,
        Err(e) => return bad_gateway(format!("reading the answer: {e}")),
    };
    proxy.trace.lock().unwrap().push((
        arrived,
        Instant::now(),
        format!("{what} → {}", status.as_u16()),
    ));
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn target(base_url: &str) -> Target {
    Target {
        base_url: base_url.to_string(),
        embedded: false,
        insecure: false,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let loaded = scenario::builtin().unwrap();
    let okta: Vec<_> = loaded
        .iter()
        .filter(|l| l.scenario.profile == Profile::Okta)
        .collect();
    let longest = okta
        .iter()
        .map(|l| l.scenario.steps.len())
        .max()
        .unwrap_or(0);
    let budget = LATENCY.mul_f64(1.3 * (longest + 3) as f64);

    let (mut child, server_url) = serve::reference_server(TOKEN);
    let server = url::Url::parse(&server_url).unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let proxy = Arc::new(Proxy {
        http: {
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder()
        }
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap(),
        upstream: server.origin().ascii_serialization(),
        requests: AtomicUsize::new(0),
        trace: Mutex::default(),
    });
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("proxy binds");
    let proxy_addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(proxy.clone());
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    // The run sees only the proxy: same path below it as the reference server.
    let base_url = format!("http://{proxy_addr}{}", server.path());

    let shared = Shared::new(
        Client::new(ClientConfig::new(
            base_url.clone(),
            Auth::Bearer(Secret::new(TOKEN)),
        ))
        .unwrap(),
    );
    let options = |run_id| RunOptions {
        run_id,
        profiles: vec![Profile::Okta],
        entra_dialect: None,
        burst: Default::default(),
        concurrency: CONCURRENCY,
        keep_resources: false,
        fail_fast: false,
        user: Default::default(),
        load: Default::default(),
        keep_set_exchanges: false,
    };
    let one_run = || {
        proxy.requests.store(0, Ordering::SeqCst);
        proxy.trace.lock().unwrap().clear();
        let started = Instant::now();
        let run = runtime
            .block_on(run::run(
                &shared,
                loaded.clone(),
                &options(RunId::random()),
                target(&base_url),
            ))
            .unwrap();
        let wall = started.elapsed();
        let trace = proxy
            .trace
            .lock()
            .unwrap()
            .iter()
            .map(|(a, b, what)| {
                format!(
                    "{:>6.0} {:>6.0}  {what}",
                    ms(*a - started),
                    ms(*b - started)
                )
            })
            .collect::<Vec<_>>();
        (wall, proxy.requests.load(Ordering::SeqCst), run, trace)
    };

    // One warm-up run: connection pools, schema compilation.
    one_run();
    let mut walls = Vec::new();
    let mut requests = Vec::new();
    let mut last = None;
    for _ in 0..ITERATIONS {
        let (wall, sent, run, trace) = one_run();
        walls.push(wall);
        requests.push(sent);
        last = Some((run, trace));
    }
    let _ = child.kill();
    let _ = child.wait();
    let (run, trace) = last.unwrap();

    println!(
        "okta profile × {ITERATIONS} runs, concurrency {CONCURRENCY}, {} ms added to every request",
        LATENCY.as_millis()
    );
    println!(
        "  scenario                         steps  last run's scenario time (cleanup excluded)"
    );
    for l in &okta {
        let took = run
            .scenarios
            .iter()
            .find(|s| s.id == l.scenario.id)
            .map_or(0, |s| s.duration_ms);
        println!(
            "  {:<32} {:>5}  {took} ms",
            l.scenario.id,
            l.scenario.steps.len()
        );
    }
    println!("  longest scenario:  {longest} steps");
    let s = &run.summary;
    println!(
        "  last run:          {} passed, {} failed, {} warnings, {} skipped; {} deleted by cleanup, {} not",
        s.passed,
        s.failed,
        s.warnings,
        s.skipped,
        run.cleanup.deleted.len(),
        run.cleanup.failed.len()
    );
    println!(
        "  requests per run:  {}",
        requests
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut sorted = walls.clone();
    sorted.sort();
    let (min, median) = (sorted[0], sorted[sorted.len() / 2]);
    println!(
        "  wall time:         {} ms",
        walls
            .iter()
            .map(|w| format!("{:.0}", ms(*w)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  budget:            1.3 × ({longest} + 3) × {} ms = {:.0} ms",
        LATENCY.as_millis(),
        ms(budget)
    );
    println!(
        "  ratio = wall / budget (goal ≤ 1.0): min {:.3} ({:.0} ms), median {:.3} ({:.0} ms)",
        min.as_secs_f64() / budget.as_secs_f64(),
        ms(min),
        median.as_secs_f64() / budget.as_secs_f64(),
        ms(median)
    );
    if std::env::var_os("LATENCY_TRACE").is_some() {
        println!("last run's requests at the proxy (ms from the run's start: arrived, answered):");
        for line in &trace {
            println!("  {line}");
        }
    }
}
