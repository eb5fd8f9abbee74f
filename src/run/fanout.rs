//! Sending a step's set of requests: a fan-out (one request per item, many at once), a
//! probe (one at a time until one succeeds), or a walk (a list page by page). Each request
//! is rendered with its own item, guarded by the ledger like any step's, and retried only
//! where that is safe: a read after a 5xx or a dropped connection, a create only after
//! looking its name up (so a create the server made before failing is never made twice, and
//! cleanup still finds it).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::exec::{
    launch, name_in, Cancel, Client, Exchange, Landed, Launch, Launched, Ledger, LedgerEntry,
    Observed, SetMode, SetSummary, TransportErrorKind,
};
use crate::plan::{self, FanOutPlan, PreparedRequest, PreparedStep, Vars};
use crate::scenario::{Pages, Request, Step};
use crate::scim::{Method, ResourceKind};

/// One request of a set as sent, with what the checks need.
pub(super) struct SentMember {
    pub prepared: PreparedStep,
    pub exchange: Exchange,
    pub then: Option<Exchange>,
    /// When the read after the write did not show it: how long after the write's answer a
    /// read again first did (`None`: not within [`SETTLE`]).
    pub settled_after: Option<Option<Duration>>,
    /// The read again that first showed the write, when the first did not.
    pub settled_read: Option<Exchange>,
    /// Its own checks, run as it landed.
    pub checked: Option<Checked>,
    pub retried: Vec<Exchange>,
}

/// How long a stale read is read again, every [`SETTLE_EVERY`], to measure the lag.
const SETTLE: Duration = Duration::from_secs(2);
const SETTLE_EVERY: Duration = Duration::from_millis(50);

/// A set as sent: its requests in order with their timing, and the summary.
pub(super) struct SentSet {
    pub members: Vec<Landed<SentMember>>,
    pub summary: SetSummary,
}

/// What sending a set needs from the run.
pub(super) struct SetEnv<'a> {
    pub client: &'a Client,
    pub ledger: &'a Ledger,
    pub cancel: &'a Cancel,
    pub headers: &'a BTreeMap<String, Option<String>>,
    /// Resources the set created, for the scenario's cleanup.
    pub created: &'a Mutex<Vec<LedgerEntry>>,
    /// Where progress goes, and what it is about.
    pub events: &'a dyn super::events::Events,
    pub scenario_id: &'a str,
    /// The step's own checks on one request, run as it lands.
    pub judge: &'a (dyn Fn(&SentMember) -> Checked + Sync),
}

/// A request's own checks, and whether the scenario goes on.
pub(super) type Checked = (Vec<crate::check::CheckOutcome>, crate::check::Flow);

/// Answer bodies larger than this are dropped from a set's requests once checked (all but
/// the first, which reports and snapshots show): pushing a group of 10,000 members in
/// batches would otherwise keep every batch's answer, each holding the whole group.
const KEPT_BODY: usize = 64 * 1024;

impl SetEnv<'_> {
    /// Tells the progress display about `done` of `total`, about a hundred times a set.
    fn progress(&self, step: &Step, done: usize, total: usize) {
        let every = (total / 100).max(1);
        if done.is_multiple_of(every) || done == total {
            self.events
                .set_progress(self.scenario_id, step.id.as_str(), done, total);
        }
    }
}

/// Sends `step`'s fan-out `f` as `fan` planned it.
pub(super) async fn send_fan_out(
    env: &SetEnv<'_>,
    step: &Step,
    f: &crate::scenario::FanOut,
    vars: &Vars,
    fan: &FanOutPlan,
) -> SentSet {
    let requests: Vec<&Request> = std::iter::once(&step.request).chain(&f.mix).collect();
    let mut landed = 0usize;
    let then = f.then.as_ref();
    let launched = launch(
        env.cancel,
        &Launch {
            count: fan.items.len(),
            in_flight: fan.in_flight,
            rate: fan.rate.map(f64::from),
            launch_for: None,
            give_up_after: None,
        },
        |i| {
            let member_vars = fan.member_vars(vars, i);
            let request = requests[i % requests.len()];
            async move {
                let started = Instant::now();
                let mut sent = send_member(env, step, request, &member_vars, i == 0).await;
                let took = started.elapsed();
                if let Some(then) = then {
                    if answered_2xx(&sent.exchange) {
                        let written = Instant::now();
                        let read = send_then(env, step, then, &member_vars).await;
                        if !shows_write(step, &sent.prepared, &read) {
                            let settled =
                                settle(env, step, then, &member_vars, &sent.prepared, written)
                                    .await;
                            sent.settled_after = Some(settled.as_ref().map(|(d, _)| *d));
                            sent.settled_read = settled.map(|(_, x)| x);
                        }
                        sent.then = Some(read);
                    }
                }
                sent.checked = Some((env.judge)(&sent));
                if i > 0 {
                    slim(&mut sent);
                }
                (sent, took)
            }
        },
        |x| {
            landed += 1;
            env.progress(step, landed, fan.items.len());
            // A probe stops at its first success.
            !(fan.until_success && answered_2xx(&x.value.exchange))
        },
    )
    .await;
    let mode = if fan.until_success {
        SetMode::Probe
    } else {
        SetMode::FanOut
    };
    let mut summary = summarise(mode, fan.items.len(), fan.in_flight, &launched);
    summary.rate = fan.rate.map(f64::from);
    SentSet {
        members: launched.landed,
        summary,
    }
}

