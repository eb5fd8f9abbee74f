//! Sending a set of requests together: a burst (reads at a rate for a while), a fan-out (K
//! requests at once), a walk or a probe (one after another). One engine launches them,
//! bounded in flight, optionally paced, stopped by the run's cancel switch; one summary
//! type counts what came back, whatever the mode.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};

use super::cancel::Cancel;

/// How a set's requests are launched.
#[derive(Debug, Clone)]
pub struct Launch {
    /// Requests to launch at most.
    pub count: usize,
    /// In flight at once at most.
    pub in_flight: usize,
    /// Launches per second at most.
    pub rate: Option<f64>,
    /// Stop launching this long after the start (a burst that cannot keep up).
    pub launch_for: Option<Duration>,
    /// Abandon what is still in flight this long after the start.
    pub give_up_after: Option<Duration>,
}

/// One request of a set as it came back.
#[derive(Debug, Clone)]
pub struct Landed<T> {
    /// Its position in the set (launch order).
    pub index: usize,
    /// When it was launched, from the start of the set.
    pub started: Duration,
    /// How long it took, as the sender measured it.
    pub took: Duration,
    /// What the sender made of it.
    pub value: T,
}

/// What a launch did: every request that came back, in launch order, and how many were
/// launched but abandoned when it stopped.
#[derive(Debug)]
pub struct Launched<T> {
    /// The requests that came back, sorted by index.
    pub landed: Vec<Landed<T>>,
    /// Launched, then abandoned in flight (the set was stopped).
    pub abandoned: usize,
    /// From the first launch to the last answer.
    pub elapsed: Duration,
    /// Why launching stopped early: the run's cancel switch.
    pub stopped: Option<String>,
}

/// Launches `send(i)` for `i` in `0..launch.count` under `launch`'s bounds. `done` sees
/// each request as it lands and returns `false` to launch no more (a probe that found its
/// answer). `send` returns its value and the time it counts as the server's.
pub async fn launch<T, F, Fut>(
    cancel: &Cancel,
    launch: &Launch,
    send: F,
    mut done: impl FnMut(&Landed<T>) -> bool,
) -> Launched<T>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = (T, Duration)>,
{
    let start = Instant::now();
    let interval = launch
        .rate
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(1.0 / r));
    let launch_until = launch.launch_for.map(|d| start + d);
    let hard_stop = launch.give_up_after.map(|d| start + d);
    let in_flight_max = launch.in_flight.max(1);
    let mut in_flight = FuturesUnordered::new();
    let mut landed = Vec::with_capacity(launch.count.min(100_000));
    let mut next = 0usize;
    let mut more = true;
    let mut record = |x: Landed<T>, more: &mut bool| {
        if !done(&x) {
            *more = false;
        }
        landed.push(x);
    };
    let far = start + Duration::from_secs(86_400 * 365);
    loop {
        let window_open = launch_until.is_none_or(|u| Instant::now() < u);
        let may_launch = more
            && next < launch.count
            && !cancel.is_cancelled()
            && window_open
            && in_flight.len() < in_flight_max;
        if may_launch {
            let due = interval.map_or(Instant::now(), |i| start + i.mul_f64(next as f64));
            if due <= Instant::now() {
                let i = next;
                let fut = send(i);
                in_flight.push(async move {
                    let started = start.elapsed();
                    let (value, took) = fut.await;
                    Landed {
                        index: i,
                        started,
                        took,
                        value,
                    }
                });
                next += 1;
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep_until(due.into()) => {}
                Some(x) = in_flight.next() => record(x, &mut more),
                () = cancel.cancelled() => {}
            }
            continue;
        }
        if in_flight.is_empty() || cancel.is_cancelled() {
            break;
        }
        let launch_wake = launch_until
            .filter(|u| more && next < launch.count && Instant::now() < *u)
            .unwrap_or(far);
        tokio::select! {
            Some(x) = in_flight.next() => record(x, &mut more),
            () = cancel.cancelled() => break,
            () = tokio::time::sleep_until(hard_stop.unwrap_or(far).into()) => break,
            // Past the launch window with requests left: stop waiting for a slot.
            () = tokio::time::sleep_until(launch_wake.into()) => {}
        }
    }
    let abandoned = in_flight.len();
    drop(in_flight);
    landed.sort_by_key(|x| x.index);
    Launched {
        landed,
        abandoned,
        elapsed: start.elapsed(),
        stopped: cancel.reason().map(|r| r.to_string()),
    }
}

