//! `throughput.sustained`: a burst of reads at the IdP's rate is answered, every request,
//! without throttling (429) or server errors (5xx). Entra ID's application gallery asks apps to sustain 25
//! requests per second per tenant; a server that answers part of that traffic with 429 or 5xx
//! makes provisioning cycles slow down or fail.

use super::super::outcome::CheckOutcome;
use crate::exec::{is_overloaded, Exchange, SetSummary};
use crate::scim::json::clip;
use crate::scim::Severity;

/// The rule's id.
pub const ID: &str = "throughput.sustained";

const HINT: &str = "Answer the IdP's read traffic at its rate without 429 or 5xx (Entra ID's gallery requires 25 requests/s per tenant): scale out, or raise the rate limit for provisioning clients.";

/// The verdict on one burst; `first_bad` is the first answer that was not a success (or got
/// none), with its time from the start of the burst in milliseconds.
pub fn sustained(
    reference: &str,
    burst: &SetSummary,
    first_bad: Option<(&Exchange, u64)>,
) -> CheckOutcome {
    if let Some(reason) = &burst.stopped {
        return CheckOutcome::skip(
            ID,
            reference,
            format!(
                "the burst stopped after {} of {} requests: {reason}",
                burst.sent, burst.planned
            ),
        );
    }
    let figures = format!(
        "{} requests at {}/s in {:.1} s ({:.1}/s reached): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        burst.sent,
        rate_text(burst.rate.unwrap_or_default()),
        burst.elapsed_ms as f64 / 1000.0,
        burst.achieved_rate(),
        burst.p50_ms,
        burst.p95_ms,
        burst.max_ms
    );
    let counts = |keep: fn(u16) -> bool| -> Vec<String> {
        burst
            .statuses
            .iter()
            .filter(|(s, _)| keep(**s))
            .map(|(s, n)| format!("{n} × {s}"))
            .collect()
    };
    let bad = burst.overloaded_answers() + burst.transport_errors;
    if bad > 0 {
        let mut counts = counts(is_overloaded);
        if burst.transport_errors > 0 {
            counts.push(format!("{} without an answer", burst.transport_errors));
        }
        let first = first_bad
            .map(|(x, at)| {
                let what = match (&x.response, &x.error) {
                    (Some(r), _) => r.status.to_string(),
                    (None, Some(e)) => clip(&e.message, 80),
                    (None, None) => "no answer".into(),
                };
                format!(
                    "; first: {} {} → {what} at {:.1} s",
                    x.request.method.as_str(),
                    clip(&x.request.url, 120),
                    at as f64 / 1000.0
                )
            })
            .unwrap_or_default();
        return CheckOutcome::fail(
            ID,
            Severity::Error,
            reference,
            format!(
                "{bad} of {} requests throttled, failed or unanswered ({}){first}; {figures}",
                burst.sent,
                counts.join(", ")
            ),
            HINT,
        );
    }
    if burst.sent < burst.planned {
        return CheckOutcome::fail(
            ID,
            Severity::Error,
            reference,
            format!(
                "only {} of {} requests could be sent in twice the burst's time: the server did not keep up; {figures}",
                burst.sent, burst.planned
            ),
            HINT,
        );
    }
    // Other refusals (a 404 to a filter miss) are the status check's finding, not load.
    let others = counts(|s| !(200..300).contains(&s) && !is_overloaded(s));
    let tail = if others.is_empty() {
        "every answer a success".to_string()
    } else {
        format!(
            "none throttled or failed (other answers: {})",
            others.join(", ")
        )
    };
    CheckOutcome::pass(ID, reference, format!("{figures}; {tail}"))
}

fn rate_text(rate: f64) -> String {
    if rate.fract() == 0.0 {
        format!("{rate:.0}")
    } else {
        format!("{rate:.2}")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::check::CheckStatus;

    fn summary(statuses: &[(u16, usize)]) -> SetSummary {
        let sent = statuses.iter().map(|(_, n)| n).sum();
        SetSummary {
            rate: Some(25.0),
            seconds: Some(10),
            planned: 250,
            sent,
            statuses: statuses.iter().copied().collect::<BTreeMap<_, _>>(),
            elapsed_ms: 10_000,
            p50_ms: 3.0,
            p95_ms: 9.0,
            max_ms: 20.0,
            ..Default::default()
        }
    }

    #[test]
    fn every_success_passes_with_the_latencies() {
        let out = sustained("r", &summary(&[(200, 250)]), None);
        assert_eq!(out.status, CheckStatus::Passed);
        assert!(
            out.message.contains("p50 3.00 ms, p95 9.00 ms"),
            "{}",
            out.message
        );
    }

    #[test]
    fn throttling_fails_as_an_error() {
        let out = sustained("r", &summary(&[(200, 240), (429, 10)]), None);
        assert_eq!(out.status, CheckStatus::Failed);
        assert_eq!(out.severity, Severity::Error);
        assert!(out.message.contains("10 × 429"), "{}", out.message);
        assert!(out.message.contains("p95 9.00 ms"), "{}", out.message);
    }

    #[test]
    fn other_refusals_are_left_to_the_status_check() {
        let out = sustained("r", &summary(&[(200, 125), (404, 125)]), None);
        assert_eq!(out.status, CheckStatus::Passed);
        assert!(out.message.contains("125 × 404"), "{}", out.message);
    }

    #[test]
    fn a_server_that_cannot_keep_up_fails() {
        let out = sustained("r", &summary(&[(200, 100)]), None);
        assert_eq!(out.status, CheckStatus::Failed);
        assert!(out.message.contains("did not keep up"), "{}", out.message);
    }

    #[test]
    fn a_stopped_burst_is_no_verdict() {
        let mut s = summary(&[(200, 100)]);
        s.stopped = Some("interrupted by SIGINT".into());
        assert_eq!(sustained("r", &s, None).status, CheckStatus::Skipped);
    }
}
