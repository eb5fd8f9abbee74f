//! The generator from the reference server's own discovery and from a hand-written schema
//! with every type.

use serde_json::{json, Value};

use super::*;
use crate::scenario::{Op, Subject};

fn reference() -> Discovery {
    let base = "http://h/scim/v2";
    Discovery {
        schemas: Ok(crate::server::discovery::list_schemas(base)),
        resource_types: Some(crate::server::discovery::list_resource_types(base)),
        patch: true,
    }
}

fn generated(id: &str, d: &Discovery) -> Scenario {
    let (s, skip) = generate(id, d);
    assert_eq!(skip, None);
    checked(s).expect("a valid scenario").scenario
}

fn asserts(s: &Scenario, step: &str) -> Vec<(String, String, Op, bool)> {
    s.steps
        .iter()
        .find(|st| st.id == step)
        .unwrap_or_else(|| panic!("no step {step}"))
        .expect
        .asserts
        .iter()
        .map(|a| {
            let p = match &a.subject {
                Subject::Pointer(p) => p.clone(),
                other => format!("{other:?}"),
            };
            (a.id.clone(), p, a.op.clone(), a.ignore_case)
        })
        .collect()
}

fn step_ids(s: &Scenario) -> Vec<String> {
    s.steps.iter().map(|s| s.id.to_string()).collect()
}

#[test]
fn the_placeholders_parse_and_are_valid() {
    let p = placeholders();
    assert_eq!(p.len(), 3);
    for l in &p {
        assert!(is_placeholder(l));
        checked(l.scenario.clone()).unwrap();
    }
}

#[test]
fn the_reference_users_attributes_each_get_their_steps() {
    let s = generated(USER, &reference());
    let ids = step_ids(&s);
    for step in [
        "create",
        "read",
        "userName.duplicate",
        "title.replace",
        "title.replaced",
        "title.remove",
        "title.removed",
        "title.add",
        "title.added",
        "emails.replace",
        "name.remove",
        "password.replace",
        "password.replaced",
        "unknown-attribute.add",
        "unknown-attribute.read",
    ] {
        assert!(ids.contains(&step.to_string()), "{step} in {ids:?}");
    }
    // Never generated: values naming other resources, readOnly groups.
    assert!(!ids.iter().any(|i| i.starts_with("groups.")), "{ids:?}");
    // A writeOnly password is replaced and checked absent, never removed or added back.
    assert!(!ids.contains(&"password.remove".to_string()));
    // The name is renamed with the run's prefix, and never removed.
    let rename = s.steps.iter().find(|s| s.id == "userName.replace").unwrap();
    assert_eq!(
        rename.request.body.as_ref().unwrap()["Operations"][0]["value"],
        "{{scenario.prefix}}renamed@example.com"
    );
    assert!(!ids.contains(&"userName.remove".to_string()));
    let read = asserts(&s, "read");
    let by_id = |id: &str| {
        read.iter()
            .find(|a| a.0 == id)
            .unwrap_or_else(|| panic!("{id} in {read:?}"))
            .clone()
    };
    // caseExact=false: compared ignoring case.
    let title = by_id("rfc.attributes.user.title.created");
    assert_eq!(title.1, "/title");
    assert!(title.3);
    assert_eq!(title.2, Op::Equals(json!("Scimcheck title Alpha")));
    assert_eq!(
        by_id("rfc.attributes.user.name.givenName.created").1,
        "/name/givenName"
    );
    assert_eq!(
        by_id("rfc.attributes.user.password.never-returned").2,
        Op::Present(false)
    );
    assert_eq!(
        by_id("rfc.attributes.user.userName.created").2,
        Op::Equals(json!("{{scenario.prefix}}attrs@example.com"))
    );
    // Multi-valued: two elements, the first primary, each looked for.
    match by_id("rfc.attributes.user.emails.created").2 {
        Op::Contains(e) => assert_eq!(e["primary"], json!(true)),
        other => panic!("{other:?}"),
    }
    by_id("rfc.attributes.user.emails.created.element-2");
    assert!(
        s.description.as_deref().unwrap().contains("groups:"),
        "{:?}",
        s.description
    );
}

