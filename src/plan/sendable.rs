//! The plan stage's load-time safety rule: every step can be sent. The ledger refuses, at run
//! time, a create whose name lacks the run prefix and a PUT, PATCH or DELETE to an id the run
//! did not create; a step that could never pass that test is a scenario-file error, located in
//! its file, not a refusal discovered halfway through a run.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::template;
use super::vars::{self, RunId, Vars};
use crate::scenario::{At, LoadError, Loaded, Scenario, Step};
use crate::scim::owned::{carries_prefix, contains_prefix, identity_in, is_discovery_probe};
use crate::scim::{Method, ResourceKind};

/// The first step of `all` that the ledger would always refuse.
pub fn check_sendable(all: &[Loaded]) -> Result<(), LoadError> {
    for loaded in all {
        let s = &loaded.scenario;
        if let Some((index, why)) = first_unsendable(s) {
            return Err(loaded.error_at(
                At::Step(index),
                format!("scenario `{}`, step `{}`: {why}", s.id, s.steps[index].id),
            ));
        }
    }
    Ok(())
}

/// The index of the first step of `s` that the ledger would always refuse, and why.
pub fn first_unsendable(s: &Scenario) -> Option<(usize, String)> {
    let run = RunId::parse("loadcheck").unwrap_or_else(|_| RunId::random());
    // Captured values are the server's, but a captured name is one the run created: give
    // each the prefix so only names built without it are caught.
    let mut vars = vars::builtins(&run, &s.id);
    let mut captured: HashSet<&str> = HashSet::new();
    for (index, step) in s.steps.iter().enumerate() {
        let refused = match &step.fan_out {
            None => unsendable(step, &s.headers, &vars, &captured, &run.prefix()),
            Some(f) => fan_out_unsendable(step, f, &s.headers, &vars, &captured, &run),
        };
        if let Some(why) = refused {
            return Some((index, why));
        }
        for name in step.capture.keys() {
            captured.insert(name);
            vars.insert(name.clone(), json!(format!("{}captured", run.prefix())));
        }
    }
    None
}

/// Why one of a fan-out's requests could never be sent, if so. `{{item}}` stands for an id
/// the run created when the items are a captured list.
fn fan_out_unsendable(
    step: &Step,
    f: &crate::scenario::FanOut,
    headers: &std::collections::BTreeMap<String, Option<String>>,
    vars: &Vars,
    captured: &HashSet<&str>,
    run: &RunId,
) -> Option<String> {
    let mut found = Vec::new();
    let _ = template::value_placeholder_filters(&f.each, &mut found);
    let mut captured = captured.clone();
    if found
        .iter()
        .any(|(name, _)| captured.contains(name.as_str()))
    {
        captured.insert("item");
    }
    let vars = vars.with_locals([
        ("item", json!(format!("{}captured", run.prefix()))),
        ("index", json!(0)),
        ("number", json!(1)),
    ]);
    std::iter::once(&step.request)
        .chain(&f.mix)
        .find_map(|request| {
            let one = Step {
                request: request.clone(),
                ..step.clone()
            };
            unsendable(&one, headers, &vars, &captured, &run.prefix())
        })
}

