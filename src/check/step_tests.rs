//! The checks of one step: status, content type, schema, rules and asserts, and what a
//! failure skips.

use super::*;
use crate::exec::{Headers, RecordedRequest, RecordedResponse};
use crate::plan::{builtins_for_tests, RunId};
use crate::scenario::builtin;
use crate::scim::Method;
use proptest::prelude::*;

fn exchange(status: u16, content_type: Option<&str>, body: String, url: &str) -> Exchange {
    let mut headers = Headers::new();
    if let Some(ct) = content_type {
        headers.insert("content-type".into(), ct.into());
    }
    headers.insert("location".into(), "http://h/scim/v2/Users/1".into());
    Exchange {
        request: RecordedRequest {
            method: Method::Get,
            url: url.into(),
            headers: Headers::new(),
            body: Some(serde_json::json!({"userName": "a"})),
            raw_body: None,
        },
        response: Some(RecordedResponse::new(status, headers, body, false)),
        error: None,
        started: None,
        duration_ms: 0,
        throttled: vec![],
    }
}

/// The outcomes of `step`, written without variables, under `profile` for the response `x`.
fn outcomes(step: &Step, profile: Profile, x: &Exchange) -> Vec<CheckOutcome> {
    let prepared =
        crate::plan::prepare_step(step, &Default::default(), &Default::default()).unwrap();
    let ctx = StepContext {
        scenario_id: "x",
        profile,
        step,
        prepared: &prepared,
        reference: "r",
        exchange: x,
    };
    check_step(&ctx).0
}

/// Runs every built-in step's checks against one response.
fn check_all_steps(x: &Exchange) {
    let vars = builtins_for_tests(&RunId::random());
    for loaded in builtin().unwrap() {
        for step in &loaded.scenario.steps {
            let vars = crate::plan::first_request_vars(step, &vars).unwrap();
            let prepared =
                crate::plan::prepare_step(step, &loaded.scenario.headers, &vars).unwrap();
            let ctx = StepContext {
                scenario_id: &loaded.scenario.id,
                profile: loaded.scenario.profile,
                step,
                prepared: &prepared,
                reference: "r",
                exchange: x,
            };
            let (outcomes, _) = check_step(&ctx);
            assert!(!outcomes.is_empty(), "step {} produced no outcome", step.id);
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("Resources".to_string()),
                    Just("totalResults".to_string()),
                    Just("schemas".to_string()),
                    Just("members".to_string()),
                    Just("status".to_string()),
                    Just("meta".to_string()),
                    ".{0,8}".prop_map(|s| s)
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..512), json_ct in any::<bool>()) {
        let ct = if json_ct { Some("application/scim+json") } else { None };
        check_all_steps(&exchange(status, ct, String::from_utf8_lossy(&body).into_owned(), "http://h/scim/v2/Users?startIndex=1&count=2"));
    }

    #[test]
    fn arbitrary_json_never_panics(status in prop_oneof![Just(200u16), Just(201), Just(204), Just(400), Just(401), Just(404), Just(409), 100u16..600], body in arb_json()) {
        check_all_steps(&exchange(status, Some("application/scim+json"), body.to_string(), "http://h/scim/v2/Users?startIndex=3&count=1"));
    }
}

#[test]
fn deeply_nested_json_is_not_json_but_no_panic() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    check_all_steps(&exchange(
        200,
        Some("application/scim+json"),
        deep,
        "http://h/scim/v2/Users",
    ));
}

/// A step that accepts a success or a refusal holds the refusal to the error rules.
#[test]
fn a_refusal_the_step_allows_gets_the_error_rules() {
    let yaml = "id: s\ntitle: t\nrequest: { method: GET, path: /Users }\nexpect: { status: [200, 204, 400] }\n";
    let step: Step = serde_saphyr::from_str(yaml).unwrap();
    let ids = |status: u16, body: &str| -> Vec<(String, bool)> {
        let x = exchange(
            status,
            Some("text/html"),
            body.into(),
            "http://h/scim/v2/Users",
        );
        outcomes(&step, Profile::Rfc, &x)
            .into_iter()
            .map(|o| (o.id.to_string(), o.is_failure()))
            .collect()
    };
    let refused = ids(400, "<html>Bad Request</html>");
    assert!(
        refused.contains(&("rfc7644.error.json".into(), true)),
        "{refused:?}"
    );
    let kept = ids(204, "");
    assert!(
        kept.iter().all(|(id, _)| !id.starts_with("rfc7644.error")),
        "{kept:?}"
    );
}