/// How a step sent its set of requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SetMode {
    /// Reads at a fixed rate for a while, none retried.
    #[default]
    Burst,
    /// One request per item, many at once.
    FanOut,
    /// One request per item, one at a time, until the first success.
    Probe,
    /// A list walked page by page.
    Walk,
}

/// What a set of requests did, for the reports and the set rules. Every request sent is
/// counted in exactly one of `statuses` or `transport_errors`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetSummary {
    /// How the set was sent.
    pub mode: SetMode,
    /// Requests per second aimed at, for a paced set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// For how long a burst ran, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
    /// In flight at once at most.
    #[serde(default)]
    pub in_flight: usize,
    /// Requests the set meant to send.
    pub planned: usize,
    /// Requests sent.
    pub sent: usize,
    /// Answers, by status (the last answer of each request, after any retry).
    pub statuses: BTreeMap<u16, usize>,
    /// Requests that got no answer (timeout, reset, refused connection).
    pub transport_errors: usize,
    /// 429 or 503 answers waited out and retried on the way.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub throttled: usize,
    /// From the first request sent to the last answer, in milliseconds.
    pub elapsed_ms: u64,
    /// Median latency of the answers, in milliseconds (to the microsecond).
    pub p50_ms: f64,
    /// 95th-percentile latency of the answers, in milliseconds.
    pub p95_ms: f64,
    /// Slowest answer, in milliseconds.
    pub max_ms: f64,
    /// Set when the run's cancel switch stopped the set early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl SetSummary {
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

    /// The summary of a launch: `status` gives each landed request's final status (`None`:
    /// no answer), `throttled` its waited-out 429/503 answers.
    pub fn of<T>(
        mode: SetMode,
        planned: usize,
        in_flight: usize,
        launched: &Launched<T>,
        status: impl Fn(&T) -> Option<u16>,
        throttled: impl Fn(&T) -> usize,
    ) -> SetSummary {
        let mut s = SetSummary {
            mode,
            planned,
            in_flight,
            sent: launched.landed.len(),
            elapsed_ms: launched.elapsed.as_millis() as u64,
            stopped: launched.stopped.clone(),
            ..Default::default()
        };
        let mut latencies: Vec<u64> = Vec::with_capacity(launched.landed.len());
        for x in &launched.landed {
            s.throttled += throttled(&x.value);
            match status(&x.value) {
                Some(code) => {
                    *s.statuses.entry(code).or_default() += 1;
                    latencies.push(x.took.as_micros() as u64);
                }
                None => s.transport_errors += 1,
            }
        }
        latencies.sort_unstable();
        let ms = |us: u64| (us as f64 / 10.0).round() / 100.0;
        s.p50_ms = ms(percentile(&latencies, 50));
        s.p95_ms = ms(percentile(&latencies, 95));
        s.max_ms = ms(latencies.last().copied().unwrap_or_default());
        s
    }
}

/// 429 (throttled) or a server error.
pub fn is_overloaded(status: u16) -> bool {
    status == 429 || status >= 500
}

/// The nearest-rank percentile of sorted values (0 for none).
fn percentile(sorted: &[u64], p: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
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
        let s = SetSummary {
            statuses: BTreeMap::from([(200, 10), (404, 1), (429, 3), (503, 2)]),
            ..Default::default()
        };
        assert_eq!(s.overloaded_answers(), 5);
    }

    #[tokio::test]
    async fn in_flight_is_bounded_and_results_come_back_in_launch_order() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let now = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let cancel = Cancel::default();
        let out = launch(
            &cancel,
            &Launch {
                count: 30,
                in_flight: 4,
                rate: None,
                launch_for: None,
                give_up_after: None,
            },
            |i| {
                let (now, peak) = (&now, &peak);
                async move {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    // Later requests land first.
                    tokio::time::sleep(Duration::from_millis(((30 - i) % 5) as u64)).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    (i * 10, Duration::ZERO)
                }
            },
            |_| true,
        )
        .await;
        assert_eq!(out.landed.len(), 30);
        assert!(peak.load(Ordering::SeqCst) <= 4);
        assert!(out
            .landed
            .iter()
            .enumerate()
            .all(|(i, x)| x.index == i && x.value == i * 10));
    }

    #[tokio::test]
    async fn done_returning_false_stops_launching() {
        let cancel = Cancel::default();
        let out = launch(
            &cancel,
            &Launch {
                count: 10,
                in_flight: 1,
                rate: None,
                launch_for: None,
                give_up_after: None,
            },
            |i| async move { (i, Duration::ZERO) },
            |x| x.value < 2,
        )
        .await;
        assert_eq!(out.landed.len(), 3, "stops after the third lands");
    }
}
