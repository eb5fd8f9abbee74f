//! The reference server's published `/Schemas`, walked attribute by attribute: every
//! attribute and sub-attribute as a [`Leaf`] with its characteristics, and sample values of
//! its type, so the characteristics tests need no list of their own.

use serde_json::{json, Map, Value};

use super::Scim;

/// One attribute (`sub` None) or sub-attribute of a resource type, with its schema.
#[derive(Clone, Debug)]
pub struct Leaf {
    /// The extension URN for an extension attribute; None for the core schema.
    pub ext: Option<String>,
    pub top: Value,
    pub sub: Option<Value>,
}

fn s<'a>(a: &'a Value, k: &str) -> &'a str {
    a[k].as_str().unwrap_or_default()
}

impl Leaf {
    /// The leaf's own definition.
    pub fn def(&self) -> &Value {
        self.sub.as_ref().unwrap_or(&self.top)
    }

    pub fn name(&self) -> &str {
        s(self.def(), "name")
    }

    pub fn str(&self, k: &str) -> &str {
        s(self.def(), k)
    }

    pub fn flag(&self, k: &str) -> bool {
        self.def()[k] == json!(true)
    }

    pub fn kind(&self) -> &str {
        self.str("type")
    }

    pub fn top_name(&self) -> &str {
        s(&self.top, "name")
    }

    pub fn top_multi(&self) -> bool {
        self.top["multiValued"] == json!(true)
    }

    /// The path a PATCH or a filter names it with (RFC 7644 §3.10).
    pub fn path(&self) -> String {
        let local = match &self.sub {
            Some(sub) => format!("{}.{}", self.top_name(), s(sub, "name")),
            None => self.top_name().to_string(),
        };
        match &self.ext {
            Some(u) => format!("{u}:{local}"),
            None => local,
        }
    }

    /// The mutability that applies: a sub-attribute of a read-only attribute is read-only.
    pub fn mutability(&self) -> &str {
        if s(&self.top, "mutability") == "readOnly" {
            return "readOnly";
        }
        self.str("mutability")
    }

    fn holder<'a>(&self, body: &'a Value) -> Option<&'a Value> {
        match &self.ext {
            Some(u) => body.get(u),
            None => Some(body),
        }
    }

    /// The values it has in a representation (one per element for multi-valued parents).
    pub fn values<'a>(&self, body: &'a Value) -> Vec<&'a Value> {
        let Some(top) = self.holder(body).and_then(|h| h.get(self.top_name())) else {
            return vec![];
        };
        let Some(sub) = &self.sub else {
            return vec![top];
        };
        let elements: Vec<&Value> = match top {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        elements
            .into_iter()
            .filter_map(|e| e.get(s(sub, "name")))
            .collect()
    }

    fn holder_mut<'a>(&self, body: &'a mut Value) -> &'a mut Map<String, Value> {
        let h = match &self.ext {
            Some(u) => {
                let obj = body.as_object_mut().unwrap();
                obj.entry(u.clone()).or_insert_with(|| json!({}))
            }
            None => body,
        };
        h.as_object_mut().unwrap()
    }

    /// Sets it in a request body (in the first element of a multi-valued parent).
    pub fn set(&self, body: &mut Value, v: Value) {
        let holder = self.holder_mut(body);
        let Some(sub) = &self.sub else {
            holder.insert(self.top_name().into(), v);
            return;
        };
        let top = holder
            .entry(self.top_name().to_string())
            .or_insert_with(|| {
                if self.top_multi() {
                    json!([{}])
                } else {
                    json!({})
                }
            });
        let element = match top {
            Value::Array(a) => &mut a[0],
            other => other,
        };
        element[s(sub, "name")] = v;
    }

    pub fn remove(&self, body: &mut Value) {
        let holder = self.holder_mut(body);
        let Some(sub) = &self.sub else {
            holder.remove(self.top_name());
            return;
        };
        match holder.get_mut(self.top_name()) {
            Some(Value::Array(a)) => a.iter_mut().for_each(|e| {
                e.as_object_mut().map(|o| o.remove(s(sub, "name")));
            }),
            Some(Value::Object(o)) => {
                o.remove(s(sub, "name"));
            }
            _ => {}
        }
    }
}

/// The schemas of a resource type, from `/ResourceTypes` and `/Schemas`: (ext URN, schema).
pub async fn schemas_of(s: &Scim, resource_type: &str) -> Vec<(Option<String>, Value)> {
    let rt = s.get(&format!("/ResourceTypes/{resource_type}")).await.body;
    let all = s.get("/Schemas").await.body["Resources"].clone();
    let find = |urn: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == json!(urn))
            .unwrap_or_else(|| panic!("{urn} is not in /Schemas"))
            .clone()
    };
    let mut out = vec![(None, find(s_(&rt["schema"])))];
    for e in rt["schemaExtensions"].as_array().into_iter().flatten() {
        let urn = s_(&e["schema"]).to_string();
        out.push((Some(urn.clone()), find(&urn)));
    }
    out
}

fn s_(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Every attribute and sub-attribute of a resource type.
pub async fn leaves(s: &Scim, resource_type: &str) -> Vec<Leaf> {
    let mut out = vec![];
    for (ext, schema) in schemas_of(s, resource_type).await {
        for top in schema["attributes"].as_array().unwrap() {
            out.push(Leaf {
                ext: ext.clone(),
                top: top.clone(),
                sub: None,
            });
            for sub in top["subAttributes"].as_array().into_iter().flatten() {
                out.push(Leaf {
                    ext: ext.clone(),
                    top: top.clone(),
                    sub: Some(sub.clone()),
                });
            }
        }
    }
    out
}

/// A valid value of the attribute's type; `tag` makes values differ between resources.
/// Strings are mixed-case so case rules show.
pub fn sample(def: &Value, tag: &str) -> Value {
    let one = match s(def, "type") {
        "boolean" => json!(true),
        "binary" => json!("TWlYZUQgYmluYXJ5"),
        "dateTime" => json!("2024-01-01T00:00:00Z"),
        "integer" => json!(7),
        "decimal" => json!(7.5),
        "reference" => json!(format!("https://Example.com/{}/{tag}", s(def, "name"))),
        "complex" => {
            let mut m = Map::new();
            for sub in def["subAttributes"].as_array().into_iter().flatten() {
                m.insert(s(sub, "name").into(), sample(sub, tag));
            }
            Value::Object(m)
        }
        _ => match def["canonicalValues"].as_array().and_then(|c| c.first()) {
            Some(c) => c.clone(),
            None => json!(format!("MiXeD-{}-{tag}", s(def, "name"))),
        },
    };
    if def["multiValued"] == json!(true) {
        json!([one])
    } else {
        one
    }
}

/// A body holding every attribute the client may set (not read-only), with valid values;
/// `member` is the id `members.value` names.
pub fn full_body(leaves: &[Leaf], tag: &str, member: &str) -> Value {
    let mut body = json!({});
    for leaf in leaves.iter().filter(|l| l.sub.is_none()) {
        if leaf.mutability() == "readOnly" {
            continue;
        }
        let mut v = sample(&leaf.top, tag);
        if leaf.top_name() == "members" {
            v = json!([{"value": member, "display": format!("MiXeD-display-{tag}")}]);
        }
        leaf.set(&mut body, v);
    }
    // Read-only sub-attributes are ignored on input; leave them out of what is compared.
    for leaf in leaves
        .iter()
        .filter(|l| l.sub.is_some() && l.mutability() == "readOnly")
    {
        leaf.remove(&mut body);
    }
    body
}

/// Swaps the case of every letter: a different string that caseExact false equals.
pub fn swap_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}
