//! The ledger's rules: what the run may send, and what it records as its own.

use super::*;
use serde_json::json;

fn req(method: Method, path: &str) -> PreparedRequest {
    PreparedRequest {
        method,
        path: path.into(),
        query: vec![],
        headers: vec![],
        body: Some(json!({"userName": "scimcheck-x-a", "displayName": "scimcheck-x-g"})),
        raw_body: None,
    }
}

fn ledger() -> Ledger {
    let l = Ledger::default();
    l.begin("scimcheck-x-");
    l
}

#[test]
fn a_create_answered_with_someone_elses_resource_is_never_touched() {
    let ledger = ledger();
    let seen = ledger.observe(
        &req(Method::Post, "/Users"),
        &exchange(201, json!({"id": "boss", "userName": "ceo@corp.example"})),
    );
    assert!(matches!(seen, Observed::Disowned { .. }));
    let why = ledger.refusal(&req(Method::Delete, "/Users/boss")).unwrap();
    assert!(why.contains("ceo@corp.example"), "{why}");
    assert!(ledger.remaining().is_empty());
    ledger.observe(
        &req(Method::Post, "/Users"),
        &exchange(201, json!({"id": "mine", "userName": "SCIMCHECK-X-A"})),
    );
    assert!(ledger
        .refusal(&req(Method::Delete, "/Users/mine"))
        .is_none());
}

#[test]
fn creates_must_carry_the_prefix() {
    let ledger = ledger();
    assert!(ledger.refusal(&req(Method::Post, "/Users")).is_none());
    let mut plain = req(Method::Post, "/Users");
    plain.body = Some(json!({"userName": "jane@example.com"}));
    assert!(ledger.refusal(&plain).unwrap().contains("run prefix"));
    assert!(ledger
        .refusal(&req(Method::Post, "/Users/.search"))
        .is_none());
}

fn exchange(status: u16, body: serde_json::Value) -> Exchange {
    Exchange::answered(Method::Post, "", status, &body)
}

#[test]
fn mutations_need_a_ledger_entry() {
    let ledger = ledger();
    assert!(ledger.refusal(&req(Method::Get, "/Users/abc")).is_none());
    assert!(ledger.refusal(&req(Method::Patch, "/Users/abc")).is_some());
    assert!(ledger.refusal(&req(Method::Delete, "/Users")).is_some());
    ledger.observe(
        &req(Method::Post, "/Users"),
        &exchange(201, json!({"id": "abc"})),
    );
    assert!(ledger.refusal(&req(Method::Patch, "/Users/abc")).is_none());
    assert!(ledger.refusal(&req(Method::Patch, "/Groups/abc")).is_some());
}

#[test]
fn deletes_are_recorded_and_groups_come_first() {
    let ledger = ledger();
    ledger.observe(
        &req(Method::Post, "/Users"),
        &exchange(201, json!({"id": "u"})),
    );
    ledger.observe(
        &req(Method::Post, "/Groups"),
        &exchange(201, json!({"id": "g"})),
    );
    ledger.observe(
        &req(Method::Post, "/Users"),
        &exchange(409, json!({"id": "x"})),
    );
    let remaining = ledger.remaining();
    assert_eq!(
        remaining.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        ["g", "u"]
    );
    ledger.observe(
        &req(Method::Delete, "/Groups/g"),
        &exchange(204, json!(null)),
    );
    assert_eq!(ledger.remaining().len(), 1);
}

fn raw(method: Method, path: &str, text: &str) -> PreparedRequest {
    PreparedRequest {
        body: None,
        raw_body: Some(text.into()),
        ..req(method, path)
    }
}

#[test]
fn a_raw_body_is_sent_only_in_a_create_that_holds_the_prefix() {
    let ledger = ledger();
    let cut = r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "SCIMCHECK-X-a", "#;
    assert!(ledger.refusal(&raw(Method::Post, "/Users", cut)).is_none());
    assert!(ledger.refusal(&raw(Method::Post, "/Groups", cut)).is_none());
    let foreign = raw(
        Method::Post,
        "/Users",
        r#"{"userName": "jane@example.com", "#,
    );
    assert!(ledger.refusal(&foreign).unwrap().contains("run prefix"));
    for (method, path) in [
        (Method::Post, "/Users/.search"),
        (Method::Post, "/ServiceProviderConfig"),
        (Method::Put, "/Users/abc"),
        (Method::Get, "/Users"),
    ] {
        let why = ledger.refusal(&raw(method, path, cut)).unwrap();
        assert!(why.contains("only sent in a create"), "{path}: {why}");
    }
}

