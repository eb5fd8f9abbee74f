//! The schema extensions a server declares: those `/ResourceTypes` names in
//! `schemaExtensions` and those `/Schemas` publishes. A server is free to refuse or drop an
//! extension it does not declare (RFC 7643 §6: "schemaExtensions ... A list of URIs of the
//! resource type's schema extensions"; §7: the schemas a service provider supports), so a
//! scenario that sends one is skipped rather than failed.

use std::collections::BTreeSet;

use serde_json::Value;

use super::published::items;
use crate::scenario::{Profile, Scenario};
use crate::scim::json::member;

/// The items of a discovery response, or none.
fn resources(body: Option<&Value>) -> &[Value] {
    body.and_then(items).unwrap_or_default()
}

/// What discovery declared, when it could be read.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    /// Lowercased URNs; `None` when neither document could be read, so nothing is known.
    urns: Option<BTreeSet<String>>,
}

impl Declared {
    /// The URNs `schemas` (a `/Schemas` ListResponse) and `resource_types` (a
    /// `/ResourceTypes` ListResponse) declare.
    pub fn read(schemas: Option<&Value>, resource_types: Option<&Value>) -> Declared {
        if schemas.is_none() && resource_types.is_none() {
            return Declared { urns: None };
        }
        let lower = |v: &Value| v.as_str().map(str::to_ascii_lowercase);
        let mut urns: BTreeSet<String> = resources(schemas)
            .iter()
            .filter_map(|s| member(s, "id").and_then(lower))
            .collect();
        for rt in resources(resource_types) {
            let extensions = member(rt, "schemaExtensions").and_then(Value::as_array);
            for e in extensions.into_iter().flatten() {
                urns.extend(member(e, "schema").and_then(lower));
            }
        }
        Declared { urns: Some(urns) }
    }

    /// Why `scenario` cannot run here: it sends extensions the server declares none of.
    pub fn missing(&self, scenario: &Scenario) -> Option<String> {
        let urns = self.urns.as_ref()?;
        if scenario.extensions.is_empty()
            || scenario
                .extensions
                .iter()
                .any(|e| urns.contains(&e.to_ascii_lowercase()))
        {
            return None;
        }
        let names = scenario.extensions.join(", ");
        let why = format!(
            "the server declares no schema extension {names} (neither /ResourceTypes' schemaExtensions nor /Schemas), so it may refuse or drop it (RFC 7643 §6, §7)"
        );
        Some(match scenario.profile {
            Profile::Entra => {
                format!("{why}; Entra ID's default mappings send it, which `entra.schemas` reports once")
            }
            _ => why,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    fn scenario(profile: &str) -> Scenario {
        serde_json::from_value(json!({
            "id": "x.y", "title": "t", "profile": profile, "reference": "r",
            "extensions": [ENTERPRISE],
            "steps": [{"id": "s", "title": "t", "request": {"method": "GET", "path": "/Users"}}]
        }))
        .unwrap()
    }

    #[test]
    fn an_extension_declared_in_either_document_runs() {
        let types = json!({"Resources": [{"id": "User", "schemaExtensions": [{"schema": ENTERPRISE.to_uppercase(), "required": false}]}]});
        let schemas = json!({"Resources": [{"id": ENTERPRISE}]});
        assert!(Declared::read(None, Some(&types))
            .missing(&scenario("rfc"))
            .is_none());
        assert!(Declared::read(Some(&schemas), None)
            .missing(&scenario("rfc"))
            .is_none());
        // A bare array, as published.rs reads it too.
        let bare = json!([{"id": ENTERPRISE}]);
        assert!(Declared::read(Some(&bare), None)
            .missing(&scenario("rfc"))
            .is_none());
        // Nothing readable: nothing known, nothing skipped.
        assert!(Declared::read(None, None)
            .missing(&scenario("rfc"))
            .is_none());
    }

    #[test]
    fn an_undeclared_extension_skips_with_the_reason_and_under_entra_names_the_one_finding() {
        let bare = json!({"Resources": [{"id": "urn:ietf:params:scim:schemas:core:2.0:User"}]});
        let d = Declared::read(Some(&bare), Some(&json!({"Resources": [{"id": "User"}]})));
        let rfc = d.missing(&scenario("rfc")).unwrap();
        assert!(
            rfc.contains("declares no schema extension") && rfc.contains(ENTERPRISE),
            "{rfc}"
        );
        let entra = d.missing(&scenario("entra")).unwrap();
        assert!(entra.contains("`entra.schemas` reports once"), "{entra}");
    }
}
