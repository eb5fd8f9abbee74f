use super::*;
use serde_json::json;

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn violations(name: &str, v: &Value) -> Vec<SchemaViolation> {
    SchemaSet::builtin().validate(name, v).unwrap()
}

fn pointers(name: &str, v: &Value) -> Vec<String> {
    violations(name, v).into_iter().map(|v| v.pointer).collect()
}

#[test]
fn every_file_compiles() {
    assert_eq!(SchemaSet::builtin().names().len(), FILES.len());
    assert!(SchemaSet::builtin().validate("Nope", &json!({})).is_err());
}

#[test]
fn rfc_examples_validate_clean() {
    let cases = [
        (
            "User",
            include_str!("../../tests/fixtures/rfc7643/minimal-user.json"),
        ),
        (
            "User",
            include_str!("../../tests/fixtures/rfc7643/enterprise-user.json"),
        ),
        (
            "Group",
            include_str!("../../tests/fixtures/rfc7643/group.json"),
        ),
        (
            "ServiceProviderConfig",
            include_str!("../../tests/fixtures/rfc7643/service-provider-config.json"),
        ),
        (
            "ResourceType",
            include_str!("../../tests/fixtures/rfc7643/resource-type.json"),
        ),
        (
            "ListResponse",
            include_str!("../../tests/fixtures/rfc7644/list-response.json"),
        ),
        (
            "Error",
            include_str!("../../tests/fixtures/rfc7644/error-uniqueness.json"),
        ),
        (
            "PatchOp",
            include_str!("../../tests/fixtures/rfc7644/patch-op.json"),
        ),
    ];
    for (name, text) in cases {
        assert_eq!(violations(name, &fixture(text)), vec![], "{name}");
    }
}

#[test]
fn reference_server_schemas_validate_clean() {
    for schema in crate::server::schema::all() {
        assert_eq!(violations("Schema", schema), vec![], "{}", schema["id"]);
    }
}

fn user() -> Value {
    fixture(include_str!(
        "../../tests/fixtures/rfc7643/enterprise-user.json"
    ))
}

#[test]
fn broken_users_fail_at_the_right_pointer() {
    let mut u = user();
    u["active"] = json!("true");
    assert_eq!(pointers("User", &u), ["/active"]);
    let mut u = user();
    u["emails"] = json!({"value": "x"});
    assert_eq!(pointers("User", &u), ["/emails"]);
    let mut u = user();
    u["emails"][0]["primary"] = json!("true");
    assert_eq!(pointers("User", &u), ["/emails/0/primary"]);
    let mut u = user();
    u["meta"]["created"] = json!("yesterday");
    assert_eq!(pointers("User", &u), ["/meta/created"]);
    let mut u = user();
    u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"] = json!("boss");
    assert_eq!(
        pointers("User", &u),
        ["/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/manager"]
    );
}

#[test]
fn missing_required_attributes_fail() {
    let mut u = user();
    u.as_object_mut().unwrap().remove("id");
    assert_eq!(violations("User", &u).len(), 1);
    assert!(violations("User", &u)[0].message.contains("id"));
    let mut u = user();
    u.as_object_mut().unwrap().remove("schemas");
    assert!(violations("User", &u)[0].message.contains("schemas"));
    let mut u = user();
    u["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:Group"]);
    assert_eq!(pointers("User", &u), ["/schemas"]);
}

#[test]
fn attribute_names_are_case_insensitive_and_nulls_are_unassigned() {
    let u = json!({"Schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "ID": "1", "UserName": "a", "Active": null, "Name": null});
    assert_eq!(violations("User", &u), vec![]);
    // A mis-cased name is judged as its schema name, so its wrong value is still found.
    let mut u = user();
    let value = u.as_object_mut().unwrap().remove("active").unwrap();
    u["ACTIVE"] = json!(value.to_string());
    assert_eq!(pointers("User", &u), ["/active"]);
}

#[test]
fn messages_and_errors() {
    let e = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": 404});
    assert_eq!(pointers("Error", &e), ["/status"]);
    let l = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": "3", "Resources": []});
    assert_eq!(pointers("ListResponse", &l), ["/totalResults"]);
    let p = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Replace", "value": {}}, {"op": "merge"}]});
    assert_eq!(pointers("PatchOp", &p), ["/Operations/1/op"]);
}

#[test]
fn long_values_are_cut_in_messages() {
    let mut u = user();
    u["active"] = json!("x".repeat(10_000));
    assert!(violations("User", &u)[0].message.chars().count() <= 161);
}

#[test]
fn deep_nesting_is_reported_not_recursed() {
    let mut v = json!(1);
    for _ in 0..10_000 {
        v = Value::Array(vec![v]);
    }
    let out = violations("User", &v);
    assert!(out[0].message.contains("nested"), "{out:?}");
    // Dropping a 10,000-deep value recurses too; unwind it iteratively.
    let mut v = v;
    while let Value::Array(mut items) = v {
        v = items.pop().unwrap_or(Value::Null);
    }
}

mod sent_bodies {
    use crate::check::SchemaSet;
    use crate::plan::{prepare, vars, RunId};
    use crate::scenario::builtin;
    use crate::scim::Method;

    /// What the scenarios send is valid SCIM too: every PATCH body is a valid PatchOp.
    #[test]
    fn every_patch_body_is_a_valid_patch_op() {
        let mut checked = 0;
        for loaded in builtin().unwrap() {
            let mut vars = vars::builtins(&RunId::random(), &loaded.scenario.id);
            crate::plan::LoadSettings::default().insert_into(&mut vars);
            for step in &loaded.scenario.steps {
                for name in step.capture.keys() {
                    vars.insert(
                        name.clone(),
                        crate::plan::captured_for_tests(step, "captured-id"),
                    );
                }
            }
            for step in loaded
                .scenario
                .steps
                .iter()
                // A bodiless PATCH probes a discovery endpoint that takes only GET.
                .filter(|s| s.request.method == Method::Patch && s.request.body.is_some())
            {
                let vars = crate::plan::first_request_vars(step, &vars).unwrap();
                let req = prepare(&step.request, &loaded.scenario.headers, &vars).unwrap();
                let violations = SchemaSet::builtin()
                    .validate("PatchOp", req.body.as_ref().unwrap())
                    .unwrap();
                assert_eq!(violations, vec![], "{} / {}", loaded.scenario.id, step.id);
                checked += 1;
            }
        }
        assert_eq!(checked, 51, "every PATCH step was checked");
    }
}
