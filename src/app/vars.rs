//! The user's variables and secrets: `--variable NAME=VALUE`, `--variables-file F` (hurl's
//! grammar: one `name=value` a line, `#` comments and blank lines ignored), `[variables]` in
//! scimcheck.toml, and `--secret NAME=VALUE`. Later sources win over earlier ones.

use std::path::Path;

use crate::error::Error;
use crate::plan::UserVars;

/// A secret shorter than this could not be told apart from ordinary text in a response (the
/// client searches echoed secrets only from this length on).
const MIN_SECRET: usize = 6;

/// Whether `name` can be a variable's name: letters, digits, `_`, `.` or `-`.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// `NAME=VALUE`, or why not; the message never quotes the value.
fn assignment(spec: &str) -> Result<(&str, &str), String> {
    match spec.split_once('=') {
        Some((name, value)) if valid_name(name) => Ok((name, value)),
        Some((name, _)) => Err(format!(
            "`{name}` is not a name: use letters, digits, `_`, `.` or `-`"
        )),
        None => Err("expected NAME=VALUE".into()),
    }
}

/// The variables of a `--variables-file`, in order; a bad line is an error with its file and
/// line number.
pub(crate) fn read_variables_file(path: &Path) -> Result<Vec<(String, String)>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "--variables-file {}: cannot read it: {e}",
            path.display()
        ))
    })?;
    parse_variables(&text).map_err(|(line, why)| {
        Error::Usage(format!(
            "{}:{line}: {why} (a variables file holds one NAME=VALUE a line; `#` starts a comment line)",
            path.display()
        ))
    })
}

/// Hurl's variables-file grammar; the error is the 1-based line and what is wrong with it.
fn parse_variables(text: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = assignment(line).map_err(|why| (i + 1, why))?;
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

/// The run's variables and secrets from every source, in rising precedence: the config
/// file's (`file_vars`, its variables-file first), each `--variables-file` in order, each
/// `--variable` in order; and each `--secret`.
pub(crate) fn user_vars(
    file_vars: &[(String, String)],
    files: &[std::path::PathBuf],
    variables: &[String],
    secrets: &[String],
) -> Result<UserVars, Error> {
    let mut user = UserVars::default();
    for (name, value) in file_vars {
        user.set_var(name, value);
    }
    for path in files {
        for (name, value) in read_variables_file(path)? {
            user.set_var(name, value);
        }
    }
    for spec in variables {
        let (name, value) =
            assignment(spec).map_err(|why| Error::Usage(format!("--variable: {why}")))?;
        user.set_var(name, value);
    }
    for spec in secrets {
        let (name, value) =
            assignment(spec).map_err(|why| Error::Usage(format!("--secret: {why}")))?;
        if value.chars().count() < MIN_SECRET {
            return Err(Error::Usage(format!(
                "--secret {name}: the value is shorter than {MIN_SECRET} characters, too short to be told apart from other text when it is redacted"
            )));
        }
        user.set_secret(name, value);
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_files_follow_hurls_grammar() {
        let text =
            "# tenant values\n\ntenant=acme\n  region=eu west \nurl=https://x/?a=b\nempty=\n";
        let vars = parse_variables(text).unwrap();
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            vars,
            pairs(&[
                ("tenant", "acme"),
                ("region", "eu west"),
                ("url", "https://x/?a=b"),
                ("empty", ""),
            ])
        );
        let err = parse_variables("region = eu\n").unwrap_err();
        assert!(err.1.contains("`region ` is not a name"), "{}", err.1);
    }

    #[test]
    fn a_bad_line_is_named_by_its_number_without_its_value() {
        let err = parse_variables("a=1\n# c\nno equals sign here\n").unwrap_err();
        assert_eq!(err.0, 3);
        assert_eq!(err.1, "expected NAME=VALUE");
        let err = parse_variables("a b=secret-ish\n").unwrap_err();
        assert_eq!(err.0, 1);
        assert!(err.1.contains("`a b` is not a name"), "{}", err.1);
        assert!(!err.1.contains("secret-ish"));
    }

    #[test]
    fn flags_win_over_the_file_and_later_flags_over_earlier() {
        let file = [("a".to_string(), "file".to_string())];
        let user = user_vars(
            &file,
            &[],
            &["a=flag".into(), "b=1".into(), "b=2".into()],
            &[],
        )
        .unwrap();
        let vars: Vec<_> = user.vars().collect();
        assert_eq!(vars, [("a", "flag"), ("b", "2")]);
    }

    #[test]
    fn secret_errors_never_quote_the_value() {
        for spec in ["k=short", "k", "bad name=hunter2-long"] {
            let err = user_vars(&[], &[], &[], &[spec.into()])
                .unwrap_err()
                .to_string();
            assert!(!err.contains("short") || err.contains("shorter"), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.contains("--secret"), "{err}");
        }
        let user = user_vars(&[], &[], &[], &["k=hunter2-long".into()]).unwrap();
        assert_eq!(user.secret_values(), ["hunter2-long"]);
    }
}
