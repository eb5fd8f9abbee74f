use serde_json::json;

use super::*;
use crate::scim::Method;

fn exchange(method: Method, path: &str, status: u16) -> Recorded {
    exchange_with(method, path, status, None, None)
}

/// An exchange with JSON bodies and an IdP's usual headers.
fn exchange_with(
    method: Method,
    path: &str,
    status: u16,
    request: Option<serde_json::Value>,
    response: Option<serde_json::Value>,
) -> Recorded {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (
            p,
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        None => (path, Vec::new()),
    };
    Recorded {
        query,
        request_headers: vec![
            ("Authorization".into(), "Bearer tok-123".into()),
            ("User-Agent".into(), "Okta SCIM Client 1.0.0".into()),
        ],
        request_body: request.map(|b| b.to_string()),
        response_headers: vec![("Content-Type".into(), "application/scim+json".into())],
        response_body: response.map(|b| b.to_string()),
        duration_ms: 1,
        ..Recorded::new(method, path, status)
    }
}

/// Okta's cycle in small: look up, create, deactivate, read back.
fn okta_cycle() -> Vec<Recorded> {
    let user = json!({"id": "u-77", "userName": "alice@corp.com", "active": true,
        "name": {"givenName": "Alice"}, "meta": {"version": "W/\"1\""}});
    let mut inactive = user.clone();
    inactive["active"] = json!(false);
    vec![
        exchange_with(
            Method::Get,
            "/Users?filter=userName eq \"alice@corp.com\"",
            200,
            None,
            Some(json!({"totalResults": 0, "Resources": []})),
        ),
        exchange_with(
            Method::Post,
            "/Users",
            201,
            Some(
                json!({"userName": "alice@corp.com", "password": "pw-secret-1", "active": true,
                "name": {"givenName": "Alice"}}),
            ),
            Some(user),
        ),
        exchange_with(
            Method::Patch,
            "/Users/u-77",
            204,
            Some(json!({"Operations": [{"op": "replace", "value": {"active": false}}]})),
            None,
        ),
        exchange_with(Method::Get, "/Users/u-77", 200, None, Some(inactive)),
    ]
}

fn source() -> Source {
    Source {
        id: "recorded.test".into(),
        title: "A test recording".into(),
        profile: "recorded".into(),
        secrets: Vec::new(),
        header: vec!["Recorded by a test".into()],
    }
}

#[test]
fn an_empty_recording_is_refused() {
    assert!(matches!(
        to_scenario(&[], &source()),
        Err(TrafficError::NoScimRequests)
    ));
}

#[test]
fn each_exchange_is_a_step_that_loads_back() {
    let converted = to_scenario(&[exchange(Method::Get, "/Users", 200)], &source()).unwrap();
    assert!(converted.yaml.starts_with("# Recorded by a test\n"));
    let back = crate::scenario::parse("recorded.yaml", &converted.yaml).unwrap();
    assert_eq!(back.steps.len(), 1);
}

#[test]
fn ids_become_captures_names_carry_the_prefix_and_reads_hold_what_was_written() {
    let c = to_scenario(&okta_cycle(), &source()).unwrap();
    let back = crate::scenario::parse("recorded.yaml", &c.yaml).unwrap();
    let steps = &back.steps;
    assert_eq!(
        steps[1].capture.get("user1_id").map(String::as_str),
        Some("/id")
    );
    assert_eq!(steps[2].request.path, "/Users/{{user1_id}}");
    assert_eq!(steps[2].needs.len(), 1);
    assert_eq!(steps[2].expect.status, vec![200, 204]);
    assert_eq!(
        steps[0].request.query["filter"],
        "userName eq \"{{scenario.prefix}}alice@corp.com\""
    );
    assert_eq!(
        steps[1].request.body.as_ref().unwrap()["password"],
        "{{user1.password}}"
    );
    // The read after the PATCH holds the value the recorded server showed, as an error:
    // Okta deprovisions by `active`.
    let active = steps[3]
        .expect
        .asserts
        .iter()
        .find(|a| a.id.ends_with(".active"))
        .unwrap();
    assert_eq!(active.op, crate::scenario::Op::Equals(json!(false)));
    assert_eq!(active.severity, None);
    assert!(!active.may_ignore);
    // Never a volatile field.
    assert!(!c.yaml.contains("/meta"));
    assert!(!c.yaml.contains("u-77\""));
}

