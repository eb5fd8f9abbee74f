//! One root cause, one failure: when the server refuses the IdP's create body, every scenario
//! that needs a user fails at its own create for the same reason. The first refusal (in plan
//! order) is reported as the root cause; the same refusal elsewhere, and everything that
//! needed it, is skipped with a pointer to it.
//!
//! "The same refusal" is the same cause, not the same status: two creates refused with 400
//! for different reasons (`password is not supported`, `primary not supported`) are two
//! causes, each reported where it first happened. A refusal is keyed on its status, its
//! `scimType` and its `detail` with the run's generated values (names, ids, numbers)
//! stripped; a refusal that says nothing (no `detail`, no `scimType`) only joins another
//! from the same profile that sent a body of the same shape, since nothing shows they share
//! a cause.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::check::CheckStatus;
use crate::result::{ScenarioResult, StepResult};
use crate::scenario::Profile;
use crate::scim::json::{lookup, member};
use crate::scim::{status_check_id, Method};

/// What a repeated refusal's checks say first; [`root_of`] reads it back.
const SAME_ROOT_CAUSE: &str = "same root cause as ";

/// What makes two refused creates one cause.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Cause {
    collection: String,
    status: u16,
    scim_type: String,
    /// The `detail`, normalised ([`normalise_detail`]).
    detail: String,
    /// For a refusal that names no reason: the profile and the sent body's members.
    unexplained: String,
}

/// Rewrites `scenarios` so that one refused create is reported once per cause.
pub(crate) fn once(scenarios: &mut [ScenarioResult]) {
    // cause → where it was first refused.
    let mut first: BTreeMap<Cause, String> = BTreeMap::new();
    for sc in scenarios.iter_mut() {
        let mut repeated: Vec<(String, String)> = Vec::new();
        let profile = sc.profile;
        for step in &mut sc.steps {
            let Some((cause, shown)) = refused_create(&sc.id, profile, step) else {
                continue;
            };
            let place = format!("{} › {}", sc.id, step.id);
            match first.get(&cause) {
                None => {
                    first.insert(cause, place);
                    explain_missing_attribute(&sc.id, step);
                }
                Some(root) => {
                    let why = format!(
                        "{SAME_ROOT_CAUSE}{root}: the server refused this create too ({shown})"
                    );
                    for c in step.checks.iter_mut().filter(|c| c.is_failure()) {
                        c.status = CheckStatus::Skipped;
                        c.message = why.clone();
                        c.hint = None;
                    }
                    repeated.push((step.id.to_string(), root.clone()));
                }
            }
        }
        for (step_id, root) in repeated {
            let blocked = format!("step `{step_id}` did not succeed");
            for step in &mut sc.steps {
                let reason = format!("because the create failed (see {root})");
                if step
                    .skipped
                    .as_deref()
                    .is_some_and(|r| r.starts_with(&blocked))
                {
                    step.skipped = Some(reason.clone());
                    for c in step.checks.iter_mut().filter(|c| {
                        c.status == CheckStatus::Skipped && c.message.starts_with(&blocked)
                    }) {
                        c.message = reason.clone();
                    }
                }
            }
        }
    }
}

/// Whether a scenario has a create the server refused (a root cause, or a repeat of one).
/// Which refusal is the root is known only once every scenario has run, in plan order: a
/// streamed report holds such scenarios back until then, so that it names the same root as
/// every other report.
pub(crate) fn refuses_a_create(sc: &ScenarioResult) -> bool {
    sc.steps.iter().any(|step| {
        let Some(x) = &step.exchange else {
            return false;
        };
        let collection = x
            .request
            .url
            .split('?')
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let id = status_check_id(&sc.id, &step.id);
        x.request.method == Method::Post
            && (collection.eq_ignore_ascii_case("Users")
                || collection.eq_ignore_ascii_case("Groups"))
            && x.status().is_some_and(|s| (400..500).contains(&s))
            && step.checks.iter().any(|c| {
                c.id == id && (c.status == CheckStatus::Failed || root_of(&c.message).is_some())
            })
    })
}

/// `scenario › step` of the root cause a repeated refusal's check points to.
pub(crate) fn root_of(message: &str) -> Option<&str> {
    let rest = message.strip_prefix(SAME_ROOT_CAUSE)?;
    rest.split_once(": the server refused")
        .map(|(root, _)| root)
}

/// The refusal in words: `400 invalidValue: primary not supported`.
fn said(status: u16, scim_type: &str, detail: &str) -> String {
    let mut out = status.to_string();
    if !scim_type.is_empty() {
        out.push(' ');
        out.push_str(scim_type);
    }
    if !detail.is_empty() {
        out.push_str(": ");
        out.push_str(&crate::scim::json::clip(detail, 120));
    }
    out
}

