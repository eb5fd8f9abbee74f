//! The converter end to end: export text in, scenario (or a message naming the step) out.

use serde_json::json;

use super::convert::convert;
use super::load::RunscopeOptions;
use super::model::parse;
use crate::scenario::{Comparison, Op, Scenario, SnapshotMode, Subject};

const OKTA: &str = include_str!("../../../tests/fixtures/runscope/okta-spec-shaped.json");

fn seeded() -> RunscopeOptions {
    RunscopeOptions {
        seed: true,
        ..Default::default()
    }
}

fn scenario(text: &str, opts: &RunscopeOptions) -> Result<Scenario, String> {
    convert("dir/My Test.json", &parse("t.json", text).unwrap(), opts)
}

fn one_step(step: serde_json::Value) -> String {
    json!({"name": "t", "steps": [step]}).to_string()
}

#[test]
fn okta_shaped_export_becomes_a_seeded_scenario() {
    let s = convert(
        "okta-spec-shaped.json",
        &parse("x", OKTA).unwrap(),
        &seeded(),
    )
    .unwrap();
    assert_eq!(s.id, "runscope.okta-spec-shaped");
    assert_eq!(s.steps.len(), 13);
    assert_eq!(s.steps[0].id, "seed");
    let first = &s.steps[1];
    assert_eq!(first.id, "1");
    assert_eq!(first.title, "Required Test: Test Users endpoint");
    assert_eq!(first.request.root.as_deref(), Some("{{SCIMBaseURL}}"));
    assert_eq!(first.request.path, "/Users");
    assert!(
        first.request.headers.is_empty(),
        "{{{{auth}}}} is the run's credentials"
    );
    assert_eq!(first.capture["ISVUserid"], "/Resources/0/id");
    assert_eq!(first.snapshot, SnapshotMode::Status);
    assert_eq!(first.expect.schema.as_deref(), Some("ListResponse"));
    let a = &first.expect.asserts;
    assert_eq!(a[0].id, "runscope.okta-spec-shaped.1.1");
    assert_eq!(a[0].subject, Subject::Status);
    assert_eq!(
        a[1].needs,
        vec!["runscope.okta-spec-shaped.1.1".to_string()]
    );
    assert_eq!(
        a.last().unwrap().op,
        Op::Type(crate::scenario::JsonType::Array),
        "Okta's array script is checked natively"
    );
    // The second step reads the first's capture about someone else's data.
    assert_eq!(s.steps[2].snapshot, SnapshotMode::Status);
    let create = &s.steps[6];
    assert_eq!(
        create.request.body.as_ref().unwrap()["userName"],
        json!("{{randomUsername}}")
    );
    assert_eq!(
        create.request.headers["Content-Type"].as_deref(),
        Some("application/json")
    );
    assert_eq!(create.snapshot, SnapshotMode::Full);
    let unauthorised = &s.steps[11];
    assert_eq!(
        unauthorised.request.headers["Authorization"].as_deref(),
        Some("non-token")
    );
    assert_eq!(unauthorised.expect.expected_statuses(), vec![401]);
    assert!(s.variables.iter().any(|v| v.name == "randomUsernameCaps"));
}

#[test]
fn without_seed_the_export_runs_alone_and_every_comparison_converts() {
    let assertions: Vec<_> = Comparison::ALL
        .iter()
        .map(|c| json!({"source": "response_json", "property": "a.b[0]", "comparison": c.name(), "value": "1"}))
        .collect();
    let s = scenario(
        &one_step(
            json!({"method": "get", "url": "{{SCIMBaseURL}}/Users", "assertions": assertions}),
        ),
        &RunscopeOptions::default(),
    )
    .unwrap();
    assert_eq!(s.id, "runscope.my-test");
    assert_eq!(s.steps.len(), 1);
    let ops: Vec<_> = s.steps[0]
        .expect
        .asserts
        .iter()
        .map(|a| a.op.clone())
        .collect();
    assert_eq!(ops.len(), 14);
    assert_eq!(ops[9], Op::Compare(Comparison::EqualNumber, json!("1")));
}

#[test]
fn an_unknown_comparison_names_the_step_and_the_supported_ones() {
    let err = scenario(
        &json!({"steps": [
            {"method": "GET", "url": "{{SCIMBaseURL}}/Users"},
            {"note": "Second", "method": "GET", "url": "{{SCIMBaseURL}}/Users", "assertions": [
                {"source": "response_status", "comparison": "equal", "value": "200"},
                {"source": "response_json", "property": "x", "comparison": "equals", "value": "1"}]}
        ]})
        .to_string(),
        &seeded(),
    )
    .unwrap_err();
    assert!(
        err.starts_with("step 2 (\"Second\"): assertion 2: unknown comparison `equals` (supported: equal, not_equal, empty,"),
        "{err}"
    );
    assert!(err.contains("is_greater_than_or_equal"), "{err}");
}

