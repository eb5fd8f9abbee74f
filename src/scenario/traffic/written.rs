//! What the recorded requests wrote to each resource, and the asserts that hold a replay to
//! it: for each attribute a request wrote, the value the recorded answer carried. Never a
//! volatile field (ids, `meta`, versions), never a value the answer did not carry.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::rewrite::Rewriter;

/// Attributes a request never writes as data the replay can check.
const NOT_DATA: [&str; 5] = ["schemas", "id", "meta", "password", "groups"];

/// How an attribute was last written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    /// In the create: RFC 7644 §3.3 lets a server "alter and/or ignore POSTed content".
    Created,
    /// By a PUT (RFC 7644 §3.5.1).
    Put,
    /// By a PATCH (RFC 7644 §3.5.2).
    Patch,
}

/// One attribute written: its path segments as written, how, and by which step.
#[derive(Debug, Clone, PartialEq)]
struct Attr {
    path: Vec<String>,
    how: How,
    step: usize,
}

/// The attributes written so far, per recorded resource id.
#[derive(Debug, Default)]
pub(super) struct Written {
    by_id: HashMap<String, Vec<Attr>>,
}

/// The asserts on one answer, and the steps whose writes they hold the replay to: where one
/// of those failed, the read shows its failure again, so the read needs them.
#[derive(Debug, Default)]
pub(super) struct Held {
    pub asserts: Vec<Value>,
    pub writers: Vec<usize>,
}

impl Written {
    /// A create or PUT wrote the whole resource.
    pub fn replace(&mut self, id: &str, body: &Value, how: How, step: usize) {
        let attrs = body_paths(body)
            .into_iter()
            .map(|path| Attr { path, how, step })
            .collect();
        self.by_id.insert(id.to_string(), attrs);
    }

    /// A PATCH wrote what its operations name.
    pub fn patch(&mut self, id: &str, body: &Value, step: usize) {
        let attrs = self.by_id.entry(id.to_string()).or_default();
        for op in body
            .get("Operations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = op
                .get("op")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_ascii_lowercase();
            let paths = match (op.get("path").and_then(Value::as_str), op.get("value")) {
                (Some(path), _) => vec![attribute_path(path)],
                (None, Some(value)) => body_paths(value),
                (None, None) => Vec::new(),
            };
            for path in paths.into_iter().filter(|p| !p.is_empty()) {
                attrs.retain(|a| !same_path(&a.path, &path));
                if kind != "remove" {
                    attrs.push(Attr {
                        path,
                        how: How::Patch,
                        step,
                    });
                }
            }
        }
    }

    /// The resource is gone.
    pub fn forget(&mut self, id: &str) {
        self.by_id.remove(id);
    }

    /// The asserts on `resource` (found at `base` in the answer) for what was written to it:
    /// each the value the recorded answer carried.
    pub fn asserts(
        &self,
        id: &str,
        resource: &Value,
        base: &str,
        group: bool,
        step: &str,
        rw: &mut Rewriter,
    ) -> Held {
        let mut held = Held::default();
        let out = &mut held.asserts;
        for Attr {
            path,
            how,
            step: writer,
        } in self.by_id.get(id).into_iter().flatten()
        {
            let Some((pointer, value)) = find(resource, path) else {
                continue;
            };
            if !held.writers.contains(writer) {
                held.writers.push(*writer);
            }
            let name = path.join(".");
            let core = is_core(&name, group);
            let base_assert = |id: String| {
                let mut a = Map::new();
                a.insert("id".into(), json!(id));
                a.insert("pointer".into(), json!(format!("{base}{pointer}")));
                a
            };
            let slug = slug(&name);
            match value {
                Value::Array(items) => {
                    for (n, item) in items.iter().enumerate() {
                        let wanted = match item {
                            Value::Object(o) => match o.get("value") {
                                // A member the replay cannot name (one the recording did not
                                // create) says nothing about it.
                                Some(Value::String(v))
                                    if slug == "members" && !rw.ids.contains_key(v) =>
                                {
                                    continue
                                }
                                Some(v @ Value::String(_)) => json!({ "value": rw.json(v) }),
                                _ => continue,
                            },
                            Value::Array(_) | Value::Null => continue,
                            scalar => rw.json(scalar),
                        };
                        let mut a = base_assert(format!("{step}.{slug}.{}", n + 1));
                        a.insert("contains".into(), wanted);
                        finish(&mut a, &name, *how, core);
                        out.push(Value::Object(a));
                    }
                }
                Value::Object(_) | Value::Null => {}
                scalar => {
                    let mut a = base_assert(format!("{step}.{slug}"));
                    a.insert("equals".into(), rw.json(scalar));
                    if scalar.is_string() {
                        // RFC 7643 §2.2: caseExact defaults to false.
                        a.insert("ignore_case".into(), json!(true));
                    }
                    finish(&mut a, &name, *how, core);
                    out.push(Value::Object(a));
                }
            }
        }
        held
    }
}

