//! Turns a step's request template into a concrete request for this run.

use serde_json::Value;
use std::collections::BTreeMap;

use super::template::{self, TemplateError};
use super::vars::Vars;
use crate::scenario::{Repeat, Request};
use crate::scim::Method;

/// A request ready to send: every template rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRequest {
    /// The method.
    pub method: Method,
    /// Path below the base URL, starting with `/`.
    pub path: String,
    /// Query parameters, in the order they are sent.
    pub query: Vec<(String, String)>,
    /// Header overrides; `None` removes a default header.
    pub headers: Vec<(String, Option<String>)>,
    /// The JSON body, if any.
    pub body: Option<Value>,
    /// A body sent verbatim instead (the scenario's `raw_body`), if any.
    pub raw_body: Option<String>,
}

impl PreparedRequest {
    /// A plain GET of `path`, for the harness's own reads (probe, cleanup, leftovers).
    pub fn get(path: &str) -> PreparedRequest {
        PreparedRequest {
            method: Method::Get,
            path: path.to_string(),
            query: vec![],
            headers: vec![],
            body: None,
            raw_body: None,
        }
    }

    /// Whether the request carries a body, JSON or verbatim.
    pub fn has_body(&self) -> bool {
        self.body.is_some() || self.raw_body.is_some()
    }
}

