//! One HTTP request and what came back, recorded as plain data. Secrets are redacted when the
//! exchange is recorded, so nothing downstream (checks, reports, snapshots) can leak them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use crate::plan::user::mask_text;
use crate::scim::Method;

/// Header names are lower-cased; repeated headers are joined with ", ".
pub type Headers = BTreeMap<String, String>;

/// What replaces a secret header value in every record.
pub const REDACTED: &str = "[redacted]";

/// One request and what came back, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// What was sent (credentials redacted).
    pub request: RecordedRequest,
    /// What came back, when anything did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    /// Set when no complete response arrived (timeout, reset, refused, body too large).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TransportError>,
    /// When the request was first sent (RFC 3339, UTC, to the millisecond); a HAR entry's
    /// `startedDateTime` needs the real instant, not one made up from the run's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// Wall time of the request, retries included.
    pub duration_ms: u64,
    /// 429/503 answers that were waited out and retried before the recorded response.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub throttled: Vec<Throttle>,
}

/// One rate-limit answer the client waited out (RFC 6585 §4, RFC 9110 §10.2.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Throttle {
    /// 429 or 503.
    pub status: u16,
    /// The `Retry-After` the server sent, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    /// How long the client waited before retrying.
    pub waited_ms: u64,
    /// The answer carried a SCIM error body (RFC 7644 §3.12).
    #[serde(default)]
    pub error_body: bool,
}

/// A request as it was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Its method.
    pub method: Method,
    /// Its full URL.
    pub url: String,
    /// Its headers (credentials redacted).
    pub headers: Headers,
    /// Its JSON body, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Its body as sent verbatim, when the step sent one that is not JSON (`raw_body`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_body: Option<String>,
}

impl RecordedRequest {
    /// The body as sent: the JSON body (compact) or the verbatim one.
    pub fn body_text(&self) -> Option<String> {
        match (&self.body, &self.raw_body) {
            (Some(json), _) => Some(json.to_string()),
            (None, raw) => raw.clone(),
        }
    }
}

/// A response as it arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// Its HTTP status.
    pub status: u16,
    /// Its headers, names lower-cased.
    pub headers: Headers,
    /// The body as text (lossy UTF-8), at most the body cap.
    pub body: String,
    /// The body was longer than the cap and was cut.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// The body parsed as JSON, when it is JSON.
    #[serde(skip)]
    pub json: Option<Value>,
}

impl RecordedResponse {
    /// A response with its body parsed as JSON where it is JSON.
    pub fn new(status: u16, headers: Headers, body: String, truncated: bool) -> Self {
        let json = if truncated || body.trim().is_empty() {
            None
        } else {
            serde_json::from_str(&body).ok()
        };
        RecordedResponse {
            status,
            headers,
            body,
            truncated,
            json,
        }
    }

    /// This response with every occurrence of `secrets` (longest first) in its headers and
    /// body replaced by [`REDACTED`], so a server that echoes a credential cannot make a
    /// report leak it.
    pub fn scrubbed(self, secrets: &[String]) -> RecordedResponse {
        let leaks = |s: &str| secrets.iter().any(|secret| s.contains(secret.as_str()));
        let scrub = |s: &str| mask_text(s, secrets, REDACTED);
        // A JSON body may carry a secret escaped (`\/`, `\u003d`): its decoded strings tell.
        let json_leaks = self.json.as_ref().is_some_and(|j| any_string(j, &leaks));
        // A body cut at the cap may end with the start of a secret.
        let cut_secret =
            self.truncated && secrets.iter().any(|s| cut_start(&self.body, s).is_some());
        if !json_leaks
            && !cut_secret
            && !leaks(&self.body)
            && !self.headers.values().any(|v| leaks(v))
        {
            return self;
        }
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), scrub(v)))
            .collect();
        let body = match self.json {
            Some(mut json) if json_leaks => {
                map_strings(&mut json, &scrub);
                serde_json::to_string(&json).unwrap_or_default()
            }
            _ => {
                let mut body = scrub(&self.body);
                if self.truncated {
                    for secret in secrets {
                        if let Some(k) = cut_start(&body, secret) {
                            body.truncate(body.len() - k);
                            body.push_str(REDACTED);
                        }
                    }
                }
                body
            }
        };
        RecordedResponse::new(self.status, headers, body, self.truncated)
    }

    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The media type without parameters, lower-cased.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }
}

