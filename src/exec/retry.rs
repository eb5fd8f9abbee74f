//! Rate limits: 429, and 503 with `Retry-After`, are waited out the way Okta does (honour the
//! integer, double the wait each time), within bounds so a run never stalls.

use std::time::{Duration, SystemTime};

use super::client::Client;
use super::exchange::{Exchange, RecordedResponse, TransportErrorKind};
use crate::plan::PreparedRequest;

/// How 429 and 503 answers are retried: like Okta, honouring an integer `Retry-After` and
/// doubling the wait, within bounds so a run never stalls.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries at most.
    pub max_retries: u32,
    /// The first wait when the server names none; doubled on each retry.
    pub first_wait: Duration,
    /// Total waiting allowed for one request; past it the last answer is recorded.
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            first_wait: Duration::from_secs(1),
            max_total_wait: Duration::from_secs(60),
        }
    }
}

/// How long to wait before retrying, or `None` to record this answer.
pub fn retry_wait(
    policy: &RetryPolicy,
    response: &RecordedResponse,
    backoff: Duration,
    retries: u32,
) -> Option<Duration> {
    if retries >= policy.max_retries {
        return None;
    }
    let retry_after = response.header("retry-after").and_then(parse_retry_after);
    match response.status {
        429 => Some(retry_after.map_or(backoff, |ra| ra.max(backoff))),
        // A 503 is only a rate limit when the server says when to come back.
        503 => retry_after.map(|ra| ra.max(backoff)),
        _ => None,
    }
}

/// Sends an idempotent request (GET, DELETE) again after a transient failure, a broken
/// connection or a 5xx, twice at most, so one hiccup neither leaves data behind nor hides it.
pub async fn send_idempotent(client: &Client, req: &PreparedRequest) -> Exchange {
    let mut attempt = 0u64;
    loop {
        let exchange = client.send(req).await;
        let transient = match (exchange.status(), &exchange.error) {
            (Some(status), _) => status >= 500,
            (None, Some(e)) => e.kind != TransportErrorKind::Refused,
            (None, None) => true,
        };
        attempt += 1;
        if !transient || attempt == 3 {
            return exchange;
        }
        tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
    }
}

/// Longer than any run is allowed to wait; a larger `Retry-After` is read as this.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(86_400);

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(RETRY_AFTER_CAP));
    }
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64: a very long wait, not a date.
        return Some(RETRY_AFTER_CAP);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(RETRY_AFTER_CAP),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(
            parse_retry_after("18446744073709551615"),
            Some(RETRY_AFTER_CAP)
        );
        assert_eq!(
            parse_retry_after("99999999999999999999999"),
            Some(RETRY_AFTER_CAP)
        );
        let future = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let d = parse_retry_after(&future).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
    }
}
