//! Named checks a step invokes (`checks: [rfc7644.list-response]`), with their arguments typed
//! per check: an unknown argument, or a value of the wrong type, is a load error with the file
//! and line, never a silently different check. The check stage implements them; this is the
//! vocabulary the scenario files use.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::scim::Severity;

/// One named check of a step, with its arguments. Arguments may hold `{{variables}}`; the
/// plan stage renders them before the check stage sees them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawCall")]
pub enum NamedCall {
    /// `rfc7644.list-response`.
    ListResponse,
    /// `rfc7644.error-response`.
    ErrorResponse(ErrorArgs),
    /// `rfc7644.created-resource`.
    CreatedResource(CreatedArgs),
    /// `rfc7644.echo`.
    Echo,
    /// `rfc7644.paging-consistent`.
    PagingConsistent(PagingArgs),
    /// `entra.schema-discoverable`.
    SchemaDiscoverable(DiscoverableArgs),
    /// `rfc7643.service-provider-config`.
    ServiceProviderConfig,
    /// `rfc7643.resource-types`.
    ResourceTypes(ResourceTypesArgs),
    /// `rfc7643.schema-definitions`.
    SchemaDefinitions,
    /// `rfc7644.result-set`.
    ResultSet(ResultSetArgs),
    /// `rfc7644.sorted`.
    Sorted(SortedArgs),
    /// `rfc7643.meta-times`.
    MetaTimes(MetaTimesArgs),
    /// `rfc7644.bulk-response`.
    BulkResponse(BulkArgs),
    /// A check of the concurrency and scale scenarios.
    Load(super::named_set::LoadCall),
}

/// Arguments of `rfc7644.bulk-response`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkArgs {
    /// The status each operation sent must get, in the order they were sent (a result is
    /// matched by its bulkId, else by its position).
    #[serde(default)]
    pub statuses: Vec<Value>,
}

/// Arguments of `rfc7643.meta-times`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaTimesArgs {
    /// `meta.lastModified` before the modification this response answers: it may not go back.
    #[serde(default)]
    pub previous: Option<String>,
    /// The resource was just created: `lastModified` must equal `created`.
    #[serde(default)]
    pub created: bool,
}

/// Arguments of `rfc7643.resource-types`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceTypesArgs {
    /// The `Resources` of the server's `/Schemas` list (a captured value): every schema a
    /// resource type names must be published there.
    #[serde(default)]
    pub schemas: Option<Value>,
}

/// Arguments of `rfc7644.result-set`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultSetArgs {
    /// The ids the ListResponse must hold, no more and no fewer, in any order.
    #[serde(default)]
    pub expected: Vec<Value>,
}

/// Arguments of `rfc7644.sorted`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SortedArgs {
    /// The attribute the list was sorted by, as a JSON pointer into each resource
    /// (`/userName`, `/meta/created`).
    pub by: String,
    /// `descending`, or ascending when absent.
    #[serde(default)]
    pub descending: bool,
    /// How values compare: `string` (ignoring case, caseExact=false), `caseExact` or
    /// `dateTime`.
    #[serde(default)]
    pub compare: SortCompare,
}

/// How `rfc7644.sorted` orders values (RFC 7644 §3.4.2.3: "according to the attribute type").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SortCompare {
    /// Case-insensitive Unicode order (a caseExact=false string).
    #[default]
    String,
    /// Case-sensitive Unicode order.
    CaseExact,
    /// Instants (RFC 3339 dateTime).
    DateTime,
}

/// Arguments of `rfc7644.error-response`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorArgs {
    /// The `scimType` the RFC names for this error, if it names one.
    #[serde(default)]
    pub scim_type: Option<String>,
    /// How much a missing or different `scimType` matters (default: warning).
    #[serde(default)]
    pub scim_type_severity: Option<Severity>,
}

/// Arguments of `rfc7644.created-resource`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatedArgs {
    /// The `meta.resourceType` the new resource must carry (`User`, `Group`).
    #[serde(default)]
    pub resource_type: Option<String>,
}