/// Why `step` could never be sent, if so.
fn unsendable(
    step: &Step,
    headers: &std::collections::BTreeMap<String, Option<String>>,
    vars: &Vars,
    captured: &HashSet<&str>,
    prefix: &str,
) -> Option<String> {
    let req = &step.request;
    let raw = req.path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = raw.trim_matches('/').split('/').collect();
    let kind = segments.first().and_then(|s| ResourceKind::from_segment(s));
    let method = req.method.as_str();
    if is_discovery_probe(
        req.method,
        &req.path,
        req.body.is_some() || req.raw_body.is_some(),
    ) {
        return None;
    }
    if req.raw_body.is_some()
        && (req.method != Method::Post || kind.is_none() || segments.len() != 1)
    {
        return Some(format!(
            "{method} {}: a raw_body is only sent in a create (POST /Users or /Groups), where the run prefix in it lets cleanup find whatever a server makes of it",
            req.path
        ));
    }
    match req.method {
        Method::Post => {
            let search = segments
                .last()
                .is_some_and(|s| s.eq_ignore_ascii_case(".search"));
            if search && (segments.len() == 1 || (segments.len() == 2 && kind.is_some())) {
                return None;
            }
            if segments == ["Bulk"] {
                return bulk_unsendable(req, headers, vars, captured, prefix)
                    .map(|why| format!("POST {}: {why}", req.path));
            }
            let Some(kind) = kind.filter(|_| segments.len() == 1) else {
                return Some(format!(
                    "POST {}: the harness only POSTs creates to /Users and /Groups, bulk requests to /Bulk, and searches",
                    req.path
                ));
            };
            // Rendered as at run time, `set` included; an error there is the variable rule's.
            let prepared = super::prepare(req, headers, vars).ok()?;
            let attr = kind.name_attribute();
            if let Some(raw) = &prepared.raw_body {
                return (!contains_prefix(raw, prefix)).then(|| format!(
                    "POST {}: the raw_body must hold the run prefix (use {{{{userN.userName}}}}, {{{{groupN.displayName}}}} or {{{{scenario.prefix}}}}), so that whatever a server creates from it can be found and deleted",
                    req.path
                ));
            }
            let name = prepared
                .body
                .as_ref()
                .and_then(|b| identity_in(kind, b))
                .map(str::to_string);
            match name {
                Some(n) if carries_prefix(&n, prefix) => None,
                Some(_) => Some(format!(
                    "POST {}: the {attr} it creates must start with the run prefix (use {{{{userN.userName}}}}, {{{{groupN.displayName}}}} or {{{{scenario.prefix}}}}), or the run could neither tell it apart nor clean it up",
                    req.path
                )),
                None => Some(format!(
                    "POST {}: the body has no {attr} (nor an externalId), so the run could not tell what it created; name it with {{{{userN.userName}}}} or {{{{groupN.displayName}}}}",
                    req.path
                )),
            }
        }
        m if m.is_mutating() => {
            let id_is_captured = kind.is_some()
                && segments.len() == 2
                && template::placeholders(segments[1])
                    .ok()
                    .is_some_and(|ps| ps.iter().any(|p| captured.contains(p.name)));
            if id_is_captured {
                None
            } else {
                Some(format!(
                    "{method} {}: the harness only changes /Users/{{id}} or /Groups/{{id}} with an id this run created; capture it from the create (`capture: {{ user_id: /id }}`) and use `{{{{user_id}}}}`",
                    req.path
                ))
            }
        }
        _ => None,
    }
}

