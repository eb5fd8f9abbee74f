//! RFC 7643 §5 and §6: what `/ServiceProviderConfig` and `/ResourceTypes` must say, beyond
//! the shape their JSON Schemas check.

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scenario::ResourceTypesArgs;
use crate::scim::json::{member, short};
use crate::scim::Severity;

/// The section the service-provider rules enforce.
pub(crate) const SPC_REFERENCE: &str = "RFC 7643 §5";
/// The section the resource-type rules enforce.
pub(crate) const RESOURCE_TYPE_REFERENCE: &str = "RFC 7643 §6";

/// The authentication scheme types RFC 7643 §5 defines.
const AUTH_TYPES: &[&str] = &[
    "oauth",
    "oauth2",
    "oauthbearertoken",
    "httpbasic",
    "httpdigest",
];

/// RFC 7643 §5, `authenticationSchemes`: "type: The authentication scheme. This specification
/// defines the values "oauth", "oauth2", "oauthbearertoken", "httpbasic", and "httpdigest".
/// REQUIRED. name: The common authentication scheme name, e.g., HTTP Basic. REQUIRED.
/// description: A description of the authentication scheme. REQUIRED." A type outside the
/// defined values is not forbidden, so it is a warning. `bulk`: "maxOperations ... REQUIRED.
/// maxPayloadSize ... REQUIRED."; `filter`: "maxResults ... REQUIRED." (integers).
pub(crate) fn service_provider_config(ctx: &StepContext<'_>) -> Vec<CheckOutcome> {
    let Some(body) = ctx.exchange.json().filter(|b| b.is_object()) else {
        return vec![];
    };
    let schemes = member(body, "authenticationSchemes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut missing = Vec::new();
    let mut unknown = Vec::new();
    for (i, s) in schemes.iter().enumerate() {
        for field in ["type", "name", "description"] {
            if !member(s, field).is_some_and(Value::is_string) {
                missing.push(format!("authenticationSchemes[{i}].{field}"));
            }
        }
        if let Some(t) = member(s, "type").and_then(Value::as_str) {
            if !AUTH_TYPES.contains(&t) {
                unknown.push(t.to_string());
            }
        }
    }
    let ok = !schemes.is_empty() && missing.is_empty();
    let mut out = vec![
        CheckOutcome::verdict(
            ok,
            "rfc7643.spc.auth-schemes",
            Severity::Error,
            SPC_REFERENCE,
            if schemes.is_empty() {
                "authenticationSchemes is missing or empty".to_string()
            } else if missing.is_empty() {
                format!("{} authentication scheme(s), each with type, name and description", schemes.len())
            } else {
                format!("missing: {}", missing.join(", "))
            },
            "Describe every authentication scheme with its type, name and description.",
        )
        .at("/authenticationSchemes"),
        CheckOutcome::verdict(
            unknown.is_empty(),
            "rfc7643.spc.auth-scheme-type",
            Severity::Warning,
            SPC_REFERENCE,
            if unknown.is_empty() {
                "every authentication scheme type is one RFC 7643 §5 defines".to_string()
            } else {
                format!("type(s) RFC 7643 §5 does not define: {}", unknown.join(", "))
            },
            "Use oauth, oauth2, oauthbearertoken, httpbasic or httpdigest, so clients know the scheme.",
        )
        .at("/authenticationSchemes"),
    ];
    let bad: Vec<String> = [
        ("bulk", "maxOperations"),
        ("bulk", "maxPayloadSize"),
        ("filter", "maxResults"),
    ]
    .into_iter()
    .filter_map(
        |(parent, field)| match member(body, parent).and_then(|p| member(p, field)) {
            Some(v) if v.is_u64() => None,
            Some(v) => Some(format!("{parent}.{field} is {}", short(v, 20))),
            None => Some(format!("{parent}.{field} is missing")),
        },
    )
    .collect();
    out.push(CheckOutcome::verdict(
        bad.is_empty(),
        "rfc7643.spc.limits",
        Severity::Error,
        SPC_REFERENCE,
        if bad.is_empty() {
            "bulk.maxOperations, bulk.maxPayloadSize and filter.maxResults are integers".into()
        } else {
            bad.join("; ")
        },
        "Publish bulk.maxOperations, bulk.maxPayloadSize and filter.maxResults as integers (0 when unsupported).",
    ));
    out
}

/// The resources a body describes: a ListResponse's `Resources`, or the body itself.
pub(crate) fn described(body: &Value) -> Vec<&Value> {
    match member(body, "Resources") {
        Some(Value::Array(items)) => items.iter().collect(),
        _ if member(body, "totalResults").is_some() => vec![],
        _ => vec![body],
    }
}

/// The path of the base URL the request went to (`/scim/v2`), from the request's own URL:
/// what precedes `/ResourceTypes`.
fn base_path(url: &str) -> String {
    let path = url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    let lower = path.to_ascii_lowercase();
    match lower.rfind("/resourcetypes") {
        Some(at) => path[..at].trim_end_matches('/').to_string(),
        None => String::new(),
    }
}

/// Whether `endpoint` starts with the base path (`/scim/v2/Users` under `/scim/v2`), which
/// a client would then send to `/scim/v2/scim/v2/Users`.
fn repeats_base(endpoint: &str, base: &str) -> bool {
    let base = base.trim_start_matches('/');
    !base.is_empty()
        && endpoint
            .trim_start_matches('/')
            .strip_prefix(base)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// RFC 7643 §6: "endpoint: The resource type's HTTP-addressable endpoint relative to the
/// Base URL of the service provider, e.g., "Users". REQUIRED." "schema: ... This MUST be equal
/// to the "id" attribute of the associated "Schema" resource." `schemaExtensions`: "schema ...
/// This MUST be equal to the "id" attribute of a "Schema" resource. REQUIRED. required: A
/// Boolean value that specifies whether or not the schema extension is required for the
/// resource type. ... REQUIRED." RFC 7644 §4: "/Schemas SHALL return all supported schemas".
pub(crate) fn resource_types(ctx: &StepContext<'_>, args: &ResourceTypesArgs) -> Vec<CheckOutcome> {
    let Some(body) = ctx.exchange.json().filter(|b| b.is_object()) else {
        return vec![];
    };
    let types = described(body);
    let base = base_path(&ctx.exchange.request.url);
    let mut absolute = Vec::new();
    let mut bad_ext = Vec::new();
    let mut named = Vec::new();
    for t in &types {
        let name = member(t, "name").and_then(Value::as_str).unwrap_or("?");
        if let Some(e) = member(t, "endpoint").and_then(Value::as_str) {
            if e.contains("://") || e.starts_with("//") {
                absolute.push(format!("{name}: {e}"));
            } else if repeats_base(e, &base) {
                absolute.push(format!("{name}: {e} repeats the base path {base}"));
            }
        }
        if let Some(s) = member(t, "schema").and_then(Value::as_str) {
            named.push((name.to_string(), s.to_string()));
        }
        match member(t, "schemaExtensions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(exts)) => {
                for (i, x) in exts.iter().enumerate() {
                    match member(x, "schema").and_then(Value::as_str) {
                        Some(s) => named.push((name.to_string(), s.to_string())),
                        None => bad_ext.push(format!("{name}: schemaExtensions[{i}].schema")),
                    }
                    if !member(x, "required").is_some_and(Value::is_boolean) {
                        bad_ext.push(format!("{name}: schemaExtensions[{i}].required"));
                    }
                }
            }
            Some(_) => bad_ext.push(format!("{name}: schemaExtensions is not an array")),
        }
    }
    let mut out = vec![
        CheckOutcome::verdict(
            absolute.is_empty(),
            "rfc7643.resource-type.endpoint-relative",
            Severity::Error,
            RESOURCE_TYPE_REFERENCE,
            if absolute.is_empty() {
                format!(
                    "{} resource type endpoint(s), relative to the base URL",
                    types.len()
                )
            } else {
                format!(
                    "endpoint(s) not relative to the base URL: {}",
                    absolute.join(", ")
                )
            },
            "Give endpoint relative to the SCIM base URL, e.g. \"/Users\", not the full path.",
        ),
        CheckOutcome::verdict(
            bad_ext.is_empty(),
            "rfc7643.resource-type.extensions",
            Severity::Error,
            RESOURCE_TYPE_REFERENCE,
            if bad_ext.is_empty() {
                "every schema extension names its schema and whether it is required".into()
            } else {
                format!("missing or not of the right type: {}", bad_ext.join(", "))
            },
            "Give each schemaExtensions entry a schema URN and a boolean required.",
        ),
    ];
    let published: Option<Vec<String>> = args.schemas.as_ref().map(|s| {
        let items = match s {
            Value::Array(a) => a.iter().collect(),
            other => described(other),
        };
        items
            .into_iter()
            .filter_map(|s| member(s, "id").and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    });
    if let Some(published) = published {
        let unpublished: Vec<String> = named
            .iter()
            .filter(|(_, s)| !published.iter().any(|p| p.eq_ignore_ascii_case(s)))
            .map(|(t, s)| format!("{t}: {s}"))
            .collect();
        out.push(CheckOutcome::verdict(
            unpublished.is_empty(),
            "rfc7643.resource-type.schema-published",
            Severity::Error,
            "RFC 7643 §6; RFC 7644 §4",
            if unpublished.is_empty() {
                format!(
                    "all {} schema(s) the resource types name are in /Schemas",
                    named.len()
                )
            } else {
                format!("not in /Schemas: {}", unpublished.join(", "))
            },
            "Serve every schema a resource type names (and its extensions) at /Schemas.",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::testing::ctx_with;
    use serde_json::json;

    fn failing(out: &[CheckOutcome]) -> Vec<&str> {
        out.iter()
            .filter(|o| o.is_failure())
            .map(|o| o.id.as_str())
            .collect()
    }

    #[test]
    fn a_scheme_without_a_description_and_a_missing_limit_fail() {
        let body = json!({"authenticationSchemes": [{"type": "bearer", "name": "Bearer"}],
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true}});
        let out = ctx_with(&body, "GET", "/ServiceProviderConfig", |c| {
            service_provider_config(c)
        });
        assert_eq!(
            failing(&out),
            [
                "rfc7643.spc.auth-schemes",
                "rfc7643.spc.auth-scheme-type",
                "rfc7643.spc.limits"
            ]
        );
    }

    #[test]
    fn absolute_endpoints_and_unpublished_schemas_fail() {
        let body = json!({"totalResults": 1, "Resources": [{"name": "User",
            "endpoint": "https://h/scim/v2/Users", "schema": "urn:x:User",
            "schemaExtensions": [{"schema": "urn:x:Ext"}]}]});
        let args = ResourceTypesArgs {
            schemas: Some(json!([{"id": "urn:x:User"}])),
        };
        let out = ctx_with(&body, "GET", "/ResourceTypes", |c| resource_types(c, &args));
        assert_eq!(
            failing(&out),
            [
                "rfc7643.resource-type.endpoint-relative",
                "rfc7643.resource-type.extensions",
                "rfc7643.resource-type.schema-published"
            ]
        );
        // The base path repeated is not relative to the base URL either.
        let repeated =
            json!({"name": "User", "endpoint": "/scim/v2/Users", "schema": "urn:x:User"});
        let f = crate::check::rules::testing::Fixture::json(
            200,
            &repeated,
            "http://h/scim/v2/ResourceTypes/User",
        );
        let out = resource_types(&f.ctx(), &args);
        assert_eq!(failing(&out), ["rfc7643.resource-type.endpoint-relative"]);
        let o = out.iter().find(|o| o.is_failure()).unwrap();
        assert_eq!(
            o.message,
            "endpoint(s) not relative to the base URL: User: /scim/v2/Users repeats the base path /scim/v2"
        );
        assert!(repeats_base("scim/v2/Users", "/scim/v2"));
        assert!(!repeats_base("/Users", "/scim/v2"));
        assert!(!repeats_base("/scim/v2Users", "/scim/v2"));
        assert!(!repeats_base("/Users", ""));
        let good = json!({"name": "User", "endpoint": "/Users", "schema": "urn:x:User"});
        let out = ctx_with(&good, "GET", "/ResourceTypes/User", |c| {
            resource_types(c, &args)
        });
        assert!(failing(&out).is_empty());
    }
}
