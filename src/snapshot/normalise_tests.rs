//! Normalisation: ids, timestamps and versions replaced wherever they stand, and nothing else.

use super::*;

#[test]
fn ids_are_replaced_only_where_delimited() {
    assert_eq!(
        replace_delimited("/Users/12/x", "12", "[user-1]"),
        "/Users/[user-1]/x"
    );
    assert_eq!(
        replace_delimited("value eq \"12\"", "12", "[user-1]"),
        "value eq \"[user-1]\""
    );
    assert_eq!(replace_delimited("user123", "12", "[user-1]"), "user123");
    assert_eq!(
        replace_delimited("/Users?filter=12&x", "12", "[u]"),
        "/Users?filter=12&x",
        "query values are normalised one by one, never as a URL"
    );
}

#[test]
fn distinctive_ids_and_timestamps_are_replaced_inside_running_text() {
    let id = "53078f0e-9c1d-4c7e-a1b2-0f7d2b9e6a11";
    assert_eq!(
        replace_delimited(&format!("Group {id} not found"), id, "[group-1]"),
        "Group [group-1] not found"
    );
    assert_eq!(
        replace_delimited(&format!("x{id}"), id, "[group-1]"),
        format!("x{id}"),
        "never inside a word"
    );
    assert_eq!(
        replace_timestamps("version of 2026-12-03T01:02:03.123Z is stale; 12:30 today"),
        "version of [timestamp] is stale; 12:30 today"
    );
    assert_eq!(replace_timestamps("no time here"), "no time here");
}

fn scenario(steps: Vec<(crate::scim::Method, &str, u16, Value)>) -> ScenarioResult {
    ScenarioResult {
        id: "s".into(),
        title: "t".into(),
        profile: crate::scenario::Profile::Okta,
        reference: "r".into(),
        file: "f".into(),
        skipped: None,
        not_applicable: None,
        steps: steps
            .into_iter()
            .enumerate()
            .map(
                |(i, (method, url, status, body))| crate::result::StepResult {
                    id: format!("step{i}").into(),
                    title: "t".into(),
                    skipped: None,
                    exchange: Some(crate::exec::Exchange::answered(method, url, status, &body)),
                    checks: vec![],
                    captures: Default::default(),
                    snapshot: SnapshotMode::Full,
                    needs: vec![],
                    set: None,
                    provisioned: vec![],
                    set_exchanges: vec![],
                },
            )
            .collect(),
        duration_ms: 0,
        volatile: vec![],
        snapshot: None,
    }
}

#[test]
fn integer_ids_never_replace_numbers_that_are_not_ids() {
    use crate::scim::Method;
    let sc = scenario(vec![
        (
            Method::Post,
            "http://h/scim/v2/Users",
            201,
            json!({"id": "1", "meta": {"resourceType": "User"}, "title": "1"}),
        ),
        (
            Method::Get,
            "http://h/scim/v2/Users?filter=id%20eq%20%221%22&startIndex=1&count=1",
            200,
            json!({"totalResults": 1, "startIndex": 1, "Resources": [{"id": "1", "groups": [{"value": "1"}]}]}),
        ),
    ]);
    let doc = snapshot_of(&sc, "http://h/scim/v2", "run");
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(steps[0]["response"]["body"]["id"], "[user-1]");
    assert_eq!(
        steps[0]["response"]["body"]["title"], "1",
        "not an id attribute"
    );
    let query = &steps[1]["request"]["query"];
    assert_eq!(query["startIndex"], "1");
    assert_eq!(query["count"], "1");
    assert_eq!(query["filter"], "id eq \"[user-1]\"");
    assert_eq!(
        steps[1]["response"]["body"]["Resources"][0]["groups"][0]["value"],
        "[user-1]"
    );
}

#[test]
fn numeric_ids_are_placeholders_too() {
    use crate::scim::Method;
    let sc = scenario(vec![(
        Method::Post,
        "http://h/scim/v2/Users",
        201,
        json!({"id": 41, "meta": {"resourceType": "User"}, "count": 41}),
    )]);
    let doc = snapshot_of(&sc, "http://h/scim/v2", "r");
    assert_eq!(doc["steps"][0]["response"]["body"]["id"], "[user-1]");
    assert_eq!(doc["steps"][0]["response"]["body"]["count"], 41);
}

