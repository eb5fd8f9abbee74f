//! Recorded exchanges as a scenario.

use serde_json::{json, Map, Value};

use super::{Recorded, Source};
use crate::scenario::{to_yaml, Scenario, WriteError};

/// A recording written as a scenario.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The scenario, as it loads back.
    pub scenario: Scenario,
    /// The scenario file: the header comment, then the YAML.
    pub yaml: String,
    /// What the replay cannot do as the recording did, one line each (an id the recording
    /// never saw assigned, a value replaced because it was a secret).
    pub notes: Vec<String>,
}

/// Why a recording could not be written as a scenario.
#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    /// Nothing to replay.
    #[error("the recording holds no SCIM requests")]
    NoScimRequests,
    /// The source's id, title or profile is not one a scenario file may have.
    #[error("{0}")]
    Source(String),
    /// The writer refused a part of the scenario.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// The scenario that replays `traffic` in order.
pub fn to_scenario(traffic: &[Recorded], source: &Source) -> Result<Converted, TrafficError> {
    if traffic.is_empty() {
        return Err(TrafficError::NoScimRequests);
    }
    let steps: Vec<Value> = traffic
        .iter()
        .enumerate()
        .map(|(i, r)| step(i, r))
        .collect();
    let file = json!({
        "id": source.id,
        "title": source.title,
        "profile": source.profile,
        "reference": "Recorded IdP traffic",
        "steps": steps,
    });
    let scenario: Scenario =
        serde_json::from_value(file).map_err(|e| TrafficError::Source(e.to_string()))?;
    let mut yaml = String::new();
    for line in &source.header {
        yaml.push_str("# ");
        yaml.push_str(line);
        yaml.push('\n');
    }
    yaml.push_str(&to_yaml(&scenario)?);
    Ok(Converted {
        scenario,
        yaml,
        notes: Vec::new(),
    })
}

fn step(i: usize, r: &Recorded) -> Value {
    let mut request = Map::new();
    request.insert("method".into(), json!(r.method.as_str()));
    request.insert("path".into(), json!(r.path));
    if !r.query.is_empty() {
        let query: Map<String, Value> =
            r.query.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        request.insert("query".into(), Value::Object(query));
    }
    if let Some(body) = r.request_body.as_deref() {
        match serde_json::from_str::<Value>(body) {
            Ok(json) => request.insert("body".into(), json),
            Err(_) => request.insert("raw_body".into(), json!(body)),
        };
    }
    json!({
        "id": format!("s{:03}-{}", i + 1, r.method.as_str().to_ascii_lowercase()),
        "title": format!("{} {}", r.method.as_str(), r.path),
        "request": request,
        "expect": { "status": [r.status] },
    })
}