/// The length of the longest start of `secret` (3 characters or more) that `body` ends with.
fn cut_start(body: &str, secret: &str) -> Option<usize> {
    (3..secret.len())
        .rev()
        .filter(|k| secret.is_char_boundary(*k))
        .find(|k| body.ends_with(&secret[..*k]))
}

fn any_string(v: &Value, f: &impl Fn(&str) -> bool) -> bool {
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().any(|i| any_string(i, f)),
        Value::Object(map) => map.iter().any(|(k, v)| f(k) || any_string(v, f)),
        _ => false,
    }
}

/// Every string of `v`, member names included, replaced by what `f` makes of it.
pub(super) fn map_strings(v: &mut Value, f: &impl Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = f(s),
        Value::Array(items) => items.iter_mut().for_each(|i| map_strings(i, f)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (k, mut v) in entries {
                map_strings(&mut v, f);
                map.insert(f(&k), v);
            }
        }
        _ => {}
    }
}

/// The current instant as RFC 3339 in UTC, to the millisecond, for [`Exchange::started`].
pub fn now_rfc3339() -> Option<String> {
    let now = time::OffsetDateTime::now_utc();
    let now = now
        .replace_nanosecond(now.millisecond() as u32 * 1_000_000)
        .unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// Why no complete response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransportErrorKind {
    /// The request timed out.
    Timeout,
    /// The connection could not be made.
    Connect,
    /// The connection broke mid-exchange (reset, closed early, protocol error).
    Broken,
    /// The body exceeded the size cap.
    BodyTooLarge,
    /// The harness refused to send (e.g. a mutation of a resource this run did not create).
    Refused,
}

/// A request that got no complete response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransportError {
    /// What went wrong.
    pub kind: TransportErrorKind,
    /// One line for a person.
    pub message: String,
}

#[cfg(test)]
impl Exchange {
    /// A request to `url` answered `status` with `body`, for the checks' and ledger's tests.
    pub fn answered(method: Method, url: &str, status: u16, body: &Value) -> Exchange {
        Exchange {
            request: RecordedRequest {
                method,
                url: url.into(),
                headers: Default::default(),
                body: None,
                raw_body: None,
            },
            response: Some(RecordedResponse::new(
                status,
                Default::default(),
                body.to_string(),
                false,
            )),
            error: None,
            started: None,
            duration_ms: 0,
            throttled: vec![],
        }
    }
}

impl Exchange {
    /// The response status, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }

    /// The response body as JSON, if it is JSON.
    pub fn json(&self) -> Option<&Value> {
        self.response.as_ref().and_then(|r| r.json.as_ref())
    }

    /// The query parameter `name` of the request, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let url = url::Url::parse(&self.request.url).ok()?;
        url.query_pairs()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_secrets_are_scrubbed_from_headers_and_body() {
        let mut headers = Headers::new();
        headers.insert("x-echo".into(), "Bearer s3cret-token".into());
        let r = RecordedResponse::new(
            404,
            headers,
            r#"{"detail":"you sent Bearer s3cret-token"}"#.into(),
            false,
        )
        .scrubbed(&["Bearer s3cret-token".into(), "s3cret-token".into()]);
        assert_eq!(r.header("x-echo"), Some(REDACTED));
        assert_eq!(
            r.json.unwrap()["detail"],
            format!("you sent {REDACTED}"),
            "the body still parses"
        );
    }

    #[test]
    fn a_body_cut_inside_a_secret_keeps_none_of_it() {
        let r = RecordedResponse::new(200, Headers::new(), "xxxx you sent T0k3n-a".into(), true)
            .scrubbed(&["T0k3n-abcdef".into()]);
        assert_eq!(r.body, format!("xxxx you sent {REDACTED}"));
    }

    #[test]
    fn secrets_escaped_in_json_are_scrubbed_too() {
        for body in [
            r#"{"detail":"Bearer Ab\/cd+ef=="}"#,
            r#"{"detail":"Bearer Ab/cd+ef\u003d\u003d"}"#,
        ] {
            let r = RecordedResponse::new(400, Headers::new(), body.into(), false)
                .scrubbed(&["Ab/cd+ef==".into()]);
            assert!(
                !r.body.contains("Ab") && !r.json.as_ref().unwrap().to_string().contains("Ab"),
                "{}",
                r.body
            );
            assert_eq!(r.json.unwrap()["detail"], format!("Bearer {REDACTED}"));
        }
    }
}
