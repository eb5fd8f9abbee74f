//! The steps of one section: a resource of one kind created with every attribute of one
//! schema the run can generate, read back, then each attribute replaced, removed and added by
//! PATCH and read back. Steps are built as the JSON of a scenario file, so they are parsed
//! and validated like any file's.

use serde_json::{json, Map, Value};

use super::published::{Attr, Mutability, Schema};
use super::rules;
use super::values::{comparable, ignore_case, unsafe_reason, value};
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
fn dotted(section: &Section, attr: &str) -> String {
    match section.extension {
        Some(ext) => format!("{}.{attr}", ext.name),
        None => attr.to_string(),
    }
}

impl Section<'_> {
    fn schema(&self) -> &Schema {
        self.extension.unwrap_or(self.core)
    }

    /// Step ids of an extension start with its lowercased name.
    fn label(&self) -> String {
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

    fn capture(&self) -> String {
        format!("{}id", self.label().replace('.', "_"))
    }

    fn pointer(&self, attr: &str) -> String {
        let esc = |s: &str| s.replace('~', "~0").replace('/', "~1");
        match self.extension {
            Some(ext) => format!("/{}/{}", esc(&ext.id), esc(attr)),
            None => format!("/{}", esc(attr)),
        }
    }

    fn patch_path(&self, attr: &str) -> String {
        match self.extension {
            Some(ext) => format!("{}:{attr}", ext.id),
            None => attr.to_string(),
        }
    }

    fn name_value(&self, variant: &str) -> String {
        let base = format!(
            "{{{{scenario.prefix}}}}{}{variant}",
            self.label().replace('.', "-")
        );
        match self.kind {
            ResourceKind::User => format!("{base}@example.com"),
            ResourceKind::Group => base,
        }
    }

    fn is_name(&self, attr: &Attr) -> bool {
        self.extension.is_none() && attr.name.eq_ignore_ascii_case(self.kind.name_attribute())
    }

    fn resource(&self) -> String {
        format!("{}/{{{{{}}}}}", self.kind.endpoint(), self.capture())
    }

    /// A create body: the name `variant`, the core's required attributes (but `without`),
    /// and `attrs`.
    fn body(&self, variant: &str, attrs: &[(&Attr, Value)], without: Option<&str>) -> Value {
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

fn assert(
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

/// What a read after writing `sent` to `attr` must show: `phase` names the write.
fn read_back(
    section: &Section,
    attr: &Attr,
    sent: &Value,
    id: &str,
    phase: &str,
    reference: &str,
) -> Vec<Value> {
    let pointer = section.pointer(&attr.name);
    let path = section.patch_path(&attr.name);
    if attr.never_returned() {
        return vec![assert(
            format!("{id}.never-returned"),
            pointer,
            "absent",
            json!(true),
            "error",
            rules::NEVER.into(),
            format!("{path} is writeOnly or returned \"never\": store it, but never return it."),
        )];
    }
    if !attr.returned_by_default() {
        return vec![];
    }
    let reference = format!("{}; {reference}", rules::RETURNED);
    let case = |a: &Attr| {
        if a.kind == "string" && a.case_exact {
            format!("{reference}{}", rules::CASE_EXACT)
        } else {
            reference.clone()
        }
    };
    let hint = |p: &str| {
        format!("{p} is published as readWrite and returned by default: store the value the {phase} sent and return it.")
    };
    let mut out = Vec::new();
    match (attr.multi, sent) {
        (true, Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let suffix = if i == 0 {
                    String::new()
                } else {
                    format!(".element-{}", i + 1)
                };
                let Some(expected) = comparable(attr, item) else {
                    continue;
                };
                let mut a = assert(
                    format!("{id}.{phase}{suffix}"),
                    pointer.clone(),
                    "contains",
                    expected,
                    "error",
                    case(attr),
                    hint(&path),
                );
                a["ignore_case"] = json!(ignore_case(attr));
                out.push(a);
            }
        }
        (false, Value::Object(obj)) => {
            for (sub, v) in obj {
                let Some(s) = attr.sub.iter().find(|s| s.name == *sub) else {
                    continue;
                };
                if !s.returned_by_default() || comparable(s, v).is_none() {
                    continue;
                }
                let mut a = assert(
                    format!("{id}.{sub}.{phase}"),
                    format!("{pointer}/{sub}"),
                    "equals",
                    v.clone(),
                    "error",
                    case(s),
                    hint(&format!("{path}.{sub}")),
                );
                a["ignore_case"] = json!(s.kind == "string" && !s.case_exact);
                out.push(a);
            }
        }
        (_, v) => {
            let mut a = match comparable(attr, v) {
                Some(expected) => assert(
                    format!("{id}.{phase}"),
                    pointer,
                    "equals",
                    expected,
                    "error",
                    case(attr),
                    hint(&path),
                ),
                // A dateTime may come back in another RFC 3339 form: present is what is sure.
                None => assert(
                    format!("{id}.{phase}"),
                    pointer,
                    "exists",
                    json!(true),
                    "error",
                    reference.clone(),
                    hint(&path),
                ),
            };
            a["ignore_case"] = json!(attr.kind == "string" && !attr.case_exact);
            out.push(a);
        }
    }
    out
}

fn step(
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

fn get(path: &str) -> Value {
    json!({"method": "GET", "path": path})
}

fn send(method: &str, path: &str, body: Value) -> Value {
    json!({"method": method, "path": path, "body": body})
}

fn patch_body(op: &str, path: &str, value: Option<Value>) -> Value {
    let mut operation = json!({"op": op, "path": path});
    if let Some(v) = value {
        operation["value"] = v;
    }
    json!({"schemas": [urn::PATCH_OP], "Operations": [operation]})
}

/// The steps of `section`; check ids start with `scenario`.
pub fn build(section: &Section, scenario: &str) -> Built {
    let mut built = Built::default();
    let label = section.label();
    let mut sent: Vec<(&Attr, Value)> = Vec::new();
    let mut read_only: Vec<(&Attr, Value)> = Vec::new();
    for attr in &section.schema().attrs {
        if section.is_name(attr) {
            continue;
        }
        let path = section.patch_path(&attr.name);
        match (unsafe_reason(attr), value(attr, true)) {
            (Some(why), _) | (None, Err(why)) => built.notes.push(format!("{path}: {why}")),
            (None, Ok(v)) if attr.writable() => sent.push((attr, v)),
            (None, Ok(v)) => read_only.push((attr, v)),
        }
    }
    let id_of = |a: &Attr| format!("{scenario}.{}", dotted(section, &a.name));
    let resource = section.resource();
    let what = section.schema().name.clone();

    // Create with every attribute at once: each read-back check still names its attribute.
    let mut create = step(
        format!("{label}create"),
        format!(
            "Create a {:?} with every generated {what} attribute",
            section.kind
        ),
        rules::CREATE,
        &[],
        send(
            "POST",
            section.kind.endpoint(),
            section.body("attrs", &sent, None),
        ),
        &[201],
    );
    create["capture"] = json!({ section.capture(): "/id" });
    create["expect"]["asserts"] = sent
        .iter()
        .filter(|(a, _)| a.never_returned())
        .map(|(a, _)| assert(format!("{}.never-returned.create", id_of(a)), section.pointer(&a.name), "absent", json!(true), "error", rules::NEVER.into(), format!("{} is writeOnly or returned \"never\": do not echo it in the create's response.", section.patch_path(&a.name))))
        .collect();
    let create_id = format!("{label}create");
    built.steps.push(create);
    let mut read = step(
        format!("{label}read"),
        format!("Every {what} attribute sent comes back"),
        rules::RETURNED,
        std::slice::from_ref(&create_id),
        get(&resource),
        &[200],
    );
    let mut asserts: Vec<Value> = sent
        .iter()
        .flat_map(|(a, v)| read_back(section, a, v, &id_of(a), "created", rules::CREATE))
        .collect();
    if let Some(name) = section.core.attrs.iter().find(|a| section.is_name(a)) {
        asserts.splice(
            0..0,
            read_back(
                section,
                name,
                &json!(section.name_value("attrs")),
                &id_of(name),
                "created",
                rules::CREATE,
            ),
        );
    }
    read["expect"]["asserts"] = json!(asserts);
    built.steps.push(read);

    // A second create with a unique value the first one holds.
    for (attr, v) in sent
        .iter()
        .filter(|(a, _)| a.uniqueness != "none" && !a.multi && a.kind == "string")
    {
        let body = section.body("duplicate", &[(attr, v.clone())], None);
        built.steps.push(step(
            format!("{label}{}.duplicate", attr.name),
            format!(
                "A second resource with the same {} is refused",
                section.patch_path(&attr.name)
            ),
            rules::UNIQUE,
            std::slice::from_ref(&create_id),
            send("POST", section.kind.endpoint(), body),
            &[409],
        ));
    }
    if section.extension.is_none() {
        let all: Vec<&Attr> = section.core.attrs.iter().collect();
        if let Some(attr) = all
            .iter()
            .find(|a| section.is_name(a) && a.uniqueness != "none")
        {
            let body = section.body("attrs", &[], None);
            built.steps.push(step(
                format!("{}.duplicate", attr.name),
                format!("A second resource with the same {} is refused", attr.name),
                rules::UNIQUE,
                std::slice::from_ref(&create_id),
                send("POST", section.kind.endpoint(), body),
                &[409],
            ));
        }
    }
    // A create without a required attribute.
    for (attr, _) in sent.iter().filter(|(a, _)| a.required) {
        let body = section.body(
            &format!("no-{}", attr.name.to_ascii_lowercase()),
            &[],
            Some(&attr.name),
        );
        let mut s = step(
            format!("{label}{}.required", attr.name),
            format!(
                "A create without the required {} is refused",
                section.patch_path(&attr.name)
            ),
            rules::REQUIRED,
            &[],
            send("POST", section.kind.endpoint(), body),
            &[400],
        );
        s["expect"]["status_warning"] = json!([201]);
        built.steps.push(s);
    }
    // readOnly values sent in a create are ignored (or the create refused).
    if !read_only.is_empty() {
        let mut s = step(
            format!("{label}read-only"),
            "readOnly attributes sent in a create are ignored".into(),
            rules::READ_ONLY,
            &[],
            send(
                "POST",
                section.kind.endpoint(),
                section.body("read-only", &read_only, None),
            ),
            &[201],
        );
        s["expect"]["unsupported_if_status"] = json!({"400": "the server refuses a create that carries readOnly attributes instead of ignoring them"});
        s["expect"]["asserts"] = read_only
            .iter()
            .map(|(a, v)| {
                let op = if a.multi {
                    "not_contains"
                } else {
                    "not_equals"
                };
                let operand = match (a.multi, v) {
                    (true, Value::Array(items)) => items.first().cloned().unwrap_or(Value::Null),
                    _ => v.clone(),
                };
                assert(
                    format!("{}.read-only", id_of(a)),
                    section.pointer(&a.name),
                    op,
                    operand,
                    "error",
                    rules::READ_ONLY.into(),
                    format!(
                        "{} is readOnly: ignore the value a client sends.",
                        section.patch_path(&a.name)
                    ),
                )
            })
            .collect();
        built.steps.push(s);
    }

    for (attr, first) in &sent {
        let path = section.patch_path(&attr.name);
        let id = id_of(attr);
        let step_base = format!("{label}{}", attr.name);
        if !section.patch {
            continue;
        }
        if attr.mutability == Mutability::Immutable {
            built
                .notes
                .push(format!("{path}: immutable, so not modified by PATCH"));
            continue;
        }
        let Ok(second) = value(attr, false) else {
            continue;
        };
        let replace = format!("{step_base}.replace");
        built.steps.push(step(
            replace.clone(),
            format!("PATCH replace {path}"),
            rules::REPLACE,
            std::slice::from_ref(&create_id),
            send(
                "PATCH",
                &resource,
                patch_body("replace", &path, Some(second.clone())),
            ),
            &[200, 204],
        ));
        let mut replaced = step(
            format!("{step_base}.replaced"),
            format!("{path} reads back as replaced"),
            rules::REPLACE,
            std::slice::from_ref(&replace),
            get(&resource),
            &[200],
        );
        let mut asserts = read_back(section, attr, &second, &id, "replaced", rules::REPLACE);
        if let (true, Value::Array(old), Value::Array(new)) =
            (attr.multi && attr.returned_by_default(), first, &second)
        {
            // Replacing a multi-valued attribute drops the values it had.
            if let Some(gone) = old
                .first()
                .and_then(|o| comparable(attr, o))
                .filter(|o| !new.iter().any(|n| comparable(attr, n).as_ref() == Some(o)))
            {
                let mut a = assert(
                    format!("{id}.replaced.old-values-gone"),
                    section.pointer(&attr.name),
                    "not_contains",
                    gone,
                    "error",
                    rules::REPLACE.into(),
                    format!("PATCH replace of {path} without a filter replaces all its values."),
                );
                a["ignore_case"] = json!(ignore_case(attr));
                asserts.push(a);
            }
        }
        replaced["expect"]["asserts"] = json!(asserts);
        built.steps.push(replaced);
        if attr.never_returned() {
            continue;
        }
        if !attr.required {
            let remove = format!("{step_base}.remove");
            built.steps.push(step(
                remove.clone(),
                format!("PATCH remove {path}"),
                rules::REMOVE,
                std::slice::from_ref(&create_id),
                send("PATCH", &resource, patch_body("remove", &path, None)),
                &[200, 204],
            ));
            let mut removed = step(
                format!("{step_base}.removed"),
                format!("{path} is gone after its removal"),
                rules::REMOVE,
                std::slice::from_ref(&remove),
                get(&resource),
                &[200],
            );
            let (op, operand) = if attr.multi {
                ("length", json!(0))
            } else {
                ("absent", json!(true))
            };
            removed["expect"]["asserts"] = json!([assert(
                format!("{id}.removed"),
                section.pointer(&attr.name),
                op,
                operand,
                "error",
                rules::REMOVE.into(),
                format!("After PATCH remove of {path}, it has no value.")
            )]);
            built.steps.push(removed);
        }
        let add = format!("{step_base}.add");
        built.steps.push(step(
            add.clone(),
            format!("PATCH add {path}"),
            rules::ADD,
            std::slice::from_ref(&create_id),
            send(
                "PATCH",
                &resource,
                patch_body("add", &path, Some(first.clone())),
            ),
            &[200, 204],
        ));
        let mut added = step(
            format!("{step_base}.added"),
            format!("{path} reads back as added"),
            rules::ADD,
            std::slice::from_ref(&add),
            get(&resource),
            &[200],
        );
        added["expect"]["asserts"] =
            json!(read_back(section, attr, first, &id, "added", rules::ADD));
        built.steps.push(added);
    }

    // An attribute no schema defines: refused, or ignored; never stored.
    if section.patch && section.extension.is_none() {
        let unknown = "scimcheckUnknownAttribute";
        let add = "unknown-attribute.add".to_string();
        built.steps.push(step(
            add.clone(),
            "PATCH add an attribute no schema defines".into(),
            rules::UNKNOWN,
            std::slice::from_ref(&create_id),
            send(
                "PATCH",
                &resource,
                patch_body("add", unknown, Some(json!("{{scenario.prefix}}unknown"))),
            ),
            &[200, 204, 400],
        ));
        let mut read = step(
            "unknown-attribute.read".into(),
            "The unknown attribute is not stored".into(),
            rules::UNKNOWN,
            std::slice::from_ref(&add),
            get(&resource),
            &[200],
        );
        read["expect"]["asserts"] = json!([assert(format!("{scenario}.unknown-attribute.not-stored"), format!("/{unknown}"), "absent", json!(true), "warning", rules::UNKNOWN.into(), "Refuse an attribute no schema defines (400 invalidPath) or ignore it; do not store and return it.".into())]);
        built.steps.push(read);
    }
    built
}