#[test]
fn an_empty_detail_is_said_so() {
    let step: Step = serde_saphyr::from_str(
        "id: s\ntitle: t\nrequest: { method: GET, path: /Users }\nexpect: { status: [200] }\n",
    )
    .unwrap();
    let x = exchange(
        500,
        Some("application/scim+json"),
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":""}"#
            .into(),
        "http://h/scim/v2/Users",
    );
    let outcomes = outcomes(&step, Profile::Okta, &x);
    assert_eq!(
        outcomes[0].message,
        "expected status 200, got 500 (no detail)"
    );
}

#[test]
fn a_refused_filter_is_quoted_in_the_status_finding() {
    let step: Step = serde_saphyr::from_str(
        "id: s\ntitle: t\nrequest: { method: GET, path: /Users }\nexpect: { status: [200] }\n",
    )
    .unwrap();
    let x = exchange(
        400,
        Some("application/scim+json"),
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"no"}"#
            .into(),
        "http://h/scim/v2/Users?filter=userName%20sw%20%22p-%22%20and%20(title%20pr)",
    );
    let outcomes = outcomes(&step, Profile::Rfc, &x);
    assert_eq!(
        outcomes[0].message,
        "expected status 200, got 400 to the filter `userName sw \"p-\" and (title pr)` (detail: no)"
    );
}

#[test]
fn transport_errors_and_refusals_are_checked() {
    let mut x = exchange(200, None, String::new(), "http://h/scim/v2/Users");
    x.response = None;
    x.error = Some(crate::exec::TransportError {
        kind: crate::exec::TransportErrorKind::Timeout,
        message: "timed out".into(),
    });
    check_all_steps(&x);
}

#[test]
fn a_noted_status_passes_with_its_reason_and_an_error_one_only_as_a_scim_error() {
    let yaml = "id: s\ntitle: t\nrequest: { method: GET, path: /Me }\nexpect: { status: [200, 501], status_warning: [404], status_note: { 404: \"no resource for the subject\", 201: \"accepted\" } }\n";
    let step: Step = serde_saphyr::from_str(yaml).unwrap();
    let run = |status: u16, ct: &str, body: &str| -> Vec<CheckOutcome> {
        let x = exchange(status, Some(ct), body.into(), "http://h/scim/v2/Me");
        outcomes(&step, Profile::Rfc, &x)
    };
    let status_of = |out: &[CheckOutcome]| {
        let o = out.iter().find(|o| o.id.as_str() == "x.s.status").unwrap();
        (o.status, o.severity, o.message.clone())
    };
    let scim_404 = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no user"}"#;
    let out = run(404, "application/scim+json", scim_404);
    assert_eq!(
        status_of(&out),
        (
            crate::check::CheckStatus::Passed,
            Severity::Info,
            "status 404: no resource for the subject".to_string()
        )
    );
    // The error body still gets the error rules, and passes them.
    assert!(
        out.iter().any(|o| o.id.as_str() == "rfc7644.error.schemas"),
        "{out:#?}"
    );
    assert!(out.iter().all(|o| !o.is_failure()), "{out:#?}");

    // A 404 page that is not a SCIM Error is what status_warning says it is.
    let out = run(404, "text/html", "<html>Not Found</html>");
    assert_eq!(status_of(&out).0, crate::check::CheckStatus::Warning);

    // A noted success is a success: no error rules.
    let out = run(201, "application/scim+json", r#"{"id":"1"}"#);
    assert_eq!(status_of(&out).1, Severity::Info);
    assert!(
        out.iter()
            .all(|o| !o.id.as_str().starts_with("rfc7644.error")),
        "{out:#?}"
    );
}