#[test]
fn member_order_and_attribute_order_do_not_matter() {
    use crate::scim::Method;
    let a = scenario(vec![(
        Method::Get,
        "http://h/scim/v2/Groups/g",
        200,
        json!({"id": "g", "members": [{"value": "a"}, {"value": "b"}], "displayName": "x", "lastModified": "2026-01-01T10:00:00"}),
    )]);
    let b = scenario(vec![(
        Method::Get,
        "http://h/scim/v2/Groups/g",
        200,
        json!({"displayName": "x", "members": [{"value": "b"}, {"value": "a"}], "id": "g", "lastModified": "2026-01-02T11:00:00.5"}),
    )]);
    assert_eq!(
        snapshot_of(&a, "http://h/scim/v2", "r"),
        snapshot_of(&b, "http://h/scim/v2", "r")
    );
    let list = |url: &str, ids: [&str; 2]| {
        scenario(vec![(
            Method::Get,
            url,
            200,
            json!({"Resources": [{"active": true, "id": ids[0]}, {"active": false, "id": ids[1]}]}),
        )])
    };
    let sorted = "http://h/scim/v2/Users?sortBy=userName";
    let doc = snapshot_of(&list(sorted, ["q", "p"]), "http://h/scim/v2", "r");
    let resources = &doc["steps"][0]["response"]["body"]["Resources"];
    assert_eq!(resources[0]["id"], "[user-1]", "sortBy defines the order");
    assert_eq!(resources[0]["active"], true, "sortBy defines the order");
}

#[test]
fn a_list_without_sort_by_does_not_drift_with_the_servers_order() {
    use crate::scim::Method;
    let list = |names: [&str; 3]| {
        let resources: Vec<Value> = names
            .iter()
            .map(|n| json!({"id": format!("id-{n}"), "userName": format!("scimcheck-run1-{n}"), "meta": {"resourceType": "User"}}))
            .collect();
        scenario(vec![(
            Method::Get,
            "http://h/scim/v2/Users?startIndex=1&count=10",
            200,
            json!({"totalResults": 3, "Resources": resources}),
        )])
    };
    let first = snapshot_of(&list(["ann", "bob", "cy"]), "http://h/scim/v2", "run1");
    let again = snapshot_of(&list(["cy", "ann", "bob"]), "http://h/scim/v2", "run1");
    assert_eq!(first, again);
    let resources = &first["steps"][0]["response"]["body"]["Resources"];
    assert_eq!(resources[0]["userName"], "scimcheck-[run]-ann");
    assert_eq!(resources[0]["id"], "[user-1]");
}

#[test]
fn a_location_on_a_list_answer_names_no_resource() {
    use crate::scim::Method;
    let mut sc = scenario(vec![
        (
            Method::Get,
            "http://h/scim/v2/Users?filter=userName%20eq%20%22x%22",
            200,
            json!({"totalResults": 0, "Resources": []}),
        ),
        (
            Method::Post,
            "http://h/scim/v2/Users",
            201,
            json!({"id": "u1", "meta": {"resourceType": "User"}}),
        ),
    ]);
    let with_location = |x: &mut crate::exec::Exchange, to: &str| {
        let r = x.response.as_mut().unwrap();
        r.headers.insert("location".into(), to.into());
    };
    with_location(
        sc.steps[0].exchange.as_mut().unwrap(),
        "http://h/scim/v2/Users",
    );
    with_location(
        sc.steps[1].exchange.as_mut().unwrap(),
        "http://h/scim/v2/Users/u1",
    );
    let doc = snapshot_of(&sc, "http://h/scim/v2", "r");
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(steps[0]["response"]["location"], "[base-url]/Users");
    assert_eq!(steps[1]["request"]["path"], "/Users");
    assert_eq!(
        steps[1]["response"]["location"],
        "[base-url]/Users/[user-1]"
    );
}

#[test]
fn placeholders_sort_by_their_number() {
    use super::super::lists::natural;
    assert!(natural("\"[user-2]\"") < natural("\"[user-10]\""));
    assert_eq!(natural("a1b"), format!("a{:0>20}b", 1));
}

/// Four users created, then listed two to a page without sortBy, the server's order given by
/// `order` (indexes into the users); `user` shapes each user as the server answers it.
fn paged(order: [usize; 4], sort_by: bool, user: impl Fn(usize) -> Value) -> ScenarioResult {
    use crate::scim::Method;
    let mut steps: Vec<(Method, String, u16, Value)> = (0..4)
        .map(|i| (Method::Post, "http://h/scim/v2/Users".into(), 201, user(i)))
        .collect();
    let sort = if sort_by { "&sortBy=userName" } else { "" };
    for (page, start) in [(0, 1), (1, 3)] {
        let on_page: Vec<Value> = order[page * 2..page * 2 + 2]
            .iter()
            .map(|i| user(*i))
            .collect();
        steps.push((
            Method::Get,
            format!("http://h/scim/v2/Users?startIndex={start}&count=2{sort}"),
            200,
            json!({"totalResults": 4, "startIndex": start, "itemsPerPage": 2, "Resources": on_page}),
        ));
    }
    scenario(
        steps
            .iter()
            .map(|(m, u, s, b)| (*m, u.as_str(), *s, b.clone()))
            .collect(),
    )
}

fn user(i: usize) -> Value {
    json!({
        "id": format!("5f0c7a2e-0000-4000-8000-00000000000{i}"),
        "userName": format!("scimcheck-run1-u{i}"),
        "active": true,
        "emails": [{"type": "work", "primary": true, "value": format!("u{i}@example.com")}],
        "meta": {"resourceType": "User", "location": format!("http://h/scim/v2/Users/5f0c7a2e-0000-4000-8000-00000000000{i}")},
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    })
}

