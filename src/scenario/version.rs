//! The scenario file format's version: `version: 1`, optional, absent meaning 1. A file
//! written for a later format is refused with the versions this build reads, rather than read
//! as something it does not say.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of the format a scenario file is written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FormatVersion {
    /// The first format, and so far the only one.
    #[default]
    V1,
}

impl FormatVersion {
    /// Every version this build reads.
    pub const READS: &'static [FormatVersion] = &[FormatVersion::V1];

    /// The version's number in files.
    pub fn number(self) -> u64 {
        match self {
            FormatVersion::V1 => 1,
        }
    }
}

impl Serialize for FormatVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.number())
    }
}

impl<'de> Deserialize<'de> for FormatVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FormatVersion, D::Error> {
        let written = Value::deserialize(d)?;
        if let Some(known) = FormatVersion::READS
            .iter()
            .find(|v| written.as_u64() == Some(v.number()))
        {
            return Ok(*known);
        }
        let reads: Vec<String> = FormatVersion::READS
            .iter()
            .map(|v| v.number().to_string())
            .collect();
        Err(serde::de::Error::custom(format!(
            "scenario format version `{written}` is not one this scimcheck reads (it reads version {}); use a newer scimcheck, or write the file in a version it reads",
            reads.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::super::load::parse;
    use super::*;

    const REST: &str = "id: a.b\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users }\n";

    #[test]
    fn absent_or_one_is_the_first_format() {
        assert_eq!(parse("x.yaml", REST).unwrap().version, FormatVersion::V1);
        let one = format!("version: 1\n{REST}");
        assert_eq!(parse("x.yaml", &one).unwrap().version, FormatVersion::V1);
    }

    #[test]
    fn another_version_is_refused_with_file_line_and_the_versions_read() {
        for written in ["2", "0", "\"1\"", "1.5", "latest"] {
            let text = format!("{REST}version: {written}\n");
            let err = parse("x.yaml", &text).unwrap_err();
            assert_eq!(err.file, "x.yaml");
            assert_eq!(err.line, Some(9), "{written}: {err}");
            assert!(
                err.message.contains("it reads version 1"),
                "{written}: {}",
                err.message
            );
        }
    }
}
