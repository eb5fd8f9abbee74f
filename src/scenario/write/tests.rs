//! The writer against the loader: every written file loads back equal to what was written.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::to_yaml;
use crate::scenario::{builtin, parse, validate_all, Comparison, Loaded, Op, Pause, Scenario};

/// The model types have no `PartialEq`; their `Debug` shows every field, values included.
fn same(a: &Scenario, b: &Scenario) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Written, then read back: the text, and the scenario it reads as.
fn round_trip(s: &Scenario) -> (String, Scenario) {
    let text = to_yaml(s).unwrap();
    let back = parse("written.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    (text, back)
}

#[test]
fn every_builtin_scenario_loads_back_equal() {
    let all = builtin().unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../../../schemas/scenario.schema.json")).unwrap();
    let schema = jsonschema::draft202012::new(&schema).unwrap();
    let mut rewritten = Vec::new();
    for loaded in &all {
        let (text, back) = round_trip(&loaded.scenario);
        assert!(
            same(&loaded.scenario, &back),
            "{} does not load back equal:\n{text}",
            loaded.file
        );
        assert_eq!(
            to_yaml(&back).unwrap(),
            text,
            "{}: written twice",
            loaded.file
        );
        // An editor holding the file to `schemas/scenario.schema.json` finds nothing wrong.
        let instance: Value = serde_saphyr::from_str(&text).unwrap();
        let errors: Vec<String> = schema
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", loaded.file);
        rewritten.push(Loaded::parse(&loaded.file, &text).unwrap());
    }
    // Read back, they pass the rules checked after parsing too (variables, needs, prefixes).
    validate_all(&rewritten).unwrap();
}

/// A scenario of one GET step, from a file.
fn small() -> Scenario {
    parse(
        "x.yaml",
        "id: my.s\ntitle: t\nprofile: acme\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n",
    )
    .unwrap()
}

#[test]
fn keys_come_in_the_builtin_order_and_defaults_are_left_out() {
    let s = parse(
        "x.yaml",
        r#"
steps:
  - capture: { user_id: /id }
    expect:
      asserts: [{ id: my.s.a, pointer: /active, exists: false, hint: "Say: no" }]
      status: [201, 200]
      checks: [rfc7644.echo, { id: rfc7644.created-resource, args: { resource_type: User } }]
      skip_if_status: { 501: not supported }
    request: { body: { userName: "{{scenario.prefix}}a", active: true }, path: /Users, method: POST }
    needs: []
    snapshot: full
    title: Create
    id: create
description: >
  Two lines in the file, one paragraph.
reference: "RFC 7644 §3.3"
profile: rfc
title: "Create: a user"
id: my.create
"#,
    )
    .unwrap();
    let expected = r#"version: 1
id: my.create
title: "Create: a user"
profile: rfc
reference: RFC 7644 §3.3
description: >
  Two lines in the file, one paragraph.
steps:
  - id: create
    title: Create
    request:
      method: POST
      path: /Users
      body:
        userName: "{{scenario.prefix}}a"
        active: true
    expect:
      status: [201, 200]
      skip_if_status:
        501: not supported
      checks:
        - rfc7644.echo
        - id: rfc7644.created-resource
          args:
            resource_type: User
      asserts:
        - id: my.s.a
          pointer: /active
          absent: true
          hint: "Say: no"
    capture:
      user_id: /id
"#;
    assert_eq!(to_yaml(&s).unwrap(), expected);
}

/// Strings a careless writer would break: YAML's own syntax, words it reads as other types,
/// templates, line breaks, blanks at the ends, non-ASCII and control characters.
const HOSTILE: &[&str] = &[
    r#"he said "hi": yes"#,
    "a: b",
    "a #b",
    "ends:",
    "{{var}}",
    "{{a}} and {{b}}",
    "- item",
    "-",
    "? key",
    "*alias",
    "&anchor",
    "!tag",
    "%directive",
    "@at",
    "`tick",
    "|",
    ">",
    "'single'",
    "\"",
    "\\",
    ":colon",
    "# not a comment",
    "[1, 2]",
    "{a: 1}",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "null",
    "~",
    "true",
    "123",
    "-1.5",
    "0x1F",
    "0o17",
    "1e3",
    ".inf",
    "NaN",
    "2024-01-01",
    "",
    " ",
    " leading",
    "trailing ",
    "tab\there",
    "Zoë — 日本語 🚀",
    "line one\nline two",
    "ends with a break\n",
    "two breaks\n\n",
    "\nleading break",
    "a\n\nb\n",
    "indented\n  more",
    " \n ",
    "cr\r\nlf",
    "nul\u{0}bell\u{7}del\u{7f}",
    "sep\u{2028}par\u{2029}bom\u{feff}nel\u{85}",
    "non-char \u{fffe}",
    "<<",
    "=",
    "a,b",
    "/Users/{{user_id}}",
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "emails[type eq \"work\"].value",
];

fn with_strings(texts: &[&str]) -> Scenario {
    let mut s = small();
    let step = &mut s.steps[0];
    let body: serde_json::Map<String, Value> = texts
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            [
                (format!("v{i}"), json!(t)),
                (t.to_string(), json!([t, { "k": t }, i])),
            ]
        })
        .collect();
    step.request.method = crate::scim::Method::Post;
    step.request.body = Some(Value::Object(body));
    for (i, t) in texts.iter().enumerate() {
        step.request
            .headers
            .insert(format!("X-{i}"), Some(t.to_string()));
        step.request.query.insert(format!("q{i}"), json!(t));
    }
    s.title = texts.concat();
    s.description = texts.first().map(|t| t.to_string());
    s.steps[0].title = texts.last().map_or_else(String::new, |t| t.to_string());
    s
}

