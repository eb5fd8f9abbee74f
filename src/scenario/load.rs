//! Reading scenario files: built-in ones compiled into the binary and user ones from
//! `--scenarios DIR`. Parsing is strict and every error names file, line and column.

use std::fmt;
use std::path::Path;

use super::model::Scenario;
use super::spans::{At, Spans};
use super::validate::validate_all;

/// A scenario file that could not be used; `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The file.
    pub file: String,
    /// The line, when known.
    pub line: Option<u64>,
    /// The column, when known.
    pub column: Option<u64>,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl LoadError {
    /// An error about `file` without a location.
    pub fn new(file: &str, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

/// A scenario with the file it came from (for error messages and `scimcheck list`).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file it came from.
    pub file: String,
    /// The scenario.
    pub scenario: Scenario,
    /// Where the scenario's parts are in the file, for messages.
    pub spans: Spans,
    /// It came from a file the user gave (`--scenarios`), not from the binary.
    pub given: bool,
}

impl Loaded {
    /// A load error about the part `at` of this scenario, located in its file.
    pub fn error_at(&self, at: At, message: String) -> LoadError {
        let mut e = LoadError::new(&self.file, message);
        if let Some((line, column)) = self.spans.locate(at) {
            e.line = Some(line);
            e.column = Some(column);
        }
        e
    }

    /// A scenario made in code rather than read from a file: its parts have no location.
    pub fn made(file: &str, scenario: Scenario) -> Loaded {
        Loaded {
            file: file.to_string(),
            scenario,
            spans: Spans::default(),
            given: false,
        }
    }

    /// Parses one file's text into a scenario with its locations.
    pub fn parse(file: &str, text: &str) -> Result<Loaded, LoadError> {
        Ok(Loaded {
            scenario: parse(file, text)?,
            spans: Spans::of(text),
            file: file.to_string(),
            given: false,
        })
    }
}

/// The scenarios shipped in `scenarios/`, compiled into the binary.
const BUILTIN: &[(&str, &str)] = &[
    (
        "scenarios/okta/credentials.yaml",
        include_str!("../../scenarios/okta/credentials.yaml"),
    ),
    (
        "scenarios/okta/create-users.yaml",
        include_str!("../../scenarios/okta/create-users.yaml"),
    ),
    (
        "scenarios/okta/update-user.yaml",
        include_str!("../../scenarios/okta/update-user.yaml"),
    ),
    (
        "scenarios/okta/deactivate-user.yaml",
        include_str!("../../scenarios/okta/deactivate-user.yaml"),
    ),
    (
        "scenarios/okta/import-users.yaml",
        include_str!("../../scenarios/okta/import-users.yaml"),
    ),
    (
        "scenarios/okta/push-groups.yaml",
        include_str!("../../scenarios/okta/push-groups.yaml"),
    ),
    (
        "scenarios/entra/test-connection.yaml",
        include_str!("../../scenarios/entra/test-connection.yaml"),
    ),
    (
        "scenarios/entra/create-user.yaml",
        include_str!("../../scenarios/entra/create-user.yaml"),
    ),
    (
        "scenarios/entra/update-user-2017.yaml",
        include_str!("../../scenarios/entra/update-user-2017.yaml"),
    ),
    (
        "scenarios/entra/update-user-2020.yaml",
        include_str!("../../scenarios/entra/update-user-2020.yaml"),
    ),
    (
        "scenarios/entra/manager.yaml",
        include_str!("../../scenarios/entra/manager.yaml"),
    ),
    (
        "scenarios/entra/clear-attributes.yaml",
        include_str!("../../scenarios/entra/clear-attributes.yaml"),
    ),
    (
        "scenarios/entra/disable-user-2017.yaml",
        include_str!("../../scenarios/entra/disable-user-2017.yaml"),
    ),
    (
        "scenarios/entra/disable-user-2020.yaml",
        include_str!("../../scenarios/entra/disable-user-2020.yaml"),
    ),
    (
        "scenarios/entra/groups.yaml",
        include_str!("../../scenarios/entra/groups.yaml"),
    ),
    (
        "scenarios/entra/paging.yaml",
        include_str!("../../scenarios/entra/paging.yaml"),
    ),
    (
        "scenarios/entra/schemas.yaml",
        include_str!("../../scenarios/entra/schemas.yaml"),
    ),
    (
        "scenarios/rfc/discovery.yaml",
        include_str!("../../scenarios/rfc/discovery.yaml"),
    ),
    (
        "scenarios/rfc/filters.yaml",
        include_str!("../../scenarios/rfc/filters.yaml"),
    ),
    (
        "scenarios/rfc/paging.yaml",
        include_str!("../../scenarios/rfc/paging.yaml"),
    ),
    (
        "scenarios/rfc/sort.yaml",
        include_str!("../../scenarios/rfc/sort.yaml"),
    ),
    (
        "scenarios/rfc/projection.yaml",
        include_str!("../../scenarios/rfc/projection.yaml"),
    ),
    (
        "scenarios/rfc/enterprise.yaml",
        include_str!("../../scenarios/rfc/enterprise.yaml"),
    ),
    (
        "scenarios/rfc/etag.yaml",
        include_str!("../../scenarios/rfc/etag.yaml"),
    ),
    (
        "scenarios/rfc/writes.yaml",
        include_str!("../../scenarios/rfc/writes.yaml"),
    ),
    (
        "scenarios/rfc/members.yaml",
        include_str!("../../scenarios/rfc/members.yaml"),
    ),
    (
        "scenarios/rfc/errors.yaml",
        include_str!("../../scenarios/rfc/errors.yaml"),
    ),
    (
        "scenarios/rfc/optional.yaml",
        include_str!("../../scenarios/rfc/optional.yaml"),
    ),
    (
        "scenarios/rfc/bulk.yaml",
        include_str!("../../scenarios/rfc/bulk.yaml"),
    ),
    (
        "scenarios/rfc/change-password.yaml",
        include_str!("../../scenarios/rfc/change-password.yaml"),
    ),
    (
        "scenarios/entra/throughput.yaml",
        include_str!("../../scenarios/entra/throughput.yaml"),
    ),
    (
        "scenarios/concurrency/member-adds.yaml",
        include_str!("../../scenarios/concurrency/member-adds.yaml"),
    ),
    (
        "scenarios/concurrency/adds-removes.yaml",
        include_str!("../../scenarios/concurrency/adds-removes.yaml"),
    ),
    (
        "scenarios/concurrency/racing-creates.yaml",
        include_str!("../../scenarios/concurrency/racing-creates.yaml"),
    ),
    (
        "scenarios/concurrency/overlapping-writes.yaml",
        include_str!("../../scenarios/concurrency/overlapping-writes.yaml"),
    ),
    (
        "scenarios/concurrency/if-match.yaml",
        include_str!("../../scenarios/concurrency/if-match.yaml"),
    ),
    (
        "scenarios/concurrency/read-after-write.yaml",
        include_str!("../../scenarios/concurrency/read-after-write.yaml"),
    ),
    (
        "scenarios/concurrency/rate.yaml",
        include_str!("../../scenarios/concurrency/rate.yaml"),
    ),
    (
        "scenarios/scale/import-users.yaml",
        include_str!("../../scenarios/scale/import-users.yaml"),
    ),
    (
        "scenarios/scale/push-group.yaml",
        include_str!("../../scenarios/scale/push-group.yaml"),
    ),
    (
        "scenarios/scale/change-group.yaml",
        include_str!("../../scenarios/scale/change-group.yaml"),
    ),
    (
        "scenarios/scale/batch-limit.yaml",
        include_str!("../../scenarios/scale/batch-limit.yaml"),
    ),
    (
        "scenarios/scale/user-groups.yaml",
        include_str!("../../scenarios/scale/user-groups.yaml"),
    ),
];

/// Parses one scenario file's text. `file` is only used in messages.
pub fn parse(file: &str, text: &str) -> Result<Scenario, LoadError> {
    serde_saphyr::from_str::<Scenario>(text).map_err(|e| {
        let loc = e.location();
        let line = loc.map(|l| l.line());
        let mut message = yaml_message(&e);
        // `{ path: /Users/{{id}} }` reads as nested braces: the one mistake YAML will not name.
        let on_line = line
            .and_then(|n| text.lines().nth(n.saturating_sub(1) as usize))
            .unwrap_or_default();
        if message.contains("flow mapping") && on_line.contains("{{") {
            message.push_str("; quote a value holding a {{variable}} inside { … }, e.g. path: \"/Users/{{user_id}}\"");
        }
        LoadError {
            file: file.to_string(),
            line,
            column: loc.map(|l| l.column()),
            message,
        }
    })
}

/// The parser's message without its own location prefix or source snippet (we print ours).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let mut msg = text.lines().next().unwrap_or_default().trim();
    msg = msg.strip_prefix("error:").map_or(msg, str::trim);
    if msg.starts_with("line ") {
        if let Some((_, rest)) = msg.split_once(": ") {
            msg = rest;
        }
    }
    msg.to_string()
}

