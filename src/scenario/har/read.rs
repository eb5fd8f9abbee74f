//! Reading a HAR file: its JSON, located errors, and the format version.

use super::model::Har;

/// Why a HAR file could not be read or imported.
#[derive(Debug, thiserror::Error)]
pub enum HarError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not JSON, or JSON that is not a HAR log.
    #[error("{file}{at}: not a HAR file: {message}", at = at(*.line, *.column))]
    NotHar {
        /// The file.
        file: String,
        /// Where, when the parser knows.
        line: Option<usize>,
        /// The column there.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A HAR log of a version this build does not read.
    #[error("{file}{at}: log.version is `{version}`; scimcheck reads HAR 1.x (1.1 and 1.2): save the capture as HAR 1.2", at = at(*.line, None))]
    Version {
        /// The file.
        file: String,
        /// The line of `log.version`, when found.
        line: Option<usize>,
        /// The version the file has.
        version: String,
    },
    /// No entry is a SCIM request.
    #[error("{file}: no SCIM request to replay among its {entries} (one whose path names /Users, /Groups, /Schemas, … below the SCIM root, and that was answered){listed}", entries = entries_in_words(*.entries), listed = if *.entries > 0 { "; the entries left out are listed above" } else { "" })]
    NoScimRequests {
        /// The file.
        file: String,
        /// Entries it holds.
        entries: usize,
    },
    /// The SCIM requests could not be written as a scenario.
    #[error("{file}: {source}")]
    Convert {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: crate::scenario::traffic::TrafficError,
    },
}

/// `1 entry`, `2 entries`.
fn entries_in_words(n: usize) -> String {
    if n == 1 {
        "1 entry".into()
    } else {
        format!("{n} entries")
    }
}

fn at(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// Reads `path` as a HAR 1.x file.
pub fn read(path: &std::path::Path) -> Result<Har, HarError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| HarError::Read {
        file: file.clone(),
        source,
    })?;
    // Browsers save UTF-8, some with a byte-order mark.
    let text = String::from_utf8_lossy(&bytes);
    parse(&file, text.trim_start_matches('\u{feff}'))
}

/// Parses `text` (from `file`, for messages) as a HAR 1.x log.
pub fn parse(file: &str, text: &str) -> Result<Har, HarError> {
    let har: Har = crate::scenario::located::from_json(text).map_err(|f| {
        let message = if f.syntax || f.path == "." || f.path.is_empty() {
            f.message
        } else {
            format!("`{}`: {}", f.path, f.message)
        };
        HarError::NotHar {
            file: file.to_string(),
            line: f.line,
            column: f.column,
            message,
        }
    })?;
    let version = har.log.version.trim();
    if !(version == "1" || version.starts_with("1.")) {
        return Err(HarError::Version {
            file: file.to_string(),
            line: version_line(text, &har.log.version),
            version: har.log.version.clone(),
        });
    }
    Ok(har)
}

/// The line of `"version": "<version>"` in `text`: the log's, unless its creator's comes
/// first with the same value, which names the same number anyway.
fn version_line(text: &str, version: &str) -> Option<usize> {
    let quoted = serde_json::to_string(version).ok()?;
    let mut from = 0;
    while let Some(found) = text[from..].find("\"version\"") {
        let key = from + found;
        let rest = text[key + "\"version\"".len()..].trim_start();
        if let Some(value) = rest.strip_prefix(':') {
            if value.trim_start().starts_with(&quoted) {
                return Some(text[..key].matches('\n').count() + 1);
            }
        }
        from = key + 1;
    }
    None
}
