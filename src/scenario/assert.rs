//! The assert of a scenario step: one subject (a body pointer, a header, the status or the
//! response time) and one operator, checked as the file loads.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::comparison::Comparison;
use crate::scim::Severity;

/// A declarative assertion on the response body (JSON pointer) or a response header: one
/// subject, one operator. The loader refuses any other shape with the file and line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "RawAssert")]
pub struct Assert {
    /// Stable check id, e.g. `okta.user.deactivate.inactive`.
    pub id: String,
    /// What is compared (templated).
    pub subject: Subject,
    /// How it is compared (operands templated).
    pub op: Op,
    /// Compare strings case-insensitively (for attributes with caseExact=false).
    pub ignore_case: bool,
    /// `error` unless the file says otherwise.
    pub severity: Option<Severity>,
    /// Overrides the step's reference.
    pub reference: Option<String>,
    /// Earlier asserts of this step (or findings of its rules) that say the same thing more
    /// directly: if one of them failed, this one is skipped, so one defect is reported once.
    pub needs: Vec<String>,
    /// One line: what the server must do to pass. Optional in files: without it a failure's
    /// fix is said from the assert itself ([`Assert::fix`]).
    pub hint: Option<String>,
    /// The value checked was sent in a create, and RFC 7644 §3.3 lets a server "alter and/or
    /// ignore POSTed content": a failure is not a finding of its own. The step reports every
    /// such value it does not find in one warning, and later steps that `need` this assert are
    /// skipped.
    pub may_ignore: bool,
}

/// What an assert looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// A JSON Pointer into the response body; `""` is the whole body.
    Pointer(String),
    /// A response header, by name.
    Header(String),
    /// The response status, as a number.
    Status,
    /// How long the exchange took, in milliseconds.
    ResponseTime,
}

impl Subject {
    /// Whether the subject is read from the response line or timing rather than its body,
    /// so it can be checked whatever the body holds.
    pub fn is_response_level(&self) -> bool {
        matches!(self, Subject::Status | Subject::ResponseTime)
    }
}

/// An assert's operator and its operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Equal (numbers and strings by value; `ignore_case` for strings).
    Equals(Value),
    /// Not equal.
    NotEquals(Value),
    /// Present and not null (`exists: true`, `absent: false`), or the reverse.
    Present(bool),
    /// Of this JSON type.
    Type(JsonType),
    /// An array holding a matching element, an object holding these members, or a string
    /// holding this text.
    Contains(Value),
    /// The reverse of `Contains`.
    NotContains(Value),
    /// Equal to one of these.
    OneOf(Vec<Value>),
    /// An array of this many elements (missing or null counts as empty).
    Length(usize),
    /// A Runscope comparison with its operand as written (a templated string; unused by the
    /// comparisons that take none).
    Compare(Comparison, Value),
    /// A script scimcheck does not run: always skipped, with this description.
    Script(String),
}

impl Op {
    /// The operand values, for the loader's variable checks and the plan's rendering.
    pub fn values(&self) -> Vec<&Value> {
        match self {
            Op::Equals(v)
            | Op::NotEquals(v)
            | Op::Contains(v)
            | Op::NotContains(v)
            | Op::Compare(_, v) => vec![v],
            Op::OneOf(vs) => vs.iter().collect(),
            Op::Present(_) | Op::Type(_) | Op::Length(_) | Op::Script(_) => vec![],
        }
    }
}

/// An assert as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssert {
    id: String,
    #[serde(default)]
    pointer: Option<String>,
    #[serde(default)]
    header: Option<String>,
    #[serde(default)]
    equals: Option<Value>,
    #[serde(default)]
    not_equals: Option<Value>,
    #[serde(default)]
    exists: Option<bool>,
    #[serde(default)]
    absent: Option<bool>,
    #[serde(rename = "type", default)]
    type_: Option<JsonType>,
    #[serde(default)]
    contains: Option<Value>,
    #[serde(default)]
    not_contains: Option<Value>,
    #[serde(default)]
    one_of: Option<Vec<Value>>,
    #[serde(default)]
    length: Option<usize>,
    #[serde(default)]
    ignore_case: bool,
    #[serde(default)]
    severity: Option<Severity>,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    needs: Vec<String>,
    #[serde(default)]
    hint: Option<String>,
    #[serde(default)]
    may_ignore: bool,
}

impl TryFrom<RawAssert> for Assert {
    type Error = String;

    fn try_from(a: RawAssert) -> Result<Assert, String> {
        let mut ops: Vec<Op> = [
            a.equals.map(Op::Equals),
            a.not_equals.map(Op::NotEquals),
            a.exists.map(Op::Present),
            a.absent.map(|absent| Op::Present(!absent)),
            a.type_.map(Op::Type),
            a.contains.map(Op::Contains),
            a.not_contains.map(Op::NotContains),
            a.one_of.map(Op::OneOf),
            a.length.map(Op::Length),
        ]
        .into_iter()
        .flatten()
        .collect();
        if ops.len() != 1 {
            return Err(format!(
                "assert `{}` needs exactly one of equals, not_equals, exists, absent, type, contains, not_contains, one_of, length (found {})",
                a.id,
                ops.len()
            ));
        }
        let subject = match (a.pointer, a.header) {
            (Some(p), None) if p.is_empty() || p.starts_with('/') => Subject::Pointer(p),
            (Some(p), None) => {
                return Err(format!(
                    "assert `{}`: pointer `{p}` must start with `/` (RFC 6901)",
                    a.id
                ))
            }
            (None, Some(h)) => Subject::Header(h),
            _ => {
                return Err(format!(
                    "assert `{}` needs exactly one of `pointer` or `header`",
                    a.id
                ))
            }
        };
        Ok(Assert {
            id: a.id,
            subject,
            op: ops.remove(0),
            ignore_case: a.ignore_case,
            severity: a.severity,
            reference: a.reference,
            needs: a.needs,
            hint: a.hint,
            may_ignore: a.may_ignore,
        })
    }
}

/// The JSON type an assert may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    /// A string.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An object.
    Object,
    /// An array.
    Array,
    /// `null`.
    Null,
}

impl JsonType {
    /// The type of `value`.
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::String(_) => JsonType::String,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::Bool(_) => JsonType::Boolean,
            Value::Object(_) => JsonType::Object,
            Value::Array(_) => JsonType::Array,
            Value::Null => JsonType::Null,
        }
    }

    /// Whether `value` is of this type (an integer is a number too).
    pub fn matches(self, value: &Value) -> bool {
        let actual = JsonType::of(value);
        actual == self || (self == JsonType::Number && actual == JsonType::Integer)
    }

    /// The type's name.
    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
        }
    }
}