/// Walks `step`'s list page by page: startIndex 1, then past what each page held, until a
/// page is empty, the walk passes totalResults, or the page bound is reached.
pub(super) async fn walk(env: &SetEnv<'_>, step: &Step, vars: &Vars, pages: &Pages) -> SentSet {
    let start = Instant::now();
    let mut landed = Vec::new();
    let mut start_index: u64 = 1;
    let mut bound = Pages::MAX_PAGES;
    let mut stopped = None;
    for i in 0..Pages::MAX_PAGES {
        if i >= bound {
            break;
        }
        if let Some(reason) = env.cancel.reason() {
            stopped = Some(reason.to_string());
            break;
        }
        let page_vars = vars.with_locals([(plan::START_INDEX, json!(start_index))]);
        let began = start.elapsed();
        let t0 = Instant::now();
        let sent = send_member(env, step, &step.request, &page_vars, i == 0).await;
        let took = t0.elapsed();
        let body = sent
            .exchange
            .json()
            .filter(|_| sent.exchange.status() == Some(200));
        let held = body
            .and_then(|b| crate::scim::json::member(b, "Resources"))
            .and_then(Value::as_array)
            .map_or(0, Vec::len) as u64;
        let total = body
            .and_then(|b| crate::scim::json::member(b, "totalResults"))
            .and_then(Value::as_u64);
        landed.push(Landed {
            index: i,
            started: began,
            took,
            value: sent,
        });
        env.progress(step, landed.len(), bound.max(landed.len()));
        if i == 0 {
            // Twice the pages the first page's total calls for, plus two: a server whose
            // pages never end cannot keep the walk going.
            let per = u64::from(pages.count.max(1));
            let needed = total.unwrap_or(0).div_ceil(per) as usize;
            bound = (needed * 2 + 2).min(Pages::MAX_PAGES);
        }
        if held == 0 {
            break;
        }
        start_index += held;
        if total.is_some_and(|t| start_index > t) {
            break;
        }
    }
    let launched = Launched {
        abandoned: 0,
        elapsed: start.elapsed(),
        stopped,
        landed,
    };
    let mut summary = summarise(SetMode::Walk, bound.min(Pages::MAX_PAGES), 1, &launched);
    if summary.stopped.is_none() && launched.landed.len() >= bound {
        summary.stopped = Some(format!("the walk reached its bound of {bound} pages"));
    }
    SentSet {
        members: launched.landed,
        summary,
    }
}

fn summarise(
    mode: SetMode,
    planned: usize,
    in_flight: usize,
    launched: &Launched<SentMember>,
) -> SetSummary {
    SetSummary::of(
        mode,
        planned,
        in_flight,
        launched,
        |m| m.exchange.status(),
        |m| m.exchange.throttled.len(),
    )
}

/// Drops the large answer bodies of a checked request.
fn slim(sent: &mut SentMember) {
    let exchanges = std::iter::once(&mut sent.exchange)
        .chain(sent.then.as_mut())
        .chain(sent.settled_read.as_mut())
        .chain(sent.retried.iter_mut());
    for x in exchanges {
        if let Some(r) = x.response.as_mut().filter(|r| r.body.len() > KEPT_BODY) {
            r.body = format!("[{} bytes, checked and not kept]", r.body.len());
            r.json = None;
        }
    }
}

fn answered_2xx(x: &Exchange) -> bool {
    x.status().is_some_and(|s| (200..300).contains(&s))
}

/// A 5xx, or no answer for a reason other than the harness's own refusal.
fn faulted(x: &Exchange) -> bool {
    match (x.status(), &x.error) {
        (Some(s), _) => s >= 500,
        (None, Some(e)) => e.kind != TransportErrorKind::Refused,
        (None, None) => true,
    }
}

