//! The steps of one section: a resource created with every attribute of one schema the run
//! can generate and read back; a duplicate of each unique value, a create without each
//! required attribute, readOnly values sent; then each attribute replaced, removed and added
//! by PATCH, each read back; and an attribute no schema defines.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::published::{Attr, Mutability};
use super::readback::{read_back, removed};
use super::rules;
use super::section::{assert, dotted, get, patch_body, send, step, Built, Section};
use super::values::{comparable, ignore_case, unsafe_reason, value};

/// Up to six requests per attribute: a schema publishing thousands must not make a run
/// endless.
const MAX_ATTRIBUTES: usize = 100;

/// What every step of a section refers to.
struct Ctx<'a> {
    section: &'a Section<'a>,
    scenario: &'a str,
    /// Step ids of an extension start with its name.
    label: String,
    /// The create every other step needs.
    create: Vec<String>,
    /// `/Users/{{id}}` of the created resource.
    resource: String,
}

impl Ctx<'_> {
    fn id_of(&self, attr: &Attr) -> String {
        format!("{}.{}", self.scenario, dotted(self.section, &attr.name))
    }

    fn post(&self, body: Value) -> Value {
        send("POST", self.section.kind.endpoint(), body)
    }
}

/// The steps of `section`; check ids start with `scenario`.
pub fn build(section: &Section, scenario: &str) -> Built {
    let mut built = Built::default();
    let mut sent: Vec<(&Attr, Value)> = Vec::new();
    let mut read_only: Vec<(&Attr, Value)> = Vec::new();
    let attrs = &section.schema().attrs;
    if attrs.len() > MAX_ATTRIBUTES {
        built.notes.push(format!(
            "{}: only its first {MAX_ATTRIBUTES} of {} attributes",
            section.schema().id,
            attrs.len()
        ));
    }
    for attr in attrs.iter().take(MAX_ATTRIBUTES) {
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
    let label = section.label();
    let ctx = Ctx {
        section,
        scenario,
        create: vec![format!("{label}create")],
        resource: section.resource(),
        label,
    };
    let kept = create_and_read(&ctx, &sent, &mut built);
    probes(&ctx, &sent, &read_only, &mut built);
    if section.patch {
        // An attribute's PATCH steps build on its value being kept by the create.
        let needs = |attr: &Attr| {
            let mut needs = ctx.create.clone();
            needs.extend(kept.get(&attr.name).into_iter().flatten().cloned());
            needs
        };
        if let Some(name) = section.core.attrs.iter().find(|a| section.is_name(a)) {
            let first = json!(section.name_value("attrs"));
            patches(&ctx, name, &first, &needs(name), &mut built);
        }
        for (attr, first) in &sent {
            patches(&ctx, attr, first, &needs(attr), &mut built);
        }
        if section.extension.is_none() {
            unknown(&ctx, &mut built);
        }
    }
    built
}

/// One create with every attribute at once; each read-back check still names its attribute.
/// A value the read does not show may have been ignored (RFC 7644 §3.3): the read reports
/// those once, and each attribute's later steps need its read-back asserts, by attribute.
fn create_and_read(
    ctx: &Ctx,
    sent: &[(&Attr, Value)],
    built: &mut Built,
) -> BTreeMap<String, Vec<String>> {
    let (section, label) = (ctx.section, &ctx.label);
    let what = &section.schema().name;
    let mut create = step(
        ctx.create[0].clone(),
        format!(
            "Create a {:?} with every generated {what} attribute",
            section.kind
        ),
        rules::CREATE,
        &[],
        ctx.post(section.body("attrs", sent, None)),
        &[201],
    );
    create["capture"] = json!({ section.capture(): "/id" });
    // A writeOnly value echoed by the create is left to the reads (and, for a password, to
    // the rule that watches every response): a failed assert here would skip every read.
    built.steps.push(create);
    let mut read = step(
        format!("{label}read"),
        format!("Every {what} attribute sent comes back"),
        rules::RETURNED,
        &ctx.create,
        get(&ctx.resource),
        &[200],
    );
    let mut asserts: Vec<Value> = Vec::new();
    let mut kept: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let name = section.core.attrs.iter().find(|a| section.is_name(a));
    let name_value = json!(section.name_value("attrs"));
    let all = name.map(|n| (n, &name_value)).into_iter();
    for (a, v) in all.chain(sent.iter().map(|(a, v)| (*a, v))) {
        let mut mine = read_back(section, a, v, &ctx.id_of(a), "created", rules::CREATE);
        // A value never returned is held to that rule, which no server may ignore.
        if !a.never_returned() {
            for assert in &mut mine {
                assert["may_ignore"] = json!(true);
            }
            let ids = mine
                .iter()
                .filter_map(|m| m["id"].as_str().map(String::from));
            kept.insert(a.name.clone(), ids.collect());
        }
        asserts.extend(mine);
    }
    read["expect"]["asserts"] = json!(asserts);
    built.steps.push(read);
    kept
}

/// Creates that must be refused or must not store what they carry.
fn probes(ctx: &Ctx, sent: &[(&Attr, Value)], read_only: &[(&Attr, Value)], built: &mut Built) {
    let (section, label) = (ctx.section, &ctx.label);
    // A second create with a unique value the first one holds (the name: the same name).
    let name = section
        .core
        .attrs
        .iter()
        .filter(|a| section.is_name(a))
        .map(|a| (a, section.body("attrs", &[], None)));
    let unique = sent
        .iter()
        .filter(|(a, _)| !a.multi && a.kind == "string")
        .map(|(a, v)| (*a, section.body("duplicate", &[(a, v.clone())], None)));
    for (attr, body) in name.chain(unique).filter(|(a, _)| a.uniqueness != "none") {
        let path = section.patch_path(&attr.name);
        built.steps.push(step(
            format!("{label}{}.duplicate", attr.name),
            format!("A second resource with the same {path} is refused"),
            rules::UNIQUE,
            &ctx.create,
            ctx.post(body),
            &[409],
        ));
    }
    for (attr, _) in sent.iter().filter(|(a, _)| a.required) {
        let variant = format!("no-{}", attr.name.to_ascii_lowercase());
        let mut s = step(
            format!("{label}{}.required", attr.name),
            format!(
                "A create without the required {} is refused",
                section.patch_path(&attr.name)
            ),
            rules::REQUIRED,
            &[],
            ctx.post(section.body(&variant, &[], Some(&attr.name))),
            &[400],
        );
        s["expect"]["status_warning"] = json!([201]);
        built.steps.push(s);
    }
    if read_only.is_empty() {
        return;
    }
    let mut s = step(
        format!("{label}read-only"),
        "readOnly attributes sent in a create are ignored".into(),
        rules::READ_ONLY,
        &[],
        ctx.post(section.body("read-only", read_only, None)),
        &[201],
    );
    s["expect"]["unsupported_if_status"] = json!({"400": "the server refuses a create that carries readOnly attributes instead of ignoring them"});
    s["expect"]["asserts"] = read_only
        .iter()
        .map(|(a, v)| {
            let (op, operand) = match (a.multi, v) {
                (true, Value::Array(items)) => {
                    ("not_contains", items.first().cloned().unwrap_or_default())
                }
                _ => ("not_equals", v.clone()),
            };
            assert(
                format!("{}.read-only", ctx.id_of(a)),
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

/// PATCH replace, remove and add of `attr` (created with `first`), each read back; each
/// write needs `needs`.
fn patches(ctx: &Ctx, attr: &Attr, first: &Value, needs: &[String], built: &mut Built) {
    // The name a resource is known by keeps the run's prefix when renamed.
    let second = if ctx.section.is_name(attr) {
        Ok(json!(ctx.section.name_value("renamed")))
    } else {
        value(attr, false)
    };
    let section = ctx.section;
    let path = section.patch_path(&attr.name);
    if attr.mutability == Mutability::Immutable {
        built
            .notes
            .push(format!("{path}: immutable, so not modified by PATCH"));
        return;
    }
    let Ok(second) = second else {
        return;
    };
    let id = ctx.id_of(attr);
    let base = format!("{}{}", ctx.label, attr.name);
    // Each write, then the read that checks it (skipped if the write failed).
    let mut write_then_read =
        |op: &str, sent: Option<&Value>, reference: &str, after: &str, asserts: Vec<Value>| {
            let write = format!("{base}.{op}");
            built.steps.push(step(
                write.clone(),
                format!("PATCH {op} {path}"),
                reference,
                needs,
                send("PATCH", &ctx.resource, patch_body(op, &path, sent.cloned())),
                &[200, 204],
            ));
            let mut read = step(
                format!("{base}.{after}"),
                format!("{path} read back after PATCH {op}"),
                reference,
                &[write],
                get(&ctx.resource),
                &[200],
            );
            read["expect"]["asserts"] = json!(asserts);
            built.steps.push(read);
        };
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
    write_then_read(
        "replace",
        Some(&second),
        rules::REPLACE,
        "replaced",
        asserts,
    );
    // A value never returned cannot be seen gone or back; a required one is not removed.
    if attr.never_returned() {
        return;
    }
    if !attr.required {
        let asserts = removed(section, attr, first, &id);
        write_then_read("remove", None, rules::REMOVE, "removed", asserts);
    }
    let asserts = read_back(section, attr, first, &id, "added", rules::ADD);
    write_then_read("add", Some(first), rules::ADD, "added", asserts);
}

/// An attribute no schema defines: refused, or ignored; never stored.
fn unknown(ctx: &Ctx, built: &mut Built) {
    let unknown = "scimcheckUnknownAttribute";
    let add = "unknown-attribute.add".to_string();
    built.steps.push(step(
        add.clone(),
        "PATCH add an attribute no schema defines".into(),
        rules::UNKNOWN,
        &ctx.create,
        send(
            "PATCH",
            &ctx.resource,
            patch_body("add", unknown, Some(json!("{{scenario.prefix}}unknown"))),
        ),
        &[200, 204, 400],
    ));
    let mut read = step(
        "unknown-attribute.read".into(),
        "The unknown attribute is not stored".into(),
        rules::UNKNOWN,
        &[add],
        get(&ctx.resource),
        &[200],
    );
    read["expect"]["asserts"] = json!([assert(
        format!("{}.unknown-attribute.not-stored", ctx.scenario),
        format!("/{unknown}"),
        "absent",
        json!(true),
        "warning",
        rules::UNKNOWN.into(),
        "Refuse an attribute no schema defines (400 invalidPath) or ignore it; do not store and return it.".into(),
    )]);
    built.steps.push(read);
}