#[test]
fn the_create_carries_the_prefix_and_every_generated_value() {
    let s = generated(USER, &reference());
    let body = s.steps[0].request.body.clone().unwrap();
    assert_eq!(body["userName"], "{{scenario.prefix}}attrs@example.com");
    assert_eq!(body["active"], json!(true));
    assert_eq!(
        body["profileUrl"],
        "https://example.com/scimcheck/profileUrl/1"
    );
    assert_eq!(body["x509Certificates"][0]["value"], "c2NpbWNoZWNrIDE=");
    assert_eq!(body["emails"].as_array().unwrap().len(), 2);
    assert_eq!(body["emails"][1].get("primary"), None);
    assert_eq!(body["emails"][0]["type"], "work");
    assert!(body.get("groups").is_none());
}

#[test]
fn extensions_are_addressed_by_their_urn() {
    let s = generated(EXTENSIONS, &reference());
    let urn = crate::scim::urn::ENTERPRISE_USER;
    let body = s.steps[0].request.body.clone().unwrap();
    assert_eq!(body["schemas"], json!([crate::scim::urn::USER, urn]));
    assert_eq!(body[urn]["department"], "Scimcheck department Alpha");
    assert!(
        body[urn].get("manager").is_none(),
        "manager is never generated"
    );
    let replace = s
        .steps
        .iter()
        .find(|s| s.id == "enterpriseuser.department.replace")
        .unwrap();
    assert_eq!(
        replace.request.body.as_ref().unwrap()["Operations"][0]["path"],
        format!("{urn}:department")
    );
    let read = asserts(&s, "enterpriseuser.read");
    assert!(read.iter().any(|a| a.0
        == "rfc.attributes.extensions.EnterpriseUser.department.created"
        && a.1 == format!("/{urn}/department")));
}

#[test]
fn the_group_is_created_and_its_members_left_alone() {
    let s = generated(GROUP, &reference());
    let ids = step_ids(&s);
    assert!(ids.contains(&"create".to_string()));
    assert!(!ids.iter().any(|i| i.starts_with("members")), "{ids:?}");
    assert!(ids.contains(&"displayName.replaced".to_string()), "{ids:?}");
    assert!(s.description.as_deref().unwrap().contains("members:"));
}

/// One attribute of every RFC 7643 §2.3 type, and the characteristics that change the steps.
fn minimal() -> Value {
    let a = |name: &str, kind: &str| json!({"name": name, "type": kind});
    let mut unique = a("badge", "string");
    unique["uniqueness"] = json!("server");
    unique["caseExact"] = json!(true);
    let mut required = a("costCode", "string");
    required["required"] = json!(true);
    let mut ro = a("score", "integer");
    ro["mutability"] = json!("readOnly");
    let mut imm = a("born", "dateTime");
    imm["mutability"] = json!("immutable");
    let mut never = a("secret", "string");
    never["returned"] = json!("never");
    let mut level = a("level", "string");
    level["canonicalValues"] = json!(["gold", "silver"]);
    level["multiValued"] = json!(true);
    let mut resource_ref = a("buddy", "reference");
    resource_ref["referenceTypes"] = json!(["User"]);
    let mut tags = a("tags", "complex");
    tags["multiValued"] = json!(true);
    tags["subAttributes"] = json!([a("value", "string"), a("primary", "boolean")]);
    json!({"Resources": [{
        "id": crate::scim::urn::USER, "name": "User",
        "attributes": [
            {"name": "userName", "type": "string", "required": true, "uniqueness": "server"},
            unique, required, ro, imm, never, level, resource_ref, tags,
            a("flag", "boolean"), a("ratio", "decimal"), a("home", "reference"), a("blob", "binary"),
            a("odd", "quaternion"),
        ],
    }]})
}

