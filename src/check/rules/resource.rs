//! Rules on a returned resource: where it lives (RFC 7644 §3.3, RFC 7643 §3.1), what it must
//! never show (RFC 7643 §4.1.1 password) and multi-valued invariants (RFC 7643 §2.4).

use serde_json::Value;

use crate::scenario::CreatedArgs;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scim::json::{id_of, member, short};
use crate::scim::Severity;

/// The sections the created-resource rule enforces, for `scimcheck list`.
pub const CREATED_REFERENCE: &str = "RFC 7644 §3.3; RFC 7643 §3.1";
/// The password rule's id.
pub const PASSWORD: &str = "rfc7643.user.password-never-returned";
/// The primary rule's id.
pub const ONE_PRIMARY: &str = "rfc7643.multi-valued.one-primary";
/// The ETag rule's id.
pub const VERSION_ETAG: &str = "rfc7643.meta.version-matches-etag";

/// The named check `rfc7644.created-resource`, on the answer to a create. RFC 7644 §3.3:
/// "The URI of the created resource SHALL include, in the HTTP "Location" header and the HTTP
/// body, a JSON representation [RFC7159] with the attribute "meta.location"" (the Location
/// header, that it names the new resource, and that meta.location equals it: errors).
/// With `resource_type`, RFC 7643 §3.1 `meta.resourceType`, "The name of the resource type of
/// the resource": a wrong one is an error, a missing one a warning, since the RFC makes no
/// meta sub-attribute REQUIRED. A response without a JSON body yields nothing.
/// The SCIM root a request was sent below: its URL without the query and the step's path,
/// with a trailing `/` so that relative references resolve below it.
fn scim_root(url: &str, path: &str) -> Option<url::Url> {
    let without_query = url.split('?').next().unwrap_or(url);
    let root = without_query
        .strip_suffix(path)
        .unwrap_or(without_query)
        .trim_end_matches('/');
    url::Url::parse(&format!("{root}/")).ok()
}

pub fn created_resource(ctx: &StepContext<'_>, args: &CreatedArgs) -> Vec<CheckOutcome> {
    let Some(resp) = ctx.exchange.response.as_ref() else {
        return vec![];
    };
    let Some(body) = resp.json.as_ref() else {
        return vec![];
    };
    let mut out = Vec::new();
    let request_url = url::Url::parse(&ctx.exchange.request.url).ok();
    // The Location header may be a relative reference (RFC 9110 §10.2.2), resolved against
    // the request URL; a relative meta.location against the SCIM root (RFC 7643 §2.3.7:
    // "relative URIs ... resolved against the base URI"). Each is shown as sent, with what
    // it resolves to.
    let root = scim_root(&ctx.exchange.request.url, &ctx.prepared.request.path);
    let resolve = |base: Option<&url::Url>, l: &str| -> String {
        match base.and_then(|b| b.join(l).ok()) {
            Some(u) if u.as_str() != l => u.to_string(),
            _ => l.to_string(),
        }
    };
    let shown = |sent: &str, resolved: &str| {
        if sent == resolved {
            sent.to_string()
        } else {
            format!("{sent} (resolved: {resolved})")
        }
    };
    let location_sent = resp.header("location");
    let location = location_sent.map(|l| resolve(request_url.as_ref(), l));
    let meta_sent = member(body, "meta")
        .and_then(|m| member(m, "location"))
        .and_then(Value::as_str);
    let meta_location = meta_sent.map(|l| resolve(root.as_ref(), l));
    out.push(CheckOutcome::verdict(
        location.is_some(),
        "rfc7644.create.location-header",
        Severity::Error,
        "RFC 7644 §3.3",
        match (location_sent, &location) {
            (Some(sent), Some(l)) => format!("Location: {}", shown(sent, l)),
            _ => "no Location header".into(),
        },
        "Send the new resource's URL in a Location header with the 201.",
    ));
    let id = id_of(body).unwrap_or_default();
    let endpoint = request_url
        .as_ref()
        .and_then(|u| u.path_segments()?.next_back().map(str::to_string))
        .unwrap_or_default();
    if let Some(named) = location.as_deref().or(meta_location.as_deref()) {
        let mut segments = named.trim_end_matches('/').rsplit('/');
        let last = segments.next().map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        });
        let names_it = !id.is_empty()
            && last.as_deref() == Some(id.as_str())
            && segments
                .next()
                .is_some_and(|e| e.eq_ignore_ascii_case(&endpoint));
        const ID: &str = "rfc7644.create.location-is-resource";
        const REF: &str = "RFC 7644 §3.3; RFC 7643 §3.1 (meta.location)";
        out.push(if names_it {
            CheckOutcome::pass(ID, REF, format!("{named} for id {id:?}"))
        } else if id.is_empty() {
            CheckOutcome::fail(
                ID,
                Severity::Error,
                REF,
                format!("{named}, but the body has no id"),
                "Return the new resource's id with its URL.",
            )
        } else {
            // RFC 7644 §3.3 asks only for "the URI of the created resource": a server may
            // address resources otherwise than by id (one real server uses the group's name).
            CheckOutcome::note(
                ID,
                REF,
                format!("{named} for id {id:?}: not of the form …/{endpoint}/{{id}}, which the RFC does not require"),
            )
        });
    }
    // RFC 7644 §3.3: the URI "SHALL" be in the Location header and in meta.location.
    out.push(
        match (&location, &meta_location) {
            (Some(l), Some(m)) => CheckOutcome::verdict(
                m.trim_end_matches('/') == l.trim_end_matches('/'),
                "rfc7644.create.location-matches-meta",
                Severity::Error,
                "RFC 7644 §3.3",
                format!(
                    "Location {}, meta.location {}",
                    shown(location_sent.unwrap_or(l), l),
                    shown(meta_sent.unwrap_or(m), m)
                ),
                "meta.location must be the same URL as the Location header.",
            ),
            (_, None) => CheckOutcome::fail(
                "rfc7644.create.location-matches-meta",
                Severity::Error,
                "RFC 7644 §3.3",
                "the body has no meta.location",
                "Return meta.location, the new resource's URL, in the body of the 201.",
            ),
            (None, Some(_)) => CheckOutcome::skip(
                "rfc7644.create.location-matches-meta",
                "RFC 7644 §3.3",
                "no Location header to compare with",
            ),
        }
        .at("/meta/location"),
    );
    if let Some(expected) = args.resource_type.as_deref() {
        let actual = member(body, "meta").and_then(|m| member(m, "resourceType"));
        out.push(
            match actual {
                None => CheckOutcome::fail(
                    "rfc7643.meta.resource-type",
                    Severity::Warning,
                    "RFC 7643 §3.1",
                    "meta.resourceType is missing",
                    format!("Return meta.resourceType \"{expected}\"."),
                ),
                Some(v) => CheckOutcome::verdict(
                    v.as_str() == Some(expected),
                    "rfc7643.meta.resource-type",
                    Severity::Error,
                    "RFC 7643 §3.1",
                    format!("meta.resourceType is {}", short(v, 40)),
                    &format!("meta.resourceType must be \"{expected}\"."),
                ),
            }
            .at("/meta/resourceType"),
        );
    }
    out
}

