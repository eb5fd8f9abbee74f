//! The discovery endpoints (RFC 7644 §4): the ServiceProviderConfig these profiles read, the
//! two resource types, and the RFC 7643 §8.7.1 User, Group and EnterpriseUser schemas.

use serde_json::{json, Value};

use super::query::{list_response, MAX_RESULTS};
use super::store::{ENTERPRISE_URN, GROUP_URN, USER_URN};

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "A bearer token in the Authorization header",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")}
    })
}

pub fn resource_types(base: &str) -> Vec<Value> {
    let rt = |id: &str, endpoint: &str, schema: &str, ext: Value| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": id, "name": id, "endpoint": endpoint, "schema": schema,
            "schemaExtensions": ext,
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{id}")}
        })
    };
    vec![
        rt(
            "User",
            "/Users",
            USER_URN,
            json!([{"schema": ENTERPRISE_URN, "required": false}]),
        ),
        rt("Group", "/Groups", GROUP_URN, json!([])),
    ]
}

/// One attribute definition. `flags`: `multi`, `required`, `exact`, `readOnly`,
/// `immutable`, `writeOnly`, `never`, `always`, `server` (uniqueness); `ref:A|B` its
/// referenceTypes.
fn a(name: &str, kind: &str, flags: &str, sub: Vec<Value>) -> Value {
    let has = |f: &str| flags.split(' ').any(|x| x == f);
    let mutability = ["readOnly", "immutable", "writeOnly"]
        .into_iter()
        .find(|m| has(m))
        .unwrap_or("readWrite");
    let returned = ["never", "always"]
        .into_iter()
        .find(|r| has(r))
        .unwrap_or("default");
    let mut v = json!({
        "name": name, "type": kind, "multiValued": has("multi"), "description": name,
        "required": has("required"), "caseExact": has("exact"), "mutability": mutability,
        "returned": returned, "uniqueness": if has("server") { "server" } else { "none" },
    });
    if let Some(refs) = flags.split(' ').find_map(|f| f.strip_prefix("ref:")) {
        v["referenceTypes"] = json!(refs.split('|').collect::<Vec<_>>());
    }
    if !sub.is_empty() {
        v["subAttributes"] = Value::Array(sub);
    }
    v
}

fn s(name: &str) -> Value {
    a(name, "string", "", vec![])
}

/// A multi-valued complex attribute with value, display, type and primary.
fn multi(name: &str, value_kind: &str, flags: &str) -> Value {
    let value_flags = match value_kind {
        "reference" => format!("{flags} ref:external"),
        _ => flags.to_string(),
    };
    a(
        name,
        "complex",
        &format!("multi {flags}"),
        vec![
            a("value", value_kind, &value_flags, vec![]),
            a("display", "string", flags, vec![]),
            a("type", "string", flags, vec![]),
            a("primary", "boolean", flags, vec![]),
        ],
    )
}

fn user_attributes() -> Vec<Value> {
    let name = [
        "formatted",
        "familyName",
        "givenName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    ];
    let address = [
        "formatted",
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
        "type",
    ];
    let mut addresses = a(
        "addresses",
        "complex",
        "multi",
        address.iter().map(|n| s(n)).collect(),
    );
    addresses["subAttributes"]
        .as_array_mut()
        .expect("sub-attributes")
        .push(a("primary", "boolean", "", vec![]));
    vec![
        a("userName", "string", "required server", vec![]),
        a("name", "complex", "", name.iter().map(|n| s(n)).collect()),
        s("displayName"),
        s("nickName"),
        a("profileUrl", "reference", "ref:external", vec![]),
        s("title"),
        s("userType"),
        s("preferredLanguage"),
        s("locale"),
        s("timezone"),
        a("active", "boolean", "", vec![]),
        a("password", "string", "writeOnly never", vec![]),
        multi("emails", "string", ""),
        multi("phoneNumbers", "string", ""),
        multi("ims", "string", ""),
        multi("photos", "reference", ""),
        addresses,
        a(
            "groups",
            "complex",
            "multi readOnly",
            vec![
                a("value", "string", "readOnly", vec![]),
                a("$ref", "reference", "readOnly ref:User|Group", vec![]),
                a("display", "string", "readOnly", vec![]),
                a("type", "string", "readOnly", vec![]),
            ],
        ),
        multi("entitlements", "string", ""),
        multi("roles", "string", ""),
        multi("x509Certificates", "binary", ""),
    ]
}

fn schema(id: &str, name: &str, attributes: Vec<Value>, base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id, "name": name, "description": name, "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")}
    })
}

pub fn schemas(base: &str) -> Vec<Value> {
    let group = vec![
        a("displayName", "string", "required", vec![]),
        a(
            "members",
            "complex",
            "multi",
            vec![
                a("value", "string", "immutable", vec![]),
                a("$ref", "reference", "immutable ref:User|Group", vec![]),
                a("display", "string", "readOnly", vec![]),
                a("type", "string", "immutable", vec![]),
            ],
        ),
    ];
    let enterprise = vec![
        s("employeeNumber"),
        s("costCenter"),
        s("organization"),
        s("division"),
        s("department"),
        a(
            "manager",
            "complex",
            "",
            vec![
                s("value"),
                a("$ref", "reference", "ref:User", vec![]),
                a("displayName", "string", "readOnly", vec![]),
            ],
        ),
    ];
    vec![
        schema(USER_URN, "User", user_attributes(), base),
        schema(GROUP_URN, "Group", group, base),
        schema(ENTERPRISE_URN, "EnterpriseUser", enterprise, base),
    ]
}

pub fn list(all: Vec<Value>) -> Value {
    list_response(all.len(), 1, all)
}
