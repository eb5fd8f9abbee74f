//! RFC 7643 §7: the schema definitions `/Schemas` serves, attribute by attribute, down to
//! every sub-attribute.

use serde_json::Value;

use super::discovery::described;
use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scim::json::member;
use crate::scim::Severity;

/// The section these rules enforce.
pub(crate) const REFERENCE: &str = "RFC 7643 §7";

const TYPES: &[&str] = &[
    "string",
    "boolean",
    "decimal",
    "integer",
    "dateTime",
    "reference",
    "complex",
    "binary",
];
/// The characteristics whose values RFC 7643 §7 enumerates, with those values.
const KEYWORDS: &[(&str, &[&str])] = &[
    (
        "mutability",
        &["readOnly", "readWrite", "immutable", "writeOnly"],
    ),
    ("returned", &["always", "never", "default", "request"]),
    ("uniqueness", &["none", "server", "global"]),
];
/// The Boolean characteristics.
const BOOLEANS: &[&str] = &["multiValued", "required", "caseExact"];

/// Whether a characteristic means anything for an attribute of type `ty` (None: §2.2's
/// default, "string"). §7 gives caseExact to "a string attribute"; §2.3.7 "A reference is
/// case exact", §2.3.6 binary "is case exact and has no uniqueness", §2.3.2 "A boolean has no
/// case sensitivity or uniqueness", §2.3.5 says the same of a dateTime, and §2.3.8 "A complex
/// attribute has no uniqueness or case sensitivity". §8.7.1 leaves them out there, so a
/// schema that does the same is the RFC's own, not an omission.
fn applies(ty: Option<&str>, key: &str) -> bool {
    let ty = ty.unwrap_or("string");
    match key {
        "caseExact" => ty == "string",
        "uniqueness" => matches!(ty, "string" | "integer" | "decimal" | "reference"),
        _ => true,
    }
}

/// RFC 7643 §2.2's default for a characteristic left out, for the message.
fn default_of(key: &str) -> Option<&'static str> {
    match key {
        "required" | "caseExact" => Some("false"),
        "mutability" => Some("readWrite"),
        "returned" => Some("default"),
        "uniqueness" => Some("none"),
        "type" => Some("string"),
        _ => None,
    }
}

/// `path.key`, with the default a client falls back to where §2.2 gives one.
fn omitted(path: &str, key: &str) -> String {
    match default_of(key) {
        Some(d) => format!("{path}.{key} (§2.2 default {d})"),
        None => format!("{path}.{key}"),
    }
}

#[derive(Default)]
struct Findings {
    /// name missing: the attribute cannot be addressed. (A missing type is §2.2's "string",
    /// an omission like any other characteristic.)
    unnamed: Vec<String>,
    /// characteristics left to RFC 7643 §2.2's defaults.
    omitted: Vec<String>,
    /// values outside the enumerations.
    invalid: Vec<String>,
    /// complex without subAttributes, reference without referenceTypes.
    incomplete: Vec<String>,
    attributes: usize,
}

fn walk(attrs: &[Value], parent: &str, f: &mut Findings) {
    for (i, a) in attrs.iter().enumerate() {
        f.attributes += 1;
        let name = member(a, "name").and_then(Value::as_str);
        let path = match name {
            Some(n) if parent.is_empty() => n.to_string(),
            Some(n) => format!("{parent}.{n}"),
            None => format!("{parent}[{i}]"),
        };
        let ty = member(a, "type").and_then(Value::as_str);
        if name.is_none() {
            f.unnamed.push(format!("{path}: name"));
        }
        match member(a, "type") {
            None => f.omitted.push(omitted(&path, "type")),
            Some(Value::String(t)) if TYPES.contains(&t.as_str()) => {}
            Some(t) => f.invalid.push(format!("{path}.type = {t}")),
        }
        for key in BOOLEANS {
            match member(a, key) {
                None if !applies(ty, key) => {}
                None => f.omitted.push(omitted(&path, key)),
                Some(Value::Bool(_)) => {}
                Some(v) => f.invalid.push(format!("{path}.{key} = {v}")),
            }
        }
        for (key, allowed) in KEYWORDS {
            match member(a, key) {
                None if !applies(ty, key) => {}
                None => f.omitted.push(omitted(&path, key)),
                Some(Value::String(s)) if allowed.contains(&s.as_str()) => {}
                Some(v) => f.invalid.push(format!("{path}.{key} = {v}")),
            }
        }
        if member(a, "description").is_none() {
            f.omitted.push(format!("{path}.description"));
        }
        match (ty, member(a, "subAttributes")) {
            (_, Some(Value::Array(subs))) => walk(subs, &path, f),
            (Some("complex"), _) => f
                .incomplete
                .push(format!("{path}: complex without subAttributes")),
            _ => {}
        }
        if ty == Some("reference") && !member(a, "referenceTypes").is_some_and(Value::is_array) {
            f.incomplete
                .push(format!("{path}: reference without referenceTypes"));
        }
    }
}