/// Severity, reference and hint by how the attribute was written and whether the IdP's
/// provisioning relies on it.
fn finish(a: &mut Map<String, Value>, name: &str, how: How, core: bool) {
    let (reference, verb) = match how {
        How::Created => ("RFC 7644 §3.3; recorded IdP traffic", "create"),
        How::Put => ("RFC 7644 §3.5.1; recorded IdP traffic", "PUT"),
        How::Patch => ("RFC 7644 §3.5.2; recorded IdP traffic", "PATCH"),
    };
    a.insert("reference".into(), json!(reference));
    a.insert(
        "hint".into(),
        json!(format!(
            "Keep `{name}` as the IdP's {verb} wrote it: the recorded server answered this value."
        )),
    );
    match (how, core) {
        // The IdP matches and deprovisions by these: losing one breaks it.
        (_, true) => {}
        (How::Created, false) => {
            a.insert("may_ignore".into(), json!(true));
        }
        // A server may not support every attribute: when unsure, a warning.
        (How::Put | How::Patch, false) => {
            a.insert("severity".into(), json!("warning"));
        }
    }
}

/// The attributes an IdP's provisioning relies on: a user's identity and whether it is
/// active, a group's name and members.
fn is_core(name: &str, group: bool) -> bool {
    let name = name.to_ascii_lowercase();
    match group {
        false => name == "username" || name == "active",
        true => name == "displayname" || name == "members",
    }
}

/// An assert id part: lowercase letters, digits and `-`.
fn slug(name: &str) -> String {
    let tail = name.rsplit(':').next().unwrap_or(name);
    let s: String = tail
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '-',
        })
        .collect();
    s.trim_matches('-').to_string()
}

/// The attribute paths a whole-resource body (or a path-less PATCH value) writes.
fn body_paths(body: &Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    if let Value::Object(map) = body {
        for (key, value) in map {
            if NOT_DATA.iter().any(|n| n.eq_ignore_ascii_case(key)) {
                continue;
            }
            let path = attribute_path(key);
            match value {
                // An extension's attributes, or a complex attribute's sub-attributes.
                Value::Object(inner) if !inner.is_empty() => {
                    for sub in body_paths(value) {
                        out.push(path.iter().cloned().chain(sub).collect());
                    }
                }
                _ if !path.is_empty() => out.push(path),
                _ => {}
            }
        }
    }
    out
}

/// `name.givenName` → [name, givenName]; `urn:…:User:manager.value` → [urn:…:User, manager,
/// value]; `emails[type eq "work"].value` → [emails] (a multi-valued attribute is checked whole).
fn attribute_path(path: &str) -> Vec<String> {
    let (urn, attr) = match path.to_ascii_lowercase().starts_with("urn:") {
        true => match path.rfind(':') {
            // `urn:…:User` alone names the extension itself.
            Some(i)
                if path[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase()) =>
            {
                (Some(&path[..i]), &path[i + 1..])
            }
            _ => (Some(path), ""),
        },
        false => (None, path),
    };
    let mut out: Vec<String> = urn.map(str::to_string).into_iter().collect();
    for segment in attr.split('.').filter(|s| !s.is_empty()) {
        if let Some(i) = segment.find('[') {
            out.push(segment[..i].to_string());
            return out;
        }
        out.push(segment.to_string());
    }
    out
}

