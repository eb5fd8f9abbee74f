//! Turns parsed arguments into work, and work into an exit code. The one place that maps
//! errors to exit codes (README, "Exit codes").

mod cleanup;
mod run;
mod select;
mod target;

use std::io::Write;

use crate::cli::{Cli, Command, ListArgs, ServeArgs};
use crate::error::{Error, EXIT_OK, EXIT_USAGE};
use crate::report::ReportKind;
use crate::scenario::{Loaded, Profile};
use crate::server::ServeOptions;

pub use run::exit_code;
pub use target::is_loopback;

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = match <Cli as clap::Parser>::try_parse() {
        Ok(cli) => cli,
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
            Command::Run(args) => run::run(args).await,
            Command::Serve(args) => serve(args).await,
            Command::List(args) => list(args).map(|()| EXIT_OK),
            Command::Cleanup(args) => cleanup::cleanup(args).await,
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

/// The profiles of a `--profile` list: built-in ones, profiles the scenario files in `loaded`
/// name (a user's own, e.g. `acme`), or `all` for every one of them.
pub fn parse_profiles(list: &str, loaded: &[Loaded]) -> Result<Vec<Profile>, Error> {
    let mut custom: Vec<Profile> = loaded
        .iter()
        .map(|l| l.scenario.profile)
        .filter(|p| matches!(p, Profile::Custom(_)))
        .collect();
    custom.sort();
    custom.dedup();
    let known = || {
        let mut names = vec!["okta", "entra", "rfc", "all"];
        names.extend(custom.iter().map(|p| p.as_str()));
        names.join(", ")
    };
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match name {
            "all" => out.extend(Profile::ALL.iter().chain(&custom)),
            other => match Profile::named(other) {
                Ok(p @ (Profile::Okta | Profile::Entra | Profile::Rfc)) => out.push(p),
                Ok(p) if custom.contains(&p) => out.push(p),
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
    };
    match crate::server::serve(opts).await {
        Ok(()) => Ok(EXIT_OK),
        // A port in use or an address not ours is the user's to change: a usage error.
        Err(e) => Err(Error::Usage(e.to_string())),
    }
}

/// The profiles in which a rule weighs its finding differently, for `scimcheck list`.
fn profile_lines(rule: &crate::check::rules::Rule) -> Vec<String> {
    rule.profiles
        .iter()
        .map(|p| format!("    {} under {}: {}", p.severity.as_str(), p.profile, p.why))
        .collect()
}

fn list(args: ListArgs) -> Result<(), Error> {
    let loaded = crate::plan::load(&args.scenarios)?;
    let profiles = parse_profiles(&args.profile, &loaded)?;
    let mut lines = Vec::new();
    for l in loaded
        .iter()
        .filter(|l| profiles.contains(&l.scenario.profile))
    {
        let s = &l.scenario;
        lines.push(format!(
            "{}  [{}]  {}\n    {}  ({})",
            s.id, s.profile, s.title, s.reference, l.file
        ));
        if crate::plan::generated::is_placeholder(l) {
            // Its steps are known once the run has read what the server publishes.
            lines.push(format!(
                "    - steps generated from /Schemas at run time: for each writable attribute a create, a read-back, PATCH replace/remove/add each read back\n        checks: {0}.<attribute>.created|replaced|removed|added, {0}.<attribute>.never-returned, {0}.<attribute>.read-only, <attribute>.duplicate/.required statuses, {0}.unknown-attribute.not-stored (warning)",
                s.id
            ));
            continue;
        }
        for step in &s.steps {
            lines.push(format!("    - {}: {}", step.id, step.title));
            if let Some(reference) = &step.reference {
                lines.push(format!("        rule: {reference}"));
            }
            let mut checks = vec![crate::scim::status_check_id(&s.id, &step.id).to_string()];
            checks.extend(step.expect.asserts.iter().map(|a| match a.severity {
                Some(sev) if sev != crate::scim::Severity::Error => {
                    format!("{} ({})", a.id, sev.as_str())
                }
                _ => a.id.clone(),
            }));
            checks.extend(step.expect.checks.iter().map(|c| c.id().to_string()));
            lines.push(format!("        checks: {}", checks.join(", ")));
        }
    }
    use crate::check::rules::{Applies, RULES};
    lines.push("\nChecks on every response they apply to:".into());
    // Rules that run without being asked, then those that are one outcome of a named check.
    let unasked = |r: &crate::check::rules::Rule| match r.applies {
        Applies::Always { when } => Some((0, format!("when: {when}"))),
        Applies::Part { of } => Some((1, format!("part of: {of}"))),
        Applies::Named { .. } => None,
    };
    for pass in 0..2 {
        for r in RULES {
            if let Some((_, condition)) = unasked(r).filter(|(p, _)| *p == pass) {
                lines.push(format!(
                    "{}  ({})\n    {}\n    {condition}",
                    r.id, r.reference, r.summary
                ));
                lines.extend(profile_lines(r));
            }
        }
    }
    lines.push("\nNamed checks (a step asks for them by id):".into());
    for r in RULES {
        if let Applies::Named { produces } = r.applies {
            lines.push(format!(
                "{}  ({})\n    {}\n    reports: {}",
                r.id,
                r.reference,
                r.summary,
                produces.join(", ")
            ));
            lines.extend(profile_lines(r));
        }
    }
    let _ = writeln!(std::io::stdout().lock(), "{}", lines.join("\n"));
    Ok(())
}
