//! rfc.filters sends every filter as `userName sw "<prefix>" and (…)`: a server that cannot
//! evaluate that form is one finding at the probe, not one failure per operator; a server
//! that breaks one operator is that operator's finding, quoting the filter it was sent.

use serde_json::Value;

use super::{rewrite_filter, users_list};
use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::run_json;

/// Runs rfc.filters alone against a proxy with `defect`.
async fn filters_with(f: impl Fn(Req, &Upstream) -> Resp + Send + Sync + 'static) -> Value {
    let server = Faulty::start(f).await;
    let (_, report) = run_json(
        &server.base_url(),
        &["--profile", "rfc", "--scenario", "rfc.filters"],
    )
    .await;
    report
}

fn checks(report: &Value) -> &Vec<Value> {
    report["checks"].as_array().expect("checks")
}

fn not_passed(report: &Value) -> Vec<&Value> {
    checks(report)
        .iter()
        .filter(|c| matches!(c["status"].as_str(), Some("failed" | "warning")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_refusing_and_with_a_group_is_one_finding_and_the_wrapped_steps_skip() {
    let report = filters_with(|req, up| {
        if users_list(&req) && req.query("filter").is_some_and(|f| f.contains("and (")) {
            return Resp::scim_error(400, Some("invalidFilter"), "grouping is not supported");
        }
        up.send(&req)
    })
    .await;
    let found = not_passed(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    let probe = found[0];
    assert_eq!(probe["id"], "rfc.filters.eq.status");
    assert_eq!(probe["step"], "eq");
    assert_eq!(probe["status"], "warning");
    assert_eq!(probe["severity"], "warning");
    let message = probe["message"].as_str().unwrap();
    assert!(
        message.starts_with("expected status 200, got 400 to the filter `userName sw \"")
            && message.contains("\" and (userName eq \""),
        "{message}"
    );
    // The parts alone were evaluated, and judged.
    for step in ["prefix", "eq-bare"] {
        let ids = checks(&report)
            .iter()
            .filter(|c| c["step"] == step && c["id"] == "rfc7644.result.ids")
            .collect::<Vec<_>>();
        assert_eq!(ids.len(), 1, "{step}");
        assert_eq!(ids[0]["status"], "passed", "{step}");
    }
    // Every filter step after the probe sends the wrapper: skipped, each with the reason.
    // (The creates and the reads of what they kept send no filter.)
    let reason = "every filter here is sent as `userName sw \"…\" and (…)`, which the server does not evaluate";
    let later: Vec<&Value> = checks(&report)
        .iter()
        .filter(|c| {
            ![
                "create-user1",
                "create-user2",
                "create-user3",
                "create-user4",
                "read-user1-emails",
                "read-user4-emails",
            ]
            .contains(&c["step"].as_str().unwrap_or_default())
                && !["prefix", "eq-bare", "eq"].contains(&c["step"].as_str().unwrap_or_default())
        })
        .collect();
    assert!(later.len() > 100, "{}", later.len());
    for c in later {
        assert_eq!(c["status"], "skipped", "{c}");
        let message = c["message"].as_str().unwrap();
        assert!(message.starts_with(reason), "{message}");
        assert!(
            message.ends_with("see step `eq` (it answered 400)"),
            "{message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_refusing_sw_is_blamed_at_the_prefix_probe() {
    let report = filters_with(|req, up| {
        if users_list(&req) && req.query("filter").is_some_and(|f| f.contains(" sw ")) {
            return Resp::scim_error(500, None, "internal error");
        }
        up.send(&req)
    })
    .await;
    let found = not_passed(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["id"], "rfc.filters.prefix.status");
    assert_eq!(found[0]["status"], "failed");
    assert_eq!(found[0]["severity"], "error");
    let skipped_eq = checks(&report)
        .iter()
        .find(|c| c["id"] == "rfc.filters.eq.status")
        .expect("the wrapped probe is listed");
    assert_eq!(skipped_eq["status"], "skipped");
    let message = skipped_eq["message"].as_str().unwrap();
    assert!(
        message.contains("whose `userName sw \"…\"` the server does not evaluate even alone")
            && message.ends_with("see step `prefix` (it answered 500)"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_breaking_one_operator_is_that_operators_finding_quoting_the_filter() {
    // ne evaluated as eq: the wrapper and every other operator still work.
    let report = filters_with(|req, up| {
        rewrite_filter(req, up, |f| {
            f.contains(" ne ").then(|| f.replace(" ne ", " eq "))
        })
    })
    .await;
    let found = not_passed(&report);
    assert!(!found.is_empty());
    for c in &found {
        assert_eq!(c["step"], "ne", "{c}");
        assert_eq!(c["status"], "failed", "{c}");
        assert_eq!(c["severity"], "error", "{c}");
    }
    let ids: Vec<&str> = found.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["rfc7644.result.ids", "rfc.filter.ne.total"]);
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("`userName sw \"") && message.contains("\" and (displayName ne \""),
        "{message}"
    );
    assert!(message.contains(": missing "), "{message}");
}
