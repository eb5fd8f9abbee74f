//! `scimcheck import har`: a HAR capture's SCIM requests written as a scenario file.

use std::io::Write;
use std::path::Path;

use crate::cli::{ImportArgs, ImportCommand, ImportHarArgs};
use crate::error::{Error, EXIT_OK};
use crate::report::grammar::count;
use crate::scenario::har::{self, HarError};
use crate::scenario::traffic::{to_scenario, Source};
use crate::scenario::{validate_all, Loaded, Profile};

pub fn import(args: ImportArgs) -> Result<i32, Error> {
    match args.command {
        ImportCommand::Har(args) => import_har(args),
    }
}

fn import_har(args: ImportHarArgs) -> Result<i32, Error> {
    let profile =
        Profile::named(&args.profile).map_err(|e| Error::Usage(format!("--profile: {e}")))?;
    let id = match &args.id {
        Some(id) if valid_id(id) => id.clone(),
        Some(id) => {
            return Err(Error::Usage(format!(
                "--id `{id}`: use lowercase letters, digits, `.`, `-` and `_`"
            )))
        }
        None => format!("recorded.{}", id_of(&args.file)),
    };
    let file = args.file.display().to_string();
    let log = har::read(&args.file).map_err(usage)?;
    let imported = har::import(&log);
    let mut stdout = std::io::stdout().lock();
    let mut say = |line: String| {
        let _ = writeln!(stdout, "{line}");
    };
    if !imported.left_out.is_empty() {
        say(format!(
            "left out {} of {}:",
            imported.left_out.len(),
            count(imported.entries, "entry")
        ));
        for l in &imported.left_out {
            say(format!("  {l}"));
        }
    }
    let Some(base_url) = imported
        .base_url
        .clone()
        .filter(|_| !imported.recorded.is_empty())
    else {
        return Err(usage(HarError::NoScimRequests {
            file,
            entries: imported.entries,
        }));
    };
    let mut secrets = imported.secrets.clone();
    secrets.extend(args.secrets.iter().cloned());
    secrets.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    secrets.dedup();
    let name = args
        .file
        .file_name()
        .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
    let source = Source {
        id,
        title: format!("Traffic imported from {name}"),
        profile: profile.as_str().to_string(),
        secrets,
        header: vec![
            format!(
                "Imported by scimcheck {} from {name} ({}, written by {}).",
                env!("CARGO_PKG_VERSION"),
                count(imported.entries, "entry"),
                creator(&log.log.creator)
            ),
            format!(
                "{} sent to {base_url}; {} left out.",
                count(imported.recorded.len(), "SCIM request"),
                count(imported.left_out.len(), "entry"),
            ),
            format!(
                "Replay: scimcheck run --scenarios {} --base-url URL",
                args.out.display()
            ),
        ],
    };
    let converted = to_scenario(&imported.recorded, &source).map_err(|source| {
        usage(HarError::Convert {
            file: file.clone(),
            source,
        })
    })?;
    let out = args.out.display().to_string();
    // What is written must load as any scenario file does.
    let loaded = Loaded::parse(&out, &converted.yaml).map_err(|e| {
        Error::Internal(format!(
            "the scenario written from {file} does not load: {e}"
        ))
    })?;
    validate_all(std::slice::from_ref(&loaded)).map_err(|e| {
        Error::Internal(format!(
            "the scenario written from {file} does not load: {e}"
        ))
    })?;
    write_atomically(&args.out, &converted.yaml)?;
    say(format!(
        "wrote {out}: scenario {} with {} from {} to {base_url}",
        loaded.scenario.id,
        count(loaded.scenario.steps.len(), "step"),
        count(imported.recorded.len(), "SCIM request"),
    ));
    for note in &converted.notes {
        say(format!("note: {note}"));
    }
    say(format!(
        "replay: scimcheck run --scenarios {out} --base-url URL"
    ));
    Ok(EXIT_OK)
}

fn usage(e: HarError) -> Error {
    Error::Usage(e.to_string())
}

fn creator(c: &har::Creator) -> String {
    match (c.name.trim(), c.version.trim()) {
        ("", _) => "an unnamed tool".into(),
        (name, "") => name.into(),
        (name, version) => format!("{name} {version}"),
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// The file's name as an id part: `Okta Push.har` → `okta-push`.
fn id_of(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "har".into()
    } else {
        out.into()
    }
}

/// Writes `text` to `path` through a temporary file in the same folder, so that a failed
/// write never leaves half a scenario where a whole one was.
fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "--out {}: is a directory; name a file",
            path.display()
        )));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--out {}: the folder {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Usage(format!(
            "cannot write {}: {e}",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_makes_an_id_part() {
        assert_eq!(id_of(Path::new("/tmp/Okta Push.har")), "okta-push");
        assert_eq!(id_of(Path::new("capture_1.har")), "capture_1");
        assert_eq!(id_of(Path::new("###.har")), "har");
    }
}
