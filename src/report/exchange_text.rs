//! An exchange as plain text (request, response, curl), for reports that embed evidence.

use crate::exec::Exchange;
use crate::scim::json::clip;

use super::curl;

/// How much of each body a report embeds.
pub const BODY_LIMIT: usize = 4000;

pub fn exchange_text(x: &Exchange) -> String {
    let mut out = format!(
        "request:  {} {}\n",
        x.request.method.as_str(),
        x.request.url
    );
    let body = match (&x.request.body, &x.request.raw_body) {
        (Some(json), _) => Some(serde_json::to_string_pretty(json).unwrap_or_default()),
        (None, raw) => raw.clone(),
    };
    if let Some(body) = body {
        out.push_str(&clip(&body, BODY_LIMIT));
        out.push('\n');
    }
    match (&x.response, &x.error) {
        (Some(r), _) => {
            out.push_str(&format!(
                "response: {} · {} · {} ms\n",
                r.status,
                r.header("content-type").unwrap_or("no content type"),
                x.duration_ms
            ));
            let body = match &r.json {
                Some(j) => serde_json::to_string_pretty(j).unwrap_or_default(),
                None => r.body.trim().to_string(),
            };
            if !body.is_empty() {
                out.push_str(&clip(&body, BODY_LIMIT));
                out.push('\n');
            }
        }
        (None, Some(e)) => out.push_str(&format!("response: none ({})\n", e.message)),
        (None, None) => {}
    }
    out.push_str(&format!("reproduce: {}\n", curl::command(&x.request)));
    out
}
