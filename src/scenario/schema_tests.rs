//! `schemas/scenario.schema.json`, the JSON Schema editors use to complete scenario files,
//! against the loader: every built-in file is valid, every key and enum value the loader
//! accepts is in the schema (and no other), and files the loader refuses the schema refuses
//! too. The loader's own "expected one of …" messages are the list the schema is compared
//! with, so neither can change without this failing.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};

use super::load::Loaded;
use super::named::CATALOGUE;

const SCHEMA: &str = include_str!("../../schemas/scenario.schema.json");

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("the scenario schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).expect("the scenario schema compiles")
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).expect("YAML")
}

/// The schema's errors for `text`, as text (empty: valid).
fn schema_errors(text: &str) -> Vec<String> {
    let v = validator();
    let instance = yaml(text);
    v.iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The loader's verdict on `text`: parsed, then the rules checked after parsing.
fn loads(text: &str) -> Result<(), String> {
    let loaded = Loaded::parse("x.yaml", text).map_err(|e| e.to_string())?;
    super::validate::validate_all(&[loaded]).map_err(|e| e.to_string())
}

/// A scenario whose one step is `step` (indented as a list item's body).
fn with_step(step: &str) -> String {
    format!(
        "id: my.s\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n{step}"
    )
}

const REQUEST: &str = "    request: { method: GET, path: /Users }\n";

/// The names after "expected" in a serde or YAML "unknown field/variant" message, in any of
/// its forms: "expected one of a, b", "expected one of `a`, `b`", "expected `a` or `b`".
fn expected_names(message: &str) -> BTreeSet<String> {
    let (_, list) = message
        .split_once("expected ")
        .unwrap_or_else(|| panic!("no `expected` in: {message}"));
    let list = list.strip_prefix("one of ").unwrap_or(list);
    list.lines()
        .next()
        .unwrap_or_default()
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .map(|name| name.trim().trim_matches('`').to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

fn properties(def: &Value) -> BTreeSet<String> {
    def["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no properties in {def}"))
        .keys()
        .cloned()
        .collect()
}

fn enum_of(def: &Value) -> BTreeSet<String> {
    def["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no enum in {def}"))
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn scenario_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scenario_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::meta::validate(&schema).unwrap();
}

#[test]
fn every_builtin_scenario_file_is_valid() {
    let mut files = Vec::new();
    scenario_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
        &mut files,
    );
    assert!(files.len() >= 20, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let errors = schema_errors(&text);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn the_readme_example_is_valid() {
    let readme = include_str!("../../README.md");
    let start = readme.find("```yaml\n").expect("README has a YAML example") + 8;
    let end = start + readme[start..].find("```").unwrap();
    let errors = schema_errors(&readme[start..end]);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_schema_names_every_key_the_loader_accepts_and_no_other() {
    let schema = schema();
    let defs = &schema["$defs"];
    // (where, a file with an unknown key `zzz` there, the schema's object for that place)
    let places = [
        (
            "scenario",
            format!("zzz: 1\n{}", with_step(REQUEST)),
            &schema,
        ),
        ("step", with_step(&format!("{REQUEST}    zzz: 1\n")), &defs["step"]),
        (
            "request",
            with_step("    request: { method: GET, path: /Users, zzz: 1 }\n"),
            &defs["request"],
        ),
        (
            "expect",
            with_step(&format!("{REQUEST}    expect: {{ zzz: 1 }}\n")),
            &defs["expect"],
        ),
        (
            "assert",
            with_step(&format!(
                "{REQUEST}    expect:\n      asserts: [{{ id: a.b, pointer: /id, exists: true, zzz: 1 }}]\n"
            )),
            &defs["assert"],
        ),
        (
            "burst",
            with_step(&format!(
                "{REQUEST}    burst: {{ rate: 1, seconds: 1, zzz: 1 }}\n"
            )),
            &defs["burst"],
        ),
    ];
    for (place, text, def) in places {
        let err = loads(&text).expect_err(place);
        assert!(err.contains("unknown field `zzz`"), "{place}: {err}");
        assert_eq!(expected_names(&err), properties(def), "{place}: {err}");
        assert_eq!(def["additionalProperties"], json!(false), "{place}");
    }
}

/// The schema's `{ id, args }` variant for each named check.
fn call_variants() -> Vec<(String, Value)> {
    schema()["$defs"]["named_check"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| {
            let id = v["properties"]["id"]["const"].as_str()?;
            Some((id.to_string(), v["properties"]["args"].clone()))
        })
        .collect()
}

#[test]
fn the_schema_knows_every_named_check_and_its_arguments() {
    let variants = call_variants();
    let ids: BTreeSet<&str> = variants.iter().map(|(id, _)| id.as_str()).collect();
    let catalogue: BTreeSet<&str> = CATALOGUE
        .iter()
        .map(|(id, _)| *id)
        .chain(
            super::named_set::LOAD_CATALOGUE
                .iter()
                .map(|(id, _, _)| *id),
        )
        .collect();
    assert_eq!(ids, catalogue);
    for (id, args) in variants {
        let text = with_step(&format!(
            "{REQUEST}    expect:\n      checks: [{{ id: {id}, args: {{ zzz: 1 }} }}]\n"
        ));
        let err = loads(&text).expect_err(&id);
        if err.contains("takes no args") {
            assert_eq!(args["maxProperties"], json!(0), "{id}");
        } else {
            assert!(err.contains("unknown field `zzz`"), "{id}: {err}");
            assert_eq!(expected_names(&err), properties(&args), "{id}: {err}");
        }
    }
    // A bare id is offered for exactly the checks the loader accepts without arguments.
    let bare = enum_of(&schema()["$defs"]["named_check"]["oneOf"][0]);
    let load_ids = super::named_set::LOAD_CATALOGUE.iter().map(|(id, _, _)| id);
    for id in CATALOGUE.iter().map(|(id, _)| id).chain(load_ids) {
        let text = with_step(&format!("{REQUEST}    expect: {{ checks: [{id}] }}\n"));
        assert_eq!(loads(&text).is_ok(), bare.contains(*id), "{id}");
    }
}

/// The variants serde accepts for `T`, from its message about one it does not.
fn variants_of<T: serde::de::DeserializeOwned>() -> BTreeSet<String> {
    match serde_json::from_value::<T>(json!("zzz")) {
        Ok(_) => panic!("`zzz` was accepted"),
        Err(e) => expected_names(&e.to_string()),
    }
}

#[test]
fn the_schema_enums_are_the_loaders() {
    use super::model::{Capability, JsonType, SnapshotMode};
    use super::named::SortCompare;
    use crate::scim::{Method, Severity};
    let schema = schema();
    let defs = &schema["$defs"];
    let top = &schema["properties"];
    assert_eq!(
        enum_of(&defs["request"]["properties"]["method"]),
        variants_of::<Method>()
    );
    assert_eq!(
        enum_of(&defs["assert"]["properties"]["severity"]),
        variants_of::<Severity>()
    );
    assert_eq!(
        enum_of(&defs["assert"]["properties"]["type"]),
        variants_of::<JsonType>()
    );
    assert_eq!(
        enum_of(&defs["step"]["properties"]["snapshot"]),
        variants_of::<SnapshotMode>()
    );
    assert_eq!(
        enum_of(&top["requires"]["items"]),
        variants_of::<Capability>()
    );
    let sorted = call_variants()
        .into_iter()
        .find(|(id, _)| id == "rfc7644.sorted")
        .unwrap()
        .1;
    assert_eq!(
        enum_of(&sorted["properties"]["compare"]),
        variants_of::<SortCompare>()
    );
    let names: BTreeSet<String> = crate::scim::schemas::names()
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(enum_of(&defs["schema_name"]), names);
    for dialect in ["2017", "2020", "\"2017\"", "\"2020\""] {
        let text = format!(
            "id: my.s\ntitle: t\nprofile: entra\ndialect: {dialect}\nreference: r\nsteps:\n  - id: s\n    title: t\n{REQUEST}"
        );
        assert!(loads(&text).is_ok(), "{dialect}");
        assert!(schema_errors(&text).is_empty(), "{dialect}");
    }
}

/// A scenario using every key the format has, which both the loader and the schema accept.
const EVERY_KEY: &str = r#"version: 1
id: my.every-key
title: Every key
profile: entra
dialect: 2020
reference: "RFC 7644 §3.4.2"
description: All of it.
requires: [patch, filter]
extensions: ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
headers: { User-Agent: my-idp, X-Drop: null }
steps:
  - id: create
    title: Create
    reference: "RFC 7644 §3.3"
    request:
      method: POST
      path: /Users
      query: { attributes: userName, count: 1, flag: true }
      headers: { Authorization: null }
      body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "{{user1.userName}}" }
      set: { /displayName: x }
      remove: [/nickName]
    expect:
      status: [201]
      status_warning: [200]
      status_hint: "Accept the IdP's shape."
      skip_if_status: { 501: not supported }
      unsupported_if_status: { 400: declined }
      status_note: { 404: allowed }
      schema: User
      resources_schema: User
      checks:
        - rfc7644.created-resource
        - { id: rfc7644.error-response, args: { scim_type: uniqueness, scim_type_severity: error } }
        - { id: rfc7644.sorted, args: { by: /userName, descending: true, compare: caseExact } }
        - { id: rfc7643.meta-times, args: { previous: "x", created: true } }
      asserts:
        - { id: my.one, pointer: /userName, equals: "x", ignore_case: true, may_ignore: true, severity: warning, reference: r, hint: h }
        - { id: my.two, header: ETag, exists: true, needs: [my.one] }
        - { id: my.three, pointer: /emails, length: 1 }
        - { id: my.four, pointer: "", type: object }
        - { id: my.five, pointer: /a, one_of: [1, 2] }
        - { id: my.six, pointer: /a, not_equals: 3 }
        - { id: my.seven, pointer: /a, contains: 3 }
        - { id: my.eight, pointer: /a, not_contains: 3 }
        - { id: my.nine, pointer: /password, absent: true }
    capture: { user_id: /id, etag: "header:ETag", code: status, body: "" }
    snapshot: status
  - id: read
    title: Read
    needs: [create]
    when_failed: nothing after it can be read
    request: { method: GET, path: "/Users/{{user_id}}" }
    burst: { rate: 2, seconds: 1, mix: [{ method: GET, path: /Users }] }
  - id: fan
    title: Each of the users, two at a time
    request: { method: GET, path: "/Users/{{item}}" }
    fan_out: { each: ["a", "b"], in_flight: 2 }
  - id: walk
    title: The users, page by page
    request: { method: GET, path: /Users, query: { startIndex: "{{start_index}}", count: 10 } }
    pages: { count: 10 }
  - id: raw
    title: A body cut short
    request: { method: POST, path: /Users, raw_body: '{"userName": "{{user2.userName}}", ' }
  - id: bulk
    title: One operation more than allowed
    request:
      method: POST
      path: /Bulk
      body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [] }
      repeat:
        into: /Operations
        times: "2"
        plus: 1
        item: { method: POST, path: /Users, bulkId: "b{{repeat.index}}", data: { userName: "{{scenario.prefix}}b-{{repeat.index}}" } }
"#;

#[test]
fn a_file_with_every_key_is_valid_to_both() {
    loads(EVERY_KEY).unwrap();
    let errors = schema_errors(EVERY_KEY);
    assert!(errors.is_empty(), "{errors:#?}");
    // And it does use every key the schema names at each place.
    let doc = yaml(EVERY_KEY);
    let schema = schema();
    let used = |v: &Value| -> BTreeSet<String> { v.as_object().unwrap().keys().cloned().collect() };
    let steps = doc["steps"].as_array().unwrap();
    let step_keys: BTreeSet<String> = steps.iter().flat_map(used).collect();
    let assert_keys: BTreeSet<String> = steps[0]["expect"]["asserts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(used)
        .collect();
    assert_eq!(used(&doc), properties(&schema));
    assert_eq!(step_keys, properties(&schema["$defs"]["step"]));
    // raw_body excludes body, so the request keys come from every step.
    let request_keys: BTreeSet<String> = steps.iter().flat_map(|s| used(&s["request"])).collect();
    assert_eq!(request_keys, properties(&schema["$defs"]["request"]));
    assert_eq!(
        used(&steps[0]["expect"]),
        properties(&schema["$defs"]["expect"])
    );
    assert_eq!(assert_keys, properties(&schema["$defs"]["assert"]));
}

#[test]
fn files_the_loader_refuses_the_schema_refuses() {
    let cases = [
        ("an unknown key", with_step(&format!("{REQUEST}    expct: {{}}\n"))),
        (
            "an assert with two operators",
            with_step(&format!(
                "{REQUEST}    expect:\n      asserts: [{{ id: a.b, pointer: /id, exists: true, equals: 1 }}]\n"
            )),
        ),
        (
            "an assert with no operator",
            with_step(&format!(
                "{REQUEST}    expect:\n      asserts: [{{ id: a.b, pointer: /id }}]\n"
            )),
        ),
        (
            "an assert with both pointer and header",
            with_step(&format!(
                "{REQUEST}    expect:\n      asserts: [{{ id: a.b, pointer: /id, header: ETag, exists: true }}]\n"
            )),
        ),
        (
            "a pointer without its slash",
            with_step(&format!(
                "{REQUEST}    expect:\n      asserts: [{{ id: a.b, pointer: id, exists: true }}]\n"
            )),
        ),
        (
            "an unknown method",
            with_step("    request: { method: FETCH, path: /Users }\n"),
        ),
        (
            "an unknown named check",
            with_step(&format!("{REQUEST}    expect: {{ checks: [rfc7644.nope] }}\n")),
        ),
        (
            "rfc7644.sorted without `by`",
            with_step(&format!(
                "{REQUEST}    expect: {{ checks: [rfc7644.sorted] }}\n"
            )),
        ),
        (
            "a misspelt severity",
            with_step(&format!(
                "{REQUEST}    expect:\n      asserts: [{{ id: a.b, pointer: /id, exists: true, severity: Error }}]\n"
            )),
        ),
        (
            "an unknown schema",
            with_step(&format!("{REQUEST}    expect: {{ schema: Users }}\n")),
        ),
        (
            "a burst that writes",
            with_step(
                "    request: { method: POST, path: /Users }\n    burst: { rate: 1, seconds: 1 }\n",
            ),
        ),
        (
            "no steps",
            "id: my.s\ntitle: t\nprofile: okta\nreference: r\nsteps: []\n".to_string(),
        ),
        (
            "no title",
            "id: my.s\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n".to_string(),
        ),
        (
            "the reserved profile name `all`",
            "id: my.s\ntitle: t\nprofile: all\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n".to_string(),
        ),
    ];
    for (what, text) in cases {
        assert!(loads(&text).is_err(), "the loader accepts {what}");
        assert!(
            !schema_errors(&text).is_empty(),
            "the schema accepts {what}"
        );
    }
}