#[test]
fn undefined_variables_and_misplaced_auth_are_refused() {
    let err = scenario(
        &one_step(json!({"method": "GET", "url": "{{SCIMBaseURL}}/Users/{{userId}}"})),
        &seeded(),
    )
    .unwrap_err();
    assert!(
        err.starts_with("step 1: the url uses {{userId}}, which is not defined"),
        "{err}"
    );
    assert!(err.contains("--variable userId=VALUE"), "{err}");
    let err = scenario(
        &one_step(json!({"method": "GET", "url": "{{SCIMBaseURL}}/Users", "headers": {"X-Token": ["{{auth}}"]}})),
        &seeded(),
    )
    .unwrap_err();
    assert!(
        err.contains("{{auth}} stands for the run's credentials"),
        "{err}"
    );
    // Given on the command line, both are ordinary variables.
    let opts = RunscopeOptions {
        variables: vec![
            ("userId".into(), "u1".into()),
            ("auth".into(), "Bearer x".into()),
        ],
        ..Default::default()
    };
    let s = scenario(
        &one_step(json!({"method": "GET", "url": "{{SCIMBaseURL}}/Users/{{userId}}", "headers": {"Authorization": ["{{auth}}"]}})),
        &opts,
    )
    .unwrap();
    assert_eq!(
        s.steps[0].request.headers["Authorization"].as_deref(),
        Some("{{auth}}")
    );
}

#[test]
fn captures_map_to_pointers_headers_and_the_status() {
    let s = scenario(
        &json!({"steps": [
            {"method": "POST", "url": "{{SCIMBaseURL}}/Users", "body": "{\"userName\": \"{{randomUsername}}\"}", "variables": [
                {"source": "response_json", "property": "id", "name": "uid"},
                {"source": "response_json", "property": "", "name": "whole"},
                {"source": "response_header", "property": "Location", "name": "where"},
                {"source": "response_status", "name": "code"},
                // A blank row, as Okta's published CRUD test exports one.
                {"source": "response_json", "property": "", "name": null}]},
            {"method": "GET", "url": "{{SCIMBaseURL}}/Users/{{uid}}", "assertions": [
                {"source": "response_status", "comparison": "equal", "value": "{{code}}"}]}
        ]})
        .to_string(),
        &RunscopeOptions::default(),
    )
    .unwrap();
    let c = &s.steps[0].capture;
    assert_eq!(c["uid"], "/id");
    assert_eq!(c["whole"], "");
    assert_eq!(c["where"], "header:Location");
    assert_eq!(c["code"], "status");
    assert_eq!(c.len(), 4);
    let err = scenario(
        &one_step(json!({"method": "GET", "url": "{{SCIMBaseURL}}/Users", "variables": [{"source": "response_text", "name": "t"}]})),
        &seeded(),
    )
    .unwrap_err();
    assert!(
        err.contains("source `response_text` is not supported"),
        "{err}"
    );
}

#[test]
fn pauses_scripts_and_bad_steps() {
    let s = scenario(
        &json!({"steps": [
            {"step_type": "pause", "duration": 2},
            {"method": "GET", "url": "https://elsewhere.example/x", "before_scripts": ["variables.set('a', 1);"], "scripts": ["\n  assert.equal(1, 1);\nmore"]}
        ]})
        .to_string(),
        &RunscopeOptions { pauses: true, ..Default::default() },
    )
    .unwrap();
    assert_eq!(
        s.steps[0].pause.map(|p| (p.seconds, p.wait, p.org)),
        Some((2.0, true, false))
    );
    assert_eq!(
        s.steps[1].request.root.as_deref(),
        Some("https://elsewhere.example")
    );
    let scripts: Vec<_> = s.steps[1]
        .expect
        .asserts
        .iter()
        .map(|a| (a.id.as_str(), &a.op))
        .collect();
    assert_eq!(scripts.len(), 2);
    assert_eq!(scripts[0].0, "runscope.my-test.2.script-1");
    assert!(
        matches!(scripts[1].1, Op::Script(t) if t.ends_with("after the response was not run (scimcheck runs no JavaScript): assert.equal(1, 1);"))
    );
    for (step, want) in [
        (
            json!({"step_type": "pause"}),
            "a pause step needs a `duration`",
        ),
        (json!({"method": "GET"}), "a request step needs a `url`"),
        (
            json!({"method": "GET", "url": "/Users"}),
            "is neither an absolute URL",
        ),
        (
            json!({"method": "GET", "url": "{{SCIMBaseURL}}/Users", "assertions": [{"source": "response_json", "property": "a..b", "comparison": "empty"}]}),
            "assertion 1: `a..b` is not a property path",
        ),
    ] {
        let err = scenario(&one_step(step), &seeded()).unwrap_err();
        assert!(err.starts_with("step 1"), "{err}");
        assert!(err.contains(want), "{err} (wanted {want})");
    }
}