/// RFC 7643 §3.1: `meta.version` "MUST" (lower-case there) equal the ETag header; IdPs that
/// send If-Match take one or the other.
pub fn version_matches_etag(exchange: &crate::exec::Exchange) -> CheckOutcome {
    const ID: &str = VERSION_ETAG;
    const REFERENCE: &str = "RFC 7643 §3.1; RFC 7644 §3.14";
    let etag = exchange.response.as_ref().and_then(|r| r.header("etag"));
    let version = exchange
        .json()
        .and_then(|b| member(b, "meta"))
        .and_then(|m| member(m, "version"))
        .and_then(Value::as_str);
    match (etag, version) {
        (Some(etag), Some(version)) => CheckOutcome::verdict(
            etag == version,
            ID,
            // Lower-case "must" in RFC 7643: an interoperability risk, not a MUST.
            Severity::Warning,
            REFERENCE,
            format!("ETag {etag}, meta.version {version}"),
            "Send the same entity tag in the ETag header and in meta.version.",
        )
        .at("/meta/version"),
        (None, _) => CheckOutcome::pass(ID, REFERENCE, "no ETag header (ETags are optional)"),
        (Some(_), None) => CheckOutcome::pass(ID, REFERENCE, "an ETag header, no meta.version"),
    }
}

/// The resources inside a body: the body itself, or a ListResponse's `Resources`.
fn resources(body: &Value) -> Vec<(String, &Value)> {
    match member(body, "Resources").and_then(Value::as_array) {
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("/Resources/{i}"), r))
            .collect(),
        None => vec![(String::new(), body)],
    }
}

/// RFC 7643 §4.1.1: a password "MUST never be returned by a Service Provider in any form".
pub fn password_never_returned(body: &Value) -> CheckOutcome {
    const REFERENCE: &str = "RFC 7643 §4.1.1 (password, returned \"never\")";
    let leaked: Vec<String> = resources(body)
        .into_iter()
        .filter(|(_, r)| member(r, "password").is_some_and(|p| !p.is_null()))
        .map(|(at, _)| format!("{at}/password"))
        .collect();
    let mut out = CheckOutcome::verdict(
        leaked.is_empty(),
        PASSWORD,
        Severity::Error,
        REFERENCE,
        if leaked.is_empty() {
            "no password in the response".to_string()
        } else {
            format!("the response contains a password at {}", leaked.join(", "))
        },
        "Never return the password attribute, not even hashed.",
    );
    out.pointer = leaked.into_iter().next();
    out
}

/// RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once."
pub fn one_primary(body: &Value) -> CheckOutcome {
    const REFERENCE: &str = "RFC 7643 §2.4";
    let mut bad = Vec::new();
    for (at, resource) in resources(body) {
        for (name, value) in resource.as_object().into_iter().flatten() {
            if let Value::Array(items) = value {
                let primaries = items
                    .iter()
                    .filter(|i| member(i, "primary") == Some(&Value::Bool(true)))
                    .count();
                if primaries > 1 {
                    bad.push(format!("{at}/{name} ({primaries} primary values)"));
                }
            }
        }
    }
    CheckOutcome::verdict(
        bad.is_empty(),
        ONE_PRIMARY,
        Severity::Error,
        REFERENCE,
        if bad.is_empty() {
            "at most one primary value per multi-valued attribute".to_string()
        } else {
            format!("more than one primary: {}", bad.join(", "))
        },
        "Mark at most one value of a multi-valued attribute \"primary\": true.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckStatus;
    use serde_json::json;

    #[test]
    fn password_in_list_resources_is_found() {
        let body = json!({"Resources": [{"id": "1"}, {"id": "2", "Password": "x"}]});
        let out = password_never_returned(&body);
        assert_eq!(out.status, CheckStatus::Failed);
        assert_eq!(out.pointer.as_deref(), Some("/Resources/1/password"));
        assert_eq!(
            password_never_returned(&json!({"password": null})).status,
            CheckStatus::Passed
        );
    }

    #[test]
    fn two_primaries_fail() {
        let body =
            json!({"emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]});
        assert_eq!(one_primary(&body).status, CheckStatus::Failed);
        let body = json!({"emails": [{"value": "a", "primary": true}, {"value": "b"}]});
        assert_eq!(one_primary(&body).status, CheckStatus::Passed);
    }
}
