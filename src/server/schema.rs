//! The RFC 7643 §8.7.1 schema definitions (User, Group, EnterpriseUser), served at
//! `/Schemas` and used by the server's own rules: caseExact for filters, readOnly on write,
//! returned "never" on output, booleans for "False"-string coercion.

use serde_json::{json, Map, Value};
use std::sync::OnceLock;

use crate::scim::urn;

/// One attribute's characteristics, as the server's rules need them.
#[derive(Debug, Clone)]
pub struct Attr {
    /// Its name.
    pub name: String,
    /// Its type (`string`, `boolean`, `complex`, …).
    pub kind: &'static str,
    /// Multi-valued.
    pub multi: bool,
    /// Compared case-sensitively.
    pub case_exact: bool,
    /// Set by the server only.
    pub read_only: bool,
    /// RFC 7643 §2.2 immutable: set with the resource (or when unset), never changed.
    pub immutable: bool,
    /// Never returned (`password`).
    pub never_returned: bool,
    /// Its sub-attributes.
    pub sub: Vec<Attr>,
}

impl Attr {
    /// A sub-attribute by case-insensitive name.
    pub fn sub_attr(&self, name: &str) -> Option<&Attr> {
        self.sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

struct A {
    v: Map<String, Value>,
}

fn attr(name: &str, kind: &'static str) -> A {
    let mut v = Map::new();
    v.insert("name".into(), json!(name));
    v.insert("type".into(), json!(kind));
    v.insert("multiValued".into(), json!(false));
    v.insert("description".into(), json!(""));
    v.insert("required".into(), json!(false));
    v.insert("caseExact".into(), json!(false));
    v.insert("mutability".into(), json!("readWrite"));
    v.insert("returned".into(), json!("default"));
    v.insert("uniqueness".into(), json!("none"));
    A { v }
}

impl A {
    fn set(mut self, k: &str, val: Value) -> A {
        self.v.insert(k.into(), val);
        self
    }
    fn desc(self, d: &str) -> A {
        self.set("description", json!(d))
    }
    fn multi(self) -> A {
        self.set("multiValued", json!(true))
    }
    fn required(self) -> A {
        self.set("required", json!(true))
    }
    fn mutability(self, m: &str) -> A {
        self.set("mutability", json!(m))
    }
    fn returned(self, r: &str) -> A {
        self.set("returned", json!(r))
    }
    fn uniqueness(self, u: &str) -> A {
        self.set("uniqueness", json!(u))
    }
    fn canonical(self, values: &[&str]) -> A {
        self.set("canonicalValues", json!(values))
    }
    fn refs(self, types: &[&str]) -> A {
        self.set("referenceTypes", json!(types))
    }
    fn sub(mut self, subs: Vec<A>) -> A {
        self.v.insert(
            "subAttributes".into(),
            Value::Array(subs.into_iter().map(A::done).collect()),
        );
        self
    }
    fn done(self) -> Value {
        Value::Object(self.v)
    }
}

/// value/display/type/primary, the shape of most multi-valued complex attributes (§2.4).
fn multi_complex(name: &str, desc: &str, value_kind: &'static str, types: &[&str]) -> A {
    multi_complex_of(
        name,
        desc,
        attr("value", value_kind).desc("The attribute's significant value."),
        types,
    )
}

fn multi_complex_of(name: &str, desc: &str, value: A, types: &[&str]) -> A {
    attr(name, "complex").multi().desc(desc).sub(vec![
        value,
        attr("display", "string")
            .desc("A human-readable name, primarily used for display purposes."),
        attr("type", "string")
            .desc("A label indicating the attribute's function.")
            .canonical(types),
        attr("primary", "boolean").desc("Indicates the 'primary' or preferred attribute value."),
    ])
}

fn schema(id: &str, name: &str, desc: &str, attrs: Vec<A>) -> Value {
    json!({
        "schemas": [urn::SCHEMA],
        "id": id,
        "name": name,
        "description": desc,
        "attributes": attrs.into_iter().map(A::done).collect::<Vec<_>>(),
        "meta": {"resourceType": "Schema", "location": format!("/Schemas/{id}")},
    })
}

fn user_schema() -> Value {
    schema(urn::USER, "User", "User Account", vec![
        attr("userName", "string").required().uniqueness("server").desc("Unique identifier for the User, typically used by the user to directly authenticate to the service provider."),
        attr("name", "complex").desc("The components of the user's real name.").sub(vec![
            attr("formatted", "string").desc("The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
            attr("familyName", "string").desc("The family name of the User."),
            attr("givenName", "string").desc("The given name of the User."),
            attr("middleName", "string").desc("The middle name(s) of the User."),
            attr("honorificPrefix", "string").desc("The honorific prefix(es) of the User."),
            attr("honorificSuffix", "string").desc("The honorific suffix(es) of the User."),
        ]),
        attr("displayName", "string").desc("The name of the User, suitable for display to end-users."),
        attr("nickName", "string").desc("The casual way to address the user in real life."),
        attr("profileUrl", "reference").refs(&["external"]).desc("A fully qualified URL pointing to a page representing the User's online profile."),
        attr("title", "string").desc("The user's title, such as \"Vice President.\""),
        attr("userType", "string").desc("Used to identify the relationship between the organization and the user."),
        attr("preferredLanguage", "string").desc("Indicates the User's preferred written or spoken language."),
        attr("locale", "string").desc("Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
        attr("timezone", "string").desc("The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
        attr("active", "boolean").desc("A Boolean value indicating the User's administrative status."),
        attr("password", "string").mutability("writeOnly").returned("never").desc("The User's cleartext password."),
        multi_complex("emails", "Email addresses for the user.", "string", &["work", "home", "other"]),
        multi_complex("phoneNumbers", "Phone numbers for the User.", "string", &["work", "home", "mobile", "fax", "pager", "other"]),
        multi_complex("ims", "Instant messaging addresses for the User.", "string", &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
        multi_complex_of("photos", "URLs of photos of the User.", attr("value", "reference").refs(&["external"]).desc("URL of a photo of the User."), &["photo", "thumbnail"]),
        attr("addresses", "complex").multi().desc("A physical mailing address for this User.").sub(vec![
            attr("formatted", "string").desc("The full mailing address, formatted for display or use with a mailing label."),
            attr("streetAddress", "string").desc("The full street address component."),
            attr("locality", "string").desc("The city or locality component."),
            attr("region", "string").desc("The state or region component."),
            attr("postalCode", "string").desc("The zip code or postal code component."),
            attr("country", "string").desc("The country name component."),
            attr("type", "string").canonical(&["work", "home", "other"]).desc("A label indicating the attribute's function."),
            attr("primary", "boolean").desc("Indicates the 'primary' or preferred attribute value."),
        ]),
        attr("groups", "complex").multi().mutability("readOnly").desc("A list of groups to which the user belongs.").sub(vec![
            attr("value", "string").mutability("readOnly").desc("The identifier of the User's group."),
            attr("$ref", "reference").refs(&["User", "Group"]).mutability("readOnly").desc("The URI of the corresponding 'Group' resource."),
            attr("display", "string").mutability("readOnly").desc("A human-readable name."),
            attr("type", "string").canonical(&["direct", "indirect"]).mutability("readOnly").desc("Either 'direct' or 'indirect'."),
        ]),
        multi_complex("entitlements", "A list of entitlements for the User.", "string", &[]),
        multi_complex("roles", "A list of roles for the User.", "string", &[]),
        attr("x509Certificates", "complex").multi().desc("A list of certificates issued to the User.").sub(vec![
            attr("value", "binary").desc("The value of an X.509 certificate."),
            attr("display", "string").desc("A human-readable name."),
            attr("type", "string").desc("A label indicating the attribute's function."),
            attr("primary", "boolean").desc("Indicates the 'primary' or preferred attribute value."),
        ]),
    ])
}

fn group_schema() -> Value {
    schema(urn::GROUP, "Group", "Group", vec![
        // RFC 7643 §4.2 calls displayName REQUIRED though its §8.7.1 listing says otherwise;
        // the server enforces it, so it says so (§7: `required` is what the server enforces).
        attr("displayName", "string").required().desc("A human-readable name for the Group. REQUIRED."),
        attr("members", "complex").multi().desc("A list of members of the Group.").sub(vec![
            // Enforced: a member without the id it names cannot be resolved.
            attr("value", "string").required().mutability("immutable").desc("Identifier of the member of this Group."),
            attr("$ref", "reference").refs(&["User", "Group"]).mutability("immutable").desc("The URI corresponding to a SCIM resource that is a member of this Group."),
            attr("display", "string").desc("A human-readable name."),
            attr("type", "string").canonical(&["User", "Group"]).mutability("immutable").desc("A label indicating the type of resource, e.g., 'User' or 'Group'."),
        ]),
    ])
}

fn enterprise_schema() -> Value {
    schema(
        urn::ENTERPRISE_USER,
        "EnterpriseUser",
        "Enterprise User",
        vec![
            attr("employeeNumber", "string")
                .desc("Numeric or alphanumeric identifier assigned to a person."),
            attr("costCenter", "string").desc("Identifies the name of a cost center."),
            attr("organization", "string").desc("Identifies the name of an organization."),
            attr("division", "string").desc("Identifies the name of a division."),
            attr("department", "string").desc("Identifies the name of a department."),
            attr("manager", "complex")
                .desc("The User's manager.")
                .sub(vec![
                    attr("value", "string")
                        .desc("The id of the SCIM resource representing the User's manager."),
                    attr("$ref", "reference")
                        .refs(&["User"])
                        .desc("The URI of the SCIM resource representing the User's manager."),
                    attr("displayName", "string")
                        .mutability("readOnly")
                        .desc("The displayName of the User's manager."),
                ]),
        ],
    )
}

/// The three schema representations, in `/Schemas` order.
pub fn all() -> &'static [Value] {
    static SCHEMAS: OnceLock<Vec<Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| vec![user_schema(), group_schema(), enterprise_schema()])
}

fn parse_attr(v: &Value) -> Attr {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let kind = match s("type") {
        "boolean" => "boolean",
        "complex" => "complex",
        "dateTime" => "dateTime",
        "integer" => "integer",
        "decimal" => "decimal",
        "reference" => "reference",
        "binary" => "binary",
        _ => "string",
    };
    Attr {
        name: s("name").to_string(),
        kind,
        multi: v.get("multiValued") == Some(&Value::Bool(true)),
        case_exact: v.get("caseExact") == Some(&Value::Bool(true)),
        read_only: s("mutability") == "readOnly",
        immutable: s("mutability") == "immutable",
        never_returned: s("returned") == "never",
        sub: v
            .get("subAttributes")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(parse_attr).collect())
            .unwrap_or_default(),
    }
}

/// Attributes every resource has (RFC 7643 §3.1): id and externalId are caseExact.
fn common() -> Vec<Attr> {
    let plain = |name: &str, kind: &'static str, case_exact: bool, read_only: bool| Attr {
        name: name.into(),
        kind,
        multi: false,
        case_exact,
        read_only,
        immutable: false,
        never_returned: false,
        sub: vec![],
    };
    vec![
        plain("id", "string", true, true),
        plain("externalId", "string", true, false),
        Attr {
            name: "meta".into(),
            kind: "complex",
            multi: false,
            case_exact: false,
            read_only: true,
            immutable: false,
            never_returned: false,
            sub: vec![
                plain("resourceType", "string", true, true),
                plain("created", "dateTime", false, true),
                plain("lastModified", "dateTime", false, true),
                plain("location", "string", true, true),
                plain("version", "string", true, true),
            ],
        },
    ]
}

/// Attribute lookup for one resource type: core attributes plus extensions by URN.
pub struct ResourceSchema {
    /// The core schema's URN.
    pub core_urn: &'static str,
    /// The core schema's attributes.
    pub core: Vec<Attr>,
    /// Each extension's URN and attributes.
    pub extensions: Vec<(&'static str, Vec<Attr>)>,
}

impl ResourceSchema {
    /// The User resource type's schema.
    pub fn user() -> &'static ResourceSchema {
        static USER: OnceLock<ResourceSchema> = OnceLock::new();
        USER.get_or_init(|| ResourceSchema {
            core_urn: urn::USER,
            core: attrs_of(&all()[0]),
            extensions: vec![(urn::ENTERPRISE_USER, attrs_of(&all()[2]))],
        })
    }

    /// The Group resource type's schema.
    pub fn group() -> &'static ResourceSchema {
        static GROUP: OnceLock<ResourceSchema> = OnceLock::new();
        GROUP.get_or_init(|| ResourceSchema {
            core_urn: urn::GROUP,
            core: attrs_of(&all()[1]),
            extensions: vec![],
        })
    }

    /// The attribute `name` under `uri` (None = core, or the core URN).
    pub fn find(&self, uri: Option<&str>, name: &str) -> Option<&Attr> {
        let scope = match uri {
            None => Scope::Core,
            Some(u) if u.eq_ignore_ascii_case(self.core_urn) => Scope::Core,
            Some(u) => Scope::Extension(self.extension_urn(u)?),
        };
        self.attrs(scope)
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// The attributes of the core schema or of one extension.
    pub fn attrs(&self, scope: Scope) -> &[Attr] {
        match scope {
            Scope::Core => &self.core,
            Scope::Extension(u) => self
                .extensions
                .iter()
                .find(|(e, _)| *e == u)
                .map_or(&[], |(_, a)| a.as_slice()),
        }
    }

    /// The extension URN `key` names, ignoring case.
    pub fn extension_urn(&self, key: &str) -> Option<&'static str> {
        self.extensions
            .iter()
            .map(|(u, _)| *u)
            .find(|u| u.eq_ignore_ascii_case(key))
    }

    /// RFC 7644 §3.10: an attribute may be named with its schema URN and a colon in front.
    /// URNs hold colons and dots themselves (`…:enterprise:2.0:User`), so the prefix is the
    /// longest known schema URN the path starts with, not whatever precedes the last colon.
    /// Returns the schema and the rest ("" when the path is the URN alone); None when the
    /// path names a schema this resource type does not have.
    pub fn split_urn<'p>(&self, path: &'p str) -> Option<(Scope, &'p str)> {
        let known = std::iter::once((self.core_urn, Scope::Core)).chain(
            self.extensions
                .iter()
                .map(|(u, _)| (*u, Scope::Extension(u))),
        );
        let prefixed = |u: &str| {
            path.get(..u.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(u))
                && matches!(path.as_bytes().get(u.len()), None | Some(b':'))
        };
        match known
            .filter(|(u, _)| prefixed(u))
            .max_by_key(|(u, _)| u.len())
        {
            Some((u, scope)) => Some((scope, path.get(u.len() + 1..).unwrap_or(""))),
            // A colon before any `[` or `.` can only be a schema URI's: one not known here.
            None if path
                .split(['[', '.'])
                .next()
                .is_some_and(|h| h.contains(':')) =>
            {
                None
            }
            None => Some((Scope::Core, path)),
        }
    }

