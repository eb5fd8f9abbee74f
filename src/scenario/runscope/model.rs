//! The parts of a Runscope/BlazeMeter API-test export scimcheck reads. Exports carry many
//! more keys (ids, `auth`, `multipart_form`, `skipped`, …): those are ignored, while a key
//! scimcheck reads must have the type Runscope gives it.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::scenario::LoadError;

/// A whole export: one test.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Export {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub steps: Vec<RawStep>,
}

/// One step: a request, a pause, or a construct scimcheck lists without running
/// (`condition`, `subtest`, `ghost_inspector`, …).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RawStep {
    #[serde(default)]
    pub step_type: Option<String>,
    /// Disabled in Runscope's editor: Runscope does not run it either.
    #[serde(default)]
    pub skipped: Option<bool>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// Header name → its values: a list in most exports, a string in some.
    #[serde(default)]
    pub headers: Option<BTreeMap<String, HeaderValues>>,
    #[serde(default)]
    pub body: Option<String>,
    /// The test's human name for the step.
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub assertions: Option<Vec<RawAssertion>>,
    /// Captures: values taken from the response for later steps.
    #[serde(default)]
    pub variables: Option<Vec<RawCapture>>,
    #[serde(default)]
    pub scripts: Option<Vec<String>>,
    #[serde(default)]
    pub before_scripts: Option<Vec<String>>,
    /// A pause's length in seconds.
    #[serde(default)]
    pub duration: Option<f64>,
}

/// A header's values as an export writes them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum HeaderValues {
    /// `["application/json"]`.
    Many(Vec<String>),
    /// `"SSWS {{oktaToken}}"`.
    One(String),
}

impl HeaderValues {
    /// The header's value as sent: several values joined as HTTP joins them.
    pub fn joined(&self) -> String {
        match self {
            HeaderValues::Many(v) => v.join(", "),
            HeaderValues::One(v) => v.clone(),
        }
    }
}

/// `{source, property, comparison, value}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RawAssertion {
    pub source: String,
    #[serde(default)]
    pub property: Option<String>,
    pub comparison: String,
    /// A string in Runscope's editor; numbers and booleans are read as their text.
    #[serde(default)]
    pub value: Option<Scalar>,
}

/// `{source, property, name}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RawCapture {
    pub source: String,
    #[serde(default)]
    pub property: Option<String>,
    /// A row left blank in Runscope's editor exports `null`: it captures nothing.
    #[serde(default)]
    pub name: Option<String>,
}

/// A string, number or boolean operand.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum Scalar {
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
}

impl Scalar {
    /// The operand as text, the way Runscope compares it.
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Number(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// Parses an export's text; a syntax or type error names the step (1-based) and the key.
pub(crate) fn parse(file: &str, text: &str) -> Result<Export, LoadError> {
    let export: Export = crate::scenario::located::from_json(text).map_err(|f| {
        let what = if f.syntax {
            format!("not a JSON Runscope export: {}", f.message)
        } else {
            format!("{}: {}", describe_path(&f.path), f.message)
        };
        LoadError {
            file: file.to_string(),
            line: f.line.map(|l| l as u64),
            column: f.column.map(|c| c as u64),
            message: what,
        }
    })?;
    Ok(export)
}

/// `steps[2].assertions[0].value` → "step 3, `assertions[0].value`".
fn describe_path(path: &str) -> String {
    let Some(rest) = path.strip_prefix("steps[") else {
        return if path == "." || path.is_empty() {
            "the export".to_string()
        } else {
            format!("`{path}`")
        };
    };
    let Some((index, key)) = rest.split_once(']') else {
        return format!("`{path}`");
    };
    let step = index.parse::<usize>().map_or(0, |i| i + 1);
    match key.strip_prefix('.') {
        Some(key) if !key.is_empty() => format!("step {step}, `{key}`"),
        _ => format!("step {step}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_tolerated() {
        let e = parse(
            "t.json",
            r#"{"name":"t","id":"x","trigger_url":"u","steps":[{"step_type":"request","skipped":false,"auth":{},"multipart_form":[],"method":"GET","url":"{{SCIMBaseURL}}/Users"}]}"#,
        )
        .unwrap();
        assert_eq!(e.steps.len(), 1);
    }

    #[test]
    fn a_wrong_type_names_the_step_and_key() {
        let err = parse(
            "t.json",
            r#"{"name":"t","steps":[{"method":"GET"},{"method":"GET","assertions":[{"source":"response_status","comparison":7}]}]}"#,
        )
        .unwrap_err();
        assert!(
            err.message.starts_with(
                "step 2, `assertions[0].comparison`: invalid type: integer `7`, expected a string"
            ),
            "{}",
            err.message
        );
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn bad_json_is_located() {
        let err = parse("t.json", "{\n  \"steps\": [\n    {,}\n  ]\n}").unwrap_err();
        assert!(
            err.message.starts_with("not a JSON Runscope export"),
            "{}",
            err.message
        );
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn headers_are_lists_or_strings() {
        let e = parse(
            "t.json",
            r#"{"steps":[{"headers":{"Accept":["application/json"],"Authorization":"SSWS {{oktaToken}}"}}]}"#,
        )
        .unwrap();
        let h = e.steps[0].headers.as_ref().unwrap();
        assert_eq!(h["Accept"].joined(), "application/json");
        assert_eq!(h["Authorization"].joined(), "SSWS {{oktaToken}}");
    }

    #[test]
    fn later_exports_with_nulls_and_environments_load() {
        let e = parse(
            "t.json",
            r#"{"name":"t","is_skipped_at_bucket_level":false,"environments":[{"name":"e","initial_variables":{"oktaOrgUrl":"https://x.okta.com"},"script":"variables.set('a','b');","preserve_cookies":false}],"steps":[{"step_type":"request","multipart_form":null,"binary_body":null,"graphql_body":null,"assertions":null,"variables":null,"scripts":null,"before_scripts":null,"method":"GET","url":"{{SCIMBaseURL}}/Users"},{"step_type":"condition","left_value":"{{a}}","comparison":"equal","right_value":"b","steps":[{"step_type":"request","url":"{{SCIMBaseURL}}/Users"}]},{"step_type":"subtest","test_uuid":"x","environment_uuid":"y"}]}"#,
        )
        .unwrap();
        assert_eq!(e.steps.len(), 3);
        assert_eq!(e.steps[1].step_type.as_deref(), Some("condition"));
    }

    #[test]
    fn operands_are_read_as_text() {
        let e = parse(
            "t.json",
            r#"{"steps":[{"assertions":[{"source":"response_json","property":"a","comparison":"equal","value":0},{"source":"response_json","property":"a","comparison":"equal","value":true}]}]}"#,
        )
        .unwrap();
        let a = e.steps[0].assertions.as_ref().unwrap();
        assert_eq!(a[0].value.as_ref().unwrap().text(), "0");
        assert_eq!(a[1].value.as_ref().unwrap().text(), "true");
    }
}
