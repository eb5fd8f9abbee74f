//! scimcheck.toml: the `run` options a CI job repeats, in a file beside the job (or named by
//! `--config`). Options on the command line (and the environment variables that stand for
//! them, such as SCIM_BASE_URL) win over the file; credentials never come from it, because
//! such a file is meant to be committed. Keys are the long option names; relative paths are
//! resolved against the file's directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::ArgMatches;
use toml::{Spanned, Value};

use crate::cli::{ColorChoice, DriftSeverity, EntraDialect, FailOn, RunArgs};
use crate::error::Error;

/// The file read from the working directory when `--config` is not given.
pub(crate) const DEFAULT_FILE: &str = "scimcheck.toml";

/// Every key the file may hold.
pub(crate) const KEYS: &[&str] = &[
    "base-url",
    "profile",
    "scenarios",
    "scenario",
    "skip",
    "entra-dialect",
    "fail-fast",
    "runscope",
    "runscope-seed",
    "runscope-pauses",
    "variables",
    "variables-file",
    "report",
    "snapshots",
    "snapshot-drift",
    "fail-on",
    "concurrency",
    "timeout",
    "deadline",
    "max-body-mib",
    "max-retry-wait",
    "max-rps",
    "burst",
    "burst-seconds",
    "keep-resources",
    "parallel",
    "scale",
    "okta-batch",
    "cacert",
    "proxy",
    "insecure",
    "color",
];

/// Options that act once, or confirm something, and so are only taken from the command line.
const COMMAND_LINE_ONLY: &[&str] = &[
    "yes",
    "update-snapshots",
    "config",
    "json",
    "quiet",
    "verbose",
];

/// What a config file gave the run beyond `RunArgs`.
#[derive(Debug)]
pub(crate) struct Applied {
    /// The file, as the header line shows it.
    pub shown: String,
    /// Its variables (its variables-file's, then its `[variables]`), weakest first.
    pub variables: Vec<(String, String)>,
}

