//! Rules over a set of requests sent together, and the end states the concurrency and scale
//! scenarios read back: a group's members after parallel or batched changes, a user's groups,
//! racing creates and conditional writes. Okta's PATCH timeout and batch sizes and the paged
//! walk are in `sets_scale`; what every set is held to under load in `sets_load`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::set::{numbered, SetContext};
use crate::check::step::StepContext;
use crate::exec::Exchange;
use crate::scenario::named_set::{ExpectedArgs, LoadCall, RaceArgs};
use crate::scim::json::{clip, member};
use crate::scim::Severity;

/// A 429 or 503 without `Retry-After`.
pub const RETRY_AFTER: &str = "rfc6585.retry-after";
/// A 429 or 503 without a SCIM error body.
pub const THROTTLED_BODY: &str = "rfc6585.throttled-body";
/// Answers that failed (5xx, no answer) and succeeded when the harness retried them.
pub const RETRIED_FAULT: &str = "load.retried-fault";

/// Members applied by PATCH.
pub const MEMBERS_REFERENCE: &str = "RFC 7644 §3.5.2.1, §3.5.2.2, §3.5.2.3";
/// A user's groups.
pub const GROUPS_REFERENCE: &str = "RFC 7643 §4.1.2 (groups), §8.7.1";
/// Racing creates.
pub const RACE_REFERENCE: &str = "RFC 7644 §3.3; RFC 7643 §4.1.1 (userName uniqueness)";
/// Racing conditional writes.
pub const IF_MATCH_REFERENCE: &str = "RFC 7232 §3.1; RFC 7644 §3.14";
/// Okta's PATCH timeout.
pub const OKTA_TIMEOUT_REFERENCE: &str =
    "Okta: \"Group membership PATCH operations timeout after 60 seconds\"";
/// Okta's batch sizes.
pub const OKTA_BATCH_REFERENCE: &str = "Okta: membership changes per PATCH \"between 100 and 1000. The default value is 100\"; RFC 7644 §3.12";
/// A paged walk.
pub const WALK_REFERENCE: &str = "RFC 7644 §3.4.2.4; Okta import paging";
/// Throttled answers.
pub const THROTTLE_REFERENCE: &str =
    "RFC 6585 §4; Okta and Entra ID back off blindly without Retry-After";

/// A named check of this family on one answer (`rfc7644.members-exactly`,
/// `rfc7643.user-groups`); a set rule named on a step that sends one request is skipped.
pub fn run_exchange(ctx: &StepContext<'_>, call: &LoadCall) -> Vec<CheckOutcome> {
    match call {
        LoadCall::MembersExactly(args) => vec![members_exactly(ctx.exchange, args)],
        LoadCall::UserGroups(args) => vec![user_groups(ctx.exchange, args)],
        set => vec![CheckOutcome::skip(
            set.id(),
            "scimcheck",
            "this rule judges the requests of a fan-out or walk together; this step sends one",
        )],
    }
}

/// A set rule on a fan-out's or walk's answers.
pub fn run_set(ctx: &SetContext<'_>, call: &LoadCall) -> Vec<CheckOutcome> {
    match call {
        LoadCall::RaceOneCreated(args) => vec![race_one_created(ctx, args)],
        LoadCall::RaceOneWins => vec![race_one_wins(ctx)],
        LoadCall::BatchTime(args) => vec![batch_time(ctx, args)],
        LoadCall::BatchLimit => vec![batch_limit(ctx)],
        LoadCall::PagingWalk(args) => paging_walk(ctx, args),
        LoadCall::MembersExactly(_) | LoadCall::UserGroups(_) => vec![],
    }
}

