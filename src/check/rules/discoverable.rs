//! Schema discovery (RFC 7644 §4, RFC 7643 §7): the attributes an IdP sends are defined in
//! `/Schemas`, so an IdP that builds its attribute mappings from there (Entra ID's schema
//! discovery) can offer them. A JSON Schema cannot say "this list names these attributes".

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scenario::DiscoverableArgs;
use crate::scim::json::member;
use crate::scim::Severity;

/// What the rule enforces: RFC 7644 §4, "An HTTP GET to this endpoint is used to retrieve
/// information about resource schemas supported by a SCIM service provider", and Entra's
/// attribute mappings, which offer only what `/Schemas` lists.
pub const REFERENCE: &str =
    "RFC 7643 §7; RFC 7644 §4; Microsoft Entra ID provisioning: schema discovery";

/// The outcome's id.
pub const ID: &str = "entra.schema.attributes-discoverable";

/// Args: `attributes`, each `<schema URN>:<attribute>[.<sub-attribute>]`; the common
/// attributes (id, externalId, meta) count as defined.
pub fn schema_discoverable(ctx: &StepContext<'_>, args: &DiscoverableArgs) -> Vec<CheckOutcome> {
    let Some(body) = ctx.exchange.json().filter(|b| b.is_object()) else {
        return vec![CheckOutcome::skip(
            ID,
            REFERENCE,
            "the response body is not a JSON object",
        )];
    };
    let wanted: Vec<&str> = args.attributes.iter().map(String::as_str).collect();
    let schemas: &[Value] = member(body, "Resources")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    // An extension the server does not publish at all is one cause: one error for it, not a
    // missing attribute per attribute, nor a failure of every later step that sends it.
    let mut absent: Vec<(&str, Vec<&str>)> = Vec::new();
    for w in &wanted {
        let Some((urn, attr)) = w.rsplit_once(':') else {
            continue;
        };
        if !urn.to_ascii_lowercase().contains(":extension:") || published(schemas, urn) {
            continue;
        }
        match absent.iter_mut().find(|(u, _)| *u == urn) {
            Some((_, attrs)) => attrs.push(attr),
            None => absent.push((urn, vec![attr])),
        }
    }
    let present: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|w| {
            !absent
                .iter()
                .any(|(urn, _)| w.starts_with(&format!("{urn}:")))
        })
        .collect();
    let mut out = vec![discoverable(body, &present)];
    for (urn, attrs) in absent {
        out.push(
            CheckOutcome::fail(
                EXTENSION_ID,
                Severity::Error,
                EXTENSION_REFERENCE,
                format!(
                    "Entra ID sends {} under the extension {urn}; the server declares no such extension in /Schemas",
                    attrs.join(", ")
                ),
                "Publish the extension in /Schemas and in the User resource type's schemaExtensions (/ResourceTypes), and accept its attributes: Entra ID's default mappings write them.",
            )
            .at("/Resources"),
        );
    }
    out
}

/// The id of the finding for an extension the server does not publish at all.
pub const EXTENSION_ID: &str = "entra.schema.extension-declared";

/// RFC 7643 §6 (`schemaExtensions`) and §7; Entra ID's default attribute mappings write the
/// enterprise extension's department, employeeNumber and manager: a server that does not
/// declare it cannot take them.
pub const EXTENSION_REFERENCE: &str = "Microsoft Entra ID provisioning: default attribute mappings (the enterprise extension); RFC 7643 §6, §7";

/// Whether `/Schemas` holds the schema `urn`.
fn published(schemas: &[Value], urn: &str) -> bool {
    schemas.iter().any(|s| {
        member(s, "id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.eq_ignore_ascii_case(urn))
    })
}

/// The verdict for a `/Schemas` ListResponse and the attributes that must be in it.
pub fn discoverable(body: &Value, wanted: &[&str]) -> CheckOutcome {
    let schemas: &[Value] = member(body, "Resources")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|w| !defined(schemas, w))
        .collect();
    CheckOutcome::verdict(
        missing.is_empty(),
        ID,
        Severity::Warning,
        REFERENCE,
        if missing.is_empty() {
            format!("all {} attribute(s) sent are defined", wanted.len())
        } else {
            format!("not defined in /Schemas: {}", missing.join(", "))
        },
        "Define every attribute the server accepts in its /Schemas entry (with its sub-attributes); Entra ID's schema discovery offers only those for mapping.",
    )
    .at("/Resources")
}

