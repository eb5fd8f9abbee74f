//! `scimcheck run --runscope` with Okta's CRUD test shape: Okta API calls answered by the
//! embedded Okta org, which provisions the SCIM target as Okta does. Against the reference
//! server every assertion passes and nothing is left; against a server with one flaw, exactly
//! the test's assertion and scimcheck's rule about that flaw fail.

use serde_json::Value;

use crate::flawed::{self, Flaw};
use crate::support::{failing, reference_server, run_json, TOKEN};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/runscope/okta-crud.json"
);

/// The users on the server, by userName.
async fn user_names(base: &str) -> Vec<String> {
    let text = crate::support::http()
        .get(format!("{base}/Users?count=1000"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let list: Value = serde_json::from_str(&text).unwrap();
    list["Resources"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|u| u["userName"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn failed_ids(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = failing(report).into_iter().map(|(id, _, _)| id).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn the_crud_test_passes_against_the_reference_server_and_leaves_nothing() {
    let server = reference_server().await;
    let base = server.base_url().to_string();
    let (code, report) = run_json(&base, &["--runscope", FIXTURE]).await;
    assert_eq!(code, 0, "{:#}", report["checks"]);
    assert_eq!(failed_ids(&report), Vec::<String>::new());
    let s = &report["summary"];
    assert_eq!(s["failed"], 0);
    // Only the script (no JavaScript runs) is skipped.
    assert_eq!(s["skipped"], 1, "{s}");
    let steps = report["scenarios"][0]["steps"].as_array().unwrap();
    let step = |id: &str| steps.iter().find(|s| s["id"] == id).unwrap();
    // The assignment: the existence check, then Okta's create, both shown under the call.
    let sent: Vec<String> = step("3")["provisioned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{} {}",
                x["request"]["method"].as_str().unwrap(),
                x["request"]["url"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[0].starts_with("GET ")
            && sent[0].contains("/Users?filter=userName%20eq%20%22scimcheck-"),
        "{sent:?}"
    );
    assert!(
        sent[1].starts_with("POST ") && sent[1].ends_with("/Users"),
        "{sent:?}"
    );
    let create = &step("3")["provisioned"][1]["request"]["body"];
    assert_eq!(create["externalId"].as_str().unwrap().get(..3), Some("00u"));
    assert_eq!(create["groups"], serde_json::json!([]));
    // Update: GET then PUT; deactivation: one PATCH; re-assignment: lookup then PATCH true.
    let methods = |id: &str| -> Vec<String> {
        step(id)["provisioned"]
            .as_array()
            .map(|xs| {
                xs.iter()
                    .map(|x| x["request"]["method"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(methods("6"), ["GET", "PUT"]);
    assert_eq!(methods("9"), ["PATCH"]);
    assert_eq!(
        methods("12"),
        Vec::<String>::new(),
        "activation sends nothing"
    );
    assert_eq!(methods("13"), ["GET", "PATCH"]);
    assert_eq!(methods("17"), ["PATCH"]);
    // Pauses are shortened and say so; the condition and the subtest are listed, not run.
    assert!(step("4")["skipped"]
        .as_str()
        .unwrap()
        .contains("shortened to 0 s"));
    assert!(step("16")["skipped"]
        .as_str()
        .unwrap()
        .contains("condition"));
    assert!(step("20")["skipped"].as_str().unwrap().contains("subtest"));
    let deleted = report["cleanup"]["deleted"].as_array().unwrap();
    assert_eq!(deleted.len(), 1, "{:#}", report["cleanup"]);
    assert!(deleted[0]["name"]
        .as_str()
        .unwrap()
        .starts_with("scimcheck-"));
    assert_eq!(user_names(&base).await, Vec::<String>::new());
}

async fn run_flawed(flaw: Flaw) -> (Vec<String>, usize) {
    let server = flawed::start(&[flaw]).await;
    let (code, report) = run_json(&server.base_url, &["--runscope", FIXTURE]).await;
    assert_eq!(code, 1, "{:#}", report["checks"]);
    (failed_ids(&report), server.users())
}

#[tokio::test]
async fn an_ignored_put_fails_the_tests_check_and_the_update_rule() {
    let (failed, left) = run_flawed(Flaw::IgnoresPut).await;
    assert_eq!(
        failed,
        ["okta.user.update.given-name", "runscope.okta-crud.8.2"]
    );
    assert_eq!(left, 0);
}

#[tokio::test]
async fn an_ignored_deactivation_fails_both_deactivation_checks_and_the_patch_rule() {
    let (failed, left) = run_flawed(Flaw::IgnoresDeactivation).await;
    assert_eq!(
        failed,
        [
            "okta.user.deactivate.patch-result",
            "okta.user.deactivate.patch-result",
            "runscope.okta-crud.11.2",
            "runscope.okta-crud.19.2"
        ]
    );
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_refused_reactivation_fails_the_tests_check_and_the_patch_status() {
    let (failed, left) = run_flawed(Flaw::RefusesReactivation).await;
    assert_eq!(
        failed,
        [
            "runscope.okta-crud.13.scim-2.status",
            "runscope.okta-crud.15.2"
        ]
    );
    assert_eq!(left, 0);
}