/// The ids of a list of ids or of members; a list of such lists (`["{{kept}}",
/// "{{added}}"]`) is their union, in order.
pub(super) fn ids(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for x in v.as_array().into_iter().flatten() {
        match x {
            Value::String(s) => out.push(s.clone()),
            Value::Object(_) => out.extend(
                member(x, "value")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            Value::Array(_) => out.extend(ids(x)),
            _ => {}
        }
    }
    out
}

pub(super) fn listed(ids: &[&String]) -> String {
    let mut text: Vec<String> = ids
        .iter()
        .take(5)
        .map(|s| format!("`{}`", clip(s, 40)))
        .collect();
    if ids.len() > 5 {
        text.push(format!("{} more", ids.len() - 5));
    }
    text.join(", ")
}

/// `rfc7644.patch.members-kept`: the group read back holds exactly the members the run's
/// PATCHes left it with. RFC 7644 §3.5.2.1: "If the target location specifies a
/// multi-valued attribute, a new value is added to the attribute." §3.5.2.2: "If the target
/// location is a multi-valued attribute and a complex filter is specified comparing a
/// "value", the values matched by the filter are removed." A 2xx that lost a member (a
/// read-modify-write race, a silent cap) breaks both.
pub fn members_exactly(exchange: &Exchange, args: &ExpectedArgs) -> CheckOutcome {
    const ID: &str = "rfc7644.patch.members-kept";
    let Some(body) = exchange.json().filter(|_| exchange.status() == Some(200)) else {
        return CheckOutcome::skip(
            ID,
            MEMBERS_REFERENCE,
            "the group was not read back (no 200 with a body)",
        );
    };
    let expected = ids(&args.expected);
    let held_list = member(body, "members").map(ids).unwrap_or_default();
    let held: BTreeSet<&String> = held_list.iter().collect();
    let want: BTreeSet<&String> = expected.iter().collect();
    let lost: Vec<&String> = expected.iter().filter(|id| !held.contains(id)).collect();
    let extra: Vec<&String> = held_list.iter().filter(|id| !want.contains(id)).collect();
    if lost.is_empty() && extra.is_empty() {
        return CheckOutcome::pass(
            ID,
            MEMBERS_REFERENCE,
            format!(
                "the group holds exactly the {} expected members",
                want.len()
            ),
        );
    }
    let mut parts = Vec::new();
    if !lost.is_empty() {
        // Kept exactly the first N in the order sent, and nothing else: a cap.
        let capped =
            extra.is_empty() && expected.iter().take(held.len()).all(|id| held.contains(id));
        if capped && !held.is_empty() {
            parts.push(format!(
                "holds {} of {} members: it kept the first {} sent and lost the rest (a cap at {}?), e.g. {}",
                held.len(),
                want.len(),
                held.len(),
                held.len(),
                listed(&lost)
            ));
        } else {
            parts.push(format!(
                "lost {} of {} members: {}",
                lost.len(),
                want.len(),
                listed(&lost)
            ));
        }
    }
    if !extra.is_empty() {
        parts.push(format!(
            "holds {} members it should not: {}",
            extra.len(),
            listed(&extra)
        ));
    }
    CheckOutcome::fail(
        ID,
        Severity::Error,
        MEMBERS_REFERENCE,
        format!("the group {}", parts.join("; ")),
        "Apply every member change a 2xx answered, each atomically: never read the member list, change it and write it back while another request can change it, and never drop members past a size.",
    )
}

/// `rfc7643.user.groups-listed`: a user's `groups` (readOnly, RFC 7643 §4.1.2: "A list of
/// groups to which the user belongs, either through direct membership, through nested
/// groups, or dynamically calculated") lists every group the run made it a member of. The
/// attribute is optional: a user returned without it is not judged. A warning, since the
/// RFC puts no MUST on it.
pub fn user_groups(exchange: &Exchange, args: &ExpectedArgs) -> CheckOutcome {
    const ID: &str = "rfc7643.user.groups-listed";
    let Some(body) = exchange.json().filter(|_| exchange.status() == Some(200)) else {
        return CheckOutcome::skip(
            ID,
            GROUPS_REFERENCE,
            "the user was not read back (no 200 with a body)",
        );
    };
    let Some(groups) = member(body, "groups") else {
        return CheckOutcome::skip(
            ID,
            GROUPS_REFERENCE,
            "the server does not return the user's groups (optional, RFC 7643 §4.1.2)",
        );
    };
    let held: BTreeSet<String> = ids(groups).into_iter().collect();
    let expected = ids(&args.expected);
    let missing: Vec<&String> = expected.iter().filter(|g| !held.contains(*g)).collect();
    if missing.is_empty() {
        return CheckOutcome::pass(
            ID,
            GROUPS_REFERENCE,
            format!("`groups` lists all {} groups", expected.len()),
        );
    }
    CheckOutcome::fail(
        ID,
        Severity::Warning,
        GROUPS_REFERENCE,
        format!(
            "`groups` lists {} of the {} groups the user is a member of; missing: {}",
            expected.len() - missing.len(),
            expected.len(),
            listed(&missing)
        ),
        "Compute a user's groups from every group's members, however many there are.",
    )
}

fn status_counts(ctx: &SetContext<'_>) -> BTreeMap<String, Vec<usize>> {
    let mut out: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for m in ctx.members {
        let key = match m.exchange.status() {
            Some(s) => s.to_string(),
            None => "no answer".to_string(),
        };
        out.entry(key).or_default().push(m.index);
    }
    out
}

fn counts_text(counts: &BTreeMap<String, Vec<usize>>) -> String {
    counts
        .iter()
        .map(|(s, v)| format!("{} × {s}", v.len()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rfc7644.create.race-one-created`: of K creates of one name sent at once, exactly one is
/// answered 201 and every other 409 with `scimType` `uniqueness`. RFC 7644 §3.3: "If the
/// service provider determines that the creation of the requested resource conflicts with
/// existing resources (e.g., a "User" resource with a duplicate "userName"), the service
/// provider MUST return HTTP status code 409 (Conflict) with a "scimType" error code of
/// "uniqueness"". Two 201s make two users of one userName, which RFC 7643 §4.1.1 says
/// "MUST be unique"; a 5xx leaves the IdP with no answer it can act on.
pub fn race_one_created(ctx: &SetContext<'_>, args: &RaceArgs) -> CheckOutcome {
    const ID: &str = "rfc7644.create.race-one-created";
    let counts = status_counts(ctx);
    let created: Vec<usize> = ctx
        .members
        .iter()
        .filter(|m| m.exchange.status().is_some_and(|s| (200..300).contains(&s)))
        .map(|m| m.index)
        .collect();
    let conflicts: Vec<&crate::check::set::SetMember<'_>> = ctx
        .members
        .iter()
        .filter(|m| m.exchange.status() == Some(409))
        .collect();
    let broken: Vec<usize> = ctx
        .members
        .iter()
        .filter(|m| m.exchange.status().is_none_or(|s| s >= 500))
        .map(|m| m.index)
        .collect();
    let summary = counts_text(&counts);
    let fail = |msg: String| {
        CheckOutcome::fail(ID, Severity::Error, RACE_REFERENCE, msg, "Make the uniqueness check and the insert one atomic step (a unique index, a lock): one create wins, the others get 409 with scimType uniqueness.")
    };
    if !broken.is_empty() {
        // The status check names them; the race cannot be judged without their answers.
        return CheckOutcome::skip(
            ID,
            RACE_REFERENCE,
            format!(
                "not judged: {} of {} racing creates got a server error or no answer ({}), which the status check reports: {summary}",
                broken.len(),
                ctx.members.len(),
                numbered(broken.iter().copied())
            ),
        );
    }
    if args.unique_if_enforced && conflicts.is_empty() {
        return CheckOutcome::pass(
            ID,
            RACE_REFERENCE,
            format!(
                "the server does not hold the name unique, and every create succeeded: {summary}"
            ),
        );
    }
    match created.len() {
        0 => return fail(format!("none of {} racing creates succeeded: {summary}", ctx.members.len())),
        1 => {}
        n => return fail(format!("{n} of {} racing creates of one name succeeded ({}): the server now holds {n} resources with that name; {summary}", ctx.members.len(), numbered(created.iter().copied()))),
    }
    let without_type: Vec<usize> = conflicts
        .iter()
        .filter(|m| {
            m.exchange
                .json()
                .and_then(|b| member(b, "scimType"))
                .and_then(Value::as_str)
                != Some("uniqueness")
        })
        .map(|m| m.index)
        .collect();
    let other: Vec<usize> = ctx
        .members
        .iter()
        .filter(|m| {
            m.exchange
                .status()
                .is_some_and(|s| !(200..300).contains(&s) && s != 409)
        })
        .map(|m| m.index)
        .collect();
    if !other.is_empty() {
        return fail(format!("one create succeeded, but {} of the others were answered neither 409 nor 2xx ({}): {summary}", other.len(), numbered(other.iter().copied())));
    }
    if !without_type.is_empty() {
        return CheckOutcome::fail(ID, Severity::Error, RACE_REFERENCE, format!("one create succeeded and the others got 409, but {} of them without scimType `uniqueness` ({})", without_type.len(), numbered(without_type.iter().copied())), "Answer a duplicate with 409 and \"scimType\": \"uniqueness\" (RFC 7644 §3.12).");
    }
    CheckOutcome::pass(
        ID,
        RACE_REFERENCE,
        format!("exactly one create succeeded; {summary}"),
    )
}

/// `rfc7644.etag.race-one-wins`: of K writes sent at once with `If-Match` of one version,
/// exactly one succeeds and the others are answered 412. RFC 7232 §3.1: "If the condition
/// evaluates to false, the origin server MUST NOT perform the requested method; instead, the
/// origin server MUST respond with either a) the 412 (Precondition Failed) status code or b)
/// one of the 2xx (Successful) status codes if the origin server has verified that a state
/// change is being requested and the final state is already reflected in the current state".
pub fn race_one_wins(ctx: &SetContext<'_>) -> CheckOutcome {
    const ID: &str = "rfc7644.etag.race-one-wins";
    let counts = status_counts(ctx);
    let won = ctx
        .members
        .iter()
        .filter(|m| m.exchange.status().is_some_and(|s| (200..300).contains(&s)))
        .count();
    let refused = counts.get("412").map_or(0, Vec::len);
    let summary = counts_text(&counts);
    if won == 1 && refused + 1 == ctx.members.len() {
        return CheckOutcome::pass(
            ID,
            IF_MATCH_REFERENCE,
            format!("one write won, the others got 412: {summary}"),
        );
    }
    let (what, hint) = if won > 1 {
        (format!("{won} of {} writes of one version succeeded: all but one overwrote a version they never saw", ctx.members.len()), "Compare the If-Match version and write in one atomic step; the writes that lose get 412.")
    } else {
        ("the writes of one version did not end with one success and 412 for the others".to_string(), "Answer 412 to a write whose If-Match no longer matches, and let exactly one of them succeed.")
    };
    CheckOutcome::fail(
        ID,
        Severity::Error,
        IF_MATCH_REFERENCE,
        format!("{what}: {summary}"),
        hint,
    )
}

pub use super::sets_load::{retried_faults, throttled};
pub use super::sets_scale::{batch_limit, batch_time, paging_walk};

#[cfg(test)]
#[path = "sets_tests.rs"]
mod tests;
