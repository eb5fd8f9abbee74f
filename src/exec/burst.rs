//! A burst: reads sent at a fixed rate for a bounded time, each answer counted, none retried
//! (a throttled answer is what the burst looks for). It stops launching at the run's cancel
//! switch (Ctrl-C, SIGTERM, the deadline) and never outlives its duration by more than one
//! request timeout.

use std::time::{Duration, Instant};

use super::cancel::Cancel;
use super::client::Client;
use super::exchange::{now_rfc3339, Exchange};
use super::fanout::{launch, Launch, SetMode, SetSummary};
use crate::plan::PreparedRequest;

/// Requests of one burst in flight at once, at most: a slow server lowers the rate reached
/// (which the summary shows) instead of piling up connections.
const MAX_IN_FLIGHT: usize = 64;

/// A burst's outcome: its summary, the first exchange (checked like any step's), and the
/// first one that was not a success, as evidence.
#[derive(Debug, Clone)]
pub struct BurstOutcome {
    /// The counts and latencies.
    pub summary: SetSummary,
    /// The first request's exchange.
    pub first: Exchange,
    /// The first answer that was a 429 or 5xx (or got no answer), with when it came, in
    /// milliseconds from the start.
    pub first_bad: Option<(Exchange, u64)>,
}

/// Sends `requests` in turn at `rate` per second for `seconds` (fewer when `--max-rps` is
/// lower). Launching stops at the planned count, at twice the duration if the server cannot
/// keep up, or when `cancel` is turned; requests still in flight then are abandoned (they
/// are reads) and not counted as sent answers.
pub async fn send_burst(
    client: &Client,
    cancel: &Cancel,
    requests: &[PreparedRequest],
    rate: u32,
    seconds: u32,
) -> BurstOutcome {
    let rate = match client.config().max_rps {
        Some(max) if max > 0.0 => f64::from(rate).min(max),
        _ => f64::from(rate),
    };
    let planned = ((rate * f64::from(seconds)).round() as usize).max(1);
    let duration = Duration::from_secs(u64::from(seconds));
    let launched = launch(
        cancel,
        &Launch {
            count: planned,
            in_flight: MAX_IN_FLIGHT,
            rate: Some(rate),
            launch_for: Some(duration * 2),
            give_up_after: Some(duration * 2 + client.config().timeout),
        },
        |i| client.send_timed(&requests[i % requests.len()]),
        |_| true,
    )
    .await;
    let mut summary = SetSummary::of(
        SetMode::Burst,
        planned,
        MAX_IN_FLIGHT,
        &launched,
        Exchange::status,
        |_| 0,
    );
    summary.rate = Some(rate);
    summary.seconds = Some(seconds);
    let first_bad = launched
        .landed
        .iter()
        .find(|x| x.value.status().is_none_or(|s| !(200..300).contains(&s)))
        .map(|x| {
            let at = (x.started + x.took).as_millis() as u64;
            (x.value.clone(), at)
        });
    let first = match launched.landed.first() {
        Some(x) if x.index == 0 => x.value.clone(),
        _ => {
            let why = match &summary.stopped {
                Some(reason) => format!("the burst stopped before its first answer: {reason}"),
                None => "the burst sent nothing".into(),
            };
            client.refused(&requests[0], why)
        }
    };
    BurstOutcome {
        summary,
        first,
        first_bad,
    }
}

impl Client {
    /// Sends one request once: no retry of 429 or 503 and no OAuth refresh, paced by
    /// `--max-rps`, its duration counted from after the pacing wait so that it measures the
    /// server alone. For bursts, whose throttled answers are the finding.
    pub async fn send_unretried(&self, req: &PreparedRequest) -> Exchange {
        self.send_timed(req).await.0
    }

    /// [`Client::send_unretried`], with the server's time to answer to the microsecond.
    pub(crate) async fn send_timed(&self, req: &PreparedRequest) -> (Exchange, Duration) {
        let authorization = match self.authorizer_header().await {
            Ok(a) => a,
            Err(message) => return (self.refused(req, message), Duration::ZERO),
        };
        let headers = self.headers(req, authorization.as_ref());
        let request = self.record_request(req, &headers);
        let secrets = self.secret_values(&headers);
        self.pace().await;
        let started_at = now_rfc3339();
        let started = Instant::now();
        let result = self
            .send_once(req, &request.url, &headers)
            .await
            .map(|r| r.scrubbed(&secrets));
        let took = started.elapsed();
        let duration_ms = took.as_millis() as u64;
        let (response, error) = match result {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        let exchange = Exchange {
            request,
            response,
            error,
            started: started_at,
            duration_ms,
            throttled: vec![],
        };
        (exchange, took)
    }
}
