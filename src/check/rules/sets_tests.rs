use serde_json::json;

use super::*;
use crate::check::outcome::CheckStatus;
use crate::scim::Method;

fn group_read(members: &[&str]) -> Exchange {
    let members: Vec<Value> = members.iter().map(|m| json!({ "value": m })).collect();
    Exchange::answered(
        Method::Get,
        "http://127.0.0.1/scim/v2/Groups/g",
        200,
        &json!({ "id": "g", "members": members }),
    )
}

#[test]
fn an_expected_list_of_lists_is_their_union() {
    let args = ExpectedArgs {
        expected: json!([["a", "b"], [{ "value": "c" }]]),
    };
    let kept = members_exactly(&group_read(&["c", "a", "b"]), &args);
    assert_eq!(kept.status, CheckStatus::Passed, "{}", kept.message);
    let lost = members_exactly(&group_read(&["a", "b"]), &args);
    assert_eq!(lost.status, CheckStatus::Failed);
    assert!(lost.message.contains("`c`"), "{}", lost.message);
}

#[test]
fn a_group_that_kept_the_first_members_sent_is_called_a_cap() {
    let args = ExpectedArgs {
        expected: json!(["a", "b", "c", "d"]),
    };
    let capped = members_exactly(&group_read(&["a", "b"]), &args);
    assert_eq!(capped.status, CheckStatus::Failed);
    assert!(capped.message.contains("a cap at 2"), "{}", capped.message);
}
