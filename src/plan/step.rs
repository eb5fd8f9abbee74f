//! A step made concrete for this run: its request, its asserts' operands and its named
//! checks' arguments all rendered, so the check stage never sees a template.

use std::collections::BTreeMap;

use serde_json::Value;

use super::request::{prepare, PreparedRequest};
use super::template::{self, TemplateError};
use super::vars::Vars;
use crate::scenario::{Assert, NamedCall, Step, Subject};

/// A step ready to send and check.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedStep {
    /// The request to send.
    pub request: PreparedRequest,
    /// Each of the step's asserts rendered, in order, or why it could not be (a variable an
    /// earlier step did not capture): that assert alone is skipped.
    pub asserts: Vec<Result<Assert, String>>,
    /// Each named check with its arguments rendered, in order, or why they could not be.
    pub checks: Vec<Result<NamedCall, String>>,
    /// Why the request must not be sent: its URL left the target's base URL.
    pub refused: Option<String>,
    /// The step's burst, when it has one: every request rendered.
    pub burst: Option<PreparedBurst>,
}

/// A burst ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedBurst {
    /// The step's request, then each of the burst's mix: sent in turn.
    pub requests: Vec<PreparedRequest>,
    /// Requests per second asked for.
    pub rate: u32,
    /// For how long.
    pub seconds: u32,
}

/// Renders `step`; the request must render (a missing variable there skips the whole step),
/// asserts and checks render one by one.
pub fn prepare_step(
    step: &Step,
    headers: &BTreeMap<String, Option<String>>,
    vars: &Vars,
) -> Result<PreparedStep, TemplateError> {
    prepare_step_with(step, &step.request, headers, vars)
}

/// [`prepare_step`] with another request in the step's place: one of a fan-out's `mix`, or
/// its `then` read.
pub fn prepare_step_with(
    step: &Step,
    request: &crate::scenario::Request,
    headers: &BTreeMap<String, Option<String>>,
    vars: &Vars,
) -> Result<PreparedStep, TemplateError> {
    let mut request = prepare(request, headers, vars)?;
    let refused = match &step.request.root {
        Some(root) => match rebase(
            &template::render_text(root, vars)?,
            &request.path,
            vars,
            step.okta_api,
        ) {
            Ok(path) => {
                request.path = path;
                None
            }
            Err(why) => Some(format!("{} {why}", request.method.as_str())),
        },
        None => None,
    };
    let burst = match &step.burst {
        Some(b) => {
            let mut requests = vec![request.clone()];
            for r in &b.mix {
                requests.push(prepare(r, headers, vars)?);
            }
            Some(PreparedBurst {
                requests,
                rate: b.rate,
                seconds: b.seconds,
            })
        }
        None => None,
    };
    Ok(PreparedStep {
        request,
        refused,
        burst,
        asserts: step
            .expect
            .asserts
            .iter()
            .map(|a| render_assert(a, vars).map_err(|e| e.to_string()))
            .collect(),
        checks: step
            .expect
            .checks
            .iter()
            .map(|c| {
                c.map_values(|v| template::render_value(v, vars))
                    .map_err(|e| e.to_string())
            })
            .collect(),
    })
}

/// The path below the target's base URL (or, for a call to the embedded Okta org, below the
/// org's URL) of `root` + `path`, or why it is not below it.
fn rebase(root: &str, path: &str, vars: &Vars, org: bool) -> Result<String, String> {
    let (name, what) = if org {
        (
            crate::scenario::runscope::OKTA_ORG_URL,
            "embedded Okta org's URL",
        )
    } else {
        (
            crate::scenario::runscope::TARGET_BASE_URL,
            "target's base URL",
        )
    };
    let base = vars.get(name).and_then(Value::as_str).unwrap_or_default();
    let full = format!("{}{path}", root.trim_end_matches('/'));
    let below = full
        .strip_prefix(base)
        .filter(|rest| !base.is_empty() && (rest.is_empty() || rest.starts_with('/')));
    let dot_segment = |rest: &str| {
        rest.split(['/', '?']).any(|seg| {
            let seg = percent_encoding::percent_decode_str(seg).decode_utf8_lossy();
            seg == "." || seg == ".."
        })
    };
    match below {
        Some(rest) if !dot_segment(rest) => Ok(if rest.is_empty() {
            "/".into()
        } else {
            rest.to_string()
        }),
        _ => Err(format!(
            "{full}: not under the {what} {base}, so it was not sent (requests and credentials go only to the target)"
        )),
    }
}

