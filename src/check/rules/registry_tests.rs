//! Every verdict id a run can report has a row in the registry, so `scimcheck list` shows it:
//! the id literals of the stages that decide verdicts are read from their source files and
//! held to [`RULES`].

use std::path::{Path, PathBuf};

use super::{Applies, RULES};

/// The namespaces of rule ids; a scenario's own ids (`okta.users.create…`) are listed with
/// their scenario instead.
const NAMESPACES: &[&str] = &[
    "rfc7643.",
    "rfc7644.",
    "scimcheck.",
    "transport.",
    "schema.",
    "snapshot.",
    "entra.schema",
];

/// The stages whose code reports verdicts.
const STAGES: &[&str] = &["src/run", "src/exec", "src/check", "src/snapshot"];

/// Whether `pattern` (a row id or an outcome id, `*` at the end standing for the rest) stands
/// for `id`.
fn stands_for(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.len() > prefix.len() && id.starts_with(prefix),
        None if pattern == "<scenario>.<step>.status" => id.ends_with(".status"),
        None => pattern == id,
    }
}

/// Whether a row of the registry, or an outcome a named row reports, is `id`.
fn registered(id: &str) -> bool {
    RULES.iter().any(|r| {
        stands_for(r.id, id)
            || matches!(r.applies, Applies::Named { produces } if produces.iter().any(|p| stands_for(p, id)))
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The id literals in the code (not the tests) of `text`, with their line numbers.
fn id_literals(text: &str) -> Vec<(usize, &str)> {
    // Unit tests come last in a file and use made-up ids.
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for (i, _) in line.match_indices('"') {
            let rest = &line[i + 1..];
            if !NAMESPACES.iter().any(|ns| rest.starts_with(ns)) {
                continue;
            }
            let Some(end) = rest.find('"') else { continue };
            let literal = &rest[..end];
            let id_like = literal
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-*".contains(&b));
            let a_file = [".json", ".yaml", ".toml"]
                .iter()
                .any(|x| literal.ends_with(x));
            if id_like && !a_file {
                out.push((n + 1, literal));
            }
        }
    }
    out
}

#[test]
fn every_id_literal_the_run_and_the_checks_report_has_a_row() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for stage in STAGES {
        rust_files(&root.join(stage), &mut files);
    }
    files.retain(|f| !f.to_string_lossy().ends_with("tests.rs"));
    let mut seen = Vec::new();
    let mut missing = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (line, id) in id_literals(&text) {
            seen.push(id.to_string());
            if !registered(id) {
                let shown = file.strip_prefix(root).unwrap_or(file).display();
                missing.push(format!("{shown}:{line}: {id}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ids a run can report with no row in RULES (so `scimcheck list` does not show them):\n{}",
        missing.join("\n")
    );
    // The scan reads what it should: the ids the ledger decides are found.
    for id in [super::NEW_RESOURCE, super::SAME_RESOURCE] {
        assert!(
            seen.iter().any(|s| s == id),
            "{id} not found in the sources"
        );
    }
}

#[test]
fn the_scan_finds_an_unregistered_id_and_skips_tests_and_formats() {
    let text = "let a = fail(\"rfc7644.nowhere\", x);\nlet b = format!(\"rfc7644.echo.{name}\");\nconst F: &str = \"schema.json\";\n#[cfg(test)]\nmod tests { fn f() { g(\"rfc7644.made-up\") } }\n";
    let found = id_literals(text);
    assert_eq!(found, [(1, "rfc7644.nowhere")]);
    assert!(!registered("rfc7644.nowhere"));
}

#[test]
fn patterns_and_named_outcomes_count_as_rows() {
    assert!(registered("transport.timeout"));
    assert!(registered("schema.User.emails"));
    assert!(registered("rfc7644.echo.emails.type"));
    assert!(registered("rfc7644.list.items-per-page"));
    assert!(registered("okta.users.create.create.status"));
    assert!(registered("scimcheck.off-origin"));
    assert!(registered("scimcheck.internal-error"));
    assert!(registered("rfc7644.resource.same-resource"));
    assert!(!registered("transport."));
    assert!(!registered("rfc7644.no-such-rule"));
}
