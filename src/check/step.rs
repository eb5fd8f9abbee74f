//! All checks of one step, in a fixed order: transport, status, content type, body, schema,
//! resource rules, asserts, named checks. A failed status skips what depends on the body,
//! so one root cause yields one failure, not a cascade.

use serde_json::Value;

use super::asserts;
use super::outcome::CheckOutcome;
use super::rules;
use super::schema_findings as findings;
use crate::exec::{Exchange, TransportErrorKind};
use crate::plan::PreparedStep;
use crate::scenario::{NamedCall, Profile, Step, Subject};
use crate::scim::json::{clip, member, schemas_hold};
use crate::scim::status_check_id;
use crate::scim::Severity;

/// What the checks of one step see: the step as written, as the plan rendered it, and the
/// exchange it produced.
pub struct StepContext<'a> {
    /// The scenario's id; check ids of its steps start with it.
    pub scenario_id: &'a str,
    /// The scenario's profile: some rules weigh a finding by it.
    pub profile: Profile,
    /// The step as written.
    pub step: &'a Step,
    /// The step's asserts and named checks, rendered.
    pub prepared: &'a PreparedStep,
    /// The step's reference, or the scenario's.
    pub reference: &'a str,
    /// What was sent and what came back.
    pub exchange: &'a Exchange,
}

/// Whether the scenario goes on after this step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// The next step runs.
    Continue,
    /// The server lacks an optional feature the rest of the scenario needs.
    SkipRest(String),
}

const CONTENT_TYPE_REFERENCE: &str = "RFC 7644 §3.1, §8.1";

/// Every check of one step, and whether the scenario goes on.
pub fn check_step(ctx: &StepContext<'_>) -> (Vec<CheckOutcome>, Flow) {
    let mut out = Vec::new();
    let flow = run(ctx, &mut out);
    (out, flow)
}

