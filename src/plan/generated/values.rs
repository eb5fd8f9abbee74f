//! Values made from an attribute's published characteristics: its type, canonical values and
//! multi-valuedness. Three distinct values per attribute (`n` = 1, 2, 3) let a create, a
//! replace and an add each send something the others did not.

use serde_json::{json, Map, Value};

use super::published::{Attr, Mutability};

/// Attributes whose values name other resources or people: a made-up value could point at a
/// resource the run did not create, so they are never generated.
const RELATIONAL: [&str; 3] = ["members", "groups", "manager"];

/// Why `attr` is left out of the generated steps, if it is.
pub fn unsafe_reason(attr: &Attr) -> Option<String> {
    element(attr, None, 1).err()
}

/// The `n`th value of one element of `attr` (the whole value when it is single-valued).
pub fn element(attr: &Attr, parent: Option<&str>, n: usize) -> Result<Value, String> {
    // Bodies are templated before they are sent: a published name must not look like a
    // placeholder.
    if attr.name.contains(['{', '}']) {
        return Err("its name contains `{` or `}`".into());
    }
    if RELATIONAL.iter().any(|r| attr.name.eq_ignore_ascii_case(r)) && parent.is_none() {
        return Err(
            "its values name other resources, which a generated value cannot do safely".into(),
        );
    }
    let pick = |options: &[Value]| options[(n - 1) % options.len()].clone();
    let v = match attr.kind.as_str() {
        "string" => Value::String(string(attr, parent, n)),
        "boolean" => Value::Bool(n % 2 == 1),
        "decimal" => pick(&[json!(12.5), json!(7.25), json!(3.75)]),
        "integer" => pick(&[json!(42), json!(7), json!(1999)]),
        "datetime" => pick(&[
            json!("2024-05-06T07:08:09Z"),
            json!("2025-01-02T03:04:05Z"),
            json!("2023-03-04T05:06:07Z"),
        ]),
        // base64 of "scimcheck 1", "scimcheck 2", "scimcheck 3".
        "binary" => pick(&[
            json!("c2NpbWNoZWNrIDE="),
            json!("c2NpbWNoZWNrIDI="),
            json!("c2NpbWNoZWNrIDM="),
        ]),
        "reference" => {
            let external = attr
                .reference_types
                .iter()
                .all(|t| t.eq_ignore_ascii_case("external") || t.eq_ignore_ascii_case("uri"));
            if !external {
                return Err(format!(
                    "it references {} resources, which the run may only name once it created them",
                    attr.reference_types.join("/")
                ));
            }
            json!(format!("https://example.com/scimcheck/{}/{n}", attr.name))
        }
        "complex" => {
            let mut obj = Map::new();
            for sub in &attr.sub {
                // `primary` is the multi-valued attribute's to set, on one element only.
                if sub.mutability == Mutability::ReadOnly
                    || (attr.multi && sub.name.eq_ignore_ascii_case("primary"))
                {
                    continue;
                }
                if let Ok(v) = element(sub, Some(&attr.name), n) {
                    obj.insert(sub.name.clone(), v);
                }
            }
            if obj.is_empty() {
                return Err("none of its sub-attributes can be generated".into());
            }
            Value::Object(obj)
        }
        other => return Err(format!("`{other}` is not an RFC 7643 §2.3 data type")),
    };
    Ok(v)
}

fn string(attr: &Attr, parent: Option<&str>, n: usize) -> String {
    let canonical: Vec<&String> = attr
        .canonical
        .iter()
        .filter(|c| !c.contains(['{', '}']))
        .collect();
    if !canonical.is_empty() {
        return canonical[(n - 1) % canonical.len()].clone();
    }
    let name = attr.name.to_ascii_lowercase();
    let parent = parent.unwrap_or_default().to_ascii_lowercase();
    let pick = |options: [&str; 3]| options[(n - 1) % 3].to_string();
    // Values a server may validate get the shape it expects (the RFC 7643 §4.1 examples).
    match (parent.as_str(), name.as_str()) {
        ("emails", "value") => format!("{{{{scenario.prefix}}}}mail{n}@example.com"),
        ("phonenumbers", "value") => format!("tel:+1-201-555-01{n:02}"),
        (_, "locale" | "preferredlanguage") => pick(["en-US", "fr-FR", "de-DE"]),
        (_, "timezone") => pick(["America/Los_Angeles", "Europe/Paris", "Asia/Tokyo"]),
        (_, "country") => pick(["US", "FR", "DE"]),
        _ if attr.uniqueness != "none" => {
            format!("{{{{scenario.prefix}}}}{}-{n}", attr.name)
        }
        // Mixed case, so a server that changes case where caseExact forbids it shows.
        _ => format!(
            "Scimcheck {} {}",
            attr.name,
            ["Alpha", "Bravo", "Charlie"][(n - 1) % 3]
        ),
    }
}

/// What the run sends for `attr`: `first` for the create and the add, else the replace. A
/// multi-valued attribute gets two elements (the first `primary`) or one.
pub fn value(attr: &Attr, first: bool) -> Result<Value, String> {
    if !attr.multi {
        return element(attr, None, if first { 1 } else { 2 });
    }
    let ns: &[usize] = if first { &[1, 2] } else { &[3] };
    let has_primary = attr
        .sub
        .iter()
        .any(|s| s.name.eq_ignore_ascii_case("primary") && s.kind == "boolean" && s.writable());
    let items = ns
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mut e = element(attr, None, *n)?;
            if let (true, 0, Some(obj)) = (has_primary, i, e.as_object_mut()) {
                obj.insert("primary".into(), Value::Bool(true));
            }
            Ok(e)
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Value::Array(items))
}

/// What a read must show of a value sent for `attr`: the sub-attributes returned by default
/// and compared exactly (a dateTime may be written back in another RFC 3339 form). `None`
/// when nothing of it can be compared.
pub fn comparable(attr: &Attr, sent: &Value) -> Option<Value> {
    if attr.kind == "datetime" {
        return None;
    }
    match sent {
        Value::Object(obj) => {
            let kept: Map<String, Value> =
                obj.iter()
                    .filter(|(k, _)| {
                        attr.sub.iter().any(|s| {
                            s.name == **k && s.returned_by_default() && s.kind != "datetime"
                        }) || k.as_str() == "primary"
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        other => Some(other.clone()),
    }
}

/// Whether strings of `attr` (or of its sub-attributes) compare ignoring case: only when
/// none of them is caseExact.
pub fn ignore_case(attr: &Attr) -> bool {
    if attr.kind == "complex" {
        attr.sub
            .iter()
            .filter(|s| s.kind == "string")
            .all(|s| !s.case_exact)
    } else {
        !attr.case_exact
    }
}
