//! How the harness tells what it created from the tenant's own data: by the run's prefix in
//! the attribute that names a resource. The plan's load-time rule and the ledger's run-time
//! rule share these functions, so a scenario the loader accepts is one the ledger sends.

use serde_json::Value;

use super::json::member;
use super::{Method, ResourceKind};

/// Whether `name` starts with `prefix`. ASCII case is ignored (userName is caseExact=false and
/// a server may fold it); nothing else is folded, so a Kelvin sign is not a `k` and cannot
/// widen what is deleted.
pub fn carries_prefix(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.is_char_boundary(prefix.len())
        && name[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Whether `text` (a raw request body) holds `prefix` anywhere, ASCII case ignored: what the
/// server stores from it, if it stores anything, then carries the prefix too.
pub fn contains_prefix(text: &str, prefix: &str) -> bool {
    !prefix.is_empty()
        && text
            .as_bytes()
            .windows(prefix.len())
            .any(|w| w.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// The attributes that identify a resource of `kind`, in the order they are read: the name
/// attribute, then, for a body without it (a create that tests a missing userName),
/// `externalId` and, for users, `displayName`.
fn identifying(kind: ResourceKind) -> &'static [&'static str] {
    match kind {
        ResourceKind::User => &["userName", "externalId", "displayName"],
        ResourceKind::Group => &["displayName", "externalId"],
    }
}

/// What identifies a resource of `kind` in `body`: the first of its identifying attributes
/// that is present (not null). A present name attribute decides alone, so a resource named by
/// someone else is never taken for the run's because of its `externalId`. A present value that
/// is not a string yields `""`, which carries no prefix.
pub fn identity_in(kind: ResourceKind, body: &Value) -> Option<&str> {
    identifying(kind)
        .iter()
        .filter_map(|attr| member(body, attr).filter(|v| !v.is_null()))
        .map(|v| v.as_str().unwrap_or_default())
        .next()
}

/// The discovery endpoints (RFC 7644 §4), which answer only GET.
const DISCOVERY: [&str; 3] = ["ServiceProviderConfig", "ResourceTypes", "Schemas"];

/// Whether a request is a probe of another method on a discovery endpoint: POST, PUT or PATCH
/// to `/ServiceProviderConfig`, `/ResourceTypes` or `/Schemas` itself, without a body. Without
/// a body a server that wrongly accepts the method has nothing to apply; DELETE, which needs
/// none, is never such a probe.
pub fn is_discovery_probe(method: Method, path: &str, has_body: bool) -> bool {
    let endpoint = path.split('?').next().unwrap_or_default().trim_matches('/');
    matches!(method, Method::Post | Method::Put | Method::Patch)
        && !has_body
        && DISCOVERY.iter().any(|d| d.eq_ignore_ascii_case(endpoint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const P: &str = "scimcheck-x-";

    #[test]
    fn the_name_attribute_decides_when_present() {
        let user = ResourceKind::User;
        let body = json!({"userName": "ceo@corp.example", "externalId": "scimcheck-x-1"});
        assert_eq!(identity_in(user, &body), Some("ceo@corp.example"));
        let body = json!({"UserName": "SCIMCHECK-X-a"});
        assert!(carries_prefix(identity_in(user, &body).unwrap(), P));
        let body = json!({"userName": 7, "externalId": "scimcheck-x-1"});
        assert_eq!(identity_in(user, &body), Some(""));
    }

    #[test]
    fn without_a_user_name_external_id_then_display_name_identify() {
        let user = ResourceKind::User;
        let body = json!({"externalId": "scimcheck-x-e", "displayName": "Someone"});
        assert_eq!(identity_in(user, &body), Some("scimcheck-x-e"));
        let body = json!({"userName": null, "displayName": "scimcheck-x-d"});
        assert_eq!(identity_in(user, &body), Some("scimcheck-x-d"));
        assert_eq!(identity_in(user, &json!({"id": "1"})), None);
        let group = ResourceKind::Group;
        let body = json!({"externalId": "scimcheck-x-g"});
        assert_eq!(identity_in(group, &body), Some("scimcheck-x-g"));
        let body = json!({"displayName": "Admins", "externalId": "scimcheck-x-g"});
        assert_eq!(identity_in(group, &body), Some("Admins"));
    }

    #[test]
    fn a_raw_body_holds_the_prefix_anywhere() {
        assert!(contains_prefix(r#"{"userName": "SCIMCHECK-X-a", "#, P));
        assert!(!contains_prefix(r#"{"userName": "scimcheck-y-a"}"#, P));
        assert!(!contains_prefix("scimcheck", P));
        assert!(!contains_prefix("anything", ""));
    }

    #[test]
    fn discovery_probes_are_bodiless_non_delete_writes_to_the_three_endpoints() {
        assert!(is_discovery_probe(
            Method::Post,
            "/ServiceProviderConfig",
            false
        ));
        assert!(is_discovery_probe(Method::Put, "/ResourceTypes/", false));
        assert!(is_discovery_probe(Method::Patch, "/schemas", false));
        assert!(!is_discovery_probe(Method::Delete, "/Schemas", false));
        assert!(!is_discovery_probe(Method::Post, "/Schemas", true));
        assert!(!is_discovery_probe(
            Method::Put,
            "/ResourceTypes/User",
            false
        ));
        assert!(!is_discovery_probe(Method::Post, "/Users", false));
        assert!(!is_discovery_probe(Method::Get, "/Schemas", false));
    }
}
