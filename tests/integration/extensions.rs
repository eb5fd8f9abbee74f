//! No schema extension is presumed: a server that declares no enterprise extension, neither in
//! /ResourceTypes nor in /Schemas, may refuse or drop it (RFC 7643 §6, §7). Under rfc the
//! scenarios that send it are skipped with that reason; under entra the missing extension is
//! one error, the one Entra ID's default mappings hit, and the scenarios that send it are
//! skipped instead of failing step by step.

use serde_json::Value;

use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::{assert_all_skipped, assert_findings, checks_with_id, run_json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// What a scenario skipped for an undeclared extension says.
const UNDECLARED: &str = "declares no schema extension";

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_rfc_an_undeclared_extension_is_skipped_not_failed() {
    let server = Faulty::start(without_extension).await;
    let (_, report) = run_json(&server.base_url(), &["--profile", "rfc"]).await;
    assert_findings(&report, &[], &[]);
    assert_all_skipped(&report, "rfc.enterprise", UNDECLARED);
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
    let found = checks_with_id(&report, "entra.schema.extension-declared");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["severity"], "error");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("department") && message.contains(ENTERPRISE),
        "{message}"
    );
    for scenario in ["entra.users.manager", "entra.users.clear"] {
        assert_all_skipped(&report, scenario, UNDECLARED);
    }
}