fn run(ctx: &StepContext<'_>, out: &mut Vec<CheckOutcome>) -> Flow {
    let expect = &ctx.step.expect;
    let status_id = status_check_id(ctx.scenario_id, &ctx.step.id);
    if let Some(err) = &ctx.exchange.error {
        if err.kind == TransportErrorKind::Refused {
            if !expect.status.is_empty() {
                out.push(CheckOutcome::skip(
                    &status_id,
                    ctx.reference,
                    err.message.clone(),
                ));
            }
        } else {
            out.push(CheckOutcome::fail(
                format!(
                    "transport.{}",
                    serde_json::to_value(err.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
                Severity::Error,
                ctx.reference,
                format!(
                    "{} {}: {}",
                    ctx.exchange.request.method.as_str(),
                    ctx.exchange.request.url,
                    err.message
                ),
                transport_hint(err.kind),
            ));
        }
        let reason = match err.kind {
            TransportErrorKind::Refused => err.message.as_str(),
            _ => "no response was received",
        };
        skip_dependents(ctx, out, reason);
        return Flow::Continue;
    }
    let Some(resp) = ctx.exchange.response.as_ref() else {
        return Flow::Continue;
    };
    let status = resp.status;
    // Asserts on the status line and timing (an imported test's) hold whatever the body is.
    let mut status_failed = false;
    for (a, rendered) in expect.asserts.iter().zip(&ctx.prepared.asserts) {
        if a.subject.is_response_level() {
            let outcome = asserts::evaluate(a, rendered, ctx.exchange, ctx.reference);
            status_failed |= a.subject == Subject::Status && outcome.is_failure();
            out.push(outcome);
        }
    }
    if ctx.step.okta_api {
        // An answer of the embedded Okta org, not of the SCIM server: only the test's own
        // asserts judge it (the SCIM requests it caused are judged on their own).
        for (a, rendered) in expect.asserts.iter().zip(&ctx.prepared.asserts) {
            if !a.subject.is_response_level() {
                out.push(if status_failed {
                    CheckOutcome::skip(
                        &a.id,
                        ctx.reference,
                        format!("status {status} is not the one expected"),
                    )
                } else {
                    asserts::evaluate(a, rendered, ctx.exchange, ctx.reference)
                });
            }
        }
        return Flow::Continue;
    }
    if status_failed {
        skip_dependents(
            ctx,
            out,
            &format!("status {status} is not the one expected"),
        );
        return Flow::Continue;
    }
    if let Some(reason) = expect.skip_if_status.get(&status) {
        let reason = format!("the server answered {status}: {reason}");
        out.push(CheckOutcome::skip(
            &status_id,
            ctx.reference,
            reason.clone(),
        ));
        return Flow::SkipRest(reason);
    }
    if let Some(reason) = expect.unsupported_if_status.get(&status) {
        let reason = format!("the server answered {status}: {reason}");
        out.push(CheckOutcome::skip(
            &status_id,
            ctx.reference,
            reason.clone(),
        ));
        skip_dependents(ctx, out, &reason);
        return Flow::Continue;
    }
    // A status the RFC allows with a word to say (`status_note`); an error status only with
    // a SCIM Error body, since a page from something other than the SCIM server is no answer.
    let noted = expect
        .status_note
        .get(&status)
        .filter(|_| !expect.status.contains(&status))
        .filter(|_| {
            status < 400
                || resp
                    .json
                    .as_ref()
                    .is_some_and(|b| schemas_hold(b, crate::scim::urn::ERROR))
        });
    if !expect.status.is_empty() {
        let wanted = expect
            .status
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        if expect.status.contains(&status) {
            out.push(CheckOutcome::pass(
                &status_id,
                ctx.reference,
                format!("status {status}"),
            ));
        } else if let Some(why) = noted {
            out.push(CheckOutcome::note(
                &status_id,
                ctx.reference,
                format!("status {status}: {why}"),
            ));
        } else {
            let tolerated = expect.status_warning.contains(&status);
            let severity = if tolerated {
                Severity::Warning
            } else {
                Severity::Error
            };
            let detail = resp
                .json
                .as_ref()
                .and_then(|b| member(b, "detail"))
                .and_then(Value::as_str)
                .map(|d| match d.trim() {
                    "" => " (no detail)".to_string(),
                    d => format!(" (detail: {})", clip(d, 100)),
                })
                .unwrap_or_default();
            let (detail, hint) = match resp.header("location") {
                // Following would send the credentials wherever the server points.
                Some(to) if (300..400).contains(&status) => (
                    format!(" (a redirect to {}, not followed)", clip(to, 200)),
                    format!("Answer this request with {wanted} at the URL it was sent to; scimcheck never follows redirects, so credentials cannot leave the target."),
                ),
                _ if matches!(status, 429 | 503) => {
                    let waited: u64 = ctx.exchange.throttled.iter().map(|t| t.waited_ms).sum();
                    (
                        format!(
                            " (rate limited: {} retr{} over {:.1} s, Retry-After {}; the retry budget, --max-retry-wait, ran out)",
                            ctx.exchange.throttled.len(),
                            if ctx.exchange.throttled.len() == 1 { "y" } else { "ies" },
                            waited as f64 / 1000.0,
                            resp.header("retry-after").unwrap_or("not given"),
                        ),
                        "Throttle less, or send a Retry-After the client can wait out; Okta gives up after 10 tries.".to_string(),
                    )
                }
                _ => (
                    detail,
                    expect
                        .status_hint
                        .clone()
                        .unwrap_or_else(|| format!("Answer this request with {wanted}.")),
                ),
            };
            // A refused filter names what was sent: the scenario's filters are wrapped, and
            // the reader needs the whole expression to tell which construct was refused.
            let sent = ctx
                .exchange
                .query_param("filter")
                .map(|f| format!(" to the filter `{}`", clip(&f, 200)))
                .unwrap_or_default();
            out.push(CheckOutcome::fail(
                &status_id,
                severity,
                ctx.reference,
                format!("expected status {wanted}, got {status}{sent}{detail}"),
                hint,
            ));
            skip_dependents(ctx, out, &format!("status {status} instead of {wanted}"));
            return Flow::Continue;
        }
    }
    let body_empty = resp.body.trim().is_empty();
    // A body that is not JSON at all (an HTML page) is one defect, reported by the body
    // rules; its content type would only say the same again.
    if !body_empty && resp.json.is_some() {
        out.push(content_type(resp.media_type().as_deref(), ctx.profile));
    }
    let expected = expect.expected_statuses();
    // A step that lets the server choose between a success and a refusal holds a refusal to
    // the same error rules as a step that expects only errors.
    let expects_error = match noted {
        Some(_) => status >= 400,
        None => {
            (!expected.is_empty() && expected.iter().all(|s| *s >= 400))
                || (status >= 400 && expect.status.contains(&status))
        }
    };
    if expects_error {
        // Error bodies get the RFC 7644 §3.12 rules, which explain a non-JSON body themselves.
        let call = expect
            .checks
            .iter()
            .zip(&ctx.prepared.checks)
            .find(|(written, _)| matches!(written, NamedCall::ErrorResponse(_)))
            .map(|(_, rendered)| rendered);
        match call {
            Some(Ok(NamedCall::ErrorResponse(args))) => {
                out.extend(rules::error_response_check(ctx, args))
            }
            Some(Err(reason)) => out.push(CheckOutcome::skip(
                "rfc7644.error-response",
                rules::ERROR_REFERENCE,
                reason.clone(),
            )),
            _ => out.extend(rules::error_response_check(ctx, &Default::default())),
        }
        if let Some(body) = resp.json.as_ref().filter(|b| b.is_object()) {
            out.push(findings::error_schema(body));
        }
    } else if body_empty {
        // 204 is the one success without a body; elsewhere a body the step checks must exist
        // (RFC 7644 §3.3 create, §3.4.1 read, §3.5.1 replace, §3.5.2 modify with 200).
        if status != 204 && expect.schema.is_some() {
            out.push(CheckOutcome::fail("rfc7644.body.present", Severity::Error, "RFC 7644 §3.3, §3.4.1, §3.5.1, §3.5.2", format!("status {status} with an empty body"), "Return the resource in the body (Okta reads the new id from it), or answer 204 where the RFC allows it."));
        }
        skip_dependents(
            ctx,
            out,
            &format!("status {status} carries no body to check"),
        );
        return Flow::Continue;
    } else if resp.json.is_none() {
        let why = if resp.truncated {
            "the body exceeds the size limit".to_string()
        } else {
            format!("the body is not JSON: {}", clip(resp.body.trim(), 80))
        };
        out.push(CheckOutcome::fail(
            "rfc7644.body.json",
            Severity::Error,
            "RFC 7644 §3.1",
            why.clone(),
            "Return JSON bodies (application/scim+json).",
        ));
        skip_dependents(ctx, out, &why);
        return Flow::Continue;
    }
    let Some(body) = resp.json.as_ref() else {
        // Only an error step gets here without JSON; its body rules have already spoken.
        return Flow::Continue;
    };
    findings::schema_checks(ctx, body, out);
    // The protocol rules first, then the scenario's asserts, which may name a rule (or an
    // earlier assert) that reports their root cause.
    for (call, rendered) in expect.checks.iter().zip(&ctx.prepared.checks) {
        if expects_error && matches!(call, NamedCall::ErrorResponse(_)) {
            continue;
        }
        match rendered {
            Ok(call) => out.extend(rules::run_named(ctx, call)),
            Err(reason) => out.push(CheckOutcome::skip(
                call.id(),
                rules::find(call.id()).map_or("", |r| r.reference),
                reason.clone(),
            )),
        }
    }
    for (a, rendered) in expect.asserts.iter().zip(&ctx.prepared.asserts) {
        if a.subject.is_response_level() {
            continue;
        }
        let first = a.needs.iter().find(|need| {
            out.iter()
                .any(|c| c.id.as_str() == need.as_str() && c.is_unmet())
        });
        out.push(match first {
            Some(first) => CheckOutcome::skip(
                &a.id,
                a.reference.as_deref().unwrap_or(ctx.reference),
                match out.iter().find(|c| c.id.as_str() == first.as_str()) {
                    Some(c) if !c.is_failure() => format!("`{first}` did not hold: {}", c.message),
                    _ => format!("same root cause as `{first}`, which failed"),
                },
            ),
            None => asserts::evaluate(a, rendered, ctx.exchange, ctx.reference),
        });
    }
    super::stored::summarise(&expect.asserts, out);
    Flow::Continue
}

/// RFC 7644 §8.1 registers `application/scim+json` for SCIM messages, and §3.1 has SCIM
/// responses carry it: "Requests and responses ... use the media type application/scim+json".
/// `application/json` is a warning (clients such as Okta read it); under Entra an error, since
/// Entra's provisioning service rejects it.
fn content_type(media: Option<&str>, profile: Profile) -> CheckOutcome {
    const ID: &str = rules::CONTENT_TYPE;
    match media {
        Some("application/scim+json") => CheckOutcome::pass(
            ID,
            CONTENT_TYPE_REFERENCE,
            "Content-Type: application/scim+json",
        ),
        Some("application/json") => CheckOutcome::fail(
            ID,
            rules::severity(ID, profile, Severity::Warning),
            CONTENT_TYPE_REFERENCE,
            "Content-Type: application/json instead of application/scim+json",
            "Send Content-Type: application/scim+json; Entra ID requires it.",
        ),
        other => CheckOutcome::fail(
            ID,
            Severity::Error,
            CONTENT_TYPE_REFERENCE,
            format!("Content-Type: {}", other.unwrap_or("missing")),
            "Send JSON bodies with Content-Type: application/scim+json.",
        ),
    }
}

/// Marks the step's own asserts (those not checked yet) and named checks skipped, so
/// reports still list them.
fn skip_dependents(ctx: &StepContext<'_>, out: &mut Vec<CheckOutcome>, reason: &str) {
    for a in &ctx.step.expect.asserts {
        if out.iter().any(|c| c.id.as_str() == a.id) {
            continue;
        }
        out.push(CheckOutcome::skip(
            &a.id,
            a.reference.as_deref().unwrap_or(ctx.reference),
            reason,
        ));
    }
    for call in &ctx.step.expect.checks {
        if let Some(check) = rules::find(call.id()) {
            out.push(CheckOutcome::skip(check.id, check.reference, reason));
        }
    }
}

fn transport_hint(kind: TransportErrorKind) -> &'static str {
    match kind {
        TransportErrorKind::Timeout => {
            "Answer within the timeout; Okta closes the connection after 60 s."
        }
        TransportErrorKind::Connect => "Make the server reachable at the base URL.",
        TransportErrorKind::Broken => {
            "Send a complete HTTP response; the connection broke before it ended."
        }
        TransportErrorKind::BodyTooLarge => "Keep response bodies small; page large lists.",
        TransportErrorKind::Refused => "",
    }
}

#[cfg(test)]
#[path = "step_tests.rs"]
mod tests;