#[test]
fn hostile_strings_round_trip() {
    for text in HOSTILE {
        let s = with_strings(&[text]);
        let (written, back) = round_trip(&s);
        assert!(same(&s, &back), "{text:?} changed:\n{written}");
    }
    let s = with_strings(HOSTILE);
    let (written, back) = round_trip(&s);
    assert!(same(&s, &back), "changed:\n{written}");
}

#[test]
fn a_scenario_without_steps_still_says_so() {
    let mut s = small();
    s.steps.clear();
    let (text, back) = round_trip(&s);
    assert!(text.ends_with("steps: []\n"), "{text}");
    assert!(same(&s, &back));
}

#[test]
fn numbers_keep_their_type() {
    let mut s = small();
    s.steps[0].request.method = crate::scim::Method::Post;
    s.steps[0].request.body = Some(json!({
        "int": 7, "neg": -7, "big": u64::MAX, "float": 1.0, "tiny": 1e-300, "huge": 1e300,
        "half": 0.5, "none": null, "no": false, "empty": "", "list": [], "map": {},
        "nested": [[1, [2]], [{}], [[]]],
    }));
    let (written, back) = round_trip(&s);
    assert!(same(&s, &back), "changed:\n{written}");
}

#[test]
fn what_a_file_cannot_say_is_refused_not_dropped() {
    let mut s = small();
    s.steps[0].pause = Some(Pause {
        seconds: 1.0,
        wait: false,
        org: false,
    });
    let err = to_yaml(&s).unwrap_err();
    assert!(
        err.to_string().starts_with("step `s`: the step: a pause"),
        "{err}"
    );

    let mut s = small();
    s.steps[0].request.root = Some("{{SCIMBaseURL}}".into());
    assert!(to_yaml(&s).unwrap_err().reason.contains("root URL"));

    let mut s = small();
    let mut assert = parse(
        "x.yaml",
        "id: my.s\ntitle: t\nprofile: acme\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n    expect: { asserts: [{ id: my.s.a, pointer: /x, equals: 1 }] }\n",
    )
    .unwrap()
    .steps[0]
        .expect
        .asserts[0]
        .clone();
    assert.op = Op::Compare(Comparison::IsLessThan, json!("3"));
    s.steps[0].expect.asserts.push(assert.clone());
    let err = to_yaml(&s).unwrap_err();
    assert_eq!(err.part, "step `s`: assert `my.s.a`");
    assert!(err.reason.contains("is_less_than"), "{err}");

    assert.op = Op::Equals(Value::Null);
    s.steps[0].expect.asserts = vec![assert];
    assert!(to_yaml(&s).unwrap_err().reason.contains("equals: null"));

    let mut s = small();
    s.steps[0].request.body = Some(Value::Null);
    assert!(to_yaml(&s).unwrap_err().reason.contains("null"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_string_round_trips(a in any::<String>(), b in "[ -~\n\t]{0,40}") {
        let s = with_strings(&[&a, &b]);
        let text = to_yaml(&s).unwrap();
        let back = parse("written.yaml", &text);
        prop_assert!(back.is_ok(), "{:?}\n{}", back.err(), text);
        prop_assert!(same(&s, &back.unwrap()), "changed:\n{}", text);
    }
}
