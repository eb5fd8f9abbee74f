//! What a failed assert asks the server to do. A scenario file may say it in `hint`; without
//! one the fix is said from the assert itself, so every finding still tells the reader what
//! to change.

use serde_json::Value;

use super::model::{Assert, Op, Subject};

/// Longest operand quoted in a derived fix; a whole resource would drown the sentence.
const SHOW: usize = 80;

impl Assert {
    /// The one line a failure's report gives as its fix: the file's `hint`, or else a
    /// sentence derived from the subject, operator and operand, e.g. "Make `/totalResults`
    /// equal 1." Call it on the rendered assert so the operand shows its value, not its
    /// `{{variable}}`.
    pub fn fix(&self) -> String {
        match &self.hint {
            Some(hint) if !hint.trim().is_empty() => hint.clone(),
            _ => derived(self),
        }
    }
}

fn derived(a: &Assert) -> String {
    let subject = match &a.subject {
        Subject::Pointer(p) if p.is_empty() => "the response body".to_string(),
        Subject::Pointer(p) => format!("`{p}`"),
        Subject::Header(h) => format!("the `{h}` header"),
        Subject::Status => "the status".to_string(),
        Subject::ResponseTime => "the response time (ms)".to_string(),
    };
    let case = if a.ignore_case { ", ignoring case" } else { "" };
    match &a.op {
        Op::Equals(v) => format!("Make {subject} equal {}{case}.", shown(v)),
        Op::NotEquals(v) => format!("Make {subject} differ from {}{case}.", shown(v)),
        Op::Present(true) => format!("Return {subject} with a value (not null)."),
        Op::Present(false) => format!("Leave {subject} out of the response (or null)."),
        Op::Type(t) => format!("Make {subject} a JSON {}.", t.as_str()),
        Op::Contains(v) => format!("Make {subject} contain {}{case}.", shown(v)),
        Op::NotContains(v) => format!("Make {subject} not contain {}{case}.", shown(v)),
        Op::OneOf(vs) => {
            let all: Vec<String> = vs.iter().map(shown).collect();
            format!("Make {subject} one of {}{case}.", all.join(", "))
        }
        Op::Length(n) => format!("Make {subject} an array of {n} element(s)."),
        Op::Compare(c, v) if c.takes_value() => {
            format!("Make {subject} satisfy: {} {}.", c.words(), shown(v))
        }
        Op::Compare(c, _) => format!("Make {subject} satisfy: {}.", c.words()),
        Op::Script(why) => why.clone(),
    }
}

/// An operand as JSON, clipped.
fn shown(v: &Value) -> String {
    crate::scim::json::short(v, SHOW)
}

#[cfg(test)]
mod tests {
    use super::super::model::JsonType;
    use super::*;
    use serde_json::json;

    fn with(subject: Subject, op: Op) -> Assert {
        Assert {
            id: "a.b".into(),
            subject,
            op,
            ignore_case: false,
            severity: None,
            reference: None,
            needs: vec![],
            hint: None,
            may_ignore: false,
        }
    }

    #[test]
    fn a_written_hint_wins() {
        let mut a = with(Subject::Status, Op::Equals(json!(200)));
        a.hint = Some("Answer 200.".into());
        assert_eq!(a.fix(), "Answer 200.");
        a.hint = Some("  ".into());
        assert_eq!(a.fix(), "Make the status equal 200.");
    }

    #[test]
    fn every_operator_says_what_to_make_true() {
        let p = || Subject::Pointer("/totalResults".into());
        let cases = [
            (
                with(p(), Op::Equals(json!(1))),
                "Make `/totalResults` equal 1.",
            ),
            (
                with(Subject::Header("ETag".into()), Op::NotEquals(json!("x"))),
                "Make the `ETag` header differ from \"x\".",
            ),
            (
                with(p(), Op::Present(true)),
                "Return `/totalResults` with a value (not null).",
            ),
            (
                with(Subject::Pointer("/password".into()), Op::Present(false)),
                "Leave `/password` out of the response (or null).",
            ),
            (
                with(p(), Op::Type(JsonType::Integer)),
                "Make `/totalResults` a JSON integer.",
            ),
            (
                with(
                    Subject::Pointer(String::new()),
                    Op::Contains(json!({"a": 1})),
                ),
                "Make the response body contain {\"a\":1}.",
            ),
            (
                with(p(), Op::NotContains(json!("x"))),
                "Make `/totalResults` not contain \"x\".",
            ),
            (
                with(p(), Op::OneOf(vec![json!(0), json!(1)])),
                "Make `/totalResults` one of 0, 1.",
            ),
            (
                with(Subject::Pointer("/Resources".into()), Op::Length(2)),
                "Make `/Resources` an array of 2 element(s).",
            ),
        ];
        for (a, want) in cases {
            assert_eq!(a.fix(), want);
        }
        let mut a = with(
            Subject::Pointer("/userName".into()),
            Op::Equals(json!("Ab")),
        );
        a.ignore_case = true;
        assert_eq!(a.fix(), "Make `/userName` equal \"Ab\", ignoring case.");
    }
}
