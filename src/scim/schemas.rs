//! The JSON Schemas (draft 2020-12) in `schemas/`, written from RFC 7643 and RFC 7644, by the
//! names scenario files use.

/// The schema files, by name.
pub const FILES: &[(&str, &str)] = &[
    ("User", include_str!("../../schemas/User.json")),
    (
        "EnterpriseUser",
        include_str!("../../schemas/EnterpriseUser.json"),
    ),
    ("Group", include_str!("../../schemas/Group.json")),
    (
        "ListResponse",
        include_str!("../../schemas/ListResponse.json"),
    ),
    ("PatchOp", include_str!("../../schemas/PatchOp.json")),
    ("Error", include_str!("../../schemas/Error.json")),
    (
        "ServiceProviderConfig",
        include_str!("../../schemas/ServiceProviderConfig.json"),
    ),
    (
        "ResourceType",
        include_str!("../../schemas/ResourceType.json"),
    ),
    ("Schema", include_str!("../../schemas/Schema.json")),
];

/// Whether `name` names one of [`FILES`].
pub fn is_known(name: &str) -> bool {
    FILES.iter().any(|(n, _)| *n == name)
}

/// The known names, for messages.
pub fn names() -> Vec<&'static str> {
    FILES.iter().map(|(n, _)| *n).collect()
}
