//! JSON Schema validation with the files in `schemas/` (draft 2020-12, written from RFC 7643
//! and RFC 7644), compiled once per process. No schema is ever fetched: the files reference
//! each other by `$id` and are registered up front.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::scim::json::clip;
use crate::scim::schemas::FILES;

/// Instances nested deeper than this are reported, not validated (the validator recurses).
const MAX_DEPTH: usize = 256;

/// One place where a value breaks a schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaViolation {
    /// JSON Pointer into the validated value.
    pub pointer: String,
    /// One line; values are cut short.
    pub message: String,
}

/// A schema name that is not one of the built-in files.
#[derive(Debug, thiserror::Error)]
#[error("unknown schema `{0}`")]
pub struct UnknownSchema(pub String);

/// The built-in JSON Schemas, compiled.
pub struct SchemaSet {
    validators: Vec<(&'static str, jsonschema::Validator)>,
    /// Every property name the schemas define.
    names: HashSet<String>,
    /// The same names by their lower case, for case-insensitive matching.
    lower: HashMap<String, String>,
}

fn collect_names(schema: &Value, out: &mut HashSet<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            map.values().for_each(|v| collect_names(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_names(v, out)),
        _ => {}
    }
}

impl SchemaSet {
    /// The built-in schemas, compiled on first use.
    pub fn builtin() -> &'static SchemaSet {
        static SET: OnceLock<SchemaSet> = OnceLock::new();
        SET.get_or_init(|| {
            SchemaSet::compile()
                .unwrap_or_else(|e| panic!("the built-in schemas do not compile: {e}"))
        })
    }

    fn compile() -> Result<SchemaSet, String> {
        let docs: Vec<(&str, Value)> = FILES
            .iter()
            .map(|(name, text)| {
                serde_json::from_str(text)
                    .map(|v| (*name, v))
                    .map_err(|e| format!("{name}.json: {e}"))
            })
            .collect::<Result<_, _>>()?;
        let mut registry = jsonschema::Registry::new();
        for (name, doc) in &docs {
            let id = doc
                .get("$id")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{name}.json has no $id"))?;
            registry = registry
                .add(id, doc.clone())
                .map_err(|e| format!("{name}.json: {e}"))?;
        }
        let registry = registry.prepare().map_err(|e| e.to_string())?;
        let mut names = HashSet::new();
        let mut validators = Vec::new();
        for (name, doc) in &docs {
            collect_names(doc, &mut names);
            let validator = jsonschema::options()
                .with_registry(&registry)
                .build(doc)
                .map_err(|e| format!("{name}.json: {e}"))?;
            validators.push((*name, validator));
        }
        let lower = names
            .iter()
            .map(|n| (n.to_ascii_lowercase(), n.clone()))
            .collect();
        Ok(SchemaSet {
            validators,
            names,
            lower,
        })
    }

    /// The schema names, in file order.
    pub fn names(&self) -> Vec<&'static str> {
        self.validators.iter().map(|(n, _)| *n).collect()
    }

    /// Every way `value` breaks the schema `name` (none: it is valid).
    pub fn validate(
        &self,
        name: &str,
        instance: &Value,
    ) -> Result<Vec<SchemaViolation>, UnknownSchema> {
        let validator = self
            .validators
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| UnknownSchema(name.to_string()))?;
        if depth(instance) > MAX_DEPTH {
            return Ok(vec![SchemaViolation {
                pointer: String::new(),
                message: format!("nested more than {MAX_DEPTH} levels deep; not validated"),
            }]);
        }
        // Most answers spell every name as the schemas do: validated as they are, and a valid
        // one (the common case) costs neither a copy nor the errors' messages.
        let canonical = if self.is_canonical(instance) {
            Cow::Borrowed(instance)
        } else {
            Cow::Owned(self.canonical_names(instance))
        };
        if validator.is_valid(&canonical) {
            return Ok(Vec::new());
        }
        let mut out: Vec<SchemaViolation> = validator
            .iter_errors(&canonical)
            .map(|e| SchemaViolation {
                pointer: e.instance_path().to_string(),
                message: clip(&e.to_string(), 160),
            })
            .collect();
        out.sort_by(|a, b| (&a.pointer, &a.message).cmp(&(&b.pointer, &b.message)));
        out.dedup();
        Ok(out)
    }

    /// Whether every member name in `value` is spelled as a schema spells it, or is one no
    /// schema defines in any case (so [`Self::canonical_names`] would change nothing).
    fn is_canonical(&self, value: &Value) -> bool {
        match value {
            Value::Object(map) => map.iter().all(|(k, v)| {
                (self.names.contains(k) || !self.lower.contains_key(&k.to_ascii_lowercase()))
                    && self.is_canonical(v)
            }),
            Value::Array(items) => items.iter().all(|v| self.is_canonical(v)),
            _ => true,
        }
    }

    /// RFC 7643 §2.1: attribute names are case-insensitive, so `UserName` counts as `userName`.
    fn canonical_names(&self, value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    let key = if self.names.contains(k) {
                        k.clone()
                    } else {
                        self.lower
                            .get(&k.to_ascii_lowercase())
                            .cloned()
                            .unwrap_or_else(|| k.clone())
                    };
                    out.insert(key, self.canonical_names(v));
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.canonical_names(v)).collect())
            }
            other => other.clone(),
        }
    }
}

/// Nesting depth, computed without recursion.
fn depth(value: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        if d > MAX_DEPTH {
            break;
        }
        match v {
            Value::Object(m) => stack.extend(m.values().map(|c| (c, d + 1))),
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, d + 1))),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
