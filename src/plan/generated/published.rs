//! What a server publishes: the attributes of `/Schemas` (RFC 7643 §7) and which schemas
//! `/ResourceTypes` (§6) applies to User and Group. Read tolerantly: a missing
//! characteristic takes the RFC 7643 §2.2 default, and only a response that is not a list of
//! schemas at all is refused.

use serde_json::Value;

use crate::scim::json::member;
use crate::scim::{urn, ResourceKind};

/// RFC 7643 §2.2 mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Set by the server only.
    ReadOnly,
    /// The default.
    ReadWrite,
    /// Set on creation only.
    Immutable,
    /// Written, never returned.
    WriteOnly,
}

/// RFC 7643 §2.2 returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// Whatever `attributes` says.
    Always,
    /// Never in any response.
    Never,
    /// Unless `attributes` leaves it out: the default.
    Default,
    /// Only when asked for.
    Request,
}

/// One published attribute, its characteristics with RFC 7643 §2.2's defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    /// Its name as published.
    pub name: String,
    /// Its type, lowercased (`string`, `complex`, `datetime`, …).
    pub kind: String,
    /// Multi-valued.
    pub multi: bool,
    /// Required.
    pub required: bool,
    /// Strings compared case-sensitively.
    pub case_exact: bool,
    /// Who may write it, and when.
    pub mutability: Mutability,
    /// When it is returned.
    pub returned: Returned,
    /// `none`, `server` or `global`, lowercased.
    pub uniqueness: String,
    /// The values it may take, if listed.
    pub canonical: Vec<String>,
    /// For references: what they may point at.
    pub reference_types: Vec<String>,
    /// Sub-attributes of a complex attribute.
    pub sub: Vec<Attr>,
}

impl Attr {
    /// Whether a client may send it in a create.
    pub fn writable(&self) -> bool {
        self.mutability != Mutability::ReadOnly
    }

    /// Whether a read returns it without being asked for it.
    pub fn returned_by_default(&self) -> bool {
        matches!(self.returned, Returned::Always | Returned::Default)
            && self.mutability != Mutability::WriteOnly
    }

    /// Whether no response may carry it.
    pub fn never_returned(&self) -> bool {
        self.returned == Returned::Never || self.mutability == Mutability::WriteOnly
    }
}

/// One published schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Its URN.
    pub id: String,
    /// Its name (`User`, `EnterpriseUser`).
    pub name: String,
    /// Its top-level attributes.
    pub attrs: Vec<Attr>,
}

/// The schemas that apply to one resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct Applies {
    /// User or Group.
    pub kind: ResourceKind,
    /// The core schema's URN.
    pub core: String,
    /// The extensions' URNs.
    pub extensions: Vec<String>,
}

/// The items of a discovery response: a ListResponse's `Resources` (RFC 7644 §4), or a bare
/// array, which some servers answer.
pub(super) fn items(body: &Value) -> Option<&[Value]> {
    member(body, "Resources")
        .unwrap_or(body)
        .as_array()
        .map(Vec::as_slice)
}

