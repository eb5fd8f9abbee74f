//! `scimcheck completions` and `scimcheck man`: the shell completion scripts and the man
//! page, both generated from the same clap definition as `--help`, so they cannot fall
//! behind the options that exist.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, Shell};
use crate::error::Error;
use crate::scenario::PROFILES;

/// Writes the completion script for `shell` on stdout. `--profile` completes to the profile
/// names and `--scenario`/`--skip` to the built-in scenario ids (the parser itself still takes
/// lists, globs and a user's own names).
pub(super) fn completions(shell: Shell) -> Result<(), Error> {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    // Each profile completes with its description (zsh, fish and PowerShell show it).
    // `all` follows the profiles it stands for, as in the parser's messages.
    let profiles: Vec<clap::builder::PossibleValue> =
        crate::scenario::profiles::names_for_messages()
            .into_iter()
            .map(|name| {
                let help = PROFILES
                    .iter()
                    .find(|p| p.name == name)
                    .map_or_else(all_help, |p| p.described());
                clap::builder::PossibleValue::new(name).help(help)
            })
            .collect();
    let mut ids: Vec<String> = crate::plan::load(&[], None)
        .map(|all| all.iter().map(|l| l.scenario.id.to_string()).collect())
        .unwrap_or_default();
    ids.sort();
    // clap keeps possible values as `&'static str`; this command prints once and exits.
    let values = |v: &[String]| {
        let names: Vec<&'static str> = v
            .iter()
            .map(|s| &*Box::leak(s.clone().into_boxed_str()))
            .collect();
        clap::builder::PossibleValuesParser::new(names)
    };
    let mut cmd = Cli::command();
    for sub in ["run", "list"] {
        cmd = cmd.mut_subcommand(sub, |c| {
            let c = c.mut_arg("profile", |a| {
                a.value_parser(clap::builder::PossibleValuesParser::new(profiles.clone()))
            });
            if sub == "run" {
                c.mut_arg("scenario", |a| a.value_parser(values(&ids)))
                    .mut_arg("skip", |a| a.value_parser(values(&ids)))
            } else {
                c
            }
        });
    }
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut out);
    print(&out)
}

/// What `all` stands for: the built-in profiles it includes.
fn all_help() -> String {
    let names: Vec<&str> = PROFILES
        .iter()
        .filter(|p| p.in_all)
        .map(|p| p.name)
        .collect();
    format!(
        "{}, and the profiles your scenario files name",
        names.join(", ")
    )
}

/// Writes the man page (roff) on stdout: the command, then a section per subcommand with
/// its synopsis, description and options as subsections.
pub(super) fn man() -> Result<(), Error> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Built once, so each subcommand's synopsis reads `scimcheck run …`.
    cmd.build();
    let render = |e: std::io::Error| Error::Internal(format!("cannot render the man page: {e}"));
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(render)?;
    for sub in cmd.get_subcommands() {
        section(sub, &mut out).map_err(render)?;
        // `import har`: a nested command has options of its own.
        for nested in sub.get_subcommands() {
            section(nested, &mut out).map_err(render)?;
        }
    }
    // The subcommands are sections of this page, not pages of their own (`scimcheck-run(1)`).
    let mut page = String::from_utf8_lossy(&out).into_owned();
    for sub in cmd.get_subcommands() {
        let name = sub.get_name().replace('-', "\\-");
        page = page.replace(
            &format!("scimcheck\\-{name}(1)"),
            &format!("\\fBscimcheck {name}\\fR"),
        );
    }
    print(page.as_bytes())
}

/// One subcommand's section: its synopsis, description and options as subsections.
fn section(sub: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let title = sub.get_bin_name().unwrap_or(sub.get_name()).to_uppercase();
    let man = clap_mangen::Man::new(sub.clone());
    let mut part = Vec::new();
    man.render_synopsis_section(&mut part)?;
    man.render_description_section(&mut part)?;
    man.render_options_section(&mut part)?;
    let part = String::from_utf8_lossy(&part);
    out.extend_from_slice(format!(".SH \"{title}\"\n").as_bytes());
    // Each render repeats the page's preamble (the `.ie`/`.el` pair): written once, above.
    for line in part
        .lines()
        .filter(|l| !l.starts_with(".ie ") && !l.starts_with(".el "))
    {
        // The subcommand's sections become subsections of its own.
        let line = match line.strip_prefix(".SH ") {
            Some(rest) => format!(".SS {rest}"),
            None => line.to_string(),
        };
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    Ok(())
}

fn print(bytes: &[u8]) -> Result<(), Error> {
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = std::io::stdout().lock().write_all(bytes);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_help_names_every_built_in_profile_and_the_opt_in_ones_as_such() {
        let mut cmd = Cli::command();
        for sub in ["run", "list"] {
            let sub = cmd.find_subcommand_mut(sub).unwrap();
            let arg = sub
                .get_arguments()
                .find(|a| a.get_id() == "profile")
                .unwrap();
            let help = arg.get_help().unwrap().to_string();
            for p in PROFILES {
                assert!(help.contains(p.name), "{}: {help}", p.name);
            }
            assert!(help.contains("opt-in"), "{help}");
            let opt_in: Vec<&str> = PROFILES
                .iter()
                .filter(|p| !p.in_all)
                .map(|p| p.name)
                .collect();
            assert!(help.contains(&opt_in.join(" and ")), "{help}");
        }
    }

    #[test]
    fn all_stands_for_the_profiles_it_runs() {
        assert!(all_help().starts_with("okta, entra, rfc,"));
    }
}
