//! Placeholder until the schema files land: validates nothing.
use serde::Serialize;
use serde_json::Value;
pub struct SchemaSet;
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaViolation {
    pub pointer: String,
    pub message: String,
}
#[derive(Debug, thiserror::Error)]
#[error("unknown schema {0}")]
pub struct UnknownSchema(pub String);
const NAMES: &[&str] = &[
    "User",
    "EnterpriseUser",
    "Group",
    "ListResponse",
    "PatchOp",
    "Error",
    "ServiceProviderConfig",
    "ResourceType",
    "Schema",
];
impl SchemaSet {
    pub fn builtin() -> &'static SchemaSet {
        &SchemaSet
    }
    pub fn names(&self) -> Vec<&'static str> {
        NAMES.to_vec()
    }
    pub fn validate(
        &self,
        name: &str,
        _instance: &Value,
    ) -> Result<Vec<SchemaViolation>, UnknownSchema> {
        if NAMES.contains(&name) {
            Ok(vec![])
        } else {
            Err(UnknownSchema(name.into()))
        }
    }
}
