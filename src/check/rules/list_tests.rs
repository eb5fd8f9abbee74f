//! Unit tests of the ListResponse rules: each outcome id passing, and failing for its defect.

use super::*;
use crate::check::rules::testing::{assert_absent, assert_outcome, outcome, Fixture};
use crate::check::CheckStatus::{Failed, Passed, Skipped};
use serde_json::json;

const USERS: &str = "http://h/scim/v2/Users";

fn run(body: Value, url: &str) -> Vec<CheckOutcome> {
    list_response(&Fixture::json(200, &body, url).ctx())
}

/// A ListResponse with `n` resources and the given members added.
fn page(n: usize, extra: Value) -> Value {
    let mut body = json!({
        "schemas": [urn::LIST_RESPONSE],
        "Resources": (0..n).map(|i| json!({"id": format!("u{i}")})).collect::<Vec<_>>(),
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[test]
fn a_correct_page_passes_every_rule_in_order() {
    let out = run(
        page(
            2,
            json!({"totalResults": 2, "startIndex": 1, "itemsPerPage": 2}),
        ),
        &format!("{USERS}?startIndex=1&count=2"),
    );
    let ids: Vec<&str> = out.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "rfc7644.list.schemas",
            "rfc7644.list.integer-counts",
            "rfc7644.list.total-results",
            "rfc7644.list.resources",
            "rfc7644.list.items-per-page",
            "rfc7644.list.first-page",
            "rfc7644.list.start-index",
            "rfc7644.list.count-honoured",
        ]
    );
    let e = Severity::Error;
    for (id, words) in [
        ("rfc7644.list.schemas", "schemas holds the ListResponse URN"),
        (
            "rfc7644.list.integer-counts",
            "totalResults, startIndex and itemsPerPage are integers",
        ),
        (
            "rfc7644.list.total-results",
            "totalResults 2, 2 resource(s) on this page",
        ),
        (
            "rfc7644.list.resources",
            "totalResults 2; Resources present",
        ),
        (
            "rfc7644.list.items-per-page",
            "itemsPerPage 2, Resources holds 2",
        ),
        (
            "rfc7644.list.first-page",
            "the first page holds 2 of 2 result(s)",
        ),
        ("rfc7644.list.start-index", "asked startIndex 1, got 1"),
        (
            "rfc7644.list.count-honoured",
            "asked count 2, got 2 resource(s)",
        ),
    ] {
        assert_outcome(outcome(&out, id), Passed, e, &[words]);
    }
}

#[test]
fn a_body_that_is_not_an_object_is_skipped() {
    let out = run(json!([1, 2]), USERS);
    assert_eq!(out.len(), 1);
    let o = outcome(&out, "rfc7644.list.schemas");
    assert_outcome(o, Skipped, Severity::Error, &["not a JSON object"]);
}

#[test]
fn schemas_without_the_list_response_urn_fail() {
    let mut body = page(0, json!({"totalResults": 0}));
    body["schemas"] = json!([urn::ERROR]);
    let out = run(body, USERS);
    let o = outcome(&out, "rfc7644.list.schemas");
    assert_outcome(
        o,
        Failed,
        Severity::Error,
        &["does not hold", urn::LIST_RESPONSE],
    );
    assert_eq!(o.pointer.as_deref(), Some("/schemas"));
}

#[test]
fn counts_that_are_not_integers_fail() {
    let out = run(
        page(1, json!({"totalResults": "1", "itemsPerPage": -1})),
        USERS,
    );
    assert_outcome(
        outcome(&out, "rfc7644.list.integer-counts"),
        Failed,
        Severity::Error,
        &[
            "totalResults is \"1\" (not a non-negative JSON integer)",
            "itemsPerPage is -1",
        ],
    );
    let out = run(page(1, json!({})), USERS);
    assert_outcome(
        outcome(&out, "rfc7644.list.integer-counts"),
        Failed,
        Severity::Error,
        &["totalResults is missing"],
    );
}

#[test]
fn resources_that_are_not_an_array_fail_and_end_the_check() {
    let mut body = page(0, json!({"totalResults": 1}));
    body["Resources"] = json!({"id": "u0"});
    let out = run(body, USERS);
    assert_outcome(
        outcome(&out, "rfc7644.list.resources"),
        Failed,
        Severity::Error,
        &["Resources is not a JSON array"],
    );
    assert_absent(&out, "rfc7644.list.total-results");
    assert_absent(&out, "rfc7644.list.first-page");
}

#[test]
fn resources_missing_with_results_fail() {
    let mut body = page(0, json!({"totalResults": 3}));
    body.as_object_mut().unwrap().remove("Resources");
    let out = run(body, USERS);
    assert_outcome(
        outcome(&out, "rfc7644.list.resources"),
        Failed,
        Severity::Error,
        &["totalResults 3; Resources missing"],
    );
    let mut body = page(0, json!({"totalResults": 0}));
    body.as_object_mut().unwrap().remove("Resources");
    let out = run(body, USERS);
    assert_outcome(
        outcome(&out, "rfc7644.list.resources"),
        Passed,
        Severity::Error,
        &["totalResults 0; Resources missing"],
    );
}

#[test]
fn total_results_below_the_page_length_fail() {
    let out = run(page(2, json!({"totalResults": 1})), USERS);
    assert_outcome(
        outcome(&out, "rfc7644.list.total-results"),
        Failed,
        Severity::Error,
        &["totalResults 1, 2 resource(s) on this page"],
    );
}

#[test]
fn items_per_page_must_count_the_resources() {
    let out = run(
        page(2, json!({"totalResults": 2, "itemsPerPage": 5})),
        USERS,
    );
    assert_outcome(
        outcome(&out, "rfc7644.list.items-per-page"),
        Failed,
        Severity::Error,
        &["itemsPerPage 5, Resources holds 2"],
    );
    // Not an integer: integer-counts says so, items-per-page stays silent.
    let out = run(
        page(2, json!({"totalResults": 2, "itemsPerPage": "2"})),
        USERS,
    );
    assert_absent(&out, "rfc7644.list.items-per-page");
}

#[test]
fn items_per_page_is_required_on_a_partial_page_only() {
    let out = run(page(2, json!({"totalResults": 5})), USERS);
    assert_outcome(
        outcome(&out, "rfc7644.list.items-per-page"),
        Failed,
        Severity::Error,
        &["no itemsPerPage on a partial page (2 of the results)"],
    );
    let out = run(page(2, json!({"totalResults": 2})), USERS);
    assert_outcome(
        outcome(&out, "rfc7644.list.items-per-page"),
        Passed,
        Severity::Error,
        &["not required when every result is on this page"],
    );
}

#[test]
fn an_empty_first_page_of_a_non_empty_result_fails() {
    let out = run(page(0, json!({"totalResults": 3})), USERS);
    let o = outcome(&out, "rfc7644.list.first-page");
    assert_outcome(
        o,
        Failed,
        Severity::Error,
        &["the first page holds 0 of 3 result(s)"],
    );
    assert_eq!(o.reference, "RFC 7644 §3.4.2.4");
    // count=0 asks for no resources; a later page may be empty.
    let out = run(
        page(0, json!({"totalResults": 3})),
        &format!("{USERS}?count=0"),
    );
    assert_absent(&out, "rfc7644.list.first-page");
    let out = run(
        page(0, json!({"totalResults": 3})),
        &format!("{USERS}?startIndex=4"),
    );
    assert_absent(&out, "rfc7644.list.first-page");
}

#[test]
fn start_index_must_echo_the_request() {
    let url = format!("{USERS}?startIndex=3");
    let out = run(page(1, json!({"totalResults": 5, "startIndex": 1})), &url);
    assert_outcome(
        outcome(&out, "rfc7644.list.start-index"),
        Failed,
        Severity::Error,
        &["asked startIndex 3, got 1"],
    );
    // "A value less than 1 SHALL be interpreted as 1."
    let url = format!("{USERS}?startIndex=0");
    let out = run(page(1, json!({"totalResults": 1, "startIndex": 1})), &url);
    assert_outcome(
        outcome(&out, "rfc7644.list.start-index"),
        Passed,
        Severity::Error,
        &["asked startIndex 0, got 1"],
    );
    assert_absent(
        &run(page(1, json!({"totalResults": 1})), USERS),
        "rfc7644.list.start-index",
    );
}

#[test]
fn start_index_is_required_on_a_partial_page_only() {
    let url = format!("{USERS}?startIndex=2");
    let out = run(page(1, json!({"totalResults": 5})), &url);
    assert_outcome(
        outcome(&out, "rfc7644.list.start-index"),
        Failed,
        Severity::Error,
        &["asked startIndex 2; a partial page without startIndex"],
    );
    let out = run(page(1, json!({"totalResults": 1})), &url);
    assert_outcome(
        outcome(&out, "rfc7644.list.start-index"),
        Passed,
        Severity::Error,
        &["not required when every result is on this page"],
    );
}

#[test]
fn more_resources_than_count_fail() {
    let out = run(
        page(3, json!({"totalResults": 3, "itemsPerPage": 3})),
        &format!("{USERS}?count=2"),
    );
    assert_outcome(
        outcome(&out, "rfc7644.list.count-honoured"),
        Failed,
        Severity::Error,
        &["asked count 2, got 3 resource(s)"],
    );
    assert_absent(
        &run(page(3, json!({"totalResults": 3})), USERS),
        "rfc7644.list.count-honoured",
    );
}

#[test]
fn a_lower_case_resources_key_is_an_error_for_okta_and_entra_and_a_note_for_the_rfc() {
    use crate::scenario::Profile;
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 1, "startIndex": 1, "itemsPerPage": 1,
        "resources": [{"id": "u1"}],
    });
    let url = "http://h/scim/v2/Users?startIndex=1&count=10";
    for (profile, status, severity) in [
        (Profile::Okta, Failed, Severity::Error),
        (Profile::Entra, Failed, Severity::Error),
        (Profile::Rfc, Passed, Severity::Info),
    ] {
        let f = Fixture::json(200, &body, url).under(profile);
        let out = list_response(&f.ctx());
        assert_outcome(
            outcome(&out, RESOURCES_KEY),
            status,
            severity,
            &["\"resources\", not \"Resources\""],
        );
    }
    let spelt = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0, "Resources": [],
    });
    let out = list_response(&Fixture::json(200, &spelt, url).under(Profile::Okta).ctx());
    assert!(out.iter().all(|o| o.id.as_str() != RESOURCES_KEY));
}
