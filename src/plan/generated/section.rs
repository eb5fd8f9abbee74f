//! A section: one schema's attributes on one resource type, and the JSON pieces of the steps
//! built for it (scenario-file JSON, so they are parsed and validated like any file's).

use serde_json::{json, Map, Value};

use super::published::{Attr, Schema};
use super::values::value;
use crate::scim::{urn, ResourceKind};

/// One schema's attributes on one resource type.
pub struct Section<'a> {
    /// User or Group.
    pub kind: ResourceKind,
    /// The resource type's core schema (its required attributes go into every create).
    pub core: &'a Schema,
    /// The extension under test; `None` tests the core schema.
    pub extension: Option<&'a Schema>,
    /// Whether PATCH steps are generated (not when the server says it lacks PATCH).
    pub patch: bool,
}

/// A section's steps, and what it left out and why.
#[derive(Default)]
pub struct Built {
    /// The steps, as scenario-file JSON.
    pub steps: Vec<Value>,
    /// `path: reason` for every attribute not (fully) tested.
    pub notes: Vec<String>,
}

/// An attribute's name in the generated check ids: `[Schema.]attr`.
pub(super) fn dotted(section: &Section, attr: &str) -> String {
    match section.extension {
        Some(ext) => format!("{}.{attr}", ext.name),
        None => attr.to_string(),
    }
}

impl Section<'_> {
    pub(super) fn schema(&self) -> &Schema {
        self.extension.unwrap_or(self.core)
    }

    /// Step ids of an extension start with its lowercased name.
    pub(super) fn label(&self) -> String {
        self.extension
            .map(|e| {
                let l: String = e
                    .name
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                format!("{}.", if l.is_empty() { "extension" } else { &l })
            })
            .unwrap_or_default()
    }

    pub(super) fn capture(&self) -> String {
        format!("{}id", self.label().replace('.', "_"))
    }

    pub(super) fn pointer(&self, attr: &str) -> String {
        let esc = |s: &str| s.replace('~', "~0").replace('/', "~1");
        match self.extension {
            Some(ext) => format!("/{}/{}", esc(&ext.id), esc(attr)),
            None => format!("/{}", esc(attr)),
        }
    }

    pub(super) fn patch_path(&self, attr: &str) -> String {
        match self.extension {
            Some(ext) => format!("{}:{attr}", ext.id),
            None => attr.to_string(),
        }
    }

    pub(super) fn name_value(&self, variant: &str) -> String {
        let base = format!(
            "{{{{scenario.prefix}}}}{}{variant}",
            self.label().replace('.', "-")
        );
        match self.kind {
            ResourceKind::User => format!("{base}@example.com"),
            ResourceKind::Group => base,
        }
    }

    pub(super) fn is_name(&self, attr: &Attr) -> bool {
        self.extension.is_none() && attr.name.eq_ignore_ascii_case(self.kind.name_attribute())
    }

    pub(super) fn resource(&self) -> String {
        format!("{}/{{{{{}}}}}", self.kind.endpoint(), self.capture())
    }

    /// A create body: the name `variant`, the core's required attributes (but `without`),
    /// and `attrs`.
    pub(super) fn body(
        &self,
        variant: &str,
        attrs: &[(&Attr, Value)],
        without: Option<&str>,
    ) -> Value {
        let mut schemas = vec![json!(self.core.id)];
        let mut body = Map::new();
        body.insert(
            self.kind.name_attribute().into(),
            json!(self.name_value(variant)),
        );
        for a in self
            .core
            .attrs
            .iter()
            .filter(|a| a.required && a.writable())
        {
            let tested = self.extension.is_none() && Some(a.name.as_str()) == without;
            if !self.is_name(a) && !tested {
                if let Ok(v) = value(a, true) {
                    body.insert(a.name.clone(), v);
                }
            }
        }
        let mut own = Map::new();
        if let Some(ext) = self.extension {
            for a in ext.attrs.iter().filter(|a| a.required && a.writable()) {
                if Some(a.name.as_str()) != without {
                    if let Ok(v) = value(a, true) {
                        own.insert(a.name.clone(), v);
                    }
                }
            }
        }
        for (a, v) in attrs {
            own.insert(a.name.clone(), v.clone());
        }
        match self.extension {
            Some(ext) => {
                schemas.push(json!(ext.id));
                body.insert(ext.id.clone(), Value::Object(own));
            }
            None => body.extend(own),
        }
        body.insert("schemas".into(), Value::Array(schemas));
        Value::Object(body)
    }
}

/// An assert: `op` with its `operand` on `pointer`.
pub(super) fn assert(
    id: String,
    pointer: String,
    op: &str,
    operand: Value,
    severity: &str,
    reference: String,
    hint: String,
) -> Value {
    let mut a = json!({"id": id, "pointer": pointer, "severity": severity, "reference": reference, "hint": hint});
    a[op] = operand;
    a
}

/// A step expecting one of `status`.
pub(super) fn step(
    id: String,
    title: String,
    reference: &str,
    needs: &[String],
    request: Value,
    status: &[u16],
) -> Value {
    json!({
        "id": id, "title": title, "reference": reference, "needs": needs,
        "request": request,
        "expect": {"status": status},
    })
}

/// A GET request.
pub(super) fn get(path: &str) -> Value {
    json!({"method": "GET", "path": path})
}

/// A request with a body.
pub(super) fn send(method: &str, path: &str, body: Value) -> Value {
    json!({"method": method, "path": path, "body": body})
}

/// A PatchOp body with one operation.
pub(super) fn patch_body(op: &str, path: &str, value: Option<Value>) -> Value {
    let mut operation = json!({"op": op, "path": path});
    if let Some(v) = value {
        operation["value"] = v;
    }
    json!({"schemas": [urn::PATCH_OP], "Operations": [operation]})
}
