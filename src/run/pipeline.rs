//! One run, stage after stage: preflight, plan, the scenarios (each cleaning up after
//! itself), the final cleanup. The CLI, the benchmarks and the tests all drive runs through
//! here.

use std::sync::Arc;
use std::time::Instant;

use super::events::{Events, Silent};
use super::preflight::preflight;
use super::scenario::{run_scenarios, RunScope};
use crate::error::Error;
use crate::exec::cleanup::{self, Cleanup};
use crate::exec::{Cancel, Client, Exchange, Ledger, TransportErrorKind};
use crate::plan::{self, RunId};
use crate::result::{LoadStatement, RunResult, ScenarioResult, Summary, Target, REPORT_VERSION};
use crate::scenario::{Dialect, Loaded, Profile};
use crate::scim::json::member;
use crate::scim::Method;

/// What a run is asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run's id; every name it creates carries its prefix.
    pub run_id: RunId,
    /// The profiles whose scenarios run.
    pub profiles: Vec<Profile>,
    /// Only this Entra ID PATCH dialect's scenarios (and those of neither); both when `None`.
    pub entra_dialect: Option<Dialect>,
    /// Whether and how long bursts run.
    pub burst: plan::BurstPolicy,
    /// Scenarios run at once; steps within one always run in order. Cleanup deletes up to
    /// this many resources at once too.
    pub concurrency: usize,
    /// Leave what the run created on the server.
    pub keep_resources: bool,
    /// Start no new scenario once one has a failing check.
    pub fail_fast: bool,
    /// The user's `{{vars.NAME}}` and `{{secrets.NAME}}`.
    pub user: plan::UserVars,
    /// `--parallel`, `--scale`, `--okta-batch`.
    pub load: plan::LoadSettings,
    /// Keep every request of a set in its step's result (for a report that writes them all,
    /// `--report har`), not only the first: at scale, that holds them until the run ends.
    pub keep_set_exchanges: bool,
}

impl RunOptions {
    /// The scenarios these options select.
    pub fn selection(&self) -> plan::Selection {
        plan::Selection {
            profiles: self.profiles.clone(),
            entra_dialect: self.entra_dialect,
            burst: self.burst,
            user: self.user.clone(),
            load: self.load,
        }
    }
}

/// What a run shares with whoever started it: the ledger (to report leftovers if the process
/// must exit at once) and the cancel switch (signals, deadline).
#[derive(Clone)]
pub struct Shared {
    /// The HTTP client for the target.
    pub client: Arc<Client>,
    /// What the run created.
    pub ledger: Arc<Ledger>,
    /// Stops the run early.
    pub cancel: Arc<Cancel>,
    /// Progress display; silent by default.
    pub events: Arc<dyn Events>,
}

impl Shared {
    /// A run's shared state around `client`, with no progress display.
    pub fn new(client: Client) -> Shared {
        Shared {
            client: Arc::new(client),
            ledger: Arc::default(),
            cancel: Arc::default(),
            events: Arc::new(Silent),
        }
    }
}

/// What the concurrency and scale scenarios `options` selects from `loaded` will send, when
/// any run: stated before the first request.
pub fn load_statement(loaded: &[Loaded], options: &RunOptions) -> Option<LoadStatement> {
    let selection = options.selection();
    let heavy: Vec<&Loaded> = loaded
        .iter()
        .filter(|l| {
            matches!(l.scenario.profile, Profile::Concurrency | Profile::Scale)
                && selection.selects(&l.scenario)
        })
        .collect();
    if heavy.is_empty() {
        return None;
    }
    let scale = heavy.iter().any(|l| l.scenario.profile == Profile::Scale);
    Some(LoadStatement {
        parallel: options.load.parallel,
        scale: scale.then_some(options.load.scale),
        okta_batch: scale.then_some(options.load.okta_batch),
        requests: heavy
            .iter()
            .map(|l| plan::fanout::estimate_requests(&l.scenario, &options.load))
            .sum(),
    })
}

