//! No schema extension is presumed: a server that declares no enterprise extension, neither in
//! /ResourceTypes nor in /Schemas, may refuse or drop it (RFC 7643 §6, §7). Under rfc the
//! scenarios that send it are skipped with that reason; under entra the missing extension is
//! one error, the one Entra ID's default mappings hit, and the scenarios that send it are
//! skipped instead of failing step by step.

use serde_json::Value;

use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::{assert_findings, run_json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Removes every trace of the enterprise extension from `v`: its key, its URN in `schemas`,
/// its schema in a /Schemas list, and `schemaExtensions`.
fn strip(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !k.eq_ignore_ascii_case(ENTERPRISE) && k != "schemaExtensions");
            if let Some(Value::Array(schemas)) = map.get_mut("schemas") {
                schemas.retain(|s| s.as_str() != Some(ENTERPRISE));
            }
            if let Some(Value::Array(items)) = map.get_mut("Resources") {
                let before = items.len();
                items.retain(|r| r.get("id").and_then(Value::as_str) != Some(ENTERPRISE));
                let after = items.len();
                if after < before {
                    map.insert("totalResults".into(), after.into());
                    map.insert("itemsPerPage".into(), after.into());
                }
            }
            if let Some(Value::Array(ops)) = map.get_mut("Operations") {
                ops.retain(|op| {
                    !op.get("path")
                        .and_then(Value::as_str)
                        .is_some_and(|p| p.starts_with(ENTERPRISE))
                });
            }
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// A server that never heard of the enterprise extension and drops it wherever it comes.
fn without_extension(mut req: Req, up: &Upstream) -> Resp {
    if let Some(body) = req.body.as_mut() {
        strip(body);
    }
    let mut resp = up.send(&req);
    if let Some(mut body) = resp.json() {
        strip(&mut body);
        resp.set_json(&body);
    }
    resp
}

fn skipped_because_undeclared(report: &Value, scenario: &str) {
    let checks: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["scenario"] == scenario)
        .collect();
    assert!(!checks.is_empty(), "{scenario} reports its checks");
    for c in checks {
        assert_eq!(c["status"], "skipped", "{c}");
        let message = c["message"].as_str().unwrap();
        assert!(
            message.contains("declares no schema extension"),
            "{message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_rfc_an_undeclared_extension_is_skipped_not_failed() {
    let server = Faulty::start(without_extension).await;
    let (_, report) = run_json(&server.base_url(), &["--profile", "rfc"]).await;
    assert_findings(&report, &[], &[]);
    skipped_because_undeclared(&report, "rfc.enterprise");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_entra_an_undeclared_extension_is_one_error_and_its_scenarios_skip() {
    let server = Faulty::start(without_extension).await;
    let (code, report) = run_json(
        &server.base_url(),
        &["--profile", "entra", "--skip", "entra.throughput"],
    )
    .await;
    assert_findings(&report, &["entra.schema.extension-declared"], &[]);
    assert_eq!(code, 1);
    let found: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "entra.schema.extension-declared")
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["severity"], "error");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("department") && message.contains(ENTERPRISE),
        "{message}"
    );
    for scenario in ["entra.users.manager", "entra.users.clear"] {
        skipped_because_undeclared(&report, scenario);
    }
}
