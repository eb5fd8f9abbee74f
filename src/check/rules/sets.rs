//! Rules over a set of requests sent together, and the end states the concurrency and scale
//! scenarios read back: a group's members after parallel or batched changes, a user's groups,
//! racing creates and conditional writes, Okta's PATCH timeout and batch sizes, a paged walk.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::check::outcome::CheckOutcome;
use crate::check::set::{numbered, SetContext};
use crate::check::step::StepContext;
use crate::exec::Exchange;
use crate::scenario::named_set::{BatchTimeArgs, ExpectedArgs, LoadCall, RaceArgs, WalkArgs};
use crate::scim::json::{clip, id_of, member, schemas_hold};
use crate::scim::{urn, Severity};

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
fn ids(v: &Value) -> Vec<String> {
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

fn listed(ids: &[&String]) -> String {
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

/// `okta.group.patch-time`: every request of the set was answered within Okta's timeout for
/// membership PATCHes; the slowest is reported either way.
pub fn batch_time(ctx: &SetContext<'_>, args: &BatchTimeArgs) -> CheckOutcome {
    const ID: &str = "okta.group.patch-time";
    let Some(slowest) = ctx.members.iter().max_by_key(|m| m.took_ms) else {
        return CheckOutcome::skip(ID, OKTA_TIMEOUT_REFERENCE, "nothing was sent");
    };
    let limit = args.seconds * 1000;
    let over: Vec<usize> = ctx
        .members
        .iter()
        .filter(|m| m.took_ms > limit)
        .map(|m| m.index)
        .collect();
    let figures = format!(
        "slowest #{} of {}: {:.2} s; p50 {:.2} s",
        slowest.index + 1,
        ctx.members.len(),
        slowest.took_ms as f64 / 1000.0,
        ctx.summary.p50_ms / 1000.0
    );
    if over.is_empty() {
        return CheckOutcome::pass(ID, OKTA_TIMEOUT_REFERENCE, figures);
    }
    CheckOutcome::fail(ID, Severity::Error, OKTA_TIMEOUT_REFERENCE, format!("{} request(s) took longer than {} s ({}), which Okta abandons: {figures}", over.len(), args.seconds, numbered(over.into_iter())), "Apply a PATCH of a batch of members in well under 60 s (a set insert, not one query per member), or declare a smaller batch size to Okta.")
}

/// `okta.group.patch-size`: the largest PATCH of members a limit probe saw accepted, as a
/// note for the Okta setting; refusing even Okta's smallest setting (100) is an error under
/// Okta's rules, and so is a refusal that is not a 413 or 400 with a SCIM error body (a 5xx
/// or a dropped connection reads to Okta as a failure to retry, not a limit).
pub fn batch_limit(ctx: &SetContext<'_>) -> CheckOutcome {
    const ID: &str = "okta.group.patch-size";
    let size = |m: &crate::check::set::SetMember<'_>| -> usize {
        m.exchange.request.body.as_ref().map_or(0, |b| {
            b.get("Operations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|op| op.get("value"))
                .map(|v| v.as_array().map_or(1, Vec::len))
                .sum()
        })
    };
    let bad_refusal = ctx.members.iter().find(|m| {
        let st = m.exchange.status();
        let scim_error = m
            .exchange
            .json()
            .is_some_and(|b| schemas_hold(b, urn::ERROR));
        let accepted = st.is_some_and(|s| (200..300).contains(&s));
        let refused_as_too_large = matches!(st, Some(400 | 413)) && scim_error;
        !(accepted || refused_as_too_large)
    });
    if let Some(m) = bad_refusal {
        let what = m
            .exchange
            .status()
            .map_or_else(|| "no answer".to_string(), |s| s.to_string());
        return CheckOutcome::fail(ID, Severity::Error, OKTA_BATCH_REFERENCE, format!("a PATCH of {} members was answered {what}, not accepted and not refused as too large (413, or 400 with a SCIM error)", size(m)), "Refuse a PATCH larger than you accept with 413 (or 400) and a SCIM error body, and accept at least 100 members per PATCH.");
    }
    let accepted = ctx
        .members
        .iter()
        .find(|m| m.exchange.status().is_some_and(|s| (200..300).contains(&s)));
    let refused: Vec<usize> = ctx
        .members
        .iter()
        .filter(|m| !m.exchange.status().is_some_and(|s| (200..300).contains(&s)))
        .map(size)
        .collect();
    let refused_text = if refused.is_empty() {
        String::new()
    } else {
        format!(
            " (refused: {})",
            refused
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    match accepted {
        Some(m) => CheckOutcome::note(ID, OKTA_BATCH_REFERENCE, format!("a PATCH of {} members was accepted{refused_text}: set Okta's membership changes per PATCH to at most {}", size(m), size(m))),
        None => {
            let smallest = refused.iter().min().copied().unwrap_or(0);
            if smallest <= 100 {
                CheckOutcome::fail(ID, Severity::Error, OKTA_BATCH_REFERENCE, format!("every PATCH was refused{refused_text}, down to {smallest} members: Okta's smallest setting is 100 per PATCH"), "Accept at least 100 member changes in one PATCH: Okta cannot be set lower.")
            } else {
                CheckOutcome::note(ID, OKTA_BATCH_REFERENCE, format!("every PATCH tried was refused{refused_text}; below {smallest} members was not tried"))
            }
        }
    }
}

/// The `rfc7644.paging-walk` outcomes: a list walked page by page (startIndex advancing by
/// what each page held) sees every expected id exactly once, `totalResults` stays the same
/// (and, under a filter that selects only the run's resources, equals their number), no
/// page holds more than `count`, and the walk ends. RFC 7644 §3.4.2.4: startIndex is "The
/// 1-based index of the first query result" and count "the desired maximum number of query
/// results per page"; errors, because Okta's import skips and repeats users otherwise.
pub fn paging_walk(ctx: &SetContext<'_>, args: &WalkArgs) -> Vec<CheckOutcome> {
    let expected = ids(&args.expected);
    let mut seen: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut totals: BTreeSet<u64> = BTreeSet::new();
    let mut oversized = Vec::new();
    let count = ctx
        .step
        .pages
        .as_ref()
        .map_or(u64::MAX, |p| u64::from(p.count));
    for m in ctx.members {
        let Some(body) = m.exchange.json() else {
            continue;
        };
        if let Some(t) = member(body, "totalResults").and_then(Value::as_u64) {
            totals.insert(t);
        }
        let resources = member(body, "Resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if resources.len() as u64 > count {
            oversized.push(format!("page {} held {}", m.index + 1, resources.len()));
        }
        for r in &resources {
            if let Some(id) = id_of(r) {
                seen.entry(id.to_string()).or_default().push(m.index + 1);
            }
        }
    }
    let pages = ctx.members.len();
    let fail = |id: &str, msg: String, hint: &str| {
        CheckOutcome::fail(id, Severity::Error, WALK_REFERENCE, msg, hint)
    };
    let mut out = Vec::new();
    let repeated: Vec<String> = seen
        .iter()
        .filter(|(_, p)| p.len() > 1)
        .map(|(id, p)| {
            format!(
                "`{}` on pages {}",
                clip(id, 40),
                p.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let missing: Vec<&String> = expected
        .iter()
        .filter(|id| !seen.contains_key(*id))
        .collect();
    out.push(if repeated.is_empty() && missing.is_empty() {
        CheckOutcome::pass("rfc7644.walk.each-once", WALK_REFERENCE, format!("{pages} pages held each of the {} expected resources once", expected.len()))
    } else {
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("{} of {} never appeared: {}", missing.len(), expected.len(), listed(&missing)));
        }
        if !repeated.is_empty() {
            let n = repeated.len();
            let shown: Vec<String> = repeated.into_iter().take(5).collect();
            parts.push(format!("{n} appeared more than once: {}", shown.join("; ")));
        }
        fail("rfc7644.walk.each-once", format!("walking {pages} pages: {}", parts.join("; ")), "Order every page of a list the same way (by id or creation), so that startIndex walks partition the results.")
    });
    let want_total = expected.len() as u64;
    out.push(match (totals.len(), totals.iter().next()) {
        (1, Some(t)) if !args.exact_total || *t == want_total => CheckOutcome::pass("rfc7644.walk.total-stable", WALK_REFERENCE, format!("totalResults {t} on every page")),
        (1, Some(t)) => fail("rfc7644.walk.total-stable", format!("totalResults is {t} on every page, but the filter selects the {want_total} resources this run created"), "Count the resources the filter matches in totalResults."),
        (0, _) => fail("rfc7644.walk.total-stable", "no page carried totalResults".into(), "Send totalResults on every page (RFC 7644 §3.4.2: REQUIRED)."),
        _ => fail("rfc7644.walk.total-stable", format!("totalResults changed during the walk: {}", totals.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")), "Keep totalResults stable while the list does not change."),
    });
    out.push(if oversized.is_empty() {
        CheckOutcome::pass(
            "rfc7644.walk.page-size",
            WALK_REFERENCE,
            format!("no page held more than {count}"),
        )
    } else {
        fail(
            "rfc7644.walk.page-size",
            format!(
                "pages held more than the count of {count} asked for: {}",
                oversized.join(", ")
            ),
            "Return at most `count` resources per page.",
        )
    });
    let ended = ctx.summary.stopped.is_none()
        && ctx
            .members
            .last()
            .is_some_and(|m| m.exchange.status() == Some(200));
    out.push(if ended {
        CheckOutcome::pass(
            "rfc7644.walk.ends",
            WALK_REFERENCE,
            format!("the walk ended after {pages} pages"),
        )
    } else {
        fail(
            "rfc7644.walk.ends",
            format!(
                "the walk did not end cleanly after {pages} pages (the last answered {})",
                ctx.members
                    .last()
                    .and_then(|m| m.exchange.status())
                    .map_or("nothing".into(), |s| s.to_string())
            ),
            "Answer every page of a walk with 200, an empty page past the end.",
        )
    });
    out
}

/// A 429 or 503 the harness waited out: `Retry-After` (a warning when missing) and a SCIM
/// error body (a warning when missing: RFC 6585 §4 "The response representations SHOULD
/// include details explaining the condition"). RFC 6585 makes Retry-After a MAY; it is a
/// warning here because Okta and Entra ID then back off blindly.
pub fn throttled(ctx: &SetContext<'_>) -> Vec<CheckOutcome> {
    let mut without_after = Vec::new();
    let mut without_body = Vec::new();
    let mut total = 0usize;
    for m in ctx.members {
        let final_429 = m
            .exchange
            .response
            .as_ref()
            .filter(|r| matches!(r.status, 429 | 503));
        for t in &m.exchange.throttled {
            total += 1;
            if t.retry_after.is_none() {
                without_after.push(m.index);
            }
            if !t.error_body {
                without_body.push(m.index);
            }
        }
        if let Some(r) = final_429 {
            total += 1;
            if r.header("retry-after").is_none() {
                without_after.push(m.index);
            }
            if !r.json.as_ref().is_some_and(|b| schemas_hold(b, urn::ERROR)) {
                without_body.push(m.index);
            }
        }
    }
    if total == 0 {
        return vec![];
    }
    let verdict = |id: &str, missing: &[usize], what: &str, hint: &str| {
        if missing.is_empty() {
            CheckOutcome::pass(
                id,
                THROTTLE_REFERENCE,
                format!("all {total} throttled answers carried {what}"),
            )
        } else {
            let mut who = missing.to_vec();
            who.dedup();
            CheckOutcome::fail(
                id,
                Severity::Warning,
                THROTTLE_REFERENCE,
                format!(
                    "{} of {total} throttled answers came without {what} (requests {})",
                    missing.len(),
                    numbered(who.into_iter())
                ),
                hint,
            )
        }
    };
    vec![
        verdict(RETRY_AFTER, &without_after, "Retry-After", "Send Retry-After with every 429 (and a 503 that is a rate limit), so the IdP waits as long as you need instead of guessing."),
        verdict(THROTTLED_BODY, &without_body, "a SCIM error body", "Send a SCIM error body (RFC 7644 §3.12) with a 429, saying why and for how long."),
    ]
}

/// Answers that failed (5xx, a dropped connection) and were sent again by the harness: each
/// fault is the server's, even when the retry succeeded. A warning: no RFC sentence forbids
/// a transient failure, but an IdP that does not retry loses the change.
pub fn retried_faults(ctx: &SetContext<'_>) -> Vec<CheckOutcome> {
    let faulty: Vec<&crate::check::set::SetMember<'_>> = ctx
        .members
        .iter()
        .filter(|m| !m.retried.is_empty())
        .collect();
    let Some(first) = faulty.first() else {
        return vec![];
    };
    let what = |x: &Exchange| match (&x.response, &x.error) {
        (Some(r), _) => r.status.to_string(),
        (None, Some(e)) => clip(&e.message, 80),
        _ => "no answer".into(),
    };
    vec![CheckOutcome::fail(
        RETRIED_FAULT,
        Severity::Warning,
        "the step's reference (faults under load)",
        format!(
            "{} of {} requests failed and were sent again ({}); the first, #{}: {} {} → {}",
            faulty.len(),
            ctx.members.len(),
            numbered(faulty.iter().map(|m| m.index)),
            first.index + 1,
            first.retried[0].request.method.as_str(),
            clip(&first.retried[0].request.url, 120),
            what(&first.retried[0])
        ),
        "Answer every request under the IdP's parallel load: a 5xx or a dropped connection makes the IdP retry or give up.",
    )]
}

#[cfg(test)]
#[path = "sets_tests.rs"]
mod tests;