/// The `detail` without what changes from run to run or create to create: the run's
/// generated names, emails, ids and numbers become `#`; case and spacing are ignored.
fn normalise_detail(detail: &str) -> String {
    detail
        .split_whitespace()
        .map(|word| {
            let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
            let generated = bare.contains("scimcheck-")
                || bare.contains('@')
                || bare.chars().any(|c| c.is_ascii_digit());
            if generated {
                "#".to_string()
            } else {
                word.to_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cause of a create the server refused with a 4xx, at its status check, and the
/// refusal in words.
fn refused_create(scenario: &str, profile: Profile, step: &StepResult) -> Option<(Cause, String)> {
    let x = step.exchange.as_ref()?;
    if x.request.method != Method::Post {
        return None;
    }
    let path = x.request.url.split('?').next()?.trim_end_matches('/');
    let collection = path.rsplit('/').next()?;
    if !(collection.eq_ignore_ascii_case("Users") || collection.eq_ignore_ascii_case("Groups")) {
        return None;
    }
    let status = x.status().filter(|s| (400..500).contains(s))?;
    let id = status_check_id(scenario, &step.id);
    if !step
        .checks
        .iter()
        .any(|c| c.id == id && c.status == CheckStatus::Failed)
    {
        return None;
    }
    let body = x.json();
    let text = |name: &str| {
        body.and_then(|b| member(b, name))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let scim_type = text("scimType").to_string();
    let shown = said(status, &scim_type, text("detail"));
    let detail = normalise_detail(text("detail"));
    let unexplained = if scim_type.is_empty() && detail.is_empty() {
        let mut members: Vec<String> = x
            .request
            .body
            .as_ref()
            .and_then(Value::as_object)
            .map(|o| o.keys().map(|k| k.to_ascii_lowercase()).collect())
            .unwrap_or_default();
        members.sort();
        format!("{}: {}", profile.as_str(), members.join(","))
    } else {
        String::new()
    };
    let cause = Cause {
        collection: collection.to_ascii_lowercase(),
        status,
        scim_type,
        detail,
        unexplained,
    };
    Some((cause, shown))
}

/// When the refusal names an attribute the request did not send (`name.formatted is
/// required`), the status check's fix says so and how to adapt the body.
fn explain_missing_attribute(scenario: &str, step: &mut StepResult) {
    let Some(x) = &step.exchange else { return };
    let detail = x
        .json()
        .and_then(|b| member(b, "detail"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let lower = detail.to_ascii_lowercase();
    if !(lower.contains("required") || lower.contains("missing")) {
        return;
    }
    let sent = x.request.body.as_ref();
    let missing = detail
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| w.len() > 2 && w.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter(|w| w.chars().any(|c| c.is_ascii_uppercase()) || w.contains('.'))
        .find(|w| {
            let pointer = format!("/{}", w.replace('.', "/"));
            sent.is_some_and(|b| lookup(b, &pointer).is_none())
        });
    let Some(attr) = missing else { return };
    let id = status_check_id(scenario, &step.id);
    if let Some(c) = step.checks.iter_mut().find(|c| c.id == id) {
        c.hint = Some(format!(
            "The server requires `{attr}`, which this create does not send. Accept the user without it (the IdP sends what its mapping has), or, to test the rest, copy the scenario, add `{attr}` to the body and run it with --scenarios DIR."
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckOutcome;
    use crate::exec::Exchange;
    use crate::scim::Severity;
    use serde_json::json;

    fn refused(scenario: &str) -> ScenarioResult {
        refused_with(
            scenario,
            crate::scenario::Profile::Okta,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400", "detail": "Attribute name.formatted is required"}),
        )
    }

    fn refused_with(
        scenario: &str,
        profile: crate::scenario::Profile,
        answer: Value,
    ) -> ScenarioResult {
        let mut x = Exchange::answered(Method::Post, "http://h/scim/v2/Users", 400, &answer);
        x.request.body = Some(json!({"userName": "u", "name": {"givenName": "g"}}));
        let status = status_check_id(scenario, "create");
        ScenarioResult {
            id: scenario.into(),
            title: "t".into(),
            profile,
            reference: "r".into(),
            file: "f".into(),
            skipped: None,
            not_applicable: None,
            steps: vec![
                StepResult {
                    id: "create".into(),
                    title: "Create".into(),
                    skipped: None,
                    exchange: Some(x),
                    checks: vec![CheckOutcome::fail(
                        status,
                        Severity::Error,
                        "r",
                        "expected status 201, got 400",
                        "h",
                    )],
                    captures: Default::default(),
                    snapshot: Default::default(),
                    needs: vec![],
                    set: None,
                    provisioned: vec![],
                    set_exchanges: vec![],
                },
                StepResult {
                    id: "read".into(),
                    title: "Read".into(),
                    skipped: Some("step `create` did not succeed: it answered 400".into()),
                    exchange: None,
                    checks: vec![CheckOutcome::skip(
                        status_check_id(scenario, "read"),
                        "r",
                        "step `create` did not succeed: it answered 400",
                    )],
                    captures: Default::default(),
                    snapshot: Default::default(),
                    needs: vec!["create".into()],
                    set: None,
                    provisioned: vec![],
                    set_exchanges: vec![],
                },
            ],
            duration_ms: 0,
            volatile: vec![],
            snapshot: None,
        }
    }

    #[test]
    fn a_refused_create_is_reported_once_with_the_missing_attribute() {
        let mut all = vec![refused("a"), refused("b"), refused("c")];
        once(&mut all);
        let first = &all[0].steps[0].checks[0];
        assert_eq!(first.status, CheckStatus::Failed);
        assert!(
            first.hint.as_deref().unwrap().contains("`name.formatted`"),
            "{first:?}"
        );
        assert!(first.hint.as_deref().unwrap().contains("--scenarios"));
        for sc in &all[1..] {
            let again = &sc.steps[0].checks[0];
            assert_eq!(again.status, CheckStatus::Skipped);
            assert!(
                again.message.contains("same root cause as a › create"),
                "{}",
                again.message
            );
            let dependent = &sc.steps[1];
            assert_eq!(
                dependent.skipped.as_deref(),
                Some("because the create failed (see a › create)")
            );
            assert_eq!(
                dependent.checks[0].message,
                "because the create failed (see a › create)"
            );
        }
        let failed = all
            .iter()
            .flat_map(|s| &s.steps)
            .flat_map(|s| &s.checks)
            .filter(|c| c.status == CheckStatus::Failed)
            .count();
        assert_eq!(failed, 1);
    }

    fn status_of(sc: &ScenarioResult) -> CheckStatus {
        sc.steps[0].checks[0].status
    }

    fn error(scim_type: Option<&str>, detail: Option<&str>) -> Value {
        let mut body =
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400"});
        if let Some(t) = scim_type {
            body["scimType"] = t.into();
        }
        if let Some(d) = detail {
            body["detail"] = d.into();
        }
        body
    }

    #[test]
    fn creates_refused_for_different_reasons_are_different_causes() {
        use crate::scenario::Profile::{Entra, Okta};
        let mut all = vec![
            refused_with(
                "okta.a",
                Okta,
                error(Some("invalidValue"), Some("password is not supported")),
            ),
            refused_with(
                "entra.b",
                Entra,
                error(Some("invalidValue"), Some("primary not supported")),
            ),
            refused_with(
                "entra.c",
                Entra,
                error(Some("invalidValue"), Some("primary not supported")),
            ),
            refused_with(
                "entra.d",
                Entra,
                error(Some("invalidSyntax"), Some("primary not supported")),
            ),
        ];
        once(&mut all);
        assert_eq!(status_of(&all[0]), CheckStatus::Failed);
        assert_eq!(status_of(&all[1]), CheckStatus::Failed, "its own cause");
        assert_eq!(status_of(&all[2]), CheckStatus::Skipped);
        assert_eq!(
            all[2].steps[0].checks[0].message,
            "same root cause as entra.b › create: the server refused this create too (400 invalidValue: primary not supported)"
        );
        assert_eq!(
            root_of(&all[2].steps[0].checks[0].message),
            Some("entra.b › create")
        );
        assert_eq!(status_of(&all[3]), CheckStatus::Failed, "another scimType");
    }

    #[test]
    fn generated_names_and_numbers_do_not_make_a_new_cause() {
        use crate::scenario::Profile::{Entra, Okta};
        let mut all = vec![
            refused_with(
                "okta.a",
                Okta,
                error(
                    None,
                    Some("User 'scimcheck-ab12-1-zoe@example.com' rejected: quota 10 reached"),
                ),
            ),
            refused_with(
                "entra.b",
                Entra,
                error(
                    None,
                    Some("user 'scimcheck-ab12-7-max@example.com' rejected: quota 11 reached"),
                ),
            ),
        ];
        once(&mut all);
        assert_eq!(status_of(&all[0]), CheckStatus::Failed);
        assert_eq!(status_of(&all[1]), CheckStatus::Skipped);
    }

    #[test]
    fn a_refusal_without_a_reason_joins_only_the_same_profile_and_body() {
        use crate::scenario::Profile::{Entra, Okta};
        let mut all = vec![
            refused_with("okta.a", Okta, error(None, None)),
            refused_with("okta.b", Okta, error(None, None)),
            refused_with("entra.c", Entra, error(None, None)),
        ];
        once(&mut all);
        assert_eq!(status_of(&all[0]), CheckStatus::Failed);
        assert_eq!(
            status_of(&all[1]),
            CheckStatus::Skipped,
            "same profile, same body"
        );
        assert_eq!(
            status_of(&all[2]),
            CheckStatus::Failed,
            "another profile's body"
        );
    }
}
