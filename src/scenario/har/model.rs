//! The HAR 1.2 format (<http://www.softwareishard.com/blog/har-12-spec/>), one set of types
//! for writing a run and for reading what a browser, a proxy or mitmproxy saved. Readers of
//! real files meet extra keys, `_`-prefixed custom fields and optional members left out: the
//! types ignore the first two and default the third, so only what scimcheck reads must be
//! there and well typed.

use serde::{Deserialize, Serialize};

/// A HAR file: one `log`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Har {
    /// The log.
    pub log: Log,
}

/// The log: its format version, what wrote it, and the exchanges in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Log {
    /// `1.2` (`1.1` files are read too).
    pub version: String,
    /// What wrote the log.
    #[serde(default)]
    pub creator: Creator,
    /// Groups of entries (a browser's pages; scimcheck's scenarios), which viewers and
    /// `har-to-k6` show as groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<Page>,
    /// The exchanges, in the order they started.
    #[serde(default)]
    pub entries: Vec<Entry>,
    /// A note for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// The application that wrote the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Creator {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its version.
    #[serde(default)]
    pub version: String,
}

/// A group of entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    /// When its first request started.
    #[serde(default)]
    pub started_date_time: String,
    /// What entries name in `pageref`.
    #[serde(default)]
    pub id: String,
    /// Its title.
    #[serde(default)]
    pub title: String,
    /// A browser's load events; scimcheck has none to give.
    #[serde(default)]
    pub page_timings: PageTimings,
}

/// A page's load events, in milliseconds from its start; -1 where there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageTimings {
    /// When its content was loaded.
    #[serde(default = "not_applicable", deserialize_with = "lenient::timing")]
    pub on_content_load: f64,
    /// When it was loaded.
    #[serde(default = "not_applicable", deserialize_with = "lenient::timing")]
    pub on_load: f64,
}

impl Default for PageTimings {
    fn default() -> Self {
        PageTimings {
            on_content_load: -1.0,
            on_load: -1.0,
        }
    }
}

/// One request and its response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The page (scenario) the entry belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pageref: Option<String>,
    /// ISO 8601 instant the request started.
    #[serde(default)]
    pub started_date_time: String,
    /// Total time in milliseconds (the sum of the timings).
    #[serde(default, deserialize_with = "lenient::f64")]
    pub time: f64,
    /// What was sent.
    pub request: Request,
    /// What came back.
    pub response: Response,
    /// Cache state.
    #[serde(default)]
    pub cache: Cache,
    /// Where the time went.
    #[serde(default)]
    pub timings: Timings,
    /// A note for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A request as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The method, as sent.
    pub method: String,
    /// The absolute URL, query included.
    pub url: String,
    /// `HTTP/1.1`, `h2`, … as the tool names it.
    #[serde(default = "http11")]
    pub http_version: String,
    /// Cookies sent.
    #[serde(default)]
    pub cookies: Vec<Cookie>,
    /// Headers sent.
    #[serde(default)]
    pub headers: Vec<NameValue>,
    /// The query parameters.
    #[serde(default)]
    pub query_string: Vec<NameValue>,
    /// The body, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
    /// Bytes of the header block; -1 when unknown.
    #[serde(default = "unknown_size", deserialize_with = "lenient::size")]
    pub headers_size: i64,
    /// Bytes of the body; -1 when unknown.
    #[serde(default = "unknown_size", deserialize_with = "lenient::size")]
    pub body_size: i64,
}

/// A response as received; `status` 0 when none arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// The status; 0 when none arrived.
    #[serde(default, deserialize_with = "lenient::u16")]
    pub status: u16,
    /// The reason phrase.
    #[serde(default)]
    pub status_text: String,
    /// `HTTP/1.1`, `h2`, … as the tool names it.
    #[serde(default = "http11")]
    pub http_version: String,
    /// Cookies set.
    #[serde(default)]
    pub cookies: Vec<Cookie>,
    /// Headers received.
    #[serde(default)]
    pub headers: Vec<NameValue>,
    /// The body.
    #[serde(default)]
    pub content: Content,
    /// Where a redirect pointed; empty otherwise.
    #[serde(default, rename = "redirectURL")]
    pub redirect_url: String,
    /// Bytes of the header block; -1 when unknown.
    #[serde(default = "unknown_size", deserialize_with = "lenient::size")]
    pub headers_size: i64,
    /// Bytes of the body as received; -1 when unknown.
    #[serde(default = "unknown_size", deserialize_with = "lenient::size")]
    pub body_size: i64,
    /// Why no response arrived, as Chrome's devtools write it (`net::ERR_CONNECTION_REFUSED`).
    #[serde(default, rename = "_error", skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A header or query parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameValue {
    /// The name.
    pub name: String,
    /// The value.
    #[serde(default)]
    pub value: String,
}

/// A cookie; scimcheck writes none and reads none, but a reader must accept them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cookie {
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The value.
    #[serde(default)]
    pub value: String,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    /// Its media type.
    #[serde(default)]
    pub mime_type: String,
    /// The body; HAR has no encoding for it, so it is text.
    #[serde(default)]
    pub text: String,
}

/// A response body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// Bytes of the body once decoded.
    #[serde(default, deserialize_with = "lenient::size")]
    pub size: i64,
    /// Its media type.
    #[serde(default)]
    pub mime_type: String,
    /// The body, when the tool kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `base64` when `text` is the body base64-encoded (binary or not UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

/// Cache state; scimcheck sends no cached request, so it writes `{}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cache {}

/// Where the time of an entry went, in milliseconds; -1 where it does not apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Waiting for a connection.
    #[serde(default = "not_applicable", deserialize_with = "lenient::timing")]
    pub blocked: f64,
    /// DNS resolution.
    #[serde(default = "not_applicable", deserialize_with = "lenient::timing")]
    pub dns: f64,
    /// Opening the connection (TLS included).
    #[serde(default = "not_applicable", deserialize_with = "lenient::timing")]
    pub connect: f64,
    /// Sending the request.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub send: f64,
    /// Waiting for the first byte of the response.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub wait: f64,
    /// Reading the response.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub receive: f64,
    /// The TLS handshake.
    #[serde(default = "not_applicable", deserialize_with = "lenient::timing")]
    pub ssl: f64,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            blocked: -1.0,
            dns: -1.0,
            connect: -1.0,
            send: 0.0,
            wait: 0.0,
            receive: 0.0,
            ssl: -1.0,
        }
    }
}

fn http11() -> String {
    "HTTP/1.1".into()
}

fn unknown_size() -> i64 {
    -1
}

fn not_applicable() -> f64 {
    -1.0
}

/// Numbers as tools really write them: integers or decimals, and `null` where a member does
/// not apply.
mod lenient {
    use serde::{Deserialize, Deserializer};

    fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<f64>::deserialize(d)
    }

    pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(number(d)?.unwrap_or(0.0))
    }

    pub fn timing<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(number(d)?.unwrap_or(-1.0))
    }

    pub fn size<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        Ok(number(d)?.map_or(-1, |n| n as i64))
    }

    pub fn u16<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
        let n = number(d)?.unwrap_or(0.0);
        if (0.0..=999.0).contains(&n) {
            Ok(n as u16)
        } else {
            Err(serde::de::Error::custom(format!(
                "{n} is not an HTTP status"
            )))
        }
    }
}