/// RFC 7643 §3.1: common to every resource and defined in no schema's attribute list.
const COMMON: &[&str] = &["id", "externalId", "meta"];

fn defined(schemas: &[Value], full: &str) -> bool {
    let Some((urn, path)) = full.rsplit_once(':') else {
        return false;
    };
    let top = path.split('.').next().unwrap_or_default();
    if COMMON.iter().any(|c| c.eq_ignore_ascii_case(top)) {
        return true;
    }
    let Some(schema) = schemas.iter().find(|s| {
        member(s, "id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.eq_ignore_ascii_case(urn))
    }) else {
        return false;
    };
    let mut attrs = member(schema, "attributes");
    for part in path.split('.') {
        let found = attrs.and_then(Value::as_array).and_then(|list| {
            list.iter().find(|a| {
                member(a, "name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(part))
            })
        });
        match found {
            Some(a) => attrs = member(a, "subAttributes"),
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckStatus;
    use serde_json::json;

    const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

    fn schemas() -> Value {
        json!({"Resources": [
            {"id": USER, "attributes": [
                {"name": "userName"},
                {"name": "name", "subAttributes": [{"name": "givenName"}]},
            ]},
            {"id": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
             "attributes": [{"name": "department"}]},
        ]})
    }

    #[test]
    fn an_extension_not_published_at_all_is_one_error_and_its_attributes_no_warning() {
        let bare = json!({"Resources": [{"id": USER, "attributes": [{"name": "userName"}]}]});
        let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let args = DiscoverableArgs {
            attributes: vec![
                format!("{USER}:userName"),
                format!("{ext}:department"),
                format!("{ext}:manager.value"),
            ],
        };
        let ctx =
            crate::check::rules::testing::Fixture::json(200, &bare, "http://h/scim/v2/Schemas");
        let out = schema_discoverable(&ctx.ctx(), &args);
        assert_eq!(out.len(), 2, "{out:#?}");
        assert_eq!(out[0].status, CheckStatus::Passed, "{}", out[0].message);
        assert_eq!(out[1].id.as_str(), EXTENSION_ID);
        assert_eq!(out[1].status, CheckStatus::Failed);
        assert!(
            out[1].message.contains("department, manager.value") && out[1].message.contains(ext),
            "{}",
            out[1].message
        );
    }

    #[test]
    fn attributes_and_sub_attributes_are_found_ignoring_case() {
        let wanted = [
            "urn:ietf:params:scim:schemas:core:2.0:User:USERNAME",
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        ];
        let out = discoverable(&schemas(), &wanted);
        assert_eq!(out.status, CheckStatus::Passed, "{}", out.message);
    }

    #[test]
    fn a_missing_attribute_sub_attribute_or_schema_is_named() {
        let wanted = [
            "urn:ietf:params:scim:schemas:core:2.0:User:title",
            "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName",
            "urn:ietf:params:scim:schemas:core:2.0:Group:displayName",
        ];
        let out = discoverable(&schemas(), &wanted);
        assert_eq!(out.status, CheckStatus::Warning);
        for w in wanted {
            assert!(out.message.contains(w), "{}", out.message);
        }
    }

    #[test]
    fn common_attributes_need_no_definition() {
        let out = discoverable(
            &schemas(),
            &["urn:ietf:params:scim:schemas:core:2.0:User:externalId"],
        );
        assert_eq!(out.status, CheckStatus::Passed, "{}", out.message);
    }

    #[test]
    fn a_body_without_resources_finds_nothing() {
        let out = discoverable(&json!({}), &["urn:x:y"]);
        assert_eq!(out.status, CheckStatus::Warning);
        assert_eq!(discoverable(&json!({}), &[]).status, CheckStatus::Passed);
    }
}