fn pages(doc: &Value) -> Vec<&Value> {
    doc["steps"].as_array().unwrap()[4..]
        .iter()
        .map(|s| &s["response"])
        .collect()
}

#[test]
fn a_page_without_sort_by_does_not_drift_with_which_users_land_on_it() {
    let first = snapshot_of(
        &paged([0, 1, 2, 3], false, user),
        "http://h/scim/v2",
        "run1",
    );
    let again = snapshot_of(
        &paged([3, 1, 0, 2], false, user),
        "http://h/scim/v2",
        "run1",
    );
    assert_eq!(first, again);
    let page = pages(&first)[0];
    assert_eq!(page["resources"], PAGE_NOTE);
    assert_eq!(page["body"]["totalResults"], 4);
    assert_eq!(page["body"]["startIndex"], 1);
    assert_eq!(page["body"]["itemsPerPage"], 2);
    let resource = &page["body"]["Resources"][1];
    assert_eq!(resource["id"], "[string]", "the id says which user it is");
    assert_eq!(resource["userName"], "[string]");
    assert_eq!(resource["meta"]["location"], "[string]");
    assert_eq!(resource["emails"][0]["value"], "[string]");
    assert_eq!(
        resource["emails"][0]["type"], "work",
        "every user's is the same"
    );
    assert_eq!(resource["active"], true);
    assert_eq!(resource["meta"]["resourceType"], "User");
    assert_eq!(
        resource["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:User"
    );
    let created = &first["steps"][0]["response"]["body"];
    assert_eq!(created["id"], "[user-1]", "outside a page, ids as before");
    assert_eq!(created["userName"], "scimcheck-[run]-u0");
}

#[test]
fn a_sorted_or_whole_list_is_recorded_exactly() {
    let sorted = snapshot_of(&paged([0, 1, 2, 3], true, user), "http://h/scim/v2", "run1");
    let page = pages(&sorted)[1];
    assert!(page.get("resources").is_none());
    assert_eq!(page["body"]["Resources"][0]["id"], "[user-3]");
    assert_eq!(
        page["body"]["Resources"][0]["userName"],
        "scimcheck-[run]-u2"
    );
    let reordered = snapshot_of(&paged([1, 0, 2, 3], true, user), "http://h/scim/v2", "run1");
    assert_ne!(
        sorted, reordered,
        "sortBy defines the order: a change is drift"
    );

    use crate::scim::Method;
    let whole = scenario(vec![(
        Method::Get,
        "http://h/scim/v2/Users?startIndex=1&count=10",
        200,
        json!({"totalResults": 2, "Resources": [user(1), user(0)]}),
    )]);
    let doc = snapshot_of(&whole, "http://h/scim/v2", "run1");
    let response = &doc["steps"][0]["response"];
    assert!(response.get("resources").is_none(), "every result is on it");
    assert_eq!(
        response["body"]["Resources"][0]["userName"],
        "scimcheck-[run]-u0"
    );
}

#[test]
fn a_page_still_drifts_when_the_server_changes_what_it_answers() {
    let base = snapshot_of(
        &paged([0, 1, 2, 3], false, user),
        "http://h/scim/v2",
        "run1",
    );
    let changed = |label: &str, f: &dyn Fn(&mut Value)| {
        let sc = paged([2, 0, 3, 1], false, |i| {
            let mut u = user(i);
            f(&mut u);
            u
        });
        let doc = snapshot_of(&sc, "http://h/scim/v2", "run1");
        assert_ne!(pages(&doc), pages(&base), "{label}");
    };
    changed("an attribute added", &|u| {
        u["title"] = json!("Engineer");
    });
    changed("an attribute removed", &|u| {
        u.as_object_mut().unwrap().remove("active");
    });
    changed("a type changed", &|u| u["active"] = json!("true"));
    changed("a shared value changed", &|u| u["active"] = json!(false));
    changed("a value count changed", &|u| {
        u["emails"]
            .as_array_mut()
            .unwrap()
            .push(json!({"type": "home", "value": "x@example.com"}));
    });
    changed("a differing value's type changed", &|u| {
        let digit = u["id"].as_str().unwrap().chars().last().unwrap();
        u["userName"] = json!(digit.to_digit(10));
    });
    let mut fewer = paged([0, 1, 2, 3], false, user);
    let page = fewer.steps[5].exchange.as_mut().unwrap();
    let body = page.response.as_mut().unwrap().json.as_mut().unwrap();
    body["Resources"].as_array_mut().unwrap().pop();
    body["itemsPerPage"] = json!(1);
    let doc = snapshot_of(&fewer, "http://h/scim/v2", "run1");
    assert_ne!(pages(&doc), pages(&base), "a page with fewer resources");
}
