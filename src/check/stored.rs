//! Content a create may ignore: RFC 7644 §3.3 lets a server "alter and/or ignore POSTed
//! content", so a value the create sent and a read does not show is not an error of its own.
//! The asserts marked `may_ignore` that fail become one warning for the step, which names
//! every value the server did not keep; each such assert is skipped with that reason, and the
//! runner skips the later steps that need it.

use super::outcome::{CheckOutcome, CheckStatus};
use crate::scenario::{Assert, Subject};
use crate::scim::json::clip;
use crate::scim::Severity;

/// The id of the one finding a step makes of the values its create sent and the server did
/// not keep.
pub const ID: &str = "rfc7644.create.ignored-content";

/// The rule's reference: RFC 7644 §3.3 allows it; RFC 7643 §7 makes `/Schemas` the server's
/// own description of what it stores.
pub const REFERENCE: &str = "RFC 7644 §3.3 (the service provider is free to alter and/or ignore POSTed content); RFC 7643 §7 (the schema describes the attributes the service provider supports)";

const HINT: &str = "Store what the create sends, or publish in /Schemas only the attributes you store: clients (and IdP attribute mappings) read /Schemas to learn what they can write.";

/// Rewrites the outcomes of `asserts` marked `may_ignore` that failed (each skipped, naming
/// the finding) and appends the one warning that lists them; a step whose every such value
/// was kept gets a pass.
pub fn summarise(asserts: &[Assert], out: &mut Vec<CheckOutcome>) {
    let marked: Vec<&Assert> = asserts.iter().filter(|a| a.may_ignore).collect();
    if marked.is_empty() {
        return;
    }
    let mut dropped: Vec<String> = Vec::new();
    let mut judged = 0;
    for a in &marked {
        let Some(outcome) = out.iter_mut().find(|c| c.id.as_str() == a.id) else {
            continue;
        };
        match outcome.status {
            CheckStatus::Skipped => continue,
            CheckStatus::Passed => judged += 1,
            CheckStatus::Failed | CheckStatus::Warning => {
                judged += 1;
                let what = attribute(a);
                dropped.push(format!("{what} ({})", clip(&outcome.message, 80)));
                *outcome = CheckOutcome::skip(
                    outcome.id.clone(),
                    &outcome.reference,
                    format!(
                        "not kept by the create ({}): a server may ignore POSTed content (RFC 7644 §3.3); counted once in `{ID}`",
                        clip(&outcome.message, 120)
                    ),
                );
            }
        }
    }
    if judged == 0 {
        return;
    }
    if dropped.is_empty() {
        out.push(CheckOutcome::pass(
            ID,
            REFERENCE,
            format!("the server kept all {judged} values the create sent"),
        ));
        return;
    }
    let n = dropped.len();
    out.push(CheckOutcome::fail(
        ID,
        Severity::Warning,
        REFERENCE,
        format!(
            "the server did not keep {n} of the {judged} values the create sent: {}",
            dropped.join("; ")
        ),
        HINT,
    ));
}

/// The attribute an assert reads, as a path (`name.givenName`), for the one-line list.
fn attribute(a: &Assert) -> String {
    match &a.subject {
        Subject::Pointer(p) => p.trim_start_matches('/').replace('/', "."),
        Subject::Header(h) => format!("header {h}"),
        Subject::Status => "the status".into(),
        Subject::ResponseTime => "the response time".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(id: &str, pointer: &str) -> Assert {
        serde_json::from_value(serde_json::json!({
            "id": id, "pointer": pointer, "exists": true, "may_ignore": true
        }))
        .unwrap()
    }

    #[test]
    fn values_not_kept_are_one_warning_and_their_asserts_are_skipped() {
        let asserts = [
            marked("a.title.created", "/title"),
            marked("a.nickName.created", "/nickName"),
            marked("a.locale.created", "/locale"),
        ];
        let mut out = vec![
            CheckOutcome::fail(
                "a.title.created",
                Severity::Error,
                "r",
                "/title is missing",
                "h",
            ),
            CheckOutcome::pass("a.nickName.created", "r", "ok"),
            CheckOutcome::fail(
                "a.locale.created",
                Severity::Error,
                "r",
                "/locale is missing",
                "h",
            ),
        ];
        summarise(&asserts, &mut out);
        assert_eq!(out.len(), 4);
        assert_eq!(out[0].status, CheckStatus::Skipped);
        assert!(out[0].message.contains(ID), "{}", out[0].message);
        assert_eq!(out[1].status, CheckStatus::Passed);
        assert_eq!(out[2].status, CheckStatus::Skipped);
        let summary = &out[3];
        assert_eq!(summary.id.as_str(), ID);
        assert_eq!(summary.status, CheckStatus::Warning);
        assert_eq!(summary.severity, Severity::Warning);
        assert!(
            summary.message.contains("2 of the 3")
                && summary.message.contains("title (")
                && summary.message.contains("locale ("),
            "{}",
            summary.message
        );
    }

    #[test]
    fn every_value_kept_is_a_pass_and_no_marked_assert_is_no_outcome() {
        let asserts = [marked("a.title.created", "/title")];
        let mut out = vec![CheckOutcome::pass("a.title.created", "r", "ok")];
        summarise(&asserts, &mut out);
        assert_eq!(out[1].id.as_str(), ID);
        assert_eq!(out[1].status, CheckStatus::Passed);
        let mut none = vec![CheckOutcome::pass("x", "r", "ok")];
        summarise(&[], &mut none);
        assert_eq!(none.len(), 1);
    }
}
