//! A step context around one response, for the rules' unit tests.

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::exec::{Exchange, Headers, RecordedRequest, RecordedResponse};
use crate::plan::{PreparedRequest, PreparedStep};
use crate::scenario::{Profile, Step};
use crate::scim::Method;

/// Runs `f` on a 200 response with `body` to `method` `url` (relative to `http://h/scim/v2`).
pub(crate) fn ctx_with(
    body: &Value,
    method: &str,
    url: &str,
    f: impl FnOnce(&StepContext<'_>) -> Vec<CheckOutcome>,
) -> Vec<CheckOutcome> {
    let method: Method = serde_json::from_value(Value::String(method.into())).unwrap();
    let step: Step = serde_saphyr::from_str(&format!(
        "{{ id: s, title: t, request: {{ method: {}, path: / }} }}",
        method.as_str()
    ))
    .unwrap();
    let prepared = PreparedStep {
        request: PreparedRequest::get("/"),
        asserts: vec![],
        checks: vec![],
    };
    let mut headers = Headers::new();
    headers.insert("content-type".into(), "application/scim+json".into());
    let exchange = Exchange {
        request: RecordedRequest {
            method,
            url: format!("http://h/scim/v2{url}"),
            headers: Headers::new(),
            body: None,
        },
        response: Some(RecordedResponse::new(200, headers, body.to_string(), false)),
        error: None,
        duration_ms: 0,
        throttled: vec![],
    };
    f(&StepContext {
        scenario_id: "test",
        profile: Profile::Rfc,
        step: &step,
        prepared: &prepared,
        reference: "r",
        exchange: &exchange,
    })
}
