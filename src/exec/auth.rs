//! Credentials for the target: bearer token, HTTP Basic, or OAuth 2.0 client credentials
//! (RFC 6749 §4.4). Every value here is a [`Secret`]: it is sent, never recorded.

use std::time::{Duration, Instant};

use base64::Engine;
use tokio::sync::Mutex;

use super::secret::Secret;

/// How the harness authenticates to the target.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    /// No credentials.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// HTTP Basic.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: Secret,
    },
    /// OAuth 2.0 client credentials.
    OAuth(OAuthConfig),
}

/// Where and as whom to fetch OAuth access tokens.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    /// The token endpoint.
    pub token_url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
    /// The scope asked for, if any.
    pub scope: Option<String>,
}

/// A fetched OAuth access token and when to stop using it.
#[derive(Debug)]
struct Cached {
    token: Secret,
    refresh_at: Option<Instant>,
}

/// Produces the `Authorization` header value, fetching and refreshing OAuth tokens.
#[derive(Debug)]
pub struct Authorizer {
    auth: Auth,
    cache: Mutex<Option<Cached>>,
}

impl Authorizer {
    pub fn new(auth: Auth) -> Authorizer {
        Authorizer {
            auth,
            cache: Mutex::new(None),
        }
    }

    pub fn is_configured(&self) -> bool {
        !matches!(self.auth, Auth::None)
    }

    pub fn is_oauth(&self) -> bool {
        matches!(self.auth, Auth::OAuth(_))
    }

    /// The header value, or an error that explains why no credentials could be obtained.
    pub async fn header(&self, http: &reqwest::Client) -> Result<Option<Secret>, String> {
        match &self.auth {
            Auth::None => Ok(None),
            Auth::Bearer(token) => Ok(Some(Secret::new(format!("Bearer {}", token.expose())))),
            Auth::Basic { user, password } => {
                let raw = format!("{user}:{}", password.expose());
                Ok(Some(Secret::new(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                ))))
            }
            Auth::OAuth(config) => {
                let mut cache = self.cache.lock().await;
                let fresh = cache
                    .as_ref()
                    .is_some_and(|c| c.refresh_at.is_none_or(|at| Instant::now() < at));
                if !fresh {
                    *cache = Some(fetch_token(http, config).await?);
                }
                Ok(cache
                    .as_ref()
                    .map(|c| Secret::new(format!("Bearer {}", c.token.expose()))))
            }
        }
    }

    /// Forgets a cached OAuth token after the target answered 401, so the next call refetches.
    pub async fn invalidate(&self) {
        *self.cache.lock().await = None;
    }
}

const TOKEN_BODY_CAP: usize = 64 * 1024;

async fn fetch_token(http: &reqwest::Client, config: &OAuthConfig) -> Result<Cached, String> {
    let form = {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "client_credentials");
        form.append_pair("client_id", &config.client_id);
        form.append_pair("client_secret", config.client_secret.expose());
        if let Some(scope) = &config.scope {
            form.append_pair("scope", scope);
        }
        form.finish()
    };
    let response = http
        .post(&config.token_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(form)
        .send()
        .await
        .map_err(|e| format!("OAuth token request to {} failed: {e}", config.token_url))?;
    let status = response.status().as_u16();
    let mut response = response;
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("OAuth token response from {}: {e}", config.token_url))?
    {
        body.extend_from_slice(&chunk);
        // A token response is a few hundred bytes; an endless one must not exhaust memory.
        if body.len() > TOKEN_BODY_CAP {
            return Err(format!(
                "the OAuth token endpoint {} answered with more than {} KiB",
                config.token_url,
                TOKEN_BODY_CAP / 1024
            ));
        }
    }
    if status != 200 {
        return Err(format!("the OAuth token endpoint {} answered {status}; check --client-id and the client secret", config.token_url));
    }
    let json: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
        format!(
            "the OAuth token endpoint {} did not answer JSON",
            config.token_url
        )
    })?;
    let token = json
        .get("access_token")
        .and_then(|v| v.as_str())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            format!(
                "the OAuth token endpoint {} answered without access_token",
                config.token_url
            )
        })?;
    // Refresh a little early so a token never expires mid-request.
    let refresh_at = json
        .get("expires_in")
        .and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
        .map(|secs| Instant::now() + Duration::from_secs(secs.saturating_sub(30).max(1)));
    Ok(Cached {
        token: Secret::new(token),
        refresh_at,
    })
}