/// Renders `req`; `defaults` are the scenario's headers, overridden by the step's.
pub fn prepare(
    req: &Request,
    defaults: &BTreeMap<String, Option<String>>,
    vars: &Vars,
) -> Result<PreparedRequest, TemplateError> {
    let path = template::render_path(&req.path, vars)?;
    let mut query = Vec::with_capacity(req.query.len());
    for (name, value) in &req.query {
        let value = match value {
            Value::String(s) => template::render_text(s, vars)?,
            other => other.to_string(),
        };
        query.push((name.clone(), value));
    }
    let mut merged = defaults.clone();
    merged.extend(req.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut headers = Vec::with_capacity(merged.len());
    for (name, value) in &merged {
        let value = value
            .as_deref()
            .map(|v| template::render_text(v, vars))
            .transpose()?;
        headers.push((name.clone(), value));
    }
    let mut body = req
        .body
        .as_ref()
        .map(|b| template::render_value(b, vars))
        .transpose()?;
    if let Some(repeat) = &req.repeat {
        let target = body.get_or_insert_with(|| Value::Object(Default::default()));
        repeated(repeat, target, vars)?;
    }
    if !req.set.is_empty() || !req.remove.is_empty() {
        let target = body.get_or_insert_with(|| Value::Object(Default::default()));
        for (pointer, value) in &req.set {
            set_pointer(target, pointer, template::render_value(value, vars)?);
        }
        for pointer in &req.remove {
            remove_pointer(target, pointer);
        }
    }
    let raw_body = req
        .raw_body
        .as_deref()
        .map(|t| template::render_text(t, vars))
        .transpose()?;
    Ok(PreparedRequest {
        method: req.method,
        path,
        query,
        headers,
        body,
        raw_body,
    })
}

/// Appends `repeat`'s copies to its array in `body`.
fn repeated(repeat: &Repeat, body: &mut Value, vars: &Vars) -> Result<(), TemplateError> {
    let times = template::render_str(&repeat.times, vars)?;
    let n = times
        .as_u64()
        .or_else(|| times.as_str().and_then(|s| s.trim().parse().ok()))
        .ok_or_else(|| {
            TemplateError::Repeat(format!("`{}` is {times}, not a whole number", repeat.times))
        })?;
    let total = n.saturating_add(repeat.plus);
    if total > Repeat::MAX {
        return Err(TemplateError::Repeat(format!(
            "{total} copies asked for (`{}` is {n}), more than the {} a request may hold",
            repeat.times,
            Repeat::MAX
        )));
    }
    if !body.pointer(&repeat.into).is_some_and(Value::is_array) {
        set_pointer(body, &repeat.into, Value::Array(vec![]));
    }
    let mut local = vars.clone();
    let mut items = Vec::with_capacity(total as usize);
    for i in 1..=total {
        local.insert(Repeat::INDEX, Value::from(i));
        items.push(template::render_value(&repeat.item, &local)?);
    }
    if let Some(array) = body.pointer_mut(&repeat.into).and_then(Value::as_array_mut) {
        array.extend(items);
    }
    Ok(())
}

fn tokens(pointer: &str) -> Vec<String> {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Sets the value at `pointer`, creating objects on the way; `-` appends to an array.
pub fn set_pointer(root: &mut Value, pointer: &str, value: Value) {
    let tokens = tokens(pointer);
    let Some((last, parents)) = tokens.split_last() else {
        return;
    };
    let mut cur = root;
    for t in parents {
        if !cur.is_object() && !cur.is_array() {
            *cur = Value::Object(Default::default());
        }
        cur = match cur {
            Value::Object(map) => map
                .entry(t.clone())
                .or_insert_with(|| Value::Object(Default::default())),
            Value::Array(items) => match t.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    match cur {
        Value::Object(map) => {
            map.insert(last.clone(), value);
        }
        Value::Array(items) if last == "-" => items.push(value),
        Value::Array(items) => {
            if let Some(slot) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = value;
            }
        }
        other => {
            let mut map = serde_json::Map::new();
            map.insert(last.clone(), value);
            *other = Value::Object(map);
        }
    }
}

/// Removes the member a JSON pointer names, if it is there.
pub fn remove_pointer(root: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match root.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Some(i) = last.parse::<usize>().ok().filter(|i| *i < items.len()) {
                items.remove(i);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn set_creates_and_replaces() {
        let mut v = json!({"name": {"givenName": "a"}, "emails": [{"value": "x"}]});
        set_pointer(&mut v, "/name/familyName", json!("Ødegård"));
        set_pointer(&mut v, "/emails/0/value", json!("y"));
        set_pointer(&mut v, "/emails/-", json!({"value": "z"}));
        set_pointer(&mut v, "/new/deep", json!(1));
        assert_eq!(
            v,
            json!({"name": {"givenName": "a", "familyName": "Ødegård"}, "emails": [{"value": "y"}, {"value": "z"}], "new": {"deep": 1}})
        );
    }

    #[test]
    fn remove_drops_members() {
        let mut v = json!({"meta": {"version": "1"}, "a": [1, 2]});
        remove_pointer(&mut v, "/meta/version");
        remove_pointer(&mut v, "/a/0");
        remove_pointer(&mut v, "/missing/x");
        assert_eq!(v, json!({"meta": {}, "a": [2]}));
    }

    #[test]
    fn a_raw_body_is_rendered_as_text_and_kept_verbatim() {
        let req: Request = serde_json::from_value(json!({
            "method": "POST", "path": "/Users",
            "raw_body": "{\"userName\": \"{{name}}\", "
        }))
        .unwrap();
        let mut vars = Vars::default();
        vars.insert("name", json!("scimcheck-r-a"));
        let p = prepare(&req, &BTreeMap::new(), &vars).unwrap();
        assert_eq!(
            p.raw_body.as_deref(),
            Some("{\"userName\": \"scimcheck-r-a\", ")
        );
        assert_eq!(p.body, None);
        assert!(p.has_body());
    }

    #[test]
    fn prepare_renders_everything() {
        let req: Request = serde_json::from_value(json!({
            "method": "PUT", "path": "/Users/{{id}}",
            "query": {"count": 100, "filter": "userName eq \"{{name}}\""},
            "headers": {"Authorization": null, "X-A": "{{id}}"},
            "body": "{{fetched}}", "set": {"/name/familyName": "{{name}}"}, "remove": ["/meta"]
        }))
        .unwrap();
        let mut vars = Vars::default();
        vars.insert("id", json!("u1"));
        vars.insert("name", json!("N"));
        vars.insert(
            "fetched",
            json!({"id": "u1", "meta": {}, "name": {"givenName": "G"}}),
        );
        let p = prepare(&req, &BTreeMap::new(), &vars).unwrap();
        assert_eq!(p.path, "/Users/u1");
        assert_eq!(
            p.query,
            vec![
                ("count".into(), "100".into()),
                ("filter".into(), "userName eq \"N\"".into())
            ]
        );
        assert_eq!(
            p.headers,
            vec![
                ("Authorization".into(), None),
                ("X-A".into(), Some("u1".into()))
            ]
        );
        assert_eq!(
            p.body,
            Some(json!({"id": "u1", "name": {"givenName": "G", "familyName": "N"}}))
        );
    }

    #[test]
    fn repeat_appends_a_captured_number_of_copies_plus_some() {
        let req: Request = serde_json::from_value(json!({
            "method": "POST", "path": "/Bulk",
            "body": {"Operations": [{"first": true}]},
            "repeat": {"into": "/Operations", "times": "{{max}}", "plus": 1,
                       "item": {"bulkId": "op{{repeat.index}}", "name": "{{name}}-{{repeat.index}}"}}
        }))
        .unwrap();
        let mut vars = Vars::default();
        vars.insert("max", json!(2));
        vars.insert("name", json!("n"));
        let p = prepare(&req, &BTreeMap::new(), &vars).unwrap();
        let ops = p.body.unwrap()["Operations"].as_array().unwrap().clone();
        assert_eq!(ops.len(), 4);
        assert_eq!(ops[3], json!({"bulkId": "op3", "name": "n-3"}));
        vars.insert("max", json!("1000"));
        let e = prepare(&req, &BTreeMap::new(), &vars).unwrap_err();
        assert!(e.to_string().contains("1001 copies"), "{e}");
        vars.insert("max", json!("many"));
        let e = prepare(&req, &BTreeMap::new(), &vars).unwrap_err();
        assert!(e.to_string().contains("not a whole number"), "{e}");
    }
}
