//! The scenarios generated from discovery: when a run selects one, it reads `/Schemas` and
//! `/ResourceTypes` once and replaces each placeholder with what the server publishes. A
//! discovery the run cannot use skips those scenarios with the reason; it never stops the run.
//! The same reads say which schema extensions the server declares: a scenario that sends one
//! it does not declare is skipped.

use std::collections::BTreeMap;

use crate::exec::{Client, Exchange};
use crate::plan::generated::{self, Declared, Discovery};
use crate::plan::{Capabilities, PreparedRequest, Selection};
use crate::scenario::{Capability, Loaded};

/// `loaded` with the selected placeholders generated, and why any could not be, by id.
pub(crate) async fn expand(
    client: &Client,
    loaded: Vec<Loaded>,
    selection: &Selection,
    caps: &Capabilities,
) -> (Vec<Loaded>, BTreeMap<String, String>) {
    let mut skips = BTreeMap::new();
    let wanted = |l: &Loaded| generated::is_placeholder(l) && selection.selects(&l.scenario);
    let extended = |l: &Loaded| !l.scenario.extensions.is_empty() && selection.selects(&l.scenario);
    if !loaded.iter().any(|l| wanted(l) || extended(l)) {
        return (loaded, skips);
    }
    let (schemas_request, types_request) = (
        PreparedRequest::get("/Schemas"),
        PreparedRequest::get("/ResourceTypes"),
    );
    let (schemas, resource_types) =
        tokio::join!(client.send(&schemas_request), client.send(&types_request),);
    let discovery = Discovery {
        schemas: body(&schemas),
        resource_types: body(&resource_types).ok(),
        patch: caps.supports(Capability::Patch) != Some(false),
    };
    let declared = Declared::read(
        discovery.schemas.as_ref().ok(),
        discovery.resource_types.as_ref(),
    );
    for l in loaded.iter().filter(|l| extended(l)) {
        if let Some(why) = declared.missing(&l.scenario) {
            skips.insert(l.scenario.id.to_string(), why);
        }
    }
    let loaded = loaded
        .into_iter()
        .map(|l| {
            if !wanted(&l) {
                return l;
            }
            let id = l.scenario.id.to_string();
            let (scenario, skip) = generated::generate(&id, &discovery);
            let made = match skip {
                Some(why) => Err(why),
                None => generated::checked(scenario),
            };
            made.unwrap_or_else(|why| {
                skips.insert(id, why);
                l
            })
        })
        .collect();
    (loaded, skips)
}

/// A discovery response's JSON, or what kept the run from using it.
fn body(x: &Exchange) -> Result<serde_json::Value, String> {
    if let Some(e) = &x.error {
        return Err(format!("GET {}: {}", x.request.url, e.message));
    }
    match (x.status(), x.json()) {
        (Some(200), Some(json)) => Ok(json.clone()),
        (Some(200), None) => Err(format!(
            "GET {} answered 200 without a JSON body",
            x.request.url
        )),
        (status, _) => Err(format!(
            "GET {} answered {}",
            x.request.url,
            status.map_or("nothing".into(), |s| s.to_string())
        )),
    }
}