    /// A path the filter grammar split at its last colon (`uri` + `name`), put back together
    /// and split by [`Self::split_urn`]: the schema and the attribute name (None: the whole
    /// extension, as in `…:enterprise:2.0:User pr`).
    pub fn scope_of(&self, uri: Option<&str>, name: &str) -> Option<(Scope, Option<String>)> {
        let Some(uri) = uri else {
            return Some((Scope::Core, Some(name.to_string())));
        };
        let full = format!("{uri}:{name}");
        let (scope, rest) = self.split_urn(&full)?;
        Some((scope, (!rest.is_empty()).then(|| rest.to_string())))
    }
}

/// The schema an attribute belongs to: the resource type's core schema or an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The core schema.
    Core,
    /// The extension with this URN.
    Extension(&'static str),
}

fn attrs_of(schema: &Value) -> Vec<Attr> {
    let mut out = common();
    out.extend(
        schema
            .get("attributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(parse_attr),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characteristics_follow_rfc_7643() {
        let user = ResourceSchema::user();
        assert!(!user.find(None, "USERNAME").unwrap().case_exact);
        assert!(user.find(None, "id").unwrap().case_exact);
        assert!(user.find(None, "password").unwrap().never_returned);
        assert!(user.find(None, "groups").unwrap().read_only);
        assert_eq!(user.find(None, "active").unwrap().kind, "boolean");
        assert!(user.find(None, "emails").unwrap().multi);
        let photos = &all()[0]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "photos")
            .unwrap()["subAttributes"][0];
        assert_eq!(
            (&photos["name"], &photos["referenceTypes"]),
            (&json!("value"), &json!(["external"]))
        );
        assert!(user
            .find(Some(urn::ENTERPRISE_USER), "manager")
            .unwrap()
            .sub_attr("value")
            .is_some());
        assert!(ResourceSchema::group()
            .find(Some(urn::GROUP), "members")
            .is_some());
    }

    #[test]
    fn urn_prefixes_are_split_by_the_longest_known_schema() {
        let user = ResourceSchema::user();
        let ext = Scope::Extension(urn::ENTERPRISE_USER);
        assert_eq!(user.split_urn(urn::ENTERPRISE_USER), Some((ext, "")));
        assert_eq!(
            user.split_urn(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:manager.value"
            ),
            Some((ext, "manager.value"))
        );
        assert_eq!(
            user.split_urn("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"),
            Some((Scope::Core, "name.givenName"))
        );
        assert_eq!(
            user.split_urn("emails[value eq \"a:b\"]"),
            Some((Scope::Core, "emails[value eq \"a:b\"]"))
        );
        assert_eq!(user.split_urn("urn:example:bogus:1.0:Thing"), None);
        assert_eq!(
            user.split_urn("urn:ietf:params:scim:schemas:extension:enterprise:2.0:UserX"),
            None
        );
        assert_eq!(
            ResourceSchema::group().split_urn(urn::ENTERPRISE_USER),
            None
        );
        assert_eq!(
            user.scope_of(
                Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0"),
                "User"
            ),
            Some((ext, None))
        );
    }
}