#[test]
fn no_credential_password_or_secret_reaches_the_file() {
    let mut traffic = okta_cycle();
    traffic[1].request_body = Some(
        json!({"userName": "alice@corp.com", "title": "code 9f9f-shh", "password": "pw-secret-1"})
            .to_string(),
    );
    let mut src = source();
    src.secrets = vec!["9f9f-shh".into(), "tok-123".into()];
    src.header = vec!["recorded with tok-123".into()];
    let c = to_scenario(&traffic, &src).unwrap();
    for leaked in ["tok-123", "Bearer", "pw-secret-1", "9f9f-shh"] {
        assert!(!c.yaml.contains(leaked), "{leaked} in\n{}", c.yaml);
    }
    assert!(c.yaml.contains("code [redacted]"));
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("replaced by `[redacted]`")),
        "{:?}",
        c.notes
    );
    assert!(c.yaml.contains("User-Agent: Okta SCIM Client 1.0.0"));
}

#[test]
fn a_request_sent_without_credentials_or_refused_them_is_replayed_without() {
    let mut traffic = okta_cycle();
    let mut anonymous = exchange(Method::Get, "/Users", 401);
    anonymous.request_headers.clear();
    traffic.push(anonymous);
    traffic.push(exchange_with(Method::Get, "/Schemas", 403, None, None));
    let c = to_scenario(&traffic, &source()).unwrap();
    let back = crate::scenario::parse("recorded.yaml", &c.yaml).unwrap();
    assert_eq!(
        back.steps[4].request.headers.get("Authorization"),
        Some(&None)
    );
    assert_eq!(
        back.steps[5].request.headers.get("Authorization"),
        Some(&None)
    );
    assert_eq!(back.steps[5].expect.status, vec![401, 403]);
    assert!(
        c.notes.iter().any(|n| n.starts_with("step 6:")),
        "{:?}",
        c.notes
    );
    // Those that sent credentials send the run's own.
    assert!(!back.steps[1].request.headers.contains_key("Authorization"));
}

#[test]
fn an_upper_cased_lookup_stays_upper_cased_under_the_replay_s_prefix() {
    let mut traffic = okta_cycle();
    traffic.push(exchange_with(
        Method::Get,
        "/Users?filter=userName eq \"ALICE@CORP.COM\"",
        200,
        None,
        Some(
            json!({"totalResults": 1, "Resources": [{"id": "u-77", "userName": "alice@corp.com"}]}),
        ),
    ));
    let c = to_scenario(&traffic, &source()).unwrap();
    let back = crate::scenario::parse("recorded.yaml", &c.yaml).unwrap();
    assert_eq!(
        back.steps[4].request.query["filter"],
        "userName eq \"{{scenario.prefix | upper}}ALICE@CORP.COM\""
    );
    let total = &back.steps[4].expect.asserts[0];
    assert!(total.id.ends_with(".total-results"));
    // The resource's values need it found.
    assert!(back.steps[4].expect.asserts[1..]
        .iter()
        .all(|a| a.needs == vec![total.id.clone()]));
}

#[test]
fn an_if_match_sends_the_version_the_replay_s_server_gave() {
    let mut traffic = okta_cycle();
    traffic[1]
        .response_headers
        .push(("ETag".into(), "W/\"1\"".into()));
    traffic[2]
        .request_headers
        .push(("If-Match".into(), "W/\"1\"".into()));
    let c = to_scenario(&traffic, &source()).unwrap();
    let back = crate::scenario::parse("recorded.yaml", &c.yaml).unwrap();
    assert_eq!(
        back.steps[1].capture.get("etag1").map(String::as_str),
        Some("header:ETag")
    );
    assert_eq!(
        back.steps[2].request.headers.get("If-Match"),
        Some(&Some("{{etag1}}".to_string()))
    );
}