/// The built-in scenarios, parsed and validated.
pub fn builtin() -> Result<Vec<Loaded>, LoadError> {
    let loaded = BUILTIN
        .iter()
        .map(|(file, text)| Loaded::parse(file, text))
        .collect::<Result<Vec<_>, _>>()?;
    validate_all(&loaded)?;
    Ok(loaded)
}

/// Built-in scenarios plus the user's: each of `paths` is a scenario file, or a directory
/// whose `*.yaml`/`*.yml` files below it are read (sorted, so runs are reproducible).
pub fn with_user_paths(paths: &[std::path::PathBuf]) -> Result<Vec<Loaded>, LoadError> {
    let mut all = builtin()?;
    for given in paths {
        let mut files = Vec::new();
        if given.is_file() {
            files.push(given.clone());
        } else {
            collect_yaml(given, &mut files)?;
            files.sort();
        }
        if files.is_empty() {
            return Err(LoadError::new(
                &given.display().to_string(),
                "no scenario files (*.yaml, *.yml) in this directory",
            ));
        }
        for path in files {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| LoadError::new(&file, format!("cannot read: {e}")))?;
            let mut loaded = Loaded::parse(&file, &text)?;
            loaded.given = true;
            // A built-in's own source file given again (run from a checkout, perhaps edited)
            // takes the built-in's place rather than clashing with its id.
            if let Some(at) = all.iter().position(|b| {
                !b.given && b.scenario.id == loaded.scenario.id && same_file(&path, &b.file)
            }) {
                all[at] = loaded;
                continue;
            }
            if loaded.scenario.id.starts_with(super::runscope::ID_PREFIX) {
                return Err(loaded.error_at(
                    At::Scenario,
                    format!(
                        "scenario id `{}`: ids starting with `{}` are reserved for Runscope exports (--runscope)",
                        loaded.scenario.id,
                        super::runscope::ID_PREFIX
                    ),
                ));
            }
            all.push(loaded);
        }
    }
    validate_all(&all)?;
    Ok(all)
}