#[test]
fn a_minimal_schema_of_every_type() {
    let d = Discovery {
        schemas: Ok(minimal()),
        resource_types: None,
        patch: true,
    };
    let s = generated(USER, &d);
    let ids = step_ids(&s);
    let body = s.steps[0].request.body.clone().unwrap();
    assert_eq!(body["flag"], json!(true));
    assert_eq!(body["ratio"], json!(12.5));
    assert_eq!(body["born"], "2024-05-06T07:08:09Z");
    assert_eq!(body["badge"], "{{scenario.prefix}}badge-1");
    assert_eq!(body["level"], json!(["gold", "silver"]));
    assert_eq!(body["tags"][0]["primary"], json!(true));
    assert!(body.get("score").is_none() && body.get("buddy").is_none());
    // unique → a duplicate create; required → a create without it; readOnly → sent apart.
    for step in [
        "badge.duplicate",
        "costCode.required",
        "read-only",
        "flag.remove",
        "costCode.replace",
    ] {
        assert!(ids.contains(&step.to_string()), "{step} in {ids:?}");
    }
    // Immutable: never patched; required: never removed.
    assert!(!ids.iter().any(|i| i.starts_with("born.")), "{ids:?}");
    assert!(!ids.contains(&"costCode.remove".to_string()));
    let required = s
        .steps
        .iter()
        .find(|s| s.id == "costCode.required")
        .unwrap();
    assert!(required
        .request
        .body
        .as_ref()
        .unwrap()
        .get("costCode")
        .is_none());
    assert_eq!(required.expect.status_warning, vec![201]);
    let read = asserts(&s, "read");
    let badge = read
        .iter()
        .find(|a| a.0 == "rfc.attributes.user.badge.created")
        .unwrap();
    assert!(!badge.3, "caseExact is compared exactly");
    let born = read
        .iter()
        .find(|a| a.0 == "rfc.attributes.user.born.created")
        .unwrap();
    assert_eq!(born.2, Op::Present(true), "a dateTime may be reformatted");
    assert!(read
        .iter()
        .any(|a| a.0 == "rfc.attributes.user.secret.never-returned"));
    let ro = asserts(&s, "read-only");
    assert_eq!(ro[0].2, Op::NotEquals(json!(42)));
    let notes = s.description.unwrap();
    assert!(
        notes.contains("buddy: it references User resources"),
        "{notes}"
    );
    assert!(notes.contains("odd: `quaternion`"), "{notes}");
    assert!(notes.contains("born: immutable"), "{notes}");
}

#[test]
fn without_patch_only_the_create_and_reads_are_generated() {
    let d = Discovery {
        patch: false,
        ..reference()
    };
    let s = generated(USER, &d);
    assert!(s
        .steps
        .iter()
        .all(|s| s.request.method != crate::scim::Method::Patch));
}

#[test]
fn unusable_discovery_is_a_reason_never_a_panic() {
    for (schemas, why) in [
        (Err("GET /Schemas answered 404".to_string()), "answered 404"),
        (Ok(json!("<html>")), "neither a ListResponse"),
        (
            Ok(json!({"Resources": [{"id": "urn:x", "attributes": []}]})),
            "no schema `urn:ietf:params:scim:schemas:core:2.0:User`",
        ),
    ] {
        let d = Discovery {
            schemas,
            resource_types: None,
            patch: true,
        };
        let (s, skip) = generate(USER, &d);
        assert!(skip.as_deref().unwrap().contains(why), "{skip:?}");
        assert_eq!(s.steps[0].id, "read-schemas");
    }
    let (_, skip) = generate(
        EXTENSIONS,
        &Discovery {
            resource_types: None,
            ..reference()
        },
    );
    assert!(skip.unwrap().contains("no schema extension"));
}

#[test]
fn a_schema_with_thousands_of_attributes_is_bounded() {
    let attrs: Vec<Value> = (0..5000)
        .map(|i| json!({"name": format!("a{i}")}))
        .collect();
    let d = Discovery {
        schemas: Ok(json!([{"id": crate::scim::urn::USER, "attributes": attrs}])),
        resource_types: None,
        patch: true,
    };
    let s = generated(USER, &d);
    assert!(s.steps.len() <= 6 * 100 + 6, "{}", s.steps.len());
    assert!(s
        .description
        .unwrap()
        .contains("only its first 100 of 5000 attributes"));
}

#[test]
fn a_boolean_read_back_after_remove_is_a_note_other_values_an_error() {
    let s = generated(USER, &reference());
    let severity_of = |step: &str, id: &str| {
        s.steps
            .iter()
            .find(|st| st.id == step)
            .unwrap_or_else(|| panic!("no step {step}"))
            .expect
            .asserts
            .iter()
            .find(|a| a.id == id)
            .unwrap_or_else(|| panic!("no assert {id}"))
            .severity
    };
    // RFC 7644 §3.5.1: a provider MAY assign a default; a boolean's is one of its values.
    assert_eq!(
        severity_of("active.removed", "rfc.attributes.user.active.removed"),
        Some(crate::scim::Severity::Info)
    );
    assert_eq!(
        severity_of("title.removed", "rfc.attributes.user.title.removed"),
        Some(crate::scim::Severity::Error)
    );
}