/// Runs the scenarios of `loaded` that `options` selects against the client's target.
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
            return Err(Error::Stopped(shared.cancel.reason().unwrap_or(crate::exec::StopReason::Interrupted("a signal".into()))))
        }
    };
    let run_id = &options.run_id;
    let load = load_statement(&loaded, options);
    // Thousands of resources are deleted as many at once as they were created.
    let deletes_at_once = match load {
        Some(l) => options.concurrency.max(l.parallel),
        None => options.concurrency,
    };
    shared.ledger.begin(&run_id.prefix());
    let selection = options.selection();
    let (loaded, generation_skips) = tokio::select! {
        done = super::generated::expand(client, loaded, &selection, &caps) => done,
        () = shared.cancel.cancelled() => {
            return Err(Error::Stopped(shared.cancel.reason().unwrap_or(crate::exec::StopReason::Interrupted("a signal".into()))))
        }
    };
    // Okta's CRUD test drives an Okta org: the embedded one serves it for this run.
    let org = if loaded
        .iter()
        .any(|l| l.scenario.steps.iter().any(|s| s.okta_api))
    {
        let org = crate::exec::okta::OktaOrg::start(
            shared.client.clone(),
            shared.ledger.clone(),
            crate::scenario::runscope::OKTA_ORG_TOKEN,
        )
        .await
        .map_err(|e| {
            Error::Usage(format!(
                "cannot start the embedded Okta org on 127.0.0.1: {e}"
            ))
        })?;
        Some(Arc::new(org))
    } else {
        None
    };
    let mut planned = plan::plan(
        loaded,
        &selection,
        run_id,
        &caps,
        &client.config().base_url,
        org.as_ref().map(|o| o.url()),
    );
    if let Some(org) = &org {
        for p in &planned {
            if let Some(app) = p.vars.get("oktaAppId").and_then(|v| v.as_str()) {
                org.add_app(app);
            }
        }
    }
    for p in &mut planned {
        if let Some(why) = generation_skips.get(p.scenario.id.as_str()) {
            p.skip.get_or_insert_with(|| why.clone());
        }
    }
    // The scenarios run in their own task so that even a harness bug cannot skip cleanup.
    let task = {
        let s = shared.clone();
        let concurrency = options.concurrency;
        let keep = options.keep_resources;
        let deletes = deletes_at_once;
        let fail_fast = options.fail_fast;
        let keep_sets = options.keep_set_exchanges;
        let org = org.clone();
        tokio::spawn(async move {
            let scope = RunScope {
                org: org.as_deref(),
                client: &s.client,
                ledger: &s.ledger,
                cancel: &s.cancel,
                events: s.events.as_ref(),
                concurrency,
                deletes,
                clean_each: !keep,
                fail_fast,
                keep_sets,
            };
            run_scenarios(&scope, planned).await
        })
    };
    let outcome = task.await;
    let cleanup = if options.keep_resources {
        Cleanup {
            kept: true,
            ..Default::default()
        }
    } else {
        let mut cleanup = match &outcome {
            Ok((_, done)) => done.clone(),
            Err(_) => Cleanup::default(),
        };
        // What a scenario could not delete (or a harness bug left) is tried once more here.
        cleanup.absorb(cleanup::cleanup(client, &shared.ledger, deletes_at_once).await);
        cleanup.failed.retain(|f| {
            !cleanup
                .deleted
                .iter()
                .any(|d| d.kind == f.entry.kind && d.id == f.entry.id)
        });
        // A creation whose answer was lost may have happened all the same; such resources
        // are not in the ledger, so look for them by the names those creations sent.
        // Without names (the run stopped, or a body sent verbatim was lost), everything that
        // carries the run's prefix and is not accounted for is looked for.
        match outcome
            .as_ref()
            .ok()
            .and_then(|(all, _)| lost_creations(all))
        {
            Some(names) if names.is_empty() => {}
            names => cleanup::sweep(client, &run_id.prefix(), names.as_deref(), &mut cleanup).await,
        }
        cleanup.deleted.sort_by_key(|e| e.kind);
        cleanup
    };
    let (mut scenarios, _) = outcome.map_err(|e| {
        Error::Internal(format!(
            "the run stopped unexpectedly ({e}); resources it created were cleaned up"
        ))
    })?;
    super::rootcause::once(&mut scenarios);
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
        labels: Default::default(),
        load,
    })
}

