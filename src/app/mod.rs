//! Turns parsed arguments into work, and work into an exit code. The one place that maps
//! errors to exit codes (README, "Exit codes").

mod cleanup;
mod config;
mod import;
mod list;
mod record;
mod run;
mod select;
mod shell;
mod target;
mod vars;

use crate::cli::{Cli, Command, ServeArgs};
use crate::error::{Error, EXIT_OK, EXIT_USAGE};
use crate::report::ReportKind;
use crate::scenario::{Loaded, Profile, PROFILES};
use crate::server::ServeOptions;

pub use run::exit_code;
pub use target::is_loopback;

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    // The matches say which options the command line gave: those win over scimcheck.toml.
    let parsed = <Cli as clap::CommandFactory>::command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return crate::error::EXIT_INTERNAL;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => match matches.subcommand_matches("run") {
                Some(m) => run::run(args, m).await,
                None => Err(Error::Internal("`run` without its arguments".into())),
            },
            Command::Serve(args) => serve(args).await,
            Command::List(args) => list::list(args).map(|()| EXIT_OK),
            Command::Cleanup(args) => cleanup::cleanup(args).await,
            Command::Record(args) => record::record(args).await,
            Command::Import(args) => import::import(args),
            Command::Completions(args) => shell::completions(args.shell).map(|()| EXIT_OK),
            Command::Man => shell::man().map(|()| EXIT_OK),
        }
    });
    // In-flight server tasks (the embedded server) must not delay the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// The profiles of a `--profile` list: built-in ones (each row of [`PROFILES`]), profiles the
/// scenario files in `loaded` name (a user's own, e.g. `acme`), or `all` for the built-in
/// profiles it includes and the user's own.
pub fn parse_profiles(list: &str, loaded: &[Loaded]) -> Result<Vec<Profile>, Error> {
    let mut custom: Vec<Profile> = loaded
        .iter()
        .map(|l| l.scenario.profile)
        .filter(|p| matches!(p, Profile::Custom(_)))
        .collect();
    custom.sort();
    custom.dedup();
    let known = || {
        let mut names = crate::scenario::profiles::names_for_messages();
        names.extend(custom.iter().map(|p| p.as_str()));
        names.join(", ")
    };
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match name {
            "all" => {
                out.extend(crate::scenario::profiles::in_all());
                out.extend(&custom);
            }
            other => match Profile::named(other) {
                Ok(p) if PROFILES.iter().any(|row| row.profile == p) || custom.contains(&p) => {
                    out.push(p)
                }
                _ => {
                    return Err(Error::Usage(format!(
                        "unknown profile `{other}` in --profile (known: {})",
                        known()
                    )))
                }
            },
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(Error::Usage(format!(
            "--profile names no profile (known: {})",
            known()
        )));
    }
    Ok(out)
}

/// Why `--profile` selected nothing to run: none of `empty` has a scenario in `loaded`. A
/// built-in profile may have none yet (its row exists before its files), which is said as
/// such rather than as an unknown name.
pub fn no_scenarios_message(empty: &[Profile], loaded: &[Loaded]) -> String {
    let names: Vec<&str> = empty.iter().map(|p| p.as_str()).collect();
    let covered: Vec<&str> = PROFILES
        .iter()
        .filter(|row| {
            loaded
                .iter()
                .any(|l| !l.given && l.scenario.profile == row.profile)
        })
        .map(|row| row.name)
        .collect();
    format!(
        "nothing to run: profile {} has no scenario yet (the built-in scenarios cover {}); add your own with --scenarios DIR",
        names.join(", "),
        covered.join(", ")
    )
}

fn parse_reports(specs: &[String]) -> Result<Vec<(ReportKind, std::path::PathBuf)>, Error> {
    specs
        .iter()
        .map(|spec| {
            let (kind, path) = spec
                .split_once('=')
                .filter(|(_, p)| !p.is_empty())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--report `{spec}`: expected KIND=PATH, e.g. json=report.json"
                    ))
                })?;
            let kind = ReportKind::parse(kind).ok_or_else(|| {
                Error::Usage(format!(
                    "--report `{spec}`: unknown kind `{kind}` (known: {})",
                    ReportKind::NAMES
                ))
            })?;
            Ok((kind, std::path::PathBuf::from(path)))
        })
        .collect()
}

async fn serve(args: ServeArgs) -> Result<i32, Error> {
    let opts = ServeOptions {
        bind: args.bind,
        port: args.port,
        token: args.token,
        allow_non_loopback: args.allow_non_loopback,
        behaviour: if args.alternative {
            crate::server::Behaviour::alternative()
        } else {
            crate::server::Behaviour::reference()
        },
    };
    match crate::server::serve(opts).await {
        Ok(()) => Ok(EXIT_OK),
        // A port in use or an address not ours is the user's to change: a usage error.
        Err(e) => Err(Error::Usage(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_the_profiles_of_the_table_that_it_includes() {
        let all = parse_profiles("all", &[]).unwrap();
        assert_eq!(all, [Profile::Okta, Profile::Entra, Profile::Rfc]);
    }

    #[test]
    fn an_opt_in_profile_runs_when_named() {
        let chosen = parse_profiles("all,scale,concurrency", &[]).unwrap();
        assert_eq!(
            chosen,
            [
                Profile::Okta,
                Profile::Entra,
                Profile::Rfc,
                Profile::Concurrency,
                Profile::Scale
            ]
        );
    }

    #[test]
    fn an_unknown_name_lists_every_built_in_profile() {
        let err = parse_profiles("octa", &[]).unwrap_err().to_string();
        assert!(
            err.contains("(known: okta, entra, rfc, all, concurrency, scale)"),
            "{err}"
        );
    }

    #[test]
    fn a_profile_without_scenarios_is_said_to_have_none_yet() {
        let mut loaded = crate::scenario::builtin().unwrap();
        loaded.retain(|l| l.scenario.profile != Profile::Concurrency);
        let message = no_scenarios_message(&[Profile::Concurrency], &loaded);
        assert_eq!(
            message,
            "nothing to run: profile concurrency has no scenario yet (the built-in scenarios cover okta, entra, rfc, scale); add your own with --scenarios DIR"
        );
    }
}
