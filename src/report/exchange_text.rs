//! An exchange as plain text (request, response, curl), for reports that embed evidence,
//! and the short form of a request's URL that step lines show.

use crate::exec::Exchange;
use crate::scim::json::clip;

use super::curl;

/// How much of each body a report embeds.
pub const BODY_LIMIT: usize = 4000;

/// A request's URL as a step line shows it: relative to the run's base URL, percent-decoded
/// (`/Users?filter=userName eq "a"`), with any control character made visible. A URL outside
/// the base URL is shown whole, decoded too. The curl line keeps the exact URL.
pub fn shown_path(url: &str, base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    let rest = url
        .strip_prefix(base)
        .filter(|r| r.is_empty() || r.starts_with(['/', '?']))
        .unwrap_or(url);
    let decoded = percent_encoding::percent_decode_str(rest).decode_utf8_lossy();
    let rest = if rest.is_empty() { "/" } else { &decoded };
    super::text::printable(rest).into_owned()
}

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

#[cfg(test)]
mod tests {
    use super::shown_path;

    #[test]
    fn paths_are_relative_to_the_base_url_and_decoded() {
        let base = "http://h:1/api/scim/";
        assert_eq!(
            shown_path(
                "http://h:1/api/scim/Users?filter=userName%20eq%20%22a%40b%22&count=1",
                base
            ),
            "/Users?filter=userName eq \"a@b\"&count=1"
        );
        assert_eq!(shown_path("http://h:1/api/scim", base), "/");
        // Another root (a step's own `root`) is shown whole, and a longer segment is not the base.
        assert_eq!(
            shown_path("http://h:1/api/scimx/Users", base),
            "http://h:1/api/scimx/Users"
        );
        assert_eq!(shown_path("http://other/x%20y", base), "http://other/x y");
        assert_eq!(shown_path("http://h:1/api/scim/U%1B", base), "/U\\u{1b}");
    }
}
