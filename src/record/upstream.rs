//! The SCIM server the proxy forwards to: its root URL, the HTTP client that reaches it, and
//! the probe that tells a typo from a server before an IdP is pointed at the proxy.

use std::path::PathBuf;
use std::time::Duration;

use super::error::RecordError;
use crate::scenario::traffic::split_scim_path;

/// The upstream SCIM root: `https://app.example.com/scim/v2`.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The root without a trailing slash.
    base_url: String,
    /// Its path without a trailing slash (`/scim/v2`; empty for a root at `/`).
    base_path: String,
}

impl Upstream {
    /// The root `--upstream` names, or why the proxy cannot forward to it.
    pub fn parse(raw: &str) -> Result<Upstream, RecordError> {
        let bad = |why: &str| RecordError::Upstream {
            raw: raw.to_string(),
            why: why.to_string(),
        };
        let url = url::Url::parse(raw).map_err(|e| {
            bad(&format!(
                "{e}; give the SCIM root the IdP would use, e.g. https://app.example.com/scim/v2"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(bad("use an http:// or https:// URL with a host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("give the SCIM root without query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "must not hold credentials; the IdP sends its own, and the proxy forwards them",
            ));
        }
        let base_path = url.path().trim_end_matches('/').to_string();
        if let Some((root, rest)) = split_scim_path(&base_path) {
            return Err(bad(&format!(
                "names the endpoint `{rest}`; give the SCIM root above it (`{}`)",
                if root.is_empty() { "/" } else { root }
            )));
        }
        Ok(Upstream {
            base_url: url.as_str().trim_end_matches('/').to_string(),
            base_path,
        })
    }

    /// The root URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The root's path, which the IdP's base URL on the proxy keeps (`/scim/v2`).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// The part of a request path below the root, still encoded (`/Users/7`; empty for
    /// the root itself), or `None` when the path is outside it.
    pub fn below<'a>(&self, path: &'a str) -> Option<&'a str> {
        let rest = path.strip_prefix(self.base_path.as_str())?;
        (rest.is_empty() || rest.starts_with('/')).then_some(rest)
    }

    /// The upstream URL of a request below the root, with the query as sent.
    pub fn url_for(&self, rest: &str, query: Option<&str>) -> String {
        let mut url = format!("{}{rest}", self.base_url);
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        url
    }
}

/// How the proxy's client reaches the upstream: the options `scimcheck run` has for TLS and
/// time, under the same names.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Longest wait for one answer.
    pub timeout: Duration,
    /// Extra trusted roots (PEM).
    pub ca_cert: Option<PathBuf>,
    /// Accept any certificate (said at startup).
    pub insecure: bool,
}

/// The client that forwards: no redirects followed, no proxy from the environment, no
/// User-Agent of its own (the IdP's is forwarded), no decompression.
#[derive(Debug, Clone)]
pub struct UpstreamClient {
    pub(super) http: reqwest::Client,
}

impl UpstreamClient {
    /// A client with `options`, or why its TLS options are unusable.
    pub fn new(options: &ClientOptions) -> Result<UpstreamClient, RecordError> {
        // As in `exec::Client`: reqwest has no crypto provider of its own; ring's is the
        // process default (a second install finds it set).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(4))
            .no_proxy();
        let builder = crate::exec::trusting(builder, options.ca_cert.as_deref(), options.insecure)
            .map_err(RecordError::Client)?;
        let http = builder
            .build()
            .map_err(|e| RecordError::Client(format!("cannot build the HTTP client: {e}")))?;
        Ok(UpstreamClient { http })
    }

    /// Asks the upstream for its `/ServiceProviderConfig`, without credentials: any HTTP
    /// answer (a 401 too) shows a server is there; no answer is an error naming the cause.
    pub async fn probe(&self, upstream: &Upstream) -> Result<u16, RecordError> {
        let url = upstream.url_for("/ServiceProviderConfig", None);
        match self.http.get(&url).send().await {
            Ok(resp) => Ok(resp.status().as_u16()),
            Err(e) => Err(RecordError::Unreachable {
                url,
                cause: causes(&e),
            }),
        }
    }
}

/// An error and its causes on one line (reqwest's own text only says the request failed).
pub(super) fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_keeps_its_path_and_loses_its_trailing_slash() {
        let up = Upstream::parse("https://app.example.com/scim/v2/").unwrap();
        assert_eq!(up.base_url(), "https://app.example.com/scim/v2");
        assert_eq!(up.base_path(), "/scim/v2");
        assert_eq!(
            up.url_for("/Users", Some("filter=userName%20eq%20%22a%22")),
            "https://app.example.com/scim/v2/Users?filter=userName%20eq%20%22a%22"
        );
    }

    #[test]
    fn a_request_belongs_below_the_root_only() {
        let up = Upstream::parse("http://127.0.0.1:9/scim/v2").unwrap();
        assert_eq!(up.below("/scim/v2/Users/7"), Some("/Users/7"));
        assert_eq!(up.below("/scim/v2"), Some(""));
        assert_eq!(up.below("/scim/v22/Users"), None);
        assert_eq!(up.below("/favicon.ico"), None);
        let root = Upstream::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(root.base_path(), "");
        assert_eq!(root.below("/Users"), Some("/Users"));
    }

    #[test]
    fn urls_the_proxy_cannot_forward_to_are_refused_with_why() {
        for (raw, why) in [
            ("app.example.com/scim/v2", "give the SCIM root"),
            ("ftp://h/scim", "http:// or https://"),
            ("https://u:p@h/scim/v2", "credentials"),
            ("https://h/scim/v2?x=1", "without query"),
            ("https://h/scim/v2/Users", "`/Users`"),
        ] {
            let err = Upstream::parse(raw).unwrap_err().to_string();
            assert!(err.contains(why), "{raw}: {err}");
        }
    }
}
