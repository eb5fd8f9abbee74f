//! Discovery endpoints (RFC 7644 §4): what the server supports, its resource types and the
//! RFC 7643 §8.7 schemas. `/Schemas` and `/ResourceTypes` are ListResponses.

use serde_json::{json, Value};

use super::behaviour::Behaviour;
use super::error::ScimError;
use super::query::{list_response, MAX_RESULTS};
use super::schema;
use crate::scim::urn;

pub fn service_provider_config(base: &str, behaviour: &Behaviour) -> Value {
    json!({
        "schemas": [urn::SERVICE_PROVIDER_CONFIG],
        "documentationUri": "https://github.com/scimcheck/scimcheck",
        "patch": {"supported": true},
        "bulk": super::bulk::service_provider_config(behaviour.bulk),
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": true},
        "sort": {"supported": behaviour.sort},
        "etag": {"supported": behaviour.etag},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token in the Authorization header",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig")}
    })
}

fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [urn::RESOURCE_TYPE], "id": "User", "name": "User", "endpoint": "/Users",
            "description": "User Account", "schema": urn::USER,
            "schemaExtensions": [{"schema": urn::ENTERPRISE_USER, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")}
        }),
        json!({
            "schemas": [urn::RESOURCE_TYPE], "id": "Group", "name": "Group", "endpoint": "/Groups",
            "description": "Group", "schema": urn::GROUP,
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")}
        }),
    ]
}

fn schemas(base: &str) -> Vec<Value> {
    schema::all()
        .iter()
        .map(|s| {
            let mut s = s.clone();
            let id = s["id"].as_str().unwrap_or_default().to_string();
            s["meta"]["location"] = json!(format!("{base}/Schemas/{id}"));
            s
        })
        .collect()
}

pub fn list_resource_types(base: &str) -> Value {
    let all = resource_types(base);
    list_response(all.len(), 1, all)
}

pub fn resource_type(base: &str, name: &str) -> Result<Value, ScimError> {
    resource_types(base)
        .into_iter()
        .find(|r| {
            r["id"]
                .as_str()
                .is_some_and(|id| id.eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| ScimError::not_found("ResourceType"))
}

pub fn list_schemas(base: &str) -> Value {
    let all = schemas(base);
    list_response(all.len(), 1, all)
}

pub fn schema_by_urn(base: &str, id: &str) -> Result<Value, ScimError> {
    schemas(base)
        .into_iter()
        .find(|s| s["id"].as_str().is_some_and(|u| u.eq_ignore_ascii_case(id)))
        .ok_or_else(|| ScimError::not_found("Schema"))
}