#[test]
fn a_create_answered_to_a_raw_body_is_recorded_for_cleanup() {
    let ledger = ledger();
    let sent = raw(
        Method::Post,
        "/Users",
        r#"{"userName": "scimcheck-x-cut", "#,
    );
    let seen = ledger.observe(&sent, &exchange(201, json!({"id": "broken"})));
    assert!(matches!(seen, Observed::Created(_)), "{seen:?}");
    assert_eq!(ledger.remaining()[0].id.as_str(), "broken");
    assert!(ledger
        .refusal(&req(Method::Delete, "/Users/broken"))
        .is_none());
    // A raw create answered with someone else's resource is not the run's.
    let seen = ledger.observe(
        &sent,
        &exchange(201, json!({"id": "boss", "userName": "ceo@corp.example"})),
    );
    assert!(matches!(seen, Observed::Disowned { .. }), "{seen:?}");
    assert!(ledger
        .refusal(&req(Method::Delete, "/Users/boss"))
        .is_some());
}

#[test]
fn without_a_user_name_the_prefix_in_external_id_or_display_name_makes_it_ours() {
    let ledger = ledger();
    let mut nameless = req(Method::Post, "/Users");
    nameless.body = Some(json!({"externalId": "scimcheck-x-e", "displayName": "scimcheck-x-d"}));
    assert!(ledger.refusal(&nameless).is_none());
    let seen = ledger.observe(
        &nameless,
        &exchange(201, json!({"id": "n1", "externalId": "scimcheck-x-e"})),
    );
    assert!(
        matches!(seen, Observed::Created(ref e) if e.name == "scimcheck-x-e"),
        "{seen:?}"
    );
    assert!(ledger.refusal(&req(Method::Delete, "/Users/n1")).is_none());
    // The read back of a user without userName is judged by its externalId.
    let entry = ledger.remaining()[0].clone();
    assert_eq!(ledger.confirm(&entry, "scimcheck-x-e"), Observed::Nothing);
    let mut foreign = nameless.clone();
    foreign.body = Some(json!({"externalId": "hr-4711", "displayName": "scimcheck-x-d"}));
    assert!(ledger.refusal(&foreign).unwrap().contains("run prefix"));
    // A userName, when present, decides alone.
    let seen = ledger.observe(
        &nameless,
        &exchange(
            201,
            json!({"id": "n2", "userName": "ceo@corp.example", "externalId": "scimcheck-x-e"}),
        ),
    );
    assert!(matches!(seen, Observed::Disowned { .. }), "{seen:?}");
}

#[test]
fn discovery_endpoints_take_bodiless_probes_of_other_methods_but_no_delete() {
    let ledger = ledger();
    let probe = |method, path: &str| PreparedRequest {
        body: None,
        ..req(method, path)
    };
    assert!(ledger
        .refusal(&probe(Method::Post, "/ServiceProviderConfig"))
        .is_none());
    assert!(ledger
        .refusal(&probe(Method::Put, "/ResourceTypes"))
        .is_none());
    assert!(ledger.refusal(&probe(Method::Patch, "/Schemas")).is_none());
    assert!(ledger.refusal(&probe(Method::Delete, "/Schemas")).is_some());
    assert!(ledger
        .refusal(&req(Method::Post, "/ServiceProviderConfig"))
        .is_some());
    assert!(ledger
        .refusal(&probe(Method::Put, "/Schemas/urn:x"))
        .is_some());
    let answered = ledger.observe(
        &probe(Method::Post, "/ServiceProviderConfig"),
        &exchange(200, json!({"id": "x"})),
    );
    assert_eq!(answered, Observed::Nothing);
    assert!(ledger.remaining().is_empty());
}