/// Reads the config file, if there is one, into `args` wherever the command line left an
/// option unset.
pub(crate) fn apply(args: &mut RunArgs, matches: &ArgMatches) -> Result<Option<Applied>, Error> {
    let (path, shown) = match &args.config {
        Some(p) if p.is_file() => (p.clone(), p.display().to_string()),
        Some(p) => {
            return Err(Error::Usage(format!(
                "--config {}: no such file (a scimcheck.toml in the working directory is read without --config)",
                p.display()
            )))
        }
        None if Path::new(DEFAULT_FILE).is_file() => {
            (PathBuf::from(DEFAULT_FILE), format!("./{DEFAULT_FILE}"))
        }
        None => return Ok(None),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::Usage(format!("{shown}: cannot read it: {e}")))?;
    let doc = Doc {
        shown: &shown,
        text: &text,
    };
    let table: BTreeMap<Spanned<String>, Spanned<Value>> =
        toml::from_str(&text).map_err(|e| doc.error(e.span(), e.message().trim_end()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let given = |id: &str| {
        matches!(
            matches.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    };
    let mut variables = Vec::new();
    for (key, value) in &table {
        let f = Field {
            doc: &doc,
            key: key.get_ref(),
            span: value.span(),
        };
        let v = value.get_ref();
        match f.key {
            "base-url" => {
                let url = f.text(v)?;
                super::target::normalise_base_url(&url).map_err(|e| f.fail(&e.to_string()))?;
                if !given("base_url") {
                    args.base_url = Some(url);
                }
            }
            "profile" => set(&mut args.profile, Some(f.texts(v)?.join(",")), given("profile")),
            "scenarios" => set(&mut args.scenarios, f.paths(v, &dir)?, given("scenarios")),
            "scenario" => set(&mut args.scenario, f.texts(v)?, given("scenario")),
            "skip" => set(&mut args.skip, f.texts(v)?, given("skip")),
            "entra-dialect" => {
                let dialect = match v {
                    Value::String(s) if s == "2017" => EntraDialect::V2017,
                    Value::Integer(2017) => EntraDialect::V2017,
                    Value::String(s) if s == "2020" => EntraDialect::V2020,
                    Value::Integer(2020) => EntraDialect::V2020,
                    _ => return Err(f.fail("expected 2017 or 2020")),
                };
                set(&mut args.entra_dialect, Some(dialect), given("entra_dialect"));
            }
            "fail-fast" => set(&mut args.fail_fast, f.bool(v)?, given("fail_fast")),
            "runscope" => set(&mut args.runscope, f.paths(v, &dir)?, given("runscope")),
            "runscope-seed" => {
                let seed = f.bool(v)?;
                if !given("runscope_seed") && !given("no_runscope_seed") {
                    args.runscope_seed = seed;
                    args.no_runscope_seed = !seed;
                }
            }
            "runscope-pauses" => {
                set(&mut args.runscope_pauses, f.bool(v)?, given("runscope_pauses"))
            }
            "variables" if !v.is_table() => {
                return Err(f.fail("expected a table: [variables] then NAME = \"value\" lines"))
            }
            // Read below with the variables' own positions.
            "variables" => {}
            "variables-file" => {
                for file in f.paths(v, &dir)? {
                    // Its variables come before the [variables] table's, which win.
                    variables.splice(0..0, super::vars::read_variables_file(&file)?);
                }
            }
            "report" => {
                let mut specs = Vec::new();
                for spec in f.texts(v)? {
                    let (_, path) = super::parse_reports(std::slice::from_ref(&spec))
                        .map_err(|e| f.fail(&e.to_string().replace("--report ", "")))?
                        .remove(0);
                    // parse_reports accepted it, so it holds `KIND=`.
                    let kind = spec.split_once('=').map_or("", |(k, _)| k);
                    specs.push(format!("{kind}={}", resolve(&dir, &path).display()));
                }
                set(&mut args.reports, specs, given("reports"));
            }
            "snapshots" => {
                let dir = Some(resolve(&dir, Path::new(&f.text(v)?)));
                set(&mut args.snapshots, dir, given("snapshots"));
            }
            "snapshot-drift" => {
                let drift = match f.choice(v, &["error", "warning"])? {
                    "error" => DriftSeverity::Error,
                    _ => DriftSeverity::Warning,
                };
                set(&mut args.snapshot_drift, drift, given("snapshot_drift"));
            }
            "fail-on" => {
                let fail_on = match f.choice(v, &["error", "warning"])? {
                    "error" => FailOn::Error,
                    _ => FailOn::Warning,
                };
                set(&mut args.fail_on, fail_on, given("fail_on"));
            }
            "concurrency" => {
                let n = f.int(v, 1, 64)? as u16;
                set(&mut args.concurrency, n, given("concurrency"));
            }
            "timeout" => set(&mut args.target.timeout, f.int(v, 1, 600)?, given("timeout")),
            "deadline" => set(&mut args.deadline, f.int(v, 1, 86_400)?, given("deadline")),
            "max-body-mib" => {
                let n = f.int(v, 1, 1024)?;
                set(&mut args.target.max_body_mib, n, given("max_body_mib"));
            }
            "max-retry-wait" => {
                let n = f.int(v, 0, 3600)?;
                set(&mut args.target.max_retry_wait, n, given("max_retry_wait"));
            }
            "max-rps" => {
                let rps = match v {
                    Value::Integer(n) => *n as f64,
                    Value::Float(x) => *x,
                    _ => return Err(f.fail("expected a number of requests per second")),
                };
                if !(0.001..=10_000.0).contains(&rps) {
                    return Err(f.fail("expected a rate from 0.001 to 10000 requests per second"));
                }
                set(&mut args.target.max_rps, Some(rps), given("max_rps"));
            }
            "burst" => set(&mut args.burst, f.bool(v)?, given("burst")),
            "burst-seconds" => {
                let n = Some(f.int(v, 1, 600)? as u32);
                set(&mut args.burst_seconds, n, given("burst_seconds"));
            }
            "parallel" => {
                let n = f.int(v, 1, 200)? as u16;
                set(&mut args.parallel, n, given("parallel"));
            }
            "scale" => {
                let n = f.int(v, 1, 100_000)? as u32;
                set(&mut args.scale, n, given("scale"));
            }
            "okta-batch" => {
                let n = f.int(v, 100, 1000)? as u16;
                set(&mut args.okta_batch, n, given("okta_batch"));
            }
            "keep-resources" => {
                set(&mut args.keep_resources, f.bool(v)?, given("keep_resources"))
            }
            "cacert" => {
                let file = Some(resolve(&dir, Path::new(&f.text(v)?)));
                set(&mut args.target.cacert, file, given("cacert"));
            }
            "proxy" => set(&mut args.target.proxy, Some(f.text(v)?), given("proxy")),
            "insecure" => set(&mut args.target.insecure, f.bool(v)?, given("insecure")),
            "color" => {
                let color = match f.choice(v, &["auto", "always", "never"])? {
                    "always" => ColorChoice::Always,
                    "never" => ColorChoice::Never,
                    _ => ColorChoice::Auto,
                };
                set(&mut args.color, color, given("color"));
            }
            key if is_credential(key) => {
                return Err(doc.error(
                    Some(key_span(key_spanned(&table, key))),
                    &format!(
                        "`{key}`: credentials never go in a configuration file (it is meant to be committed); set SCIM_TOKEN or pass --token-file FILE (or --basic-user with SCIM_BASIC_PASSWORD, --oauth-token-url with SCIM_CLIENT_SECRET, --header, --secret) on the command line"
                    ),
                ))
            }
            key if COMMAND_LINE_ONLY.contains(&key) => {
                return Err(doc.error(
                    Some(key_span(key_spanned(&table, key))),
                    &format!("`{key}` is only taken from the command line: pass --{key} there"),
                ))
            }
            key => {
                return Err(doc.error(
                    Some(key_span(key_spanned(&table, key))),
                    &format!("unknown key `{key}` (known: {})", KEYS.join(", ")),
                ))
            }
        }
    }
    variables.extend(table_variables(&doc)?);
    Ok(Some(Applied { shown, variables }))
}

/// `value` into `slot` unless the command line gave the option.
fn set<T>(slot: &mut T, value: T, given: bool) {
    if !given {
        *slot = value;
    }
}

fn resolve(dir: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        dir.join(path)
    }
}

/// Keys that name a credential, or a value that is one: never read from a file.
fn is_credential(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "token",
        "password",
        "secret",
        "header",
        "authorization",
        "api-key",
        "apikey",
        "api_key",
        "credential",
        "bearer",
        "client-id",
        "basic-user",
        "oauth",
    ]
    .iter()
    .any(|w| key.contains(w))
}

fn key_spanned<'a>(
    table: &'a BTreeMap<Spanned<String>, Spanned<Value>>,
    key: &str,
) -> Option<&'a Spanned<String>> {
    table.keys().find(|k| k.get_ref() == key)
}