/// The names sent by creations whose answers were lost (not refused: those were never sent),
/// or `None` when one of them cannot be named: a body sent verbatim that is not JSON.
fn lost_creations(scenarios: &[ScenarioResult]) -> Option<Vec<String>> {
    // A set of creates records its first exchange only: when any of them went unanswered,
    // or the set was stopped with creates in flight, every name of the run is looked for.
    let lost_in_a_set = scenarios.iter().flat_map(|s| &s.steps).any(|st| {
        let creates = st
            .exchange
            .as_ref()
            .is_some_and(|x| x.request.method == Method::Post);
        st.set
            .as_ref()
            .is_some_and(|set| creates && (set.transport_errors > 0 || set.stopped.is_some()))
    });
    if lost_in_a_set {
        return None;
    }
    lost_names(
        scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .filter_map(|s| s.exchange.as_ref()),
    )
}

fn lost_names<'a>(exchanges: impl Iterator<Item = &'a Exchange>) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for x in exchanges.filter(|x| {
        x.request.method == Method::Post
            && x.error
                .as_ref()
                .is_some_and(|e| e.kind != TransportErrorKind::Refused)
    }) {
        let raw = x.request.raw_body.as_deref();
        let body = match (&x.request.body, raw) {
            (Some(body), _) => body.clone(),
            (None, Some(raw)) => serde_json::from_str(raw).ok()?,
            (None, None) => continue,
        };
        // A user without userName is found by its externalId or displayName (as the ledger
        // names it), so every name it was sent with counts.
        let sent: Vec<String> = ["userName", "displayName", "externalId"]
            .iter()
            .filter_map(|attr| member(&body, attr)?.as_str().map(str::to_string))
            .collect();
        if sent.is_empty() && raw.is_some() {
            return None;
        }
        names.extend(sent);
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::TransportError;
    use serde_json::json;

    fn lost(body: Option<serde_json::Value>, raw: Option<&str>) -> Exchange {
        let mut x = Exchange::answered(Method::Post, "http://h/scim/v2/Users", 201, &json!({}));
        x.response = None;
        x.error = Some(TransportError {
            kind: TransportErrorKind::Timeout,
            message: "timed out".into(),
        });
        x.request.body = body;
        x.request.raw_body = raw.map(str::to_string);
        x
    }

    #[test]
    fn a_lost_create_is_named_by_every_name_it_sent() {
        let nameless = lost(
            Some(json!({"externalId": "scimcheck-x-e", "displayName": "scimcheck-x-d"})),
            None,
        );
        let named = lost(Some(json!({"userName": "scimcheck-x-u"})), None);
        let search = lost(Some(json!({"filter": "userName pr"})), None);
        assert_eq!(
            lost_names([&nameless, &named, &search].into_iter()),
            Some(vec![
                "scimcheck-x-d".to_string(),
                "scimcheck-x-e".to_string(),
                "scimcheck-x-u".to_string()
            ])
        );
        let answered = Exchange::answered(Method::Post, "", 201, &json!({}));
        assert_eq!(lost_names([&answered].into_iter()), Some(vec![]));
    }

    #[test]
    fn a_lost_raw_body_that_names_nothing_sweeps_by_the_prefix() {
        let cut = lost(None, Some(r#"{"userName": "scimcheck-x-cut", "#));
        let named = lost(Some(json!({"userName": "scimcheck-x-u"})), None);
        assert_eq!(lost_names([&named, &cut].into_iter()), None);
        let whole = lost(None, Some(r#"{"userName": "scimcheck-x-w"}"#));
        assert_eq!(
            lost_names([&whole].into_iter()),
            Some(vec!["scimcheck-x-w".to_string()])
        );
    }
}
