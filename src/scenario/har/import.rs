//! A HAR log's entries as recorded SCIM exchanges: which entries are SCIM requests to one
//! SCIM root, and which are left out and why.

use std::fmt;

use base64::Engine;

use super::model::{Entry, Har};
use crate::scenario::traffic::{split_scim_path, Recorded};
use crate::scim::Method;

/// The SCIM exchanges of a HAR log and what was left out.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    /// The SCIM exchanges to the chosen root, in the log's order.
    pub recorded: Vec<Recorded>,
    /// The SCIM root they went to (`https://host/scim/v2`), when there is one.
    pub base_url: Option<String>,
    /// Entries not replayed, in the log's order.
    pub left_out: Vec<LeftOut>,
    /// Credentials the SCIM requests carried (Authorization values and their tokens), longest
    /// first: the scenario must not hold them.
    pub secrets: Vec<String>,
    /// Entries in the log.
    pub entries: usize,
}

/// An entry not replayed.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOut {
    /// Its method, as the log has it.
    pub method: String,
    /// Its URL without the query (which may carry a credential).
    pub url: String,
    /// Why.
    pub why: Why,
}

/// Why an entry is not replayed.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// Its path names no SCIM endpoint.
    NotScim,
    /// A SCIM request to another root than the one most requests went to.
    OtherRoot(String),
    /// A method SCIM does not use (OPTIONS, HEAD).
    Method,
    /// No response was recorded (status 0): blocked, failed or cancelled.
    NoResponse(Option<String>),
    /// Answered with a redirect, which a SCIM client does not follow.
    Redirect(u16),
    /// The URL does not parse.
    BadUrl,
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: ", self.method, self.url)?;
        match &self.why {
            Why::NotScim => write!(f, "not a SCIM request"),
            Why::OtherRoot(root) => write!(f, "a SCIM request to another root ({root})"),
            Why::Method => write!(f, "a method SCIM does not use"),
            Why::NoResponse(Some(e)) => write!(f, "no response ({e})"),
            Why::NoResponse(None) => write!(f, "no response"),
            Why::Redirect(status) => write!(f, "redirected ({status})"),
            Why::BadUrl => write!(f, "the URL does not parse"),
        }
    }
}

/// What scimcheck's own reports leave in a credential's place.
const REDACTED_MARK: &str = "[redacted]";

/// Header names whose values are credentials.
const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

/// The SCIM exchanges of `har`: entries whose path names a SCIM endpoint (RFC 7644 §3.2),
/// sent to the SCIM root most of them share, answered (status not 0) and not redirected.
pub fn import(har: &Har) -> Imported {
    let mut out = Imported {
        entries: har.log.entries.len(),
        ..Imported::default()
    };
    let mut scim: Vec<(&Entry, url::Url, String, String)> = Vec::new();
    for entry in &har.log.entries {
        let left = |why| LeftOut {
            method: entry.request.method.clone(),
            url: without_query(&entry.request.url),
            why,
        };
        let Ok(url) = url::Url::parse(&entry.request.url) else {
            out.left_out.push(left(Why::BadUrl));
            continue;
        };
        match split_scim_path(url.path()) {
            Some((base, below)) => {
                let root = format!("{}{base}", url.origin().ascii_serialization());
                let below = below.to_string();
                scim.push((entry, url, root, below));
            }
            None => out.left_out.push(left(Why::NotScim)),
        }
    }
    let Some(root) = most_shared(scim.iter().map(|(_, _, root, _)| root.as_str())) else {
        return out;
    };
    for (entry, url, entry_root, below) in scim {
        let left = |why| LeftOut {
            method: entry.request.method.clone(),
            url: without_query(&entry.request.url),
            why,
        };
        let status = entry.response.status;
        if entry_root != root {
            out.left_out.push(left(Why::OtherRoot(entry_root)));
        } else if let Some(method) = method(&entry.request.method) {
            if status == 0 {
                out.left_out
                    .push(left(Why::NoResponse(entry.response.error.clone())));
            } else if matches!(status, 301 | 302 | 303 | 307 | 308) {
                out.left_out.push(left(Why::Redirect(status)));
            } else {
                out.secrets.extend(credentials(entry));
                out.recorded.push(recorded(entry, method, &url, &below));
            }
        } else {
            out.left_out.push(left(Why::Method));
        }
    }
    out.secrets
        .sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    out.secrets.dedup();
    out.base_url = Some(root);
    out
}

/// The value most often given, the first seen among equals.
fn most_shared<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(seen, _)| *seen == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(v, _)| v.to_string())
}

fn method(name: &str) -> Option<Method> {
    match name.to_ascii_uppercase().as_str() {
        "GET" => Some(Method::Get),
        "POST" => Some(Method::Post),
        "PUT" => Some(Method::Put),
        "PATCH" => Some(Method::Patch),
        "DELETE" => Some(Method::Delete),
        _ => None,
    }
}

fn recorded(entry: &Entry, method: Method, url: &url::Url, below: &str) -> Recorded {
    let headers = |list: &[super::model::NameValue]| -> Vec<(String, String)> {
        list.iter()
            // HTTP/2 pseudo-headers (`:authority`) are not headers a replay sends.
            .filter(|h| !h.name.starts_with(':'))
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect()
    };
    let request_body = entry
        .request
        .post_data
        .as_ref()
        .map(|p| p.text.clone())
        .filter(|t| !t.is_empty());
    Recorded {
        method,
        path: percent_encoding::percent_decode_str(below)
            .decode_utf8_lossy()
            .into_owned(),
        query: url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        request_headers: headers(&entry.request.headers),
        request_body,
        status: entry.response.status,
        response_headers: headers(&entry.response.headers),
        response_body: body(&entry.response.content),
        started: Some(entry.started_date_time.clone()).filter(|s| !s.is_empty()),
        duration_ms: if entry.time.is_finite() && entry.time > 0.0 {
            entry.time.round() as u64
        } else {
            0
        },
    }
}

/// The response body as text; a base64 one decoded (lossily, as the harness reads bodies).
fn body(content: &super::model::Content) -> Option<String> {
    let text = content.text.as_deref().filter(|t| !t.is_empty())?;
    if content
        .encoding
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("base64"))
    {
        let compact: String = text.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .ok()?;
        return Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    Some(text.to_string())
}

/// The credential values an entry's request carried: each whole header value and, for
/// `Scheme token`, the token alone.
fn credentials(entry: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    for h in &entry.request.headers {
        if !CREDENTIAL_HEADERS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(&h.name))
        {
            continue;
        }
        let value = h.value.trim();
        // A HAR scimcheck wrote holds no credential, only the mark left in its place.
        if value.is_empty() || value.ends_with(REDACTED_MARK) {
            continue;
        }
        out.push(value.to_string());
        if let Some((_, token)) = value.split_once(' ') {
            let token = token.trim();
            if token.len() >= 4 {
                out.push(token.to_string());
            }
        }
    }
    out
}

/// `url` without its query and fragment, for listings that must not show a credential.
fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_string()
}