fn key_span(key: Option<&Spanned<String>>) -> std::ops::Range<usize> {
    key.map(Spanned::span).unwrap_or(0..0)
}

/// The `[variables]` table, each value located for its errors.
fn table_variables(doc: &Doc<'_>) -> Result<Vec<(String, String)>, Error> {
    #[derive(serde::Deserialize)]
    struct Only {
        #[serde(default)]
        variables: BTreeMap<Spanned<String>, Spanned<Value>>,
    }
    let only: Only = toml::from_str(doc.text).map_err(|e| doc.error(e.span(), e.message()))?;
    let mut out = Vec::new();
    for (name, value) in only.variables {
        if !super::vars::valid_name(name.get_ref()) {
            return Err(doc.error(
                Some(name.span()),
                &format!(
                    "variables: `{}` is not a name: use letters, digits, `_`, `.` or `-`",
                    name.get_ref()
                ),
            ));
        }
        let text = match value.get_ref() {
            Value::String(s) => s.clone(),
            Value::Integer(n) => n.to_string(),
            Value::Float(x) => x.to_string(),
            Value::Boolean(b) => b.to_string(),
            _ => {
                return Err(doc.error(
                    Some(value.span()),
                    &format!(
                        "variables.{}: expected text, a number or true/false",
                        name.get_ref()
                    ),
                ))
            }
        };
        out.push((name.into_inner(), text));
    }
    Ok(out)
}

/// The file's text, for error positions.
struct Doc<'a> {
    shown: &'a str,
    text: &'a str,
}

impl Doc<'_> {
    /// `FILE:LINE:COLUMN: message`, a usage error (exit 2).
    fn error(&self, span: Option<std::ops::Range<usize>>, message: &str) -> Error {
        match span {
            Some(span) => {
                let (line, column) = line_column(self.text, span.start);
                Error::Usage(format!("{}:{line}:{column}: {message}", self.shown))
            }
            None => Error::Usage(format!("{}: {message}", self.shown)),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// One key's value, with where it stands for its errors.
struct Field<'a> {
    doc: &'a Doc<'a>,
    key: &'a str,
    span: std::ops::Range<usize>,
}

impl Field<'_> {
    fn fail(&self, why: &str) -> Error {
        self.doc
            .error(Some(self.span.clone()), &format!("`{}`: {why}", self.key))
    }

    fn text(&self, v: &Value) -> Result<String, Error> {
        match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(self.fail(&format!("expected text, found {}", other.type_str()))),
        }
    }

    /// One text or a list of them.
    fn texts(&self, v: &Value) -> Result<Vec<String>, Error> {
        match v {
            Value::Array(items) => items.iter().map(|i| self.text(i)).collect(),
            other => Ok(vec![self.text(other)?]),
        }
    }

    fn paths(&self, v: &Value, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        Ok(self
            .texts(v)?
            .iter()
            .map(|p| resolve(dir, Path::new(p)))
            .collect())
    }

    fn bool(&self, v: &Value) -> Result<bool, Error> {
        v.as_bool()
            .ok_or_else(|| self.fail(&format!("expected true or false, found {}", v.type_str())))
    }

    fn int(&self, v: &Value, min: u64, max: u64) -> Result<u64, Error> {
        match v.as_integer().and_then(|n| u64::try_from(n).ok()) {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(self.fail(&format!("expected a whole number from {min} to {max}"))),
        }
    }

    fn choice<'c>(&self, v: &Value, choices: &[&'c str]) -> Result<&'c str, Error> {
        let text = self.text(v)?;
        choices
            .iter()
            .find(|c| **c == text)
            .copied()
            .ok_or_else(|| self.fail(&format!("expected one of {}", choices.join(", "))))
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod readme_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_character_columns() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        let at = text.find("= \"x").unwrap();
        assert_eq!(line_column(text, at), (2, 4));
        assert_eq!(line_column(text, 10_000), (3, 1));
    }

    #[test]
    fn credential_keys_are_recognised_by_their_words() {
        for key in [
            "token",
            "token-file",
            "Bearer",
            "client-secret",
            "basic-password",
            "header",
            "headers",
            "api-key",
            "secret",
        ] {
            assert!(is_credential(key), "{key}");
        }
        for key in KEYS {
            assert!(!is_credential(key), "{key}");
        }
    }
}