#[test]
fn a_method_or_body_scimcheck_cannot_send_is_a_step_not_run_not_a_refused_file() {
    let s = scenario(
        &json!({"steps": [
            {"method": "TRACE", "url": "{{SCIMBaseURL}}/"},
            {"method": "POST", "url": "{{SCIMBaseURL}}/Users", "body": "userName={{randomUsername}}"},
            {"method": "GET", "url": "{{SCIMBaseURL}}/Users"}
        ]})
        .to_string(),
        &RunscopeOptions::default(),
    )
    .unwrap();
    let why = |i: usize| s.steps[i].not_run.clone().unwrap_or_default();
    assert!(
        why(0).starts_with("method `TRACE` is not one scimcheck sends"),
        "{}",
        why(0)
    );
    assert!(why(1).starts_with("its body is not JSON"), "{}", why(1));
    assert!(s.steps[2].not_run.is_none());
}

#[test]
fn conditions_subtests_and_disabled_steps_are_listed_not_run() {
    let s = scenario(
        &json!({"steps": [
            {"step_type": "condition", "left_value": "{{x}}", "comparison": "equal", "right_value": "1", "steps": []},
            {"step_type": "subtest", "note": "Run the SPEC test first", "test_uuid": "t"},
            {"step_type": "ghost_inspector"},
            {"step_type": "request", "skipped": true, "method": "GET", "url": "{{undefinedRoot}}/x"},
            {"method": "GET", "url": "{{SCIMBaseURL}}/Users"}
        ]})
        .to_string(),
        &RunscopeOptions::default(),
    )
    .unwrap();
    let why: Vec<_> = s.steps.iter().map(|st| st.not_run.clone()).collect();
    assert!(why[0].as_deref().unwrap().contains("condition step"));
    assert!(why[1].as_deref().unwrap().contains("subtest"));
    assert_eq!(s.steps[1].title, "Run the SPEC test first");
    assert!(why[2].as_deref().unwrap().contains("`ghost_inspector`"));
    assert!(why[3]
        .as_deref()
        .unwrap()
        .contains("disabled in the export"));
    assert_eq!(why[4], None);
}

#[test]
fn a_crud_export_drives_the_org_with_string_headers_and_short_pauses() {
    let s = scenario(
        &json!({"steps": [
            {"method": "POST", "url": "{{oktaOrgUrl}}/api/v1/users?activate=true",
             "headers": {"Authorization": "SSWS {{oktaToken}}", "Accept": ["application/json"]},
             "body": "{\"profile\": {\"login\": \"{{okta_user_email}}\"}}",
             "variables": [{"source": "response_json", "property": "id", "name": "okta_add_userid"}]},
            {"step_type": "pause", "duration": 10},
            {"method": "GET", "url": "{{SCIMUrl}}/Users?filter=userName eq \"{{okta_user_email}}\"",
             "headers": {"Authorization": ["{{SCIMAuth}}"]}}
        ]})
        .to_string(),
        &RunscopeOptions { seed: true, pauses: true, ..Default::default() },
    )
    .unwrap();
    // No seed user: the CRUD test makes its own through the org.
    assert_eq!(s.steps.len(), 3);
    assert!(s.steps[0].okta_api);
    assert_eq!(
        s.steps[0].request.headers.get("Authorization"),
        Some(&Some("SSWS {{oktaToken}}".to_string()))
    );
    assert_eq!(
        s.steps[1].pause.map(|p| (p.wait, p.org)),
        Some((false, true))
    );
    assert!(!s.steps[2].okta_api);
    // The run's own credentials, injected by the client.
    assert!(s.steps[2].request.headers.is_empty());
    assert!(s.variables.iter().any(|v| v.name == "oktaOrgUrl"));
}
