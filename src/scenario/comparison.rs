//! Parts of the scenario model that only imported tests use: Runscope's comparisons, pauses
//! and variables defined before the first step.

use serde::Serialize;
use std::fmt;

/// A Runscope assertion's comparison, with Runscope's semantics (evaluated by the check
/// stage): `equal` compares text, so `"0"` equals the JSON number 0; `equal_number` compares
/// numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Equal as text (`"0"` equals 0).
    Equal,
    /// Not equal as text.
    NotEqual,
    /// Empty or absent.
    Empty,
    /// Present and not empty.
    NotEmpty,
    /// The text holds the value.
    Contains,
    /// The text does not hold the value.
    DoesNotContain,
    /// An object with this key.
    HasKey,
    /// An array holding this value.
    HasValue,
    /// A number, or text that reads as one.
    IsANumber,
    /// Equal as numbers.
    EqualNumber,
    /// Less than, as numbers.
    IsLessThan,
    /// Less than or equal, as numbers.
    IsLessThanOrEqual,
    /// Greater than, as numbers.
    IsGreaterThan,
    /// Greater than or equal, as numbers.
    IsGreaterThanOrEqual,
}

impl Comparison {
    /// Every comparison, in the order Runscope's editor lists them.
    pub const ALL: [Comparison; 14] = [
        Comparison::Equal,
        Comparison::NotEqual,
        Comparison::Empty,
        Comparison::NotEmpty,
        Comparison::Contains,
        Comparison::DoesNotContain,
        Comparison::HasKey,
        Comparison::HasValue,
        Comparison::IsANumber,
        Comparison::EqualNumber,
        Comparison::IsLessThan,
        Comparison::IsLessThanOrEqual,
        Comparison::IsGreaterThan,
        Comparison::IsGreaterThanOrEqual,
    ];

    /// The name an export uses, e.g. `equal_number`.
    pub fn name(self) -> &'static str {
        match self {
            Comparison::Equal => "equal",
            Comparison::NotEqual => "not_equal",
            Comparison::Empty => "empty",
            Comparison::NotEmpty => "not_empty",
            Comparison::Contains => "contains",
            Comparison::DoesNotContain => "does_not_contain",
            Comparison::HasKey => "has_key",
            Comparison::HasValue => "has_value",
            Comparison::IsANumber => "is_a_number",
            Comparison::EqualNumber => "equal_number",
            Comparison::IsLessThan => "is_less_than",
            Comparison::IsLessThanOrEqual => "is_less_than_or_equal",
            Comparison::IsGreaterThan => "is_greater_than",
            Comparison::IsGreaterThanOrEqual => "is_greater_than_or_equal",
        }
    }

    /// The comparison an export names, if it is one.
    pub fn parse(name: &str) -> Option<Comparison> {
        Comparison::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether the comparison reads its operand (`empty` and `is_a_number` do not).
    pub fn takes_value(self) -> bool {
        !matches!(
            self,
            Comparison::Empty | Comparison::NotEmpty | Comparison::IsANumber
        )
    }

    /// How a report words it, as Runscope's editor does: `equals`, `is less than`.
    pub fn words(self) -> &'static str {
        match self {
            Comparison::Equal => "equals",
            Comparison::NotEqual => "does not equal",
            Comparison::Empty => "is empty",
            Comparison::NotEmpty => "is not empty",
            Comparison::Contains => "contains",
            Comparison::DoesNotContain => "does not contain",
            Comparison::HasKey => "has key",
            Comparison::HasValue => "has value",
            Comparison::IsANumber => "is a number",
            Comparison::EqualNumber => "equals (number)",
            Comparison::IsLessThan => "is less than",
            Comparison::IsLessThanOrEqual => "is less than or equal to",
            Comparison::IsGreaterThan => "is greater than",
            Comparison::IsGreaterThanOrEqual => "is greater than or equal to",
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A pause between steps (Runscope's `pause` step).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pause {
    /// How long the file asks to wait.
    pub seconds: f64,
    /// Whether the run waits (`--runscope-pauses`) or only reports the pause.
    pub wait: bool,
    /// The pause waits for the embedded Okta org's provisioning, which is done before its
    /// API answers: it is shortened to nothing.
    pub org: bool,
}

/// A variable a scenario's source defines before its first step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The name templates use, e.g. `randomUsername`.
    pub name: String,
    /// A template over the built-in variables and the ones defined before it.
    pub value: String,
    /// Generated anew on every run: snapshots write `[name]` instead of the value.
    pub volatile: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_comparison_parses_from_its_name() {
        for c in Comparison::ALL {
            assert_eq!(Comparison::parse(c.name()), Some(c));
        }
        assert_eq!(Comparison::parse("equals"), None);
    }
}