/// Arguments of `rfc7644.paging-consistent`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagingArgs {
    /// The ListResponse bodies of the pages, in order (captured whole bodies).
    #[serde(default)]
    pub pages: Vec<Value>,
    /// The ids the pages together must hold.
    #[serde(default)]
    pub expected: Vec<Value>,
    /// The `count` each page asked for: completeness is not judged when a page holds fewer.
    #[serde(default)]
    pub count: Option<u64>,
}

/// Arguments of `entra.schema-discoverable`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoverableArgs {
    /// The attributes that must be defined, each `<schema URN>:<attribute>[.<sub>]`.
    #[serde(default)]
    pub attributes: Vec<String>,
}

/// Every named check: its id and the ids of the outcomes it reports (`*` stands for an
/// attribute name), so an assert's `needs` can name them.
pub const CATALOGUE: &[(&str, &[&str])] = &[
    (
        "rfc7644.list-response",
        &[
            "rfc7644.list.schemas",
            "rfc7644.list.integer-counts",
            "rfc7644.list.resources",
            "rfc7644.list.total-results",
            "rfc7644.list.items-per-page",
            "rfc7644.list.first-page",
            "rfc7644.list.start-index",
            "rfc7644.list.count-honoured",
            "rfc7644.list.resources-key",
        ],
    ),
    (
        "rfc7644.error-response",
        &[
            "rfc7644.error.json",
            "rfc7644.error.schemas",
            "rfc7644.error.status-is-string",
            "rfc7644.error.status-matches",
            "rfc7644.error.detail",
            "rfc7644.error.scim-type",
        ],
    ),
    (
        "rfc7644.created-resource",
        &[
            "rfc7644.create.location-header",
            "rfc7644.create.location-is-resource",
            "rfc7644.create.location-matches-meta",
            "rfc7643.meta.resource-type",
        ],
    ),
    ("rfc7644.echo", &["rfc7644.echo.*"]),
    (
        "rfc7644.paging-consistent",
        &["rfc7644.paging.no-duplicates", "rfc7644.paging.complete"],
    ),
    (
        "entra.schema-discoverable",
        &[
            "entra.schema.attributes-discoverable",
            "entra.schema.extension-declared",
        ],
    ),
    (
        "rfc7643.service-provider-config",
        &[
            "rfc7643.spc.auth-schemes",
            "rfc7643.spc.auth-scheme-type",
            "rfc7643.spc.limits",
        ],
    ),
    (
        "rfc7643.resource-types",
        &[
            "rfc7643.resource-type.endpoint-relative",
            "rfc7643.resource-type.extensions",
            "rfc7643.resource-type.schema-published",
        ],
    ),
    (
        "rfc7643.schema-definitions",
        &[
            "rfc7643.schema.id-urn",
            "rfc7643.schema.attribute-required",
            "rfc7643.schema.attribute-characteristics",
            "rfc7643.schema.attribute-values",
            "rfc7643.schema.sub-attributes",
        ],
    ),
    ("rfc7644.result-set", &["rfc7644.result.ids"]),
    ("rfc7644.sorted", &["rfc7644.sort.order"]),
    (
        "rfc7643.meta-times",
        &[
            "rfc7643.meta.created-not-after-modified",
            "rfc7643.meta.last-modified-advances",
        ],
    ),
    (
        "rfc7644.bulk-response",
        &[
            "rfc7644.bulk.schemas",
            "rfc7644.bulk.operations",
            "rfc7644.bulk.method",
            "rfc7644.bulk.status",
            "rfc7644.bulk.status-is-string",
            "rfc7644.bulk.location",
            "rfc7644.bulk.error-response",
            "rfc7644.bulk.bulk-id",
            "rfc7644.bulk.fail-on-errors",
            "rfc7644.bulk.statuses",
        ],
    ),
];