/// The schemas of a `/Schemas` response: a ListResponse (RFC 7644 §4) or a bare array.
pub fn schemas(body: &Value) -> Result<Vec<Schema>, String> {
    let items =
        items(body).ok_or("the body is neither a ListResponse nor a JSON array of schemas")?;
    items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let id = member(s, "id")
                .and_then(Value::as_str)
                .ok_or(format!("schema {i} has no string `id`"))?;
            let attrs = member(s, "attributes")
                .and_then(Value::as_array)
                .ok_or(format!("schema `{id}` has no `attributes` list"))?;
            Ok(Schema {
                id: id.to_string(),
                name: text(s, "name").unwrap_or_else(|| id.rsplit(':').next().unwrap_or(id).into()),
                attrs: attrs.iter().map(attr).collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

fn text(v: &Value, name: &str) -> Option<String> {
    member(v, name).and_then(Value::as_str).map(str::to_string)
}

fn flag(v: &Value, name: &str) -> bool {
    member(v, name).and_then(Value::as_bool).unwrap_or(false)
}

fn strings(v: &Value, name: &str) -> Vec<String> {
    member(v, name)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn attr(v: &Value) -> Result<Attr, String> {
    let name = text(v, "name").ok_or("an attribute has no string `name`")?;
    // A characteristic outside RFC 7643 §7's words is read the way that writes least and
    // asserts least: the discovery checks report the word itself.
    let mutability = match text(v, "mutability").as_deref() {
        None | Some("readWrite") => Mutability::ReadWrite,
        Some("immutable") => Mutability::Immutable,
        Some("writeOnly") => Mutability::WriteOnly,
        Some(_) => Mutability::ReadOnly,
    };
    let returned = match text(v, "returned").as_deref() {
        None | Some("default") => Returned::Default,
        Some("always") => Returned::Always,
        Some("never") => Returned::Never,
        Some(_) => Returned::Request,
    };
    Ok(Attr {
        kind: text(v, "type")
            .unwrap_or_else(|| "string".into())
            .to_ascii_lowercase(),
        multi: flag(v, "multiValued"),
        required: flag(v, "required"),
        case_exact: flag(v, "caseExact"),
        mutability,
        returned,
        uniqueness: text(v, "uniqueness")
            .unwrap_or_else(|| "none".into())
            .to_ascii_lowercase(),
        canonical: strings(v, "canonicalValues"),
        reference_types: strings(v, "referenceTypes"),
        sub: member(v, "subAttributes")
            .and_then(Value::as_array)
            .map(|subs| subs.iter().map(attr).collect::<Result<_, _>>())
            .transpose()
            .map_err(|e| format!("attribute `{name}`: {e}"))?
            .unwrap_or_default(),
        name,
    })
}

/// Which schemas apply to User and Group, from a `/ResourceTypes` response; without one
/// (`None`), the core schemas and no extension.
pub fn applies(resource_types: Option<&Value>) -> Result<Vec<Applies>, String> {
    let fallback = |kind: ResourceKind| Applies {
        kind,
        core: match kind {
            ResourceKind::User => urn::USER,
            ResourceKind::Group => urn::GROUP,
        }
        .to_string(),
        extensions: vec![],
    };
    let Some(body) = resource_types else {
        return Ok(vec![
            fallback(ResourceKind::User),
            fallback(ResourceKind::Group),
        ]);
    };
    let items =
        items(body).ok_or("the /ResourceTypes body is neither a ListResponse nor a JSON array")?;
    let mut out = Vec::new();
    for kind in [ResourceKind::User, ResourceKind::Group] {
        let segment = kind.endpoint().to_ascii_lowercase();
        // The endpoint decides: it is where the run sends its requests.
        let Some(rt) = items.iter().find(|rt| {
            text(rt, "endpoint").is_some_and(|e| {
                e.trim_end_matches('/')
                    .to_ascii_lowercase()
                    .ends_with(&segment)
            })
        }) else {
            continue;
        };
        let core = text(rt, "schema").unwrap_or_else(|| fallback(kind).core);
        let extensions = member(rt, "schemaExtensions")
            .and_then(Value::as_array)
            .map(|exts| exts.iter().filter_map(|e| text(e, "schema")).collect())
            .unwrap_or_default();
        out.push(Applies {
            kind,
            core,
            extensions,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_characteristics_take_the_rfc_defaults() {
        let s = schemas(&json!([{"id": "urn:x", "attributes": [{"name": "a"}]}])).unwrap();
        let a = &s[0].attrs[0];
        assert_eq!(a.kind, "string");
        assert_eq!(a.mutability, Mutability::ReadWrite);
        assert_eq!(a.returned, Returned::Default);
        assert_eq!(a.uniqueness, "none");
        assert!(!a.multi && !a.required && !a.case_exact);
        assert_eq!(s[0].name, "urn:x".rsplit(':').next().unwrap());
    }

    #[test]
    fn garbage_is_refused_with_the_reason() {
        assert!(schemas(&json!({"hello": 1}))
            .unwrap_err()
            .contains("ListResponse"));
        assert!(schemas(&json!([{"attributes": []}]))
            .unwrap_err()
            .contains("id"));
        let e = schemas(&json!([{"id": "urn:x", "attributes": [{"type": "string"}]}]));
        assert!(e.unwrap_err().contains("name"));
    }

    #[test]
    fn resource_types_name_the_extensions_by_endpoint() {
        let rts = json!({"Resources": [
            {"name": "User", "endpoint": "/Users", "schema": urn::USER,
             "schemaExtensions": [{"schema": urn::ENTERPRISE_USER, "required": false}]},
            {"name": "Group", "endpoint": "/Groups", "schema": urn::GROUP},
        ]});
        let a = applies(Some(&rts)).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].extensions, vec![urn::ENTERPRISE_USER.to_string()]);
        assert!(a[1].extensions.is_empty());
        assert_eq!(applies(None).unwrap()[1].core, urn::GROUP);
    }
}
