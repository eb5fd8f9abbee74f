//! A burst: reads sent at a fixed rate for a bounded time, each answer counted, none retried
//! (a throttled answer is what the burst looks for). It stops launching at the run's cancel
//! switch (Ctrl-C, SIGTERM, the deadline) and never outlives its duration by more than one
//! request timeout.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};

use super::cancel::Cancel;
use super::client::Client;
use super::exchange::Exchange;
use crate::plan::PreparedRequest;

/// Requests of one burst in flight at once, at most: a slow server lowers the rate reached
/// (which the summary shows) instead of piling up connections.
const MAX_IN_FLIGHT: usize = 64;

/// What a burst did, for the report and the throughput rule. Every request sent is counted
/// in exactly one of `statuses` or `transport_errors`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BurstSummary {
    /// Requests per second aimed at (the scenario's rate, or `--max-rps` when lower).
    pub rate: f64,
    /// For how long, in seconds.
    pub seconds: u32,
    /// Requests the burst meant to send: rate × seconds.
    pub planned: usize,
    /// Requests sent.
    pub sent: usize,
    /// Answers, by status.
    pub statuses: BTreeMap<u16, usize>,
    /// Requests that got no answer (timeout, reset, refused connection).
    pub transport_errors: usize,
    /// From the first request sent to the last answer, in milliseconds.
    pub elapsed_ms: u64,
    /// Median latency of the answers, in milliseconds (to the microsecond).
    pub p50_ms: f64,
    /// 95th-percentile latency of the answers, in milliseconds.
    pub p95_ms: f64,
    /// Slowest answer, in milliseconds.
    pub max_ms: f64,
    /// Set when the run's cancel switch stopped the burst early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

impl BurstSummary {
    /// Requests per second actually sent.
    pub fn achieved_rate(&self) -> f64 {
        if self.elapsed_ms == 0 {
            return 0.0;
        }
        self.sent as f64 * 1000.0 / self.elapsed_ms as f64
    }

    /// Answers that say the server could not take the load: 429 and 5xx.
    pub fn overloaded_answers(&self) -> usize {
        self.statuses
            .iter()
            .filter(|(s, _)| is_overloaded(**s))
            .map(|(_, n)| n)
            .sum()
    }
}

/// 429 (throttled) or a server error.
pub fn is_overloaded(status: u16) -> bool {
    status == 429 || status >= 500
}

/// A burst's outcome: its summary, the first exchange (checked like any step's), and the
/// first one that was not a success, as evidence.
#[derive(Debug, Clone)]
pub struct BurstOutcome {
    /// The counts and latencies.
    pub summary: BurstSummary,
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
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now();
    let duration = Duration::from_secs(u64::from(seconds));
    let launch_until = start + duration * 2;
    let hard_stop = launch_until + client.config().timeout;
    let mut in_flight = FuturesUnordered::new();
    let mut next = 0usize;
    let mut summary = BurstSummary {
        rate,
        seconds,
        planned,
        ..Default::default()
    };
    let mut latencies: Vec<u64> = Vec::with_capacity(planned); // microseconds
    let mut first: Option<Exchange> = None;
    let mut first_bad: Option<(Exchange, usize, u64)> = None;
    let mut record = |(i, (x, took), at): (usize, (Exchange, Duration), u64)| {
        match x.response.as_ref() {
            Some(r) => {
                *summary.statuses.entry(r.status).or_default() += 1;
                latencies.push(took.as_micros() as u64);
            }
            None => summary.transport_errors += 1,
        }
        let bad = x
            .response
            .as_ref()
            .is_none_or(|r| !(200..300).contains(&r.status));
        if bad && first_bad.as_ref().is_none_or(|(_, j, _)| i < *j) {
            first_bad = Some((x.clone(), i, at));
        }
        if i == 0 {
            first = Some(x);
        }
    };
    loop {
        let may_launch = next < planned
            && !cancel.is_cancelled()
            && Instant::now() < launch_until
            && in_flight.len() < MAX_IN_FLIGHT;
        if may_launch {
            let due = start + interval.mul_f64(next as f64);
            if due <= Instant::now() {
                let i = next;
                let req = &requests[i % requests.len()];
                in_flight.push(async move {
                    let x = client.send_timed(req).await;
                    (i, x, start.elapsed().as_millis() as u64)
                });
                next += 1;
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep_until(due.into()) => {}
                Some(done) = in_flight.next() => record(done),
                () = cancel.cancelled() => {}
            }
            continue;
        }
        if in_flight.is_empty() {
            break;
        }
        if cancel.is_cancelled() {
            break;
        }
        tokio::select! {
            Some(done) = in_flight.next() => record(done),
            () = cancel.cancelled() => break,
            () = tokio::time::sleep_until(hard_stop.into()) => break,
            // Past the launch window with requests left: stop waiting for a slot.
            () = tokio::time::sleep_until(launch_until.into()), if next < planned && Instant::now() < launch_until => {}
        }
    }
    let abandoned = in_flight.len();
    drop(in_flight);
    summary.sent = next - abandoned;
    summary.elapsed_ms = start.elapsed().as_millis() as u64;
    if let Some(reason) = cancel.reason() {
        summary.stopped = Some(reason.to_string());
    }
    latencies.sort_unstable();
    let ms = |us: u64| (us as f64 / 10.0).round() / 100.0;
    summary.p50_ms = ms(percentile(&latencies, 50));
    summary.p95_ms = ms(percentile(&latencies, 95));
    summary.max_ms = ms(latencies.last().copied().unwrap_or_default());
    let first = first.unwrap_or_else(|| {
        let why = match &summary.stopped {
            Some(reason) => format!("the burst stopped before its first answer: {reason}"),
            None => "the burst sent nothing".into(),
        };
        client.refused(&requests[0], why)
    });
    BurstOutcome {
        summary,
        first,
        first_bad: first_bad.map(|(x, _, at)| (x, at)),
    }
}

/// The nearest-rank percentile of sorted values (0 for none).
fn percentile(sorted: &[u64], p: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

impl Client {
    /// Sends one request once: no retry of 429 or 503 and no OAuth refresh, paced by
    /// `--max-rps`, its duration counted from after the pacing wait so that it measures the
    /// server alone. For bursts, whose throttled answers are the finding.
    pub async fn send_unretried(&self, req: &PreparedRequest) -> Exchange {
        self.send_timed(req).await.0
    }

    /// [`Client::send_unretried`], with the server's time to answer to the microsecond.
    async fn send_timed(&self, req: &PreparedRequest) -> (Exchange, Duration) {
        let authorization = match self.authorizer_header().await {
            Ok(a) => a,
            Err(message) => return (self.refused(req, message), Duration::ZERO),
        };
        let headers = self.headers(req, authorization.as_ref());
        let request = self.record_request(req, &headers);
        let secrets = self.secret_values(&headers);
        self.pace().await;
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
            duration_ms,
            throttled: vec![],
        };
        (exchange, took)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50), 50);
        assert_eq!(percentile(&v, 95), 95);
        assert_eq!(percentile(&[7], 95), 7);
        assert_eq!(percentile(&[], 50), 0);
        assert_eq!(percentile(&[1, 2, 3], 50), 2);
    }

    #[test]
    fn overloaded_answers_are_429_and_5xx() {
        let s = BurstSummary {
            statuses: BTreeMap::from([(200, 10), (404, 1), (429, 3), (503, 2)]),
            ..Default::default()
        };
        assert_eq!(s.overloaded_answers(), 5);
    }
}