fn listed(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(8).map(String::as_str).collect();
    let more = items.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// RFC 7643 §7: "id: The unique URI of the schema." "type: The attribute's data type. Valid
/// values are "string", "boolean", "decimal", "integer", "dateTime", "reference", and
/// "complex". When an attribute is of type "complex", there SHOULD be a corresponding schema
/// attribute "subAttributes" defined". `mutability`, `returned` and `uniqueness` take the
/// keywords §7 lists ("binary" is §2.3.6's type). A characteristic left out falls back to §2.2
/// ("If not otherwise stated in Section 7, SCIM attributes have the following
/// characteristics", `type` among them: ""type" is "string""), which a client cannot tell from
/// an oversight: a warning, and only where
/// the characteristic applies to the attribute's type (no caseExact on a boolean, complex or
/// dateTime, no uniqueness on a boolean, complex, dateTime or binary: §2.3), as in §8.7.1.
pub(crate) fn schema_definitions(ctx: &StepContext<'_>) -> Vec<CheckOutcome> {
    let Some(body) = ctx.exchange.json().filter(|b| b.is_object()) else {
        return vec![];
    };
    let schemas = described(body);
    let mut f = Findings::default();
    let mut bad_ids = Vec::new();
    for s in &schemas {
        match member(s, "id").and_then(Value::as_str) {
            Some(id)
                if id
                    .split_once(':')
                    .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty()) => {}
            other => bad_ids.push(other.unwrap_or("(none)").to_string()),
        }
        // Borrowed: a /Schemas answer is the largest body a run reads, twice per profile.
        let attrs = member(s, "attributes")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let prefix = member(s, "name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        walk(attrs, if prefix.is_empty() { "" } else { prefix }, &mut f);
    }
    let n = f.attributes;
    let outcome = |ok: bool, id: &str, severity, ok_msg: String, items: &[String], hint: &str| {
        CheckOutcome::verdict(
            ok,
            id,
            severity,
            REFERENCE,
            if ok { ok_msg } else { listed(items) },
            hint,
        )
    };
    vec![
        outcome(bad_ids.is_empty(), "rfc7643.schema.id-urn", Severity::Error, format!("{} schema(s), each with a URI id", schemas.len()), &bad_ids, "Give each schema its URI as id, e.g. urn:ietf:params:scim:schemas:core:2.0:User."),
        outcome(f.unnamed.is_empty(), "rfc7643.schema.attribute-required", Severity::Error, format!("{n} attribute(s), each with a name"), &f.unnamed, "Give every attribute and sub-attribute its name."),
        outcome(f.invalid.is_empty(), "rfc7643.schema.attribute-values", Severity::Error, format!("{n} attribute(s) with characteristics of the allowed values"), &f.invalid, "Use only the values RFC 7643 §7 lists (e.g. mutability readOnly|readWrite|immutable|writeOnly) and JSON booleans."),
        outcome(f.omitted.is_empty(), "rfc7643.schema.attribute-characteristics", Severity::Warning, format!("{n} attribute(s) state every characteristic"), &f.omitted, "State type, multiValued, required, mutability, returned and description for every attribute, and caseExact and uniqueness where its type has them (RFC 7643 §2.3)."),
        outcome(f.incomplete.is_empty(), "rfc7643.schema.sub-attributes", Severity::Warning, "complex attributes list subAttributes; references list referenceTypes".into(), &f.incomplete, "List the subAttributes of complex attributes and the referenceTypes of references."),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::testing::ctx_with;
    use serde_json::json;

    fn attr(name: &str, ty: &str) -> Value {
        json!({"name": name, "type": ty, "multiValued": false, "required": false, "caseExact": false,
            "mutability": "readWrite", "returned": "default", "uniqueness": "none", "description": "d"})
    }

    #[test]
    fn a_complete_schema_passes_and_each_defect_is_its_own_finding() {
        let mut name = attr("name", "complex");
        name["subAttributes"] = json!([attr("givenName", "string")]);
        let good = json!({"id": "urn:x:User", "attributes": [attr("userName", "string"), name]});
        let out = ctx_with(&good, "GET", "/Schemas/urn:x:User", |c| {
            schema_definitions(c)
        });
        assert!(out.iter().all(|o| !o.is_failure()), "{out:#?}");

        let mut bad_sub = attr("givenName", "string");
        bad_sub["mutability"] = json!("writable");
        bad_sub.as_object_mut().unwrap().remove("caseExact");
        let mut name = attr("name", "complex");
        name["subAttributes"] = json!([bad_sub]);
        let list = json!({"totalResults": 1, "Resources": [{"id": "User",
            "attributes": [name, attr("manager", "reference"), {"type": "string"}]}]});
        let out = ctx_with(&list, "GET", "/Schemas", schema_definitions);
        let failing: Vec<_> = out
            .iter()
            .filter(|o| o.is_failure())
            .map(|o| (o.id.as_str(), o.message.clone()))
            .collect();
        assert_eq!(failing.len(), 5, "{failing:#?}");
        assert!(
            failing[2].1.contains("name.givenName.mutability"),
            "{failing:#?}"
        );
        assert!(
            failing[3].1.contains("name.givenName.caseExact"),
            "{failing:#?}"
        );
        assert!(
            failing[4]
                .1
                .contains("manager: reference without referenceTypes"),
            "{failing:#?}"
        );
    }

    #[test]
    fn an_attribute_without_type_is_a_string_by_default_not_an_error() {
        // RFC 7643 §2.2: "If not otherwise stated in Section 7, SCIM attributes have the
        // following characteristics: ... "type" is "string"."
        let mut untyped = attr("nickName", "string");
        untyped.as_object_mut().unwrap().remove("type");
        let body = json!({"id": "urn:x:User", "attributes": [untyped]});
        let out = ctx_with(&body, "GET", "/Schemas/urn:x:User", schema_definitions);
        let of = |id: &str| out.iter().find(|o| o.id.as_str() == id).unwrap();
        assert!(!of("rfc7643.schema.attribute-required").is_failure());
        let omitted = of("rfc7643.schema.attribute-characteristics");
        assert_eq!(
            (omitted.status, omitted.severity),
            (crate::check::CheckStatus::Warning, Severity::Warning)
        );
        assert_eq!(omitted.message, "nickName.type (§2.2 default string)");
    }

    #[test]
    fn case_exact_and_uniqueness_are_asked_only_of_the_types_that_have_them() {
        let bare = |name: &str, ty: &str| {
            let mut a = attr(name, ty);
            let o = a.as_object_mut().unwrap();
            o.remove("caseExact");
            o.remove("uniqueness");
            a
        };
        // As RFC 7643 §8.7.1 writes them: a boolean and a complex without either, a dateTime
        // and a binary too.
        let mut emails = bare("emails", "complex");
        emails["subAttributes"] = json!([attr("value", "string"), bare("primary", "boolean")]);
        let rfc = json!({"id": "urn:x:User", "attributes": [
            bare("active", "boolean"), emails, bare("born", "dateTime"), bare("cert", "binary")]});
        let verbatim: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/rfc7643/user-schema.json"
        ))
        .unwrap();
        for body in [rfc, verbatim] {
            let out = ctx_with(&body, "GET", "/Schemas/urn:x:User", schema_definitions);
            assert!(out.iter().all(|o| !o.is_failure()), "{out:#?}");
        }

        // A string without them is still left to §2.2's defaults, which the message names.
        let loose = json!({"id": "urn:x:User", "attributes": [bare("nickName", "string")]});
        let out = ctx_with(&loose, "GET", "/Schemas/urn:x:User", schema_definitions);
        let o = out
            .iter()
            .find(|o| o.id.as_str() == "rfc7643.schema.attribute-characteristics")
            .unwrap();
        assert_eq!(o.status, crate::check::CheckStatus::Warning);
        assert_eq!(
            o.message,
            "nickName.caseExact (§2.2 default false), nickName.uniqueness (§2.2 default none)"
        );
    }
}
