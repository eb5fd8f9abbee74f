//! The first requests of a run: is this a SCIM root we may talk to, and what does it say it
//! supports?

use crate::error::Error;
use crate::exec::{Client, Throttle};
use crate::plan::{Capabilities, PreparedRequest};

/// Tells "the target is broken" (a finding) from "nothing can be checked" (exit 3), and
/// reads the advertised capabilities; also says what throttling it waited out.
pub(crate) async fn preflight(client: &Client) -> Result<(Capabilities, Vec<Throttle>), Error> {
    let get = |path: &str, query: Vec<(String, String)>| PreparedRequest {
        query,
        ..PreparedRequest::get(path)
    };
    let probe_request = get(
        "/Users",
        vec![
            ("startIndex".into(), "1".into()),
            ("count".into(), "1".into()),
        ],
    );
    let config_request = get("/ServiceProviderConfig", vec![]);
    // One after the other: the probe settles the credentials (an OAuth token refused with
    // 401 is fetched again once) before anything else is sent.
    let probe = client.send(&probe_request).await;
    if let Some(err) = &probe.error {
        return Err(Error::Unreachable(format!(
            "GET {}: {}",
            probe.request.url, err.message
        )));
    }
    if let Some(status @ (401 | 403)) = probe.status() {
        let how = if client.has_credentials() {
            "check --token / SCIM_TOKEN"
        } else {
            "no token was given: pass --token or set SCIM_TOKEN"
        };
        return Err(Error::Unauthorized(format!(
            "GET {} answered {status}; {how}",
            probe.request.url
        )));
    }
    let spc = client.send(&config_request).await;
    let throttled = probe
        .throttled
        .iter()
        .chain(&spc.throttled)
        .cloned()
        .collect();
    Ok((
        Capabilities(spc.json().filter(|_| spc.status() == Some(200)).cloned()),
        throttled,
    ))
}