fn same_path(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// The value at `path` in `resource`, keys matched regardless of case (RFC 7643 §2.1), and
/// the JSON pointer to it as the answer spells it.
fn find<'a>(resource: &'a Value, path: &[String]) -> Option<(String, &'a Value)> {
    let mut at = resource;
    let mut pointer = String::new();
    for segment in path {
        let (key, value) = at
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(segment))?;
        pointer.push('/');
        pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
        at = value;
    }
    Some((pointer, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_bodies_patch_paths_and_extensions() {
        let body = json!({
            "schemas": ["x"], "userName": "a", "name": {"givenName": "A", "familyName": "B"},
            "emails": [{"value": "a@x"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "D"}
        });
        let mut paths = body_paths(&body);
        paths.sort();
        assert_eq!(paths.len(), 5);
        assert!(paths.contains(&vec!["name".to_string(), "givenName".to_string()]));
        assert!(paths.contains(&vec![
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_string(),
            "department".to_string()
        ]));
        assert_eq!(
            attribute_path(r#"emails[type eq "work"].value"#),
            vec!["emails"]
        );
        assert_eq!(
            attribute_path(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
            ),
            vec![
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                "manager",
                "value"
            ]
        );
    }

    #[test]
    fn a_patch_rewrites_what_it_names_and_a_remove_forgets_it() {
        let mut w = Written::default();
        w.replace(
            "1",
            &json!({"userName": "a", "active": true, "title": "t"}),
            How::Created,
            0,
        );
        w.patch(
            "1",
            &json!({"Operations": [
                {"op": "Replace", "value": {"active": false}},
                {"op": "remove", "path": "title"}
            ]}),
            1,
        );
        let attrs = &w.by_id["1"];
        let has = |name: &str, how: How, step: usize| {
            attrs.contains(&Attr {
                path: vec![name.to_string()],
                how,
                step,
            })
        };
        assert!(has("active", How::Patch, 1));
        assert!(has("userName", How::Created, 0));
        assert!(!attrs.iter().any(|a| a.path[0] == "title"));
    }

    #[test]
    fn asserts_carry_the_answered_value_and_a_severity_by_how_it_was_written() {
        let mut w = Written::default();
        w.replace(
            "1",
            &json!({"userName": "a", "title": "t", "emails": [{"value": "a@x"}]}),
            How::Created,
            0,
        );
        w.patch(
            "1",
            &json!({"Operations": [{"op": "replace", "path": "active", "value": false}]}),
            3,
        );
        let answer = json!({"id": "1", "UserName": "A", "active": false, "emails": [{"value": "a@x", "primary": true}]});
        let mut rw = Rewriter::default();
        let held = w.asserts("1", &answer, "", false, "s1", &mut rw);
        assert_eq!(held.writers, vec![0, 3]);
        let asserts = held.asserts;
        let by_id = |id: &str| asserts.iter().find(|a| a["id"] == id).cloned().unwrap();
        // The answer's own spelling and value; title was not answered, so not asserted.
        assert_eq!(by_id("s1.username")["pointer"], "/UserName");
        assert_eq!(by_id("s1.username")["equals"], "A");
        assert!(by_id("s1.username").get("may_ignore").is_none());
        assert_eq!(by_id("s1.emails.1")["contains"], json!({"value": "a@x"}));
        assert_eq!(by_id("s1.emails.1")["may_ignore"], true);
        assert_eq!(by_id("s1.active")["equals"], false);
        assert!(by_id("s1.active").get("severity").is_none());
        assert_eq!(asserts.len(), 3);
    }
}
