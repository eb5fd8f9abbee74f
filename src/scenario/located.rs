//! JSON read with the place of a failure: the line, the column and the key path, for the
//! imported formats' messages (Runscope exports, HAR files).

use serde::de::DeserializeOwned;

/// Why a JSON document could not be read as the type asked for, and where.
pub(crate) struct JsonFailure {
    /// The key path of a type error (`steps[2].url`), `.` or empty at the top.
    pub path: String,
    /// The text is not JSON at all (or ends early), rather than JSON of another shape.
    pub syntax: bool,
    /// serde's message without its own " at line L column C".
    pub message: String,
    /// 1-based, when known.
    pub line: Option<usize>,
    /// 1-based, when known.
    pub column: Option<usize>,
}

/// `text` read as a `T`, or where and why not.
pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, JsonFailure> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_string();
        JsonFailure {
            path,
            syntax: inner.is_syntax() || inner.is_eof(),
            message,
            line: (inner.line() > 0).then_some(inner.line()),
            column: (inner.column() > 0).then_some(inner.column()),
        }
    })
}