impl NamedCall {
    /// The check's id, as scenario files name it.
    pub fn id(&self) -> &'static str {
        match self {
            NamedCall::ListResponse => "rfc7644.list-response",
            NamedCall::ErrorResponse(_) => "rfc7644.error-response",
            NamedCall::CreatedResource(_) => "rfc7644.created-resource",
            NamedCall::Echo => "rfc7644.echo",
            NamedCall::PagingConsistent(_) => "rfc7644.paging-consistent",
            NamedCall::SchemaDiscoverable(_) => "entra.schema-discoverable",
            NamedCall::ServiceProviderConfig => "rfc7643.service-provider-config",
            NamedCall::ResourceTypes(_) => "rfc7643.resource-types",
            NamedCall::SchemaDefinitions => "rfc7643.schema-definitions",
            NamedCall::ResultSet(_) => "rfc7644.result-set",
            NamedCall::Sorted(_) => "rfc7644.sorted",
            NamedCall::MetaTimes(_) => "rfc7643.meta-times",
            NamedCall::BulkResponse(_) => "rfc7644.bulk-response",
            NamedCall::Load(call) => call.id(),
        }
    }

    /// Whether it judges the whole set of a fan-out or walk, once per step.
    pub fn over_set(&self) -> bool {
        matches!(self, NamedCall::Load(call) if call.over_set())
    }

    /// The ids of the outcomes it reports.
    pub fn produces(&self) -> &'static [&'static str] {
        CATALOGUE
            .iter()
            .find(|(id, _)| *id == self.id())
            .map(|(_, produces)| *produces)
            .or_else(|| {
                super::named_set::LOAD_CATALOGUE
                    .iter()
                    .find(|(id, _, _)| *id == self.id())
                    .map(|(_, _, produces)| *produces)
            })
            .unwrap_or(&[])
    }

    /// Whether one of its outcomes has the id `outcome`.
    pub fn reports(&self, outcome: &str) -> bool {
        self.produces().iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => outcome.starts_with(prefix),
            None => *p == outcome,
        })
    }

    /// The same call with every argument value passed through `f` (the plan stage renders
    /// templates with it).
    pub fn map_values<E>(
        &self,
        mut f: impl FnMut(&Value) -> Result<Value, E>,
    ) -> Result<NamedCall, E> {
        let mut text = |s: &Option<String>| -> Result<Option<String>, E> {
            s.as_ref()
                .map(|s| {
                    f(&Value::String(s.clone())).map(|v| match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    })
                })
                .transpose()
        };
        Ok(match self {
            NamedCall::ErrorResponse(a) => NamedCall::ErrorResponse(ErrorArgs {
                scim_type: text(&a.scim_type)?,
                scim_type_severity: a.scim_type_severity,
            }),
            NamedCall::CreatedResource(a) => NamedCall::CreatedResource(CreatedArgs {
                resource_type: text(&a.resource_type)?,
            }),
            NamedCall::PagingConsistent(a) => NamedCall::PagingConsistent(PagingArgs {
                pages: a.pages.iter().map(&mut f).collect::<Result<_, _>>()?,
                expected: a.expected.iter().map(&mut f).collect::<Result<_, _>>()?,
                count: a.count,
            }),
            NamedCall::SchemaDiscoverable(a) => NamedCall::SchemaDiscoverable(DiscoverableArgs {
                attributes: a
                    .attributes
                    .iter()
                    .map(|s| text(&Some(s.clone())).map(Option::unwrap_or_default))
                    .collect::<Result<_, _>>()?,
            }),
            NamedCall::ResourceTypes(a) => NamedCall::ResourceTypes(ResourceTypesArgs {
                schemas: a.schemas.as_ref().map(&mut f).transpose()?,
            }),
            NamedCall::ResultSet(a) => NamedCall::ResultSet(ResultSetArgs {
                expected: a.expected.iter().map(&mut f).collect::<Result<_, _>>()?,
            }),
            NamedCall::MetaTimes(a) => NamedCall::MetaTimes(MetaTimesArgs {
                previous: text(&a.previous)?,
                created: a.created,
            }),
            NamedCall::BulkResponse(a) => NamedCall::BulkResponse(BulkArgs {
                statuses: a.statuses.iter().map(&mut f).collect::<Result<_, _>>()?,
            }),
            NamedCall::Load(call) => NamedCall::Load(call.map_values(f)?),
            other => other.clone(),
        })
    }

    /// Every argument value, for the loader's variable checks.
    pub fn values(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let _ = self.map_values(|v| {
            out.push(v.clone());
            Ok::<_, ()>(v.clone())
        });
        out
    }
}

