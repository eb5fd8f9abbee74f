//! RFC 7643 §3.1: the resource's `meta.created` and `meta.lastModified` instants.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::check::outcome::CheckOutcome;
use crate::check::step::StepContext;
use crate::scenario::MetaTimesArgs;
use crate::scim::json::member;
use crate::scim::Severity;

/// The section these rules enforce.
pub(crate) const REFERENCE: &str = "RFC 7643 §3.1";

fn instant(v: Option<&Value>) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(v?.as_str()?, &Rfc3339).ok()
}

/// RFC 7643 §3.1, `meta`: "lastModified: The most recent DateTime that the details of this
/// resource were updated at the service provider. If this resource has never been modified
/// since its initial creation, the value MUST be the same as the value of "created"." So
/// `created` is never after `lastModified`, equals it on a create, and a modification never
/// moves `lastModified` back. (Within one clock tick it may stay the same: not a finding.)
pub(crate) fn meta_times(ctx: &StepContext<'_>, args: &MetaTimesArgs) -> Vec<CheckOutcome> {
    let Some(meta) = ctx.exchange.json().and_then(|b| member(b, "meta")) else {
        return vec![CheckOutcome::skip(
            "rfc7643.meta.created-not-after-modified",
            REFERENCE,
            "the response holds no meta",
        )];
    };
    let (Some(created), Some(modified)) = (
        instant(member(meta, "created")),
        instant(member(meta, "lastModified")),
    ) else {
        return vec![CheckOutcome::fail(
            "rfc7643.meta.created-not-after-modified",
            Severity::Error,
            REFERENCE,
            "meta.created or meta.lastModified is missing or not an RFC 3339 dateTime",
            "Return meta.created and meta.lastModified as xsd:dateTime values (RFC 7643 §2.3.5).",
        )
        .at("/meta")];
    };
    let ok = if args.created {
        created == modified
    } else {
        created <= modified
    };
    let mut out = vec![CheckOutcome::verdict(
        ok,
        "rfc7643.meta.created-not-after-modified",
        Severity::Error,
        REFERENCE,
        format!(
            "created {}, lastModified {}",
            member(meta, "created").map_or(Value::Null, Clone::clone),
            member(meta, "lastModified").map_or(Value::Null, Clone::clone)
        ),
        if args.created {
            "On a resource never modified, lastModified is the same as created."
        } else {
            "lastModified is never before created."
        },
    )
    .at("/meta")];
    if let Some(previous) = args.previous.as_deref() {
        let before = instant(Some(&Value::String(previous.to_string())));
        out.push(
            CheckOutcome::verdict(
                before.is_some_and(|b| modified >= b),
                "rfc7643.meta.last-modified-advances",
                Severity::Error,
                REFERENCE,
                format!("lastModified {modified} after the modification, {previous} before"),
                "Set lastModified to the time of each modification.",
            )
            .at("/meta/lastModified"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::rules::testing::ctx_with;
    use serde_json::json;

    #[test]
    fn created_and_last_modified_are_ordered() {
        let body = json!({"meta": {"created": "2024-01-01T10:00:00Z", "lastModified": "2024-01-01T10:00:00.000+00:00"}});
        let args = MetaTimesArgs {
            previous: None,
            created: true,
        };
        assert!(ctx_with(&body, "POST", "/Users", |c| meta_times(c, &args))
            .iter()
            .all(|o| !o.is_failure()));
        let body = json!({"meta": {"created": "2024-01-01T10:00:00Z", "lastModified": "2024-01-01T09:00:00Z"}});
        let args = MetaTimesArgs {
            previous: Some("2024-01-01T09:30:00Z".into()),
            created: false,
        };
        let out = ctx_with(&body, "PATCH", "/Users/1", |c| meta_times(c, &args));
        assert!(out.iter().all(CheckOutcome::is_failure), "{out:#?}");
    }
}