/// Whether `path` names the file `builtin` (a path relative to the source tree, e.g.
/// `scenarios/scale/push-group.yaml`): it ends with that file's path components.
fn same_file(path: &Path, builtin: &str) -> bool {
    path.ends_with(Path::new(builtin))
}

fn collect_yaml(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), LoadError> {
    let name = dir.display().to_string();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| LoadError::new(&name, format!("cannot read scenario directory: {e}")))?;
    for entry in entries {
        let path = entry
            .map_err(|e| LoadError::new(&name, format!("cannot read scenario directory: {e}")))?
            .path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_scenarios_load_and_validate() {
        let all = builtin().unwrap();
        assert!(all.len() >= 6);
    }

    #[test]
    fn every_file_in_scenarios_dir_is_compiled_in() {
        let mut on_disk = Vec::new();
        collect_yaml(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
            &mut on_disk,
        )
        .unwrap();
        for path in on_disk {
            let rel = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .display()
                .to_string();
            assert!(
                BUILTIN.iter().any(|(f, _)| *f == rel),
                "{rel} is not listed in BUILTIN"
            );
        }
    }

    #[test]
    fn a_builtin_source_given_again_takes_its_place() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/scale");
        let all = with_user_paths(&[dir]).unwrap();
        let scale: Vec<&Loaded> = all
            .iter()
            .filter(|l| l.scenario.id.starts_with("scale."))
            .collect();
        assert_eq!(scale.len(), 5);
        assert!(scale.iter().all(|l| l.given), "the given copies run");
        assert_eq!(all.len(), BUILTIN.len());
    }

    #[test]
    fn readme_example_scenario_is_valid() {
        let readme = include_str!("../../README.md");
        let start = readme.find("```yaml\n").expect("README has a YAML example") + 8;
        let end = start + readme[start..].find("```").unwrap();
        let mut all = builtin().unwrap();
        all.push(Loaded::parse("README.md", &readme[start..end]).unwrap());
        validate_all(&all).unwrap();
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let text = "id: a.b\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request:\n      method: GET\n      path: /Users\n      statuss: 200\n";
        let err = parse("x.yaml", text).unwrap_err();
        assert_eq!(err.file, "x.yaml");
        assert_eq!(err.line, Some(11));
        assert!(
            err.message.starts_with("unknown field `statuss`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn an_unquoted_variable_in_braces_is_explained() {
        let text = "id: a.b\ntitle: t\nprofile: okta\nreference: r\nsteps:\n  - id: s\n    title: t\n    request: { method: GET, path: /Users/{{user_id}} }\n";
        let err = parse("x.yaml", text).unwrap_err();
        assert_eq!(err.line, Some(8));
        assert!(
            err.message.contains("quote a value holding a {{variable}}"),
            "{}",
            err.message
        );
    }

    #[test]
    fn bad_enum_value_is_explained() {
        let text = "id: a.b\ntitle: t\nprofile: Okay!\nreference: r\nsteps: []\n";
        let err = parse("x.yaml", text).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("Okay!"), "{}", err.message);
    }
}
