//! The target's URL, credentials and transport options, from the command line and the
//! environment. Secrets are read here and only ever leave inside a [`Secret`].

use std::path::Path;
use std::time::Duration;

use crate::cli::TargetArgs;
use crate::error::Error;
use crate::exec::{Auth, ClientConfig, OAuthConfig, Secret};

/// The first line of a secret file, trimmed; empty files are an error.
fn read_secret_file(path: &Path, what: &str) -> Result<Secret, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("{what} {}: cannot read it: {e}", path.display())))?;
    let value = text.lines().next().unwrap_or_default().trim().to_string();
    if value.is_empty() {
        return Err(Error::Usage(format!(
            "{what} {}: the file is empty",
            path.display()
        )));
    }
    Ok(Secret::new(value))
}

fn env_secret(name: &str) -> Option<Secret> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Secret::new)
}

pub fn auth(args: &TargetArgs) -> Result<Auth, Error> {
    if let Some(path) = &args.token_file {
        return Ok(Auth::Bearer(read_secret_file(path, "--token-file")?));
    }
    if let Some(token) = args.token.as_ref().filter(|t| !t.is_empty()) {
        return Ok(Auth::Bearer(Secret::new(token.clone())));
    }
    if let Some(user) = &args.basic_user {
        let password = match &args.basic_password_file {
            Some(path) => read_secret_file(path, "--basic-password-file")?,
            None => env_secret("SCIM_BASIC_PASSWORD").ok_or_else(|| Error::Usage("--basic-user needs a password: set SCIM_BASIC_PASSWORD or pass --basic-password-file".into()))?,
        };
        return Ok(Auth::Basic {
            user: user.clone(),
            password,
        });
    }
    if let (Some(token_url), Some(client_id)) = (&args.oauth_token_url, &args.client_id) {
        let parsed = url::Url::parse(token_url)
            .map_err(|e| Error::Usage(format!("--oauth-token-url: {e}; give an absolute URL such as https://idp.example.com/oauth2/token")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::Usage(
                "--oauth-token-url: use an http:// or https:// URL".into(),
            ));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(Error::Usage(
                "--oauth-token-url must not hold credentials; the client secret comes from SCIM_CLIENT_SECRET or --client-secret-file".into(),
            ));
        }
        let client_secret = match &args.client_secret_file {
            Some(path) => read_secret_file(path, "--client-secret-file")?,
            None => env_secret("SCIM_CLIENT_SECRET").ok_or_else(|| Error::Usage("--client-id needs a secret: set SCIM_CLIENT_SECRET or pass --client-secret-file".into()))?,
        };
        return Ok(Auth::OAuth(OAuthConfig {
            token_url: token_url.clone(),
            client_id: client_id.clone(),
            client_secret,
            scope: args.scope.clone(),
        }));
    }
    // The environment is the fallback, so an exported SCIM_TOKEN never blocks the options.
    Ok(env_secret("SCIM_TOKEN").map_or(Auth::None, Auth::Bearer))
}

fn extra_headers(args: &TargetArgs) -> Result<Vec<(String, Secret)>, Error> {
    args.headers
        .iter()
        .map(|h| {
            let (name, value) = h
                .split_once(':')
                .ok_or_else(|| Error::Usage("--header: expected `Name: value`".into()))?;
            let name = name.trim();
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
            {
                return Err(Error::Usage(format!(
                    "--header: `{name}` is not a valid header name"
                )));
            }
            let value = value.trim();
            if value.chars().any(char::is_control) {
                return Err(Error::Usage(format!(
                    "--header {name}: the value holds a control character (a line break?), which HTTP does not allow"
                )));
            }
            Ok((name.to_string(), Secret::new(value)))
        })
        .collect()
}

pub fn normalise_base_url(raw: &str) -> Result<String, Error> {
    let url = url::Url::parse(raw).map_err(|e| {
        Error::Usage(format!(
            "--base-url `{raw}`: {e}; give the absolute SCIM root, e.g. https://app.example.com/scim/v2"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Usage(format!(
            "--base-url `{raw}`: use an http:// or https:// URL"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Usage(format!(
            "--base-url `{raw}`: give the SCIM root without query or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Usage(
            "--base-url must not hold credentials; use --token or SCIM_TOKEN".into(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Whether the URL's host is a loopback address (no consent needed, no production data).
pub fn is_loopback(base_url: &str) -> bool {
    match url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn check_proxy(raw: &str) -> Result<(), Error> {
    let url = url::Url::parse(raw).map_err(|e| {
        Error::Usage(format!(
            "--proxy: {e}; give a URL such as http://proxy.example.com:3128"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https" | "socks5" | "socks5h") || url.host().is_none() {
        return Err(Error::Usage(
            "--proxy: give an http://, https:// or socks5:// URL with a host".into(),
        ));
    }
    Ok(())
}

pub fn client_config(
    base_url: String,
    args: &TargetArgs,
    auth: Auth,
) -> Result<ClientConfig, Error> {
    if let Some(proxy) = &args.proxy {
        check_proxy(proxy)?;
    }
    let mut config = ClientConfig::new(base_url, auth);
    config.extra_headers = extra_headers(args)?;
    config.timeout = Duration::from_secs(args.timeout);
    config.body_cap = usize::try_from(args.max_body_mib * 1024 * 1024).unwrap_or(usize::MAX);
    config.ca_cert = args.cacert.clone();
    config.insecure = args.insecure;
    config.proxy = args.proxy.clone();
    config.max_rps = args.max_rps;
    config.retry.max_total_wait = Duration::from_secs(args.max_retry_wait);
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:8080/scim/v2"));
        assert!(is_loopback("http://127.8.0.1/scim"));
        assert!(is_loopback("http://[::1]:80/scim"));
        assert!(is_loopback("http://LOCALHOST/scim"));
        assert!(!is_loopback("https://app.example.com/scim/v2"));
        assert!(!is_loopback("http://10.0.0.1/scim"));
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            normalise_base_url("http://h/scim/v2/").unwrap(),
            "http://h/scim/v2"
        );
        assert!(normalise_base_url("ftp://h/scim").is_err());
        assert!(normalise_base_url("http://u:p@h/scim").is_err());
        assert!(normalise_base_url("http://h/scim?x=1").is_err());
        assert!(normalise_base_url("not a url").is_err());
    }
}