fn render_assert(a: &Assert, vars: &Vars) -> Result<Assert, TemplateError> {
    use crate::scenario::Op;
    let value = |v: &Value| template::render_value(v, vars);
    let subject = match &a.subject {
        Subject::Pointer(p) => Subject::Pointer(template::render_text(p, vars)?),
        Subject::Header(h) => Subject::Header(template::render_text(h, vars)?),
        other @ (Subject::Status | Subject::ResponseTime) => other.clone(),
    };
    let op = match &a.op {
        Op::Equals(v) => Op::Equals(value(v)?),
        Op::NotEquals(v) => Op::NotEquals(value(v)?),
        Op::Contains(v) => Op::Contains(value(v)?),
        Op::NotContains(v) => Op::NotContains(value(v)?),
        Op::OneOf(vs) => Op::OneOf(vs.iter().map(value).collect::<Result<_, _>>()?),
        // Runscope compares text: the operand is rendered as text whatever it holds.
        Op::Compare(c, v) => Op::Compare(
            *c,
            match v {
                Value::String(s) => Value::String(template::render_text(s, vars)?),
                other => other.clone(),
            },
        ),
        other @ (Op::Present(_) | Op::Type(_) | Op::Length(_) | Op::Script(_)) => other.clone(),
    };
    Ok(Assert {
        subject,
        op,
        ..a.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Op;
    use serde_json::json;

    fn step(yaml: &str) -> Step {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn asserts_and_named_checks_are_rendered_one_by_one() {
        let s = step(
            r#"
id: s
title: t
request: { method: GET, path: "/Users/{{uid}}" }
expect:
  asserts:
    - { id: a.one, pointer: /id, equals: "{{uid}}", hint: h }
    - { id: a.two, pointer: /x, equals: "{{missing}}", hint: h }
  checks:
    - { id: rfc7644.paging-consistent, args: { pages: ["{{uid}}"], expected: ["{{missing}}"] } }
    - { id: rfc7644.created-resource, args: { resource_type: "{{kind}}" } }
"#,
        );
        let mut vars = Vars::default();
        vars.insert("uid", json!("u1"));
        vars.insert("kind", json!("User"));
        let p = prepare_step(&s, &BTreeMap::new(), &vars).unwrap();
        assert_eq!(p.request.path, "/Users/u1");
        assert_eq!(p.asserts[0].as_ref().unwrap().op, Op::Equals(json!("u1")));
        assert!(p.asserts[1].as_ref().unwrap_err().contains("missing"));
        assert!(p.checks[0].as_ref().unwrap_err().contains("missing"));
        assert_eq!(
            p.checks[1].as_ref().unwrap(),
            &NamedCall::CreatedResource(crate::scenario::CreatedArgs {
                resource_type: Some("User".into())
            })
        );
    }

    #[test]
    fn a_url_root_is_rebased_under_the_base_url_or_refused() {
        let mut vars = Vars::default();
        vars.insert("target.base_url", json!("http://h:1/scim/v2"));
        vars.insert("SCIMBaseURL", json!("http://h:1/scim/v2/"));
        vars.insert("elsewhere", json!("http://evil:1/scim/v2"));
        assert_eq!(
            rebase("http://h:1/scim/v2/", "/Users", &vars, false),
            Ok("/Users".into())
        );
        assert_eq!(
            rebase("http://h:1/scim/v2", "/", &vars, false),
            Ok("/".into())
        );
        for (root, path) in [
            ("http://evil:1/scim/v2", "/Users"),
            ("http://h:1/scim/v2x", "/Users"),
            ("http://h:1", "/Users"),
            ("http://h:1/scim/v2", "/../admin"),
            ("http://h:1/scim/v2", "/Users/%2e%2e/x"),
        ] {
            let err = rebase(root, path, &vars, false).unwrap_err();
            assert!(
                err.contains("not under the target's base URL http://h:1/scim/v2"),
                "{err}"
            );
        }
        let mut s = step("id: s\ntitle: t\nrequest: { method: GET, path: /Users }\n");
        s.request.root = Some("{{elsewhere}}".into());
        let p = prepare_step(&s, &BTreeMap::new(), &vars).unwrap();
        assert!(p
            .refused
            .unwrap()
            .starts_with("GET http://evil:1/scim/v2/Users: not under"));
        s.request.root = Some("{{SCIMBaseURL}}".into());
        let p = prepare_step(&s, &BTreeMap::new(), &vars).unwrap();
        assert_eq!((p.refused, p.request.path.as_str()), (None, "/Users"));
    }
}
