//! What a read must show after a write: each attribute checked on its own, so a finding names
//! the attribute path.

use serde_json::{json, Value};

use super::published::Attr;
use super::rules;
use super::section::{assert, Section};
use super::values::{comparable, ignore_case};

/// What a read after writing `sent` to `attr` must show: `phase` names the write.
pub(super) fn read_back(
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

/// What a read after PATCH remove of `attr` (created with `sent`) must show: no value. A
/// complex attribute may come back as `{}`, so each of its sub-attributes is checked gone. A
/// boolean that comes back may be the server's default ([`rules::REMOVE_BOOLEAN`]): a note.
pub(super) fn removed(section: &Section, attr: &Attr, sent: &Value, id: &str) -> Vec<Value> {
    let path = section.patch_path(&attr.name);
    let pointer = section.pointer(&attr.name);
    let gone = |id: String, pointer: String, was: &Value| {
        let op = if attr.multi { "length" } else { "absent" };
        let operand = if attr.multi { json!(0) } else { json!(true) };
        if was.is_boolean() {
            return assert(
                id,
                pointer,
                op,
                operand,
                "info",
                rules::REMOVE_BOOLEAN.into(),
                format!("Nothing to fix: after PATCH remove of {path} a boolean may take the server's default value."),
            );
        }
        assert(
            id,
            pointer,
            op,
            operand,
            "error",
            rules::REMOVE.into(),
            format!("After PATCH remove of {path}, it has no value."),
        )
    };
    match (attr.multi, sent) {
        (true, _) => vec![gone(format!("{id}.removed"), pointer, sent)],
        (false, Value::Object(subs)) => subs
            .iter()
            .map(|(sub, was)| {
                gone(
                    format!("{id}.{sub}.removed"),
                    format!("{pointer}/{sub}"),
                    was,
                )
            })
            .collect(),
        (false, _) => vec![gone(format!("{id}.removed"), pointer, sent)],
    }
}
