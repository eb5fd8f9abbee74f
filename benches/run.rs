//! Harness speed: runs the Okta and Entra profiles against the reference server (in a child
//! process, so only the harness's own CPU is counted) and prints checks per second and harness
//! CPU time per exchange (every HTTP request the client sent, read-backs, discovery reads and
//! cleanup included). Entra's burst is paced by design, so it stays out of those runs and
//! is measured on its own (requests, p50/p95 latency). The RFC figures include the scenarios
//! generated from the reference server's /Schemas. `cargo bench --bench run [-- okta|entra|rfc]`.

#[path = "common/serve.rs"]
mod serve;

use std::time::{Duration, Instant};

use scimcheck::exec::{Auth, Client, ClientConfig, Secret};
use scimcheck::plan::{BurstPolicy, RunId};
use scimcheck::result::Target;
use scimcheck::run::{self, RunOptions, Shared};
use scimcheck::scenario::{self, Profile};

const ITERATIONS: usize = 20;
const TOKEN: &str = "bench-token";
const BURST_SECONDS: u32 = 4;

/// User + system CPU time of this process (Linux /proc; clock ticks of 10 ms).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

fn target(base_url: &str) -> Target {
    Target {
        base_url: base_url.to_string(),
        embedded: false,
        insecure: false,
    }
}

fn main() {
    let (mut child, base_url) = serve::reference_server(TOKEN);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let shared = Shared::new(
        Client::new(ClientConfig::new(
            base_url.clone(),
            Auth::Bearer(Secret::new(TOKEN)),
        ))
        .unwrap(),
    );
    let mut loaded = scenario::builtin().unwrap();
    // As `scimcheck run` does: the rfc profile's scenarios generated from /Schemas.
    loaded.extend(scimcheck::plan::generated::placeholders());
    // `cargo bench --bench run -- rfc` measures one profile (the burst runs with entra).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let chosen = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    for profile in [Profile::Okta, Profile::Entra, Profile::Rfc] {
        if chosen(&profile.to_string()) {
            measure(&runtime, &shared, &loaded, profile, &base_url);
        }
    }
    if chosen("entra") {
        burst(&runtime, &shared, &loaded, &base_url);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Options for one run of `profile`; bursts stay out of the timed runs.
fn options(run_id: RunId, profile: Profile, burst: BurstPolicy) -> RunOptions {
    RunOptions {
        run_id,
        profiles: vec![profile],
        entra_dialect: None,
        burst,
        concurrency: 4,
        keep_resources: false,
        fail_fast: false,
        user: Default::default(),
        load: Default::default(),
        keep_set_exchanges: false,
    }
}

fn measure(
    runtime: &tokio::runtime::Runtime,
    shared: &Shared,
    loaded: &[scenario::Loaded],
    profile: Profile,
    base_url: &str,
) {
    let once = || {
        runtime
            .block_on(run::run(
                shared,
                loaded.to_vec(),
                &options(RunId::random(), profile, BurstPolicy::default()),
                target(base_url),
            ))
            .unwrap()
    };
    // One warm-up run: connection pool, schema compilation.
    once();
    let (mut checks, mut failed) = (0usize, 0usize);
    // Every request on the wire: scenario steps, read-backs, preflight, the rfc profile's
    // reads of /Schemas and /ResourceTypes, and cleanup's reads and deletes.
    let sent0 = shared.client.requests_sent();
    let cpu0 = cpu_time();
    let wall0 = Instant::now();
    for _ in 0..ITERATIONS {
        let run = once();
        let s = run.summary;
        checks += s.passed + s.failed + s.warnings + s.skipped;
        failed += s.failed;
    }
    let exchanges = (shared.client.requests_sent() - sent0) as usize;
    let wall = wall0.elapsed();
    let cpu = cpu_time() - cpu0;

    let bursts = if profile == Profile::Entra {
        ", bursts skipped"
    } else {
        ""
    };
    println!("{profile} profile × {ITERATIONS} runs against the reference server (concurrency 4{bursts})");
    println!(
        "  checks:            {checks} ({} per run, {failed} failed)",
        checks / ITERATIONS
    );
    println!(
        "  exchanges:         {exchanges} ({} per run)",
        exchanges / ITERATIONS
    );
    println!(
        "  wall time:         {:.2} s ({:.0} ms per run)",
        wall.as_secs_f64(),
        wall.as_secs_f64() * 1000.0 / ITERATIONS as f64
    );
    println!(
        "  checks per second: {:.0}",
        checks as f64 / wall.as_secs_f64()
    );
    println!(
        "  harness CPU:       {:.0} ms total, {:.3} ms per exchange",
        cpu.as_secs_f64() * 1000.0,
        cpu.as_secs_f64() * 1000.0 / exchanges as f64
    );
}

/// The Entra burst on its own, timed apart: its wall time is its rate, not the harness.
fn burst(
    runtime: &tokio::runtime::Runtime,
    shared: &Shared,
    loaded: &[scenario::Loaded],
    base_url: &str,
) {
    let only: Vec<_> = loaded
        .iter()
        .filter(|l| l.scenario.steps.iter().any(|s| s.burst.is_some()))
        .cloned()
        .collect();
    let policy = BurstPolicy::for_target(true, false, Some(BURST_SECONDS));
    let cpu0 = cpu_time();
    let run = runtime
        .block_on(run::run(
            shared,
            only,
            &options(RunId::random(), Profile::Entra, policy),
            target(base_url),
        ))
        .unwrap();
    let cpu = cpu_time() - cpu0;
    for b in run
        .scenarios
        .iter()
        .flat_map(|s| &s.steps)
        .filter_map(|s| s.set.as_ref())
    {
        println!(
            "entra burst, {BURST_SECONDS} s at {}/s (separate run)",
            b.rate.unwrap_or_default()
        );
        println!(
            "  requests:          {} sent of {}, {:.1}/s reached, statuses {:?}",
            b.sent,
            b.planned,
            b.achieved_rate(),
            b.statuses
        );
        println!(
            "  latency:           p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
            b.p50_ms, b.p95_ms, b.max_ms
        );
        println!(
            "  harness CPU:       {:.0} ms for the run, {:.3} ms per request",
            cpu.as_secs_f64() * 1000.0,
            cpu.as_secs_f64() * 1000.0 / b.sent.max(1) as f64
        );
    }
}