/// Why a BulkRequest could never be sent: each POST operation must create in /Users or
/// /Groups a resource named with the run prefix; each PUT, PATCH or DELETE must target a
/// captured id or the `bulkId:` of a POST of the same request.
fn bulk_unsendable(
    req: &crate::scenario::Request,
    headers: &std::collections::BTreeMap<String, Option<String>>,
    vars: &Vars,
    captured: &HashSet<&str>,
    prefix: &str,
) -> Option<String> {
    // One copy of a repeated item: its count is the server's, known only at run time.
    let mut one = req.clone();
    if let Some(r) = one.repeat.as_mut() {
        r.times = "1".into();
        r.plus = 0;
    }
    let rendered = super::prepare(&one, headers, vars).ok()?.body;
    let ops_of = |b: Option<&Value>| -> Vec<Value> {
        b.and_then(|b| crate::scim::json::member(b, "Operations"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let rendered = ops_of(rendered.as_ref());
    let mut written = ops_of(req.body.as_ref());
    written.extend(req.repeat.iter().map(|r| r.item.clone()));
    if rendered.is_empty() || rendered.len() != written.len() {
        return Some("write the bulk request's Operations out in the scenario (or with `repeat`), so each can be checked before it is sent".into());
    }
    let text = |v: &Value, k: &str| crate::scim::json::member_str(v, k).map(str::to_string);
    let bulk_ids: Vec<String> = rendered
        .iter()
        .filter(|o| text(o, "method").is_some_and(|m| m.eq_ignore_ascii_case("POST")))
        .filter_map(|o| text(o, "bulkId"))
        .collect();
    for (i, (op, raw)) in rendered.iter().zip(&written).enumerate() {
        let method = text(op, "method").unwrap_or_default().to_ascii_uppercase();
        let path = text(op, "path").unwrap_or_default();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let kind = segments.first().and_then(|s| ResourceKind::from_segment(s));
        let at = format!("operation {i} ({method} {path})");
        match (method.as_str(), kind) {
            ("POST", Some(kind)) if segments.len() == 1 => {
                let name = crate::scim::json::member(op, "data")
                    .and_then(|d| crate::scim::json::member(d, kind.name_attribute()))
                    .and_then(Value::as_str);
                if !name.is_some_and(|n| carries_prefix(n, prefix)) {
                    return Some(format!(
                        "{at}: the {} it creates must start with the run prefix (use {{{{userN.userName}}}}, {{{{groupN.displayName}}}} or {{{{scenario.prefix}}}})",
                        kind.name_attribute()
                    ));
                }
            }
            ("PUT" | "PATCH" | "DELETE", Some(_)) if segments.len() == 2 => {
                let raw_path = text(raw, "path").unwrap_or_default();
                let raw_id = raw_path.trim_matches('/').split('/').nth(1).unwrap_or_default();
                let by_ref = segments[1]
                    .strip_prefix("bulkId:")
                    .is_some_and(|r| bulk_ids.iter().any(|b| b == r));
                let by_capture = template::placeholders(raw_id)
                    .ok()
                    .is_some_and(|ps| ps.iter().any(|p| captured.contains(p.name)));
                if !by_ref && !by_capture {
                    return Some(format!(
                        "{at}: the harness only changes an id this run created: a captured `{{{{user_id}}}}`, or `bulkId:<id>` of a POST in the same request"
                    ));
                }
            }
            _ => {
                return Some(format!(
                    "{at}: a bulk operation POSTs to /Users or /Groups, or changes /Users/{{id}} or /Groups/{{id}}"
                ))
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_error(steps: &str) -> Option<LoadError> {
        let text = format!("id: a.b\ntitle: t\nprofile: okta\nreference: r\nsteps:\n{steps}");
        check_sendable(&[Loaded::parse("x.yaml", &text).unwrap()]).err()
    }

    #[test]
    fn the_builtin_scenarios_can_all_be_sent() {
        check_sendable(&crate::scenario::builtin().unwrap()).unwrap();
    }

    #[test]
    fn a_create_without_the_prefix_is_located() {
        let e = first_error("  - id: s\n    title: t\n    request: { method: POST, path: /Users, body: { userName: alice } }\n").unwrap();
        assert_eq!(e.line, Some(6));
        assert!(e.message.contains("run prefix"), "{}", e.message);
        assert!(first_error("  - id: s\n    title: t\n    request: { method: POST, path: /Users, body: { userName: \"{{user1.userName}}\" } }\n").is_none());
    }

    #[test]
    fn a_raw_body_is_sent_only_in_a_prefixed_create() {
        let step = |req: &str| format!("  - id: s\n    title: t\n    request: {req}\n");
        let ok = step(
            r#"{ method: POST, path: /Users, raw_body: '{"userName": "{{user1.userName}}", ' }"#,
        );
        assert!(first_error(&ok).is_none());
        let e = first_error(&step(
            r#"{ method: POST, path: /Users, raw_body: '{"userName": "jane", ' }"#,
        ))
        .unwrap();
        assert!(
            e.message.contains("raw_body must hold the run prefix"),
            "{}",
            e.message
        );
        assert_eq!((e.line, e.column), (Some(6), Some(9)));
        for req in [
            r#"{ method: POST, path: /Users/.search, raw_body: '{{user1.userName}}' }"#,
            r#"{ method: POST, path: /ServiceProviderConfig, raw_body: '{{user1.userName}}' }"#,
            r#"{ method: GET, path: /Users, raw_body: '{{user1.userName}}' }"#,
        ] {
            let e = first_error(&step(req)).unwrap();
            assert!(e.message.contains("only sent in a create"), "{}", e.message);
        }
    }

    #[test]
    fn a_create_without_user_name_is_named_by_its_external_id() {
        let step = |body: &str| {
            format!("  - id: s\n    title: t\n    request: {{ method: POST, path: /Users, body: {body} }}\n")
        };
        assert!(first_error(&step(
            r#"{ externalId: "{{user1.userName}}", displayName: "{{user1.userName}}" }"#
        ))
        .is_none());
        let e = first_error(&step("{ externalId: hr-1 }")).unwrap();
        assert!(e.message.contains("run prefix"), "{}", e.message);
        let e = first_error(&step("{ name: { givenName: a } }")).unwrap();
        assert!(e.message.contains("nor an externalId"), "{}", e.message);
    }

    #[test]
    fn discovery_endpoints_take_bodiless_probes_but_no_delete() {
        let step = |req: &str| format!("  - id: s\n    title: t\n    request: {req}\n");
        for ok in [
            "{ method: POST, path: /ServiceProviderConfig }",
            "{ method: PUT, path: /ResourceTypes }",
            "{ method: PATCH, path: /Schemas }",
        ] {
            assert!(first_error(&step(ok)).is_none(), "{ok}");
        }
        for refused in [
            "{ method: DELETE, path: /Schemas }",
            "{ method: POST, path: /ServiceProviderConfig, body: {} }",
        ] {
            assert!(first_error(&step(refused)).is_some(), "{refused}");
        }
    }

    #[test]
    fn a_change_to_a_literal_id_is_located() {
        let e = first_error(
            "  - id: s\n    title: t\n    request: { method: DELETE, path: /Users/abc }\n",
        )
        .unwrap();
        assert!(e.message.contains("DELETE /Users/abc"), "{}", e.message);
        let ok = "  - id: c\n    title: t\n    request: { method: POST, path: /Groups, body: { displayName: \"{{group1.displayName}}\" } }\n    capture: { gid: /id }\n  - id: d\n    title: t\n    request: { method: PATCH, path: \"/Groups/{{gid}}\" }\n";
        assert!(first_error(ok).is_none());
    }

    fn bulk(ops: &str) -> Option<LoadError> {
        first_error(&format!(
            "  - id: c\n    title: t\n    request: {{ method: POST, path: /Users, body: {{ userName: \"{{{{user1.userName}}}}\" }} }}\n    capture: {{ uid: /id }}\n  - id: b\n    title: t\n    request: {{ method: POST, path: /Bulk, body: {{ Operations: {ops} }} }}\n"
        ))
    }

    #[test]
    fn a_bulk_request_is_held_to_the_same_rules_operation_by_operation() {
        let create = r#"{ method: POST, path: /Users, bulkId: a, data: { userName: "{{user2.userName}}" } }"#;
        assert!(bulk(&format!("[{create}]")).is_none());
        let by_ref = format!("[{create}, {{ method: DELETE, path: \"/Users/bulkId:a\" }}]");
        assert!(bulk(&by_ref).is_none());
        let captured = r#"[{ method: PATCH, path: "/Users/{{uid}}", data: {} }]"#;
        assert!(bulk(captured).is_none());
        let e = bulk(r#"[{ method: POST, path: /Users, bulkId: a, data: { userName: alice } }]"#)
            .unwrap();
        assert!(
            e.message.contains("operation 0") && e.message.contains("run prefix"),
            "{}",
            e.message
        );
        assert_eq!(e.line, Some(10));
        let e = bulk("[{ method: DELETE, path: /Users/abc }]").unwrap();
        assert!(
            e.message.contains("an id this run created"),
            "{}",
            e.message
        );
        let e = bulk(r#"[{ method: DELETE, path: "/Users/bulkId:zz" }]"#).unwrap();
        assert!(
            e.message.contains("an id this run created"),
            "{}",
            e.message
        );
        let e = bulk("[{ method: POST, path: /Bulk, bulkId: n, data: {} }]").unwrap();
        assert!(e.message.contains("changes /Users/{id}"), "{}", e.message);
        assert!(bulk("[]").unwrap().message.contains("Operations"));
    }

    #[test]
    fn a_repeated_bulk_item_is_checked_once() {
        let step = |name: &str| {
            format!(
            "  - id: b\n    title: t\n    request:\n      method: POST\n      path: /Bulk\n      body: {{ Operations: [] }}\n      repeat: {{ into: /Operations, times: \"{{{{run.id}}}}\", item: {{ method: POST, path: /Users, bulkId: \"u{{{{repeat.index}}}}\", data: {{ userName: \"{name}\" }} }} }}\n"
        )
        };
        assert!(first_error(&step("{{scenario.prefix}}{{repeat.index}}")).is_none());
        let e = first_error(&step("user{{repeat.index}}")).unwrap();
        assert!(e.message.contains("run prefix"), "{}", e.message);
    }
}
