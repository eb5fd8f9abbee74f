//! For the rules' unit tests: a [`StepContext`] around one recorded exchange, so a test states
//! only the request URL and the response, and assertions on an outcome that name what failed.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::check::outcome::{CheckOutcome, CheckStatus};
use crate::check::step::StepContext;
use crate::exec::{Exchange, Headers, RecordedRequest, RecordedResponse};
use crate::plan::{prepare_step, PreparedStep, Vars};
use crate::scenario::{Profile, Step};
use crate::scim::{Method, Severity};

/// What a [`StepContext`] borrows: a plain step, its rendering and one exchange.
pub(crate) struct Fixture {
    /// The profile the rule runs under (the RFC profile unless a test says otherwise).
    pub profile: Profile,
    step: Step,
    prepared: PreparedStep,
    exchange: Exchange,
}

impl Fixture {
    /// A GET of `url` answered `status` with `headers` and the raw `body`.
    pub(crate) fn new(status: u16, headers: &[(&str, &str)], body: &str, url: &str) -> Fixture {
        let step: Step = serde_saphyr::from_str(
            "id: rule-under-test\ntitle: a rule under test\nrequest: { method: GET, path: /Users }\n",
        )
        .expect("the test step parses");
        let prepared =
            prepare_step(&step, &BTreeMap::new(), &Vars::default()).expect("the test step renders");
        let headers: Headers = headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        Fixture {
            profile: Profile::Rfc,
            step,
            prepared,
            exchange: Exchange {
                request: RecordedRequest {
                    method: Method::Get,
                    url: url.into(),
                    headers: Headers::new(),
                    body: None,
                    raw_body: None,
                },
                response: Some(RecordedResponse::new(
                    status,
                    headers,
                    body.to_string(),
                    false,
                )),
                error: None,
                started: None,
                duration_ms: 0,
                throttled: vec![],
            },
        }
    }

    /// A GET of `url` answered `status` with a SCIM JSON `body`.
    pub(crate) fn json(status: u16, body: &Value, url: &str) -> Fixture {
        Fixture::new(
            status,
            &[("content-type", "application/scim+json")],
            &body.to_string(),
            url,
        )
    }

    /// The same exchange, with the request a POST of `body`.
    pub(crate) fn sent(mut self, body: Value) -> Fixture {
        self.exchange.request.method = Method::Post;
        self.exchange.request.body = Some(body);
        self
    }

    /// The same exchange, the step having sent `body` (what a rule reads of the request).
    pub(crate) fn requesting(mut self, body: Value) -> Fixture {
        self.prepared.request.method = Method::Post;
        self.prepared.request.body = Some(body);
        self
    }

    /// The same exchange, seen under `profile`.
    pub(crate) fn under(mut self, profile: Profile) -> Fixture {
        self.profile = profile;
        self
    }

    /// The context a rule sees.
    pub(crate) fn ctx(&self) -> StepContext<'_> {
        StepContext {
            scenario_id: "rules-test",
            profile: self.profile,
            step: &self.step,
            prepared: &self.prepared,
            reference: "RFC 7644",
            exchange: &self.exchange,
        }
    }
}

/// The one outcome with `id`; panics, listing the ids there are, if there is none or several.
#[track_caller]
pub(crate) fn outcome<'a>(out: &'a [CheckOutcome], id: &str) -> &'a CheckOutcome {
    let found: Vec<&CheckOutcome> = out.iter().filter(|o| o.id.as_str() == id).collect();
    match found.as_slice() {
        [one] => one,
        _ => panic!(
            "expected one outcome {id}, got {} among {:?}",
            found.len(),
            out.iter().map(|o| o.id.as_str()).collect::<Vec<_>>()
        ),
    }
}

/// Asserts the outcome's status and severity, and that its message holds every one of `words`.
#[track_caller]
pub(crate) fn assert_outcome(
    o: &CheckOutcome,
    status: CheckStatus,
    severity: Severity,
    words: &[&str],
) {
    assert_eq!(o.status, status, "{}: {}", o.id, o.message);
    assert_eq!(o.severity, severity, "{}: {}", o.id, o.message);
    for w in words {
        assert!(
            o.message.contains(w),
            "{}: message {:?} lacks {w:?}",
            o.id,
            o.message
        );
    }
}

/// Asserts no outcome has `id`.
#[track_caller]
pub(crate) fn assert_absent(out: &[CheckOutcome], id: &str) {
    assert!(
        out.iter().all(|o| o.id.as_str() != id),
        "{id} was reported: {:?}",
        out.iter().map(|o| o.id.as_str()).collect::<Vec<_>>()
    );
}

/// Runs `f` on a 200 response with `body` to `method` `url` (relative to `http://h/scim/v2`).
pub(crate) fn ctx_with(
    body: &Value,
    method: &str,
    url: &str,
    f: impl FnOnce(&StepContext<'_>) -> Vec<CheckOutcome>,
) -> Vec<CheckOutcome> {
    let mut fixture = Fixture::json(200, body, &format!("http://h/scim/v2{url}"));
    fixture.exchange.request.method =
        serde_json::from_value(Value::String(method.into())).expect("a known method");
    f(&fixture.ctx())
}