#[test]
fn a_write_the_replay_could_never_send_is_left_out_with_a_note() {
    let mut traffic = okta_cycle();
    traffic.insert(
        0,
        exchange_with(Method::Delete, "/Users/someone-else", 204, None, None),
    );
    let c = to_replayable(&traffic, &source(), crate::plan::first_unsendable).unwrap();
    assert_eq!(c.scenario.steps.len(), 4);
    assert!(
        c.notes[0]
            .starts_with("request 1 of the recording (DELETE /Users/someone-else) is left out"),
        "{:?}",
        c.notes
    );
}

#[test]
fn the_extensions_whose_attributes_the_requests_write_are_declared_not_those_only_listed() {
    let mut traffic = okta_cycle();
    traffic[1].request_body = Some(
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                "urn:example:listed:only"],
            "userName": "alice@corp.com",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R"}})
        .to_string(),
    );
    traffic[2].request_body = Some(
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
            {"op": "Add", "path": "urn:example:acme:2.0:User:badge.number", "value": "7"}]})
        .to_string(),
    );
    let c = to_scenario(&traffic, &source()).unwrap();
    assert_eq!(
        c.scenario.extensions,
        vec![
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_string(),
            "urn:example:acme:2.0:User".to_string()
        ]
    );
}

#[test]
fn a_read_needs_the_writes_it_is_held_to_and_a_lookup_the_create_of_its_name() {
    let mut traffic = okta_cycle();
    traffic.push(exchange_with(
        Method::Get,
        "/Users?filter=userName eq \"alice@corp.com\"",
        200,
        None,
        Some(json!({"totalResults": 1, "Resources": [{"id": "u-77", "userName": "alice@corp.com", "active": false}]})),
    ));
    let c = to_scenario(&traffic, &source()).unwrap();
    let ids: Vec<&str> = c.scenario.steps.iter().map(|s| s.id.as_str()).collect();
    let needs = |i: usize| -> Vec<&str> {
        c.scenario.steps[i]
            .needs
            .iter()
            .map(|n| n.as_str())
            .collect()
    };
    // The read after the PATCH needs the create (its id) and the PATCH (its `active`).
    assert_eq!(needs(3), vec![ids[1], ids[2]]);
    // The lookup by name needs the create that wrote the name, and the PATCH it is held to;
    // the existence check before the create needs nothing.
    assert_eq!(needs(4), vec![ids[1], ids[2]]);
    assert!(needs(0).is_empty());
}

#[test]
fn a_list_by_the_recorded_run_prefix_needs_the_creates_of_the_names_it_matches() {
    let create = |name: &str, id: &str| {
        exchange_with(
            Method::Post,
            "/Users",
            201,
            Some(json!({"userName": name})),
            Some(json!({"id": id, "userName": name})),
        )
    };
    let traffic = vec![
        create("scimcheck-ab12cd-1f2e3-a@x.com", "1"),
        create("scimcheck-ab12cd-1f2e3-b@x.com", "2"),
        create("scimcheck-ab12cd-99999-c@x.com", "3"),
        exchange_with(
            Method::Get,
            "/Users?filter=userName sw \"scimcheck-ab12cd-1f2e3-\"",
            200,
            None,
            Some(json!({"totalResults": 2, "Resources": []})),
        ),
    ];
    let c = to_scenario(&traffic, &source()).unwrap();
    let list = &c.scenario.steps[3];
    assert_eq!(
        list.request.query["filter"],
        "userName sw \"{{run.prefix}}1f2e3-\""
    );
    let needs: Vec<&str> = list.needs.iter().map(|n| n.as_str()).collect();
    assert_eq!(needs, vec!["s001-post-users", "s002-post-users"]);
}
