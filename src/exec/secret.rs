//! Values that must never be shown: tokens, passwords, client secrets, and the user's
//! `--secret` values, which travel inside requests and are masked in their records.

use super::client::Client;
use super::exchange::{RecordedRequest, REDACTED};
use crate::plan::user::mask_text;
use crate::scim::path::encode_segment;

/// A secret string whose `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Client {
    /// The `--secret` values as they may appear in a record: as given, and percent-encoded
    /// the way a URL carries them; longest first, so no part of one is left behind.
    pub fn masked_values(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .config()
            .masked
            .iter()
            .flat_map(|s| [s.expose().to_string(), encode_segment(s.expose())])
            .filter(|s| !s.is_empty())
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out.dedup();
        out
    }
}

/// `--secret` values replaced by [`REDACTED`] in a recorded request's URL, header values and
/// body strings.
pub(super) fn mask_request(request: &mut RecordedRequest, secrets: &[String]) {
    let scrub = |s: &str| mask_text(s, secrets, REDACTED);
    request.url = scrub(&request.url);
    for value in request.headers.values_mut() {
        *value = scrub(value);
    }
    if let Some(body) = request.body.as_mut() {
        super::exchange::map_strings(body, &scrub);
    }
    if let Some(raw) = request.raw_body.as_mut() {
        *raw = scrub(raw);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::{Auth, ClientConfig};
    use crate::plan::PreparedRequest;

    #[test]
    fn user_secrets_are_masked_in_recorded_requests_as_sent_and_encoded() {
        let mut config = ClientConfig::new("http://h/scim/v2", Auth::None);
        config.masked = vec![Secret::new("p@ss word-42")];
        let client = Client::new(config).unwrap();
        let req = PreparedRequest {
            method: crate::scim::Method::Post,
            path: "/Users".into(),
            query: vec![("filter".into(), "externalId eq \"p@ss word-42\"".into())],
            headers: vec![("X-Key".into(), Some("k=p@ss word-42".into()))],
            body: Some(
                serde_json::json!({"externalId": "p@ss word-42", "p@ss word-42": ["a p@ss word-42"]}),
            ),
            raw_body: None,
        };
        let recorded = client.record_request(&req, &client.headers(&req, None));
        let text = serde_json::to_string(&recorded).unwrap();
        assert!(!text.contains("p@ss word-42"), "{text}");
        assert!(!text.contains("p%40ss%20word-42"), "{text}");
        assert_eq!(recorded.body.unwrap()["externalId"], REDACTED);
        assert_eq!(recorded.headers["x-key"], format!("k={REDACTED}"));
        assert!(recorded.url.contains(REDACTED), "{}", recorded.url);
        let raw = PreparedRequest {
            body: None,
            raw_body: Some(r#"{"externalId": "p@ss word-42", "#.into()),
            ..req
        };
        let recorded = client.record_request(&raw, &client.headers(&raw, None));
        assert_eq!(
            recorded.raw_body.as_deref(),
            Some(r#"{"externalId": "[redacted]", "#)
        );
    }
}
