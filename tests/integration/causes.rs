//! One cause, one finding: a refusal is grouped by what the server said, not by its status.

use serde_json::Value;

use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::run_json;

fn is_create(req: &Req) -> bool {
    req.method == "POST" && req.path().ends_with("/Users")
}

fn sends_password(req: &Req) -> bool {
    req.body
        .as_ref()
        .is_some_and(|b| b.get("password").is_some())
}

fn sends_primary_email(req: &Req) -> bool {
    req.body
        .as_ref()
        .and_then(|b| b["emails"].as_array())
        .is_some_and(|emails| emails.iter().any(|e| e.get("primary").is_some()))
}

/// Refuses Okta's creates (they carry a password) for one reason and every other create
/// that sends `emails[].primary` (Entra always does) for another.
fn two_refusals(req: Req, up: &Upstream) -> Resp {
    if is_create(&req) && sends_password(&req) {
        return Resp::scim_error(400, Some("invalidValue"), "password is not supported");
    }
    if is_create(&req) && sends_primary_email(&req) {
        return Resp::scim_error(400, Some("invalidValue"), "primary not supported");
    }
    up.send(&req)
}

/// The check `id` of `scenario` in the JSON report.
fn check<'a>(report: &'a Value, scenario: &str, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["scenario"] == scenario && c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {scenario}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entra_refusal_is_its_own_cause_not_an_okta_one() {
    let server = Faulty::start(two_refusals).await;
    let (_, report) = run_json(
        &server.base_url(),
        &[
            "--profile",
            "okta,entra",
            "--scenario",
            "okta.users.create",
            "--scenario",
            "entra.users.*",
        ],
    )
    .await;
    let okta = check(
        &report,
        "okta.users.create",
        "okta.users.create.create-application-json.status",
    );
    assert_eq!(okta["status"], "failed", "{okta}");
    assert!(
        okta["message"]
            .as_str()
            .unwrap()
            .contains("password is not supported"),
        "{okta}"
    );
    let entra = check(
        &report,
        "entra.users.create",
        "entra.users.create.create.status",
    );
    assert_eq!(entra["status"], "failed", "its own failure: {entra}");
    assert_eq!(entra["severity"], "error");
    assert!(
        entra["message"]
            .as_str()
            .unwrap()
            .contains("primary not supported"),
        "its own detail: {entra}"
    );
    // Every other Entra create was refused for the same reason: skipped, pointing at the
    // Entra root, never at Okta's unrelated refusal.
    let repeats: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["scenario"].as_str().unwrap().starts_with("entra.users.")
                && c["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("same root cause as ")
        })
        .collect();
    assert!(!repeats.is_empty(), "the other Entra creates repeat it");
    for c in &repeats {
        assert_eq!(c["status"], "skipped", "{c}");
        let message = c["message"].as_str().unwrap();
        assert!(
            message.starts_with("same root cause as entra.users.create › create:")
                && message.contains("primary not supported"),
            "{c}"
        );
    }
    assert!(
        !report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["scenario"].as_str().unwrap().starts_with("entra."))
            .any(|c| c["message"].as_str().unwrap().contains("okta.users.create")),
        "no Entra check is filed under the Okta create"
    );
}
