//! Scenarios generated from what the server publishes: the run reads `/Schemas` and
//! `/ResourceTypes` once and, for every writable attribute of User, Group and their
//! extensions, creates a resource with a generated value, reads it back, and replaces,
//! removes and adds it by PATCH (RFC 7643 §2.2, §7; RFC 7644 §3.3, §3.5.2). The steps are
//! ordinary steps, so the runner, the checks, the ledger, the reports and the snapshots treat
//! them like any file's.
//!
//! - [`published`]: the attributes and resource types read from discovery.
//! - `values`: a value for an attribute from its type and characteristics.
//! - `section`: one schema on one resource type, and the JSON of its steps; `build`: those
//!   steps; `readback`: what a read after each write must show.
//! - [`rules`]: the RFC sentences the generated checks cite.
//! - `declared`: the schema extensions the server declares, for scenarios that send one.
//!
//! Until the run has read `/Schemas`, each generated scenario is a placeholder (one step that
//! reads `/Schemas`), so `scimcheck list`, `--scenario` and `--skip` know their ids.

mod build;
mod declared;
pub mod published;
mod readback;
pub mod rules;
mod section;
mod values;

#[cfg(test)]
mod tests;

use serde_json::{json, Value};

use crate::scenario::{Loaded, Scenario};
use crate::scim::ResourceKind;
use build::build;
pub use declared::Declared;
use published::{Applies, Schema};
use section::{Built, Section};

/// The `file` of a generated scenario, as `scimcheck list` and the reports show it.
pub const FILE: &str = "generated from /Schemas at run time";

/// The core User schema's attributes.
pub const USER: &str = "rfc.attributes.user";
/// The core Group schema's attributes.
pub const GROUP: &str = "rfc.attributes.group";
/// Every extension of User and Group.
pub const EXTENSIONS: &str = "rfc.attributes.extensions";

const REFERENCE: &str = "RFC 7643 §2.2, §7; RFC 7644 §3.3, §3.5.2";

fn title(id: &str) -> &'static str {
    match id {
        USER => "RFC: every published User attribute written, read back, patched",
        GROUP => "RFC: every published Group attribute written, read back, patched",
        _ => "RFC: every published User and Group extension attribute written, read back, patched",
    }
}

/// A generated scenario's shell: `steps` and a description around them.
fn scenario(id: &str, description: String, steps: Vec<Value>) -> Result<Scenario, String> {
    serde_json::from_value(json!({
        "id": id,
        "title": title(id),
        "profile": "rfc",
        "reference": REFERENCE,
        "description": description,
        "steps": steps,
    }))
    .map_err(|e| format!("the generated steps are not a valid scenario ({e})"))
}

/// The placeholders a run replaces with the generated scenarios.
pub fn placeholders() -> Vec<Loaded> {
    [USER, GROUP, EXTENSIONS]
        .into_iter()
        .filter_map(|id| placeholder(id).ok())
        .map(|s| Loaded::made(FILE, s))
        .collect()
}

fn placeholder(id: &str) -> Result<Scenario, String> {
    scenario(
        id,
        "Generated from the server's /Schemas and /ResourceTypes when the run starts.".into(),
        vec![json!({
            "id": "read-schemas",
            "title": "Read the attributes the server publishes",
            "reference": "RFC 7644 §4",
            "request": {"method": "GET", "path": "/Schemas"},
            "expect": {"status": [200]},
        })],
    )
}

/// Whether `loaded` is a generated scenario's placeholder.
pub fn is_placeholder(loaded: &Loaded) -> bool {
    loaded.file == FILE
}

/// What discovery said, as the run read it.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The `/Schemas` body, or why it could not be used.
    pub schemas: Result<Value, String>,
    /// The `/ResourceTypes` body, when the server answered one.
    pub resource_types: Option<Value>,
    /// Whether PATCH steps are generated (`false` when the server says it lacks PATCH).
    pub patch: bool,
}

/// The scenario called `id` generated from `discovery`, or the placeholder with the reason
/// it could not be generated (its steps are then skipped with that reason).
pub fn generate(id: &str, discovery: &Discovery) -> (Scenario, Option<String>) {
    let made = discovery
        .schemas
        .as_ref()
        .map_err(|e| format!("/Schemas could not be used: {e}"))
        .and_then(|body| {
            published::schemas(body).map_err(|e| format!("/Schemas could not be used: {e}"))
        })
        .and_then(|schemas| {
            let applies = published::applies(discovery.resource_types.as_ref())
                .map_err(|e| format!("/ResourceTypes could not be used: {e}"))?;
            sections(id, &schemas, &applies, discovery.patch)
        })
        .and_then(|built| {
            let mut description = "Every writable attribute the server publishes, with a value generated from its type: created, read back, replaced, removed and added by PATCH, each read back.".to_string();
            if !built.notes.is_empty() {
                description.push_str(" Not tested: ");
                description.push_str(&built.notes.join("; "));
                description.push('.');
            }
            scenario(id, description, built.steps)
        });
    match made {
        Ok(s) => (s, None),
        Err(why) => (
            placeholder(id).unwrap_or_else(|_| unreachable_placeholder()),
            Some(why),
        ),
    }
}

/// The placeholders are fixed JSON that always parses (a unit test says so).
fn unreachable_placeholder() -> Scenario {
    placeholder(USER).expect("the placeholder scenario parses")
}

fn sections(
    id: &str,
    schemas: &[Schema],
    applies: &[Applies],
    patch: bool,
) -> Result<Built, String> {
    let find = |urn: &str| schemas.iter().find(|s| s.id.eq_ignore_ascii_case(urn));
    let kinds: &[ResourceKind] = match id {
        USER => &[ResourceKind::User],
        GROUP => &[ResourceKind::Group],
        _ => &[ResourceKind::User, ResourceKind::Group],
    };
    let mut all = Built::default();
    for kind in kinds {
        let Some(applied) = applies.iter().find(|a| a.kind == *kind) else {
            if id == EXTENSIONS {
                continue;
            }
            return Err(format!(
                "the server publishes no resource type at {}",
                kind.endpoint()
            ));
        };
        let core =
            find(&applied.core).ok_or(format!("/Schemas has no schema `{}`", applied.core))?;
        if id != EXTENSIONS {
            let scenario_id = id.to_string();
            let built = build(
                &Section {
                    kind: *kind,
                    core,
                    extension: None,
                    patch,
                },
                &scenario_id,
            );
            all.steps.extend(built.steps);
            all.notes.extend(built.notes);
            continue;
        }
        for urn in &applied.extensions {
            let Some(ext) = find(urn) else {
                all.notes.push(format!(
                    "{urn}: named by /ResourceTypes but not in /Schemas"
                ));
                continue;
            };
            let built = build(
                &Section {
                    kind: *kind,
                    core,
                    extension: Some(ext),
                    patch,
                },
                id,
            );
            all.steps.extend(built.steps);
            all.notes.extend(built.notes);
        }
    }
    if all.steps.is_empty() {
        return Err("the server publishes no schema extension for User or Group".into());
    }
    Ok(all)
}

/// `scenario` as a run will use it, checked like a scenario file: its shape, its variables,
/// and that the ledger would let every step through.
pub fn checked(scenario: Scenario) -> Result<Loaded, String> {
    let all = [Loaded::made(FILE, scenario)];
    crate::scenario::validate_all(&all)
        .and_then(|()| super::check::check_variables(&all, None))
        .and_then(|()| super::sendable::check_sendable(&all))
        .map_err(|e| format!("the generated steps are not valid: {}", e.message))?;
    let [loaded] = all;
    Ok(loaded)
}
