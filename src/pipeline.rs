//! One run, stage after stage: preflight, plan, execute (with checks), cleanup. The CLI, the
//! benchmarks and the tests all drive runs through here.

use std::sync::Arc;
use std::time::Instant;

use crate::error::Error;
use crate::exec::{
    self, Cancel, Client, Events, Ledger, LedgerEntry, RunScope, Silent, TransportErrorKind,
};
use crate::plan::{self, Capabilities, PreparedRequest, RunId};
use crate::result::{Cleanup, CleanupFailure, RunResult, Summary, Target, REPORT_VERSION};
use crate::scenario::{Loaded, Method, Profile};

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub run_id: RunId,
    pub profiles: Vec<Profile>,
    /// Scenarios run at once; steps within one always run in order.
    pub concurrency: usize,
    pub keep_resources: bool,
}

/// What a run shares with whoever started it: the ledger (to report leftovers if the process
/// must exit at once) and the cancel switch (signals, deadline).
#[derive(Clone)]
pub struct Shared {
    pub client: Arc<Client>,
    pub ledger: Arc<Ledger>,
    pub cancel: Arc<Cancel>,
    /// Progress display; silent by default.
    pub events: Arc<dyn Events>,
}

impl Shared {
    pub fn new(client: Client) -> Shared {
        Shared {
            client: Arc::new(client),
            ledger: Arc::default(),
            cancel: Arc::default(),
            events: Arc::new(Silent),
        }
    }
}

pub async fn run(
    shared: &Shared,
    loaded: Vec<Loaded>,
    options: &RunOptions,
    target: Target,
) -> Result<RunResult, Error> {
    let now = time::OffsetDateTime::now_utc();
    let started_at = now.replace_nanosecond(0).unwrap_or(now);
    let started = Instant::now();
    let client = &shared.client;
    // The first requests wait out throttling too: a signal or the deadline must end them.
    let (caps, preflight_throttled) = tokio::select! {
        done = preflight(client) => done?,
        () = shared.cancel.cancelled() => {
            return Err(Error::Stopped(shared.cancel.reason().unwrap_or_default()))
        }
    };
    let run_id = &options.run_id;
    shared.ledger.begin(&run_id.prefix());
    let planned = plan::plan(loaded, &options.profiles, run_id, &caps);
    // The scenarios run in their own task so that even a harness bug cannot skip cleanup.
    let task = {
        let s = shared.clone();
        let concurrency = options.concurrency;
        tokio::spawn(async move {
            let scope = RunScope {
                client: &s.client,
                ledger: &s.ledger,
                cancel: &s.cancel,
                events: s.events.as_ref(),
            };
            exec::run_scenarios(&scope, planned, concurrency).await
        })
    };
    let scenarios = task.await;
    let cleanup = if options.keep_resources {
        Cleanup {
            kept: true,
            ..Default::default()
        }
    } else {
        let mut cleanup = exec::cleanup(client, &shared.ledger).await;
        // A creation whose answer was lost may have happened all the same; such resources
        // are not in the ledger, so look for them by the names those creations sent.
        let lost: Option<Vec<String>> = scenarios.as_ref().ok().map(|all| {
            all.iter()
                .flat_map(|s| &s.steps)
                .filter_map(|s| s.exchange.as_ref())
                .filter(|x| {
                    x.request.method == Method::Post
                        && x.error
                            .as_ref()
                            .is_some_and(|e| e.kind != TransportErrorKind::Refused)
                })
                .filter_map(|x| {
                    let body = x.request.body.as_ref()?;
                    let name = crate::check::json::member(body, "userName")
                        .or_else(|| crate::check::json::member(body, "displayName"))?;
                    name.as_str().map(str::to_string)
                })
                .collect()
        });
        match lost {
            Some(names) if names.is_empty() => {}
            names => sweep(client, &run_id.prefix(), names.as_deref(), &mut cleanup).await,
        }
        cleanup
    };
    let scenarios = scenarios.map_err(|e| {
        Error::Internal(format!(
            "the run stopped unexpectedly ({e}); resources it created were cleaned up"
        ))
    })?;
    let summary = Summary::of(
        scenarios
            .iter()
            .flat_map(|s| s.steps.iter().flat_map(|st| st.checks.iter())),
    );
    Ok(RunResult {
        report_version: REPORT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        run_id: run_id.to_string(),
        target,
        profiles: options.profiles.clone(),
        started_at: started_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        duration_ms: started.elapsed().as_millis() as u64,
        summary,
        preflight_throttled,
        scenarios,
        cleanup,
        interrupted: shared.cancel.reason(),
    })
}

/// Deletes resources the ledger does not know that carry one of `names` (the creations whose
/// answers were lost), or, when those are unknown, the run's prefix.
async fn sweep(client: &Client, prefix: &str, names: Option<&[String]>, cleanup: &mut Cleanup) {
    let found = match exec::leftovers::find(client, prefix).await {
        Ok(found) => found,
        Err(why) => {
            cleanup.unverified = Some(format!(
                "a creation's answer was lost and the search for such leftovers failed ({why})"
            ));
            return;
        }
    };
    let known: Vec<_> = cleanup
        .failed
        .iter()
        .map(|f| &f.entry)
        .chain(&cleanup.deleted)
        .map(|e| e.id.clone())
        .collect();
    let sent =
        |e: &LedgerEntry| names.is_none_or(|n| n.iter().any(|n| n.eq_ignore_ascii_case(&e.name)));
    for entry in found
        .into_iter()
        .filter(|e| !known.contains(&e.id) && sent(e))
    {
        match exec::delete(client, &entry).await {
            Ok(()) => cleanup.deleted.push(LedgerEntry {
                deleted: true,
                ..entry
            }),
            Err(reason) => cleanup.failed.push(CleanupFailure { entry, reason }),
        }
    }
}

/// Tells "the target is broken" (a finding) from "nothing can be checked" (exit 3), and
/// reads the advertised capabilities; also says what throttling it waited out.
async fn preflight(client: &Client) -> Result<(Capabilities, Vec<crate::exec::Throttle>), Error> {
    let get = |path: &str, query: Vec<(String, String)>| PreparedRequest {
        query,
        ..PreparedRequest::get(path)
    };
    let probe = client
        .send(&get(
            "/Users",
            vec![
                ("startIndex".into(), "1".into()),
                ("count".into(), "1".into()),
            ],
        ))
        .await;
    if let Some(err) = &probe.error {
        return Err(Error::Unreachable(format!(
            "GET {}: {}",
            probe.request.url, err.message
        )));
    }
    if let Some(status @ (401 | 403)) = probe.status() {
        let how = if client.has_credentials() {
            "check --token / SCIM_TOKEN"
        } else {
            "no token was given: pass --token or set SCIM_TOKEN"
        };
        return Err(Error::Unauthorized(format!(
            "GET {} answered {status}; {how}",
            probe.request.url
        )));
    }
    let spc = client.send(&get("/ServiceProviderConfig", vec![])).await;
    let throttled = probe
        .throttled
        .iter()
        .chain(&spc.throttled)
        .cloned()
        .collect();
    Ok((
        Capabilities(spc.json().filter(|_| spc.status() == Some(200)).cloned()),
        throttled,
    ))
}