/// A named check's arguments as the type it takes, or why they are not.
pub(super) fn typed<T: serde::de::DeserializeOwned>(
    id: &str,
    args: Map<String, Value>,
) -> Result<T, String> {
    serde_json::from_value(Value::Object(args)).map_err(|e| format!("named check `{id}`: {e}"))
}

/// Nothing, or why a named check that takes no arguments was given some.
pub(super) fn no_args(id: &str, args: &Map<String, Value>) -> Result<(), String> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(format!("named check `{id}` takes no args"))
    }
}

/// A named check as written: its id alone, or `{id, args}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawCall {
    Bare(String),
    WithArgs {
        id: String,
        #[serde(default)]
        args: Map<String, Value>,
    },
}

impl TryFrom<RawCall> for NamedCall {
    type Error = String;

    fn try_from(raw: RawCall) -> Result<NamedCall, String> {
        let (id, args) = match raw {
            RawCall::Bare(id) => (id, Map::new()),
            RawCall::WithArgs { id, args } => (id, args),
        };
        let no_args = |call: NamedCall| no_args(&id, &args).map(|()| call);
        match id.as_str() {
            "rfc7644.list-response" => no_args(NamedCall::ListResponse),
            "rfc7644.echo" => no_args(NamedCall::Echo),
            "rfc7644.error-response" => typed(&id, args).map(NamedCall::ErrorResponse),
            "rfc7644.created-resource" => typed(&id, args).map(NamedCall::CreatedResource),
            "rfc7644.paging-consistent" => typed(&id, args).map(NamedCall::PagingConsistent),
            "entra.schema-discoverable" => typed(&id, args).map(NamedCall::SchemaDiscoverable),
            "rfc7643.service-provider-config" => no_args(NamedCall::ServiceProviderConfig),
            "rfc7643.resource-types" => typed(&id, args).map(NamedCall::ResourceTypes),
            "rfc7643.schema-definitions" => no_args(NamedCall::SchemaDefinitions),
            "rfc7644.result-set" => typed(&id, args).map(NamedCall::ResultSet),
            "rfc7644.sorted" => typed(&id, args).map(NamedCall::Sorted),
            "rfc7643.meta-times" => typed(&id, args).map(NamedCall::MetaTimes),
            "rfc7644.bulk-response" => typed(&id, args).map(NamedCall::BulkResponse),
            _ => {
                match super::named_set::LoadCall::parse(&id, args) {
                    Some(call) => call.map(NamedCall::Load),
                    None => {
                        Err(format!(
                    "unknown named check `{id}` (known: {}; `scimcheck list` describes them)",
                    CATALOGUE
                        .iter()
                        .map(|(id, _)| *id)
                        .chain(super::named_set::LOAD_CATALOGUE.iter().map(|(id, _, _)| *id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<NamedCall, String> {
        serde_saphyr::from_str::<NamedCall>(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn arguments_are_typed_per_check() {
        assert_eq!(
            parse("{ id: rfc7644.error-response, args: { scim_type: uniqueness, scim_type_severity: error } }").unwrap(),
            NamedCall::ErrorResponse(ErrorArgs {
                scim_type: Some("uniqueness".into()),
                scim_type_severity: Some(Severity::Error),
            })
        );
        assert_eq!(parse("rfc7644.echo").unwrap(), NamedCall::Echo);
    }

    #[test]
    fn a_misspelt_severity_or_argument_is_refused() {
        let err = parse("{ id: rfc7644.error-response, args: { scim_type_severity: Error } }")
            .unwrap_err();
        assert!(err.contains("Error"), "{err}");
        let err = parse("{ id: rfc7644.created-resource, args: { resource: User } }").unwrap_err();
        assert!(err.contains("resource"), "{err}");
        let err = parse("{ id: rfc7644.echo, args: { x: 1 } }").unwrap_err();
        assert!(err.contains("takes no args"), "{err}");
        let err = parse("rfc7644.nope").unwrap_err();
        assert!(err.contains("unknown named check"), "{err}");
    }
}