/// Renders and sends one request of a set, retrying where that is safe, and records what
/// it created.
async fn send_member(
    env: &SetEnv<'_>,
    step: &Step,
    request: &Request,
    vars: &Vars,
    first: bool,
) -> SentMember {
    let prepared = match plan::prepare_step_with(step, request, env.headers, vars) {
        // A set rule's arguments (the 10,000 ids a walk must see) are kept once, with the
        // first request, which is where the set rules read them.
        Ok(mut p) if !first => {
            for (written, rendered) in step.expect.checks.iter().zip(p.checks.iter_mut()) {
                if written.over_set() {
                    *rendered = Err("judged with the set's first request".into());
                }
            }
            p
        }
        Ok(p) => p,
        Err(e) => {
            let fallback = PreparedRequest::get(&request.path);
            return SentMember {
                exchange: env.client.refused(&fallback, format!("not sent: {e}")),
                prepared: PreparedStep {
                    request: fallback,
                    asserts: vec![],
                    checks: vec![],
                    refused: None,
                    burst: None,
                },
                then: None,
                settled_after: None,
                settled_read: None,
                checked: None,
                retried: vec![],
            };
        }
    };
    let req = &prepared.request;
    let refusal = prepared.refused.clone().or_else(|| env.ledger.refusal(req));
    let mut retried = Vec::new();
    let exchange = match refusal {
        Some(why) => env.client.refused(req, why),
        None => {
            let mut exchange = sent_and_observed(env, req).await;
            let create = create_of(req);
            for attempt in 1..=2u64 {
                if !faulted(&exchange) {
                    break;
                }
                let retry = match (req.method, &create) {
                    (Method::Get | Method::Delete, _) => true,
                    // A create is sent again only when its name is not on the server yet.
                    (Method::Post, Some((kind, name))) => {
                        !found_and_adopted(env, *kind, name).await && attempt == 1
                    }
                    _ => false,
                };
                if !retry {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                retried.push(std::mem::replace(
                    &mut exchange,
                    sent_and_observed(env, req).await,
                ));
            }
            exchange
        }
    };
    SentMember {
        prepared,
        exchange,
        then: None,
        settled_after: None,
        settled_read: None,
        checked: None,
        retried,
    }
}

/// Sends `req` under the ledger's guard and records what it created.
async fn sent_and_observed(env: &SetEnv<'_>, req: &PreparedRequest) -> Exchange {
    let in_flight = env.ledger.sending(req);
    let exchange = env.client.send(req).await;
    let observed = env.ledger.observe(req, &exchange);
    drop(in_flight);
    match observed {
        Observed::Created(entry) => lock(env.created).push(entry),
        Observed::CreatedMany(entries) => lock(env.created).extend(entries),
        _ => {}
    }
    exchange
}

fn lock(m: &Mutex<Vec<LedgerEntry>>) -> std::sync::MutexGuard<'_, Vec<LedgerEntry>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The kind and name of a create: a POST to /Users or /Groups whose body names it.
fn create_of(req: &PreparedRequest) -> Option<(ResourceKind, String)> {
    if req.method != Method::Post {
        return None;
    }
    let kind = ResourceKind::from_segment(req.path.trim_matches('/'))?;
    let name = name_in(kind, req.body.as_ref()?)?;
    Some((kind, name.to_string()))
}

/// Looks the create's name up; a resource found is the run's (its name carries the run's
/// prefix) and goes into the ledger.
async fn found_and_adopted(env: &SetEnv<'_>, kind: ResourceKind, name: &str) -> bool {
    let attribute = kind.name_attribute();
    let mut lookup = PreparedRequest::get(kind.endpoint());
    lookup.query = vec![(
        "filter".into(),
        format!(
            "{attribute} eq \"{}\"",
            name.replace('\\', "\\\\").replace('"', "\\\"")
        ),
    )];
    let read = crate::exec::send_idempotent(env.client, &lookup).await;
    let found: Vec<(String, String)> = read
        .json()
        .filter(|_| read.status() == Some(200))
        .and_then(|b| crate::scim::json::member(b, "Resources"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let id = crate::scim::json::id_of(r)?;
            let held = name_in(kind, r)?;
            held.eq_ignore_ascii_case(name)
                .then(|| (id.to_string(), held.to_string()))
        })
        .collect();
    for (id, held) in &found {
        if let Some(entry) = env.ledger.adopt(kind, id, held) {
            lock(env.created).push(entry);
        }
    }
    !found.is_empty()
}

/// Whether the step's asserts (what the write set) hold on `read`.
fn shows_write(step: &Step, prepared: &PreparedStep, read: &Exchange) -> bool {
    step.expect
        .asserts
        .iter()
        .zip(&prepared.asserts)
        .all(|(a, rendered)| {
            let c = crate::check::asserts::evaluate(a, rendered, read, "");
            c.status == crate::check::CheckStatus::Passed && !c.is_unmet()
        })
}

/// Reads again until the write shows, within [`SETTLE`]: how long after `written` it did.
async fn settle(
    env: &SetEnv<'_>,
    step: &Step,
    then: &Request,
    vars: &Vars,
    prepared: &PreparedStep,
    written: Instant,
) -> Option<(Duration, Exchange)> {
    while written.elapsed() < SETTLE && !env.cancel.is_cancelled() {
        tokio::time::sleep(SETTLE_EVERY).await;
        let again = send_then(env, step, then, vars).await;
        if shows_write(step, prepared, &again) {
            return Some((written.elapsed(), again));
        }
    }
    None
}

/// The read a fan-out sends right after a request's answer.
async fn send_then(env: &SetEnv<'_>, step: &Step, then: &Request, vars: &Vars) -> Exchange {
    match plan::prepare(then, env.headers, vars) {
        Ok(req) => match env.ledger.refusal(&req) {
            Some(why) => env.client.refused(&req, why),
            None => env.client.send(&req).await,
        },
        Err(e) => env.client.refused(
            &PreparedRequest::get(&then.path),
            format!(
                "step `{}`: the read after the write was not sent: {e}",
                step.id
            ),
        ),
    }
}
