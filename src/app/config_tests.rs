//! The configuration example README shows is a file this loader takes as it stands, with
//! every key it names set, so the example cannot go stale unseen.

use clap::{CommandFactory, FromArgMatches};

use super::apply;
use crate::cli::{Cli, Command};

/// The fenced `toml` block of README.md.
fn readme_config() -> String {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```toml\n")
        .expect("README shows a config file")
        + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

#[test]
fn the_readme_config_example_loads_and_sets_what_it_says() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scimcheck.toml");
    std::fs::write(&file, readme_config()).unwrap();
    std::fs::write(dir.path().join("tenant.env"), "tenant=from-file\n").unwrap();
    let argv = ["scimcheck", "run", "--config", file.to_str().unwrap()];
    let matches = Cli::command().try_get_matches_from(argv).unwrap();
    let Command::Run(mut args) = Cli::from_arg_matches(&matches).unwrap().command else {
        panic!("run");
    };
    let run = matches.subcommand_matches("run").unwrap();
    let applied = apply(&mut args, run)
        .unwrap_or_else(|e| panic!("README's example does not load: {e}"))
        .expect("the file is read");
    assert_eq!(
        args.base_url.as_deref(),
        Some("https://staging.example.com/scim/v2")
    );
    assert_eq!(args.profile.as_deref(), Some("okta,rfc"));
    assert_eq!(args.concurrency, 4);
    assert!(args.reports.iter().any(|r| r.contains("junit=")));
    // [variables] wins over the variables file it names.
    assert!(
        applied
            .variables
            .iter()
            .any(|(k, v)| k == "tenant" && v == "acme"),
        "{:?}",
        applied.variables
    );
}
