//! `scimcheck run`: target, consent, signals and deadline around one pipeline run, then the
//! reports and the exit code.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use crate::check::CheckStatus;
use crate::cli::{ColorChoice, DriftSeverity, EntraDialect, FailOn, RunArgs};
use crate::error::{
    stop_exit_code, Error, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_NOTHING_CHECKED, EXIT_OK,
};
use crate::exec::{Auth, Client, Secret, StopReason};
use crate::plan::{BurstPolicy, RunId};
use crate::report::{human::HumanReporter, json::JsonReporter, stream::StreamEvents, Reporter};
use crate::result::{Labels, RunResult, Target};
use crate::run::{self, RunOptions, Shared};
use crate::scenario::runscope::RunscopeOptions;
use crate::scenario::{Dialect, Loaded, Profile};
use crate::scim::{Method, Severity};
use crate::server::{RunningServer, ServerConfig};
use crate::snapshot::{self, SnapshotOptions};

use super::{parse_profiles, parse_reports, target};

pub async fn run(mut args: RunArgs, matches: &clap::ArgMatches) -> Result<i32, Error> {
    let config_file = super::config::apply(&mut args, matches)?;
    needs(&args, matches)?;
    let file_vars = config_file
        .as_ref()
        .map_or(&[][..], |c| c.variables.as_slice());
    let user = super::vars::user_vars(
        file_vars,
        &args.variables_file,
        &args.variables,
        &args.secrets,
    )?;
    let runscope = load_runscope(&args, &user)?;
    // With --runscope the exports run alone, unless --profile asks for scenarios too.
    let with_scenarios = runscope.is_empty() || args.profile.is_some();
    if !with_scenarios && !args.scenarios.is_empty() {
        return Err(Error::Usage(
            "--scenarios with --runscope: add --profile to run those scenarios with the export"
                .into(),
        ));
    }
    let reports = parse_reports(&args.reports)?;
    let (mut loaded, mut profiles) = if with_scenarios {
        yaml_scenarios(&args, &user)?
    } else {
        (vec![], vec![])
    };
    // An export is Okta's test and runs under Okta's profile, whatever --profile says.
    if let Some(first) = runscope.first() {
        if !profiles.contains(&first.scenario.profile) {
            profiles.push(first.scenario.profile);
            profiles.sort();
        }
    }
    loaded.extend(runscope);
    for (_, path) in &reports {
        check_writable(path)?;
    }
    if let Some(dir) = args
        .snapshots
        .as_ref()
        .filter(|d| d.exists() && !d.is_dir())
    {
        return Err(Error::Usage(format!(
            "--snapshots {}: is a file; name a directory (it is created if missing)",
            dir.display()
        )));
    }
    let auth = target::auth(&args.target)?;
    let run_id = RunId::random();
    let mut options = RunOptions {
        run_id,
        profiles,
        entra_dialect: args.entra_dialect.map(|d| match d {
            EntraDialect::V2017 => Dialect::V2017,
            EntraDialect::V2020 => Dialect::V2020,
        }),
        // Decided again below once the target is known: the embedded server is on loopback.
        burst: BurstPolicy::for_target(args.base_url.is_none(), args.burst, args.burst_seconds),
        concurrency: usize::from(args.concurrency),
        keep_resources: args.keep_resources,
        fail_fast: args.fail_fast,
        user: user.clone(),
        load: crate::plan::LoadSettings {
            parallel: usize::from(args.parallel),
            scale: args.scale as usize,
            okta_batch: usize::from(args.okta_batch),
            rate_seconds: args.burst_seconds.unwrap_or(4),
        },
        keep_set_exchanges: reports
            .iter()
            .any(|(kind, _)| matches!(kind, crate::report::ReportKind::Har)),
    };

    let (client_config, server) = match &args.base_url {
        Some(raw) => {
            let base_url = target::normalise_base_url(raw)?;
            options.burst = BurstPolicy::for_target(
                target::is_loopback(&base_url),
                args.burst,
                args.burst_seconds,
            );
            if !target::is_loopback(&base_url) {
                consent(&base_url, &loaded, &options, args.yes)?;
            }
            (target::client_config(base_url, &args.target, auth)?, None)
        }
        None => {
            // The embedded server gets a fresh token so the run exercises authentication.
            let secret = format!("scimcheck-{}", RunId::random());
            let server = RunningServer::start(
                ([127, 0, 0, 1], 0).into(),
                ServerConfig {
                    token: Some(secret.clone()),
                    log_requests: false,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| Error::Server(e.to_string()))?;
            let config = target::client_config(
                server.base_url().to_string(),
                &args.target,
                Auth::Bearer(Secret::new(secret)),
            )?;
            (config, Some(server))
        }
    };
    let mut config = client_config;
    config.masked = user.secret_values().into_iter().map(Secret::new).collect();
    let target = Target {
        base_url: config.base_url.clone(),
        embedded: server.is_some(),
        insecure: config.insecure,
    };
    if config.insecure {
        eprintln!(
            "warning: --insecure: TLS certificates of {} are not verified",
            config.base_url
        );
    }
    let mut shared = Shared::new(Client::new(config).map_err(Error::Usage)?);
    let human = HumanReporter {
        color: use_color(args.color),
        verbose: args.verbose >= 1,
        exchanges: args.verbose >= 2,
        quiet: args.quiet,
    };
    if !args.json {
        // Header first, then each scenario's block as soon as it ends.
        let mut skeleton = RunResult::before_run(
            options.run_id.to_string(),
            target.clone(),
            options.profiles.clone(),
        );
        skeleton.load = crate::run::pipeline::load_statement(&loaded, &options);
        let shown = config_file.as_ref().map(|c| c.shown.as_str());
        let _ = human.header_with_config(&skeleton, shown, &mut std::io::stdout().lock());
        shared.events = std::sync::Arc::new(StreamEvents::new(human, skeleton, !args.quiet));
    }
    let watchers = [
        tokio::spawn(watch_signals(
            shared.clone(),
            target.base_url.clone(),
            options.run_id.clone(),
        )),
        tokio::spawn(watch_deadline(shared.clone(), args.deadline)),
    ];
    let outcome = run::run(&shared, loaded, &options, target).await;
    for w in watchers {
        w.abort();
    }
    if let Some(server) = server {
        server.shutdown().await;
    }
    let mut run = outcome?;
    run.labels = Labels {
        title: args.labels.title.clone(),
        product: args.labels.product.clone(),
        vendor: args.labels.vendor.clone(),
    };
    if let Some(dir) = &args.snapshots {
        let drift = match args.snapshot_drift {
            DriftSeverity::Error => Severity::Error,
            DriftSeverity::Warning => Severity::Warning,
        };
        snapshot::apply(
            &mut run,
            &SnapshotOptions {
                dir: dir.clone(),
                update: args.update_snapshots,
                drift,
            },
        )?;
    }
    let mut stdout = std::io::stdout().lock();
    let rendered = if args.json {
        JsonReporter.render(&run, &mut stdout)
    } else {
        human.trailer(&run, true, &mut stdout)
    };
    if !anything_checked(&run) {
        eprintln!("error: no check ran (every step was skipped or refused): nothing was verified; exit {EXIT_NOTHING_CHECKED}");
    }
    // A closed stdout (e.g. `| head`) is not a harness failure.
    let _ = rendered.and_then(|()| stdout.flush());
    drop(stdout);
    for (kind, path) in &reports {
        write_report(kind.reporter().as_ref(), &run, path)?;
    }
    // A run cut short is not a verdict, whatever the checks that ran said.
    Ok(match &run.interrupted {
        Some(reason) => stop_exit_code(reason),
        None => exit_code(&run, args.fail_on),
    })
}

/// Options that only mean something with another one, which the command line or the config
/// file may give.
fn needs(args: &RunArgs, matches: &clap::ArgMatches) -> Result<(), Error> {
    if args.update_snapshots && args.snapshots.is_none() {
        return Err(Error::Usage(
            "--update-snapshots needs --snapshots DIR (or `snapshots` in scimcheck.toml)".into(),
        ));
    }
    // Given on the command line it is meant for this run; a config file may keep it for the
    // runs that do snapshot.
    let drift_given =
        matches.value_source("snapshot_drift") == Some(clap::parser::ValueSource::CommandLine);
    if drift_given && args.snapshots.is_none() {
        return Err(Error::Usage(
            "--snapshot-drift needs --snapshots DIR (or `snapshots` in scimcheck.toml)".into(),
        ));
    }
    if args.runscope_pauses && args.runscope.is_empty() {
        return Err(Error::Usage(
            "--runscope-pauses needs --runscope FILE (or `runscope` in scimcheck.toml)".into(),
        ));
    }
    Ok(())
}

/// The built-in and `--scenarios` scenarios of the chosen profiles, and those profiles.
fn yaml_scenarios(
    args: &RunArgs,
    user: &crate::plan::UserVars,
) -> Result<(Vec<Loaded>, Vec<Profile>), Error> {
    let mut loaded = crate::plan::load(&args.scenarios, Some(user))?;
    // Files given without --profile run on their own, under whatever profiles they name.
    let alone = args.profile.is_none() && loaded.iter().any(|l| l.given);
    let named = if alone {
        loaded.retain(|l| l.given);
        let mut names: Vec<&str> = loaded.iter().map(|l| l.scenario.profile.as_str()).collect();
        names.sort();
        names.dedup();
        names.join(",")
    } else {
        args.profile.clone().unwrap_or_else(|| "okta".into())
    };
    let profiles = parse_profiles(&named, &loaded)?;
    if let Some(unrun) = loaded
        .iter()
        .find(|l| l.given && !profiles.contains(&l.scenario.profile))
    {
        let p = unrun.scenario.profile;
        return Err(Error::Usage(format!(
            "{}: scenario `{}` would not run: it is of profile {p}, and --profile selects {named} (add {p} to --profile, or leave --profile out to run only the given files)",
            unrun.file, unrun.scenario.id
        )));
    }
    let empty: Vec<Profile> = profiles
        .iter()
        .copied()
        .filter(|p| !loaded.iter().any(|l| l.scenario.profile == *p))
        .collect();
    if empty.len() == profiles.len() {
        return Err(Error::Usage(super::no_scenarios_message(&empty, &loaded)));
    }
    if !empty.is_empty() {
        eprintln!(
            "note: no scenario belongs to profile {}; running the others",
            empty
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // Reports name the profiles that were tested, not the ones that were asked for.
    let loaded = super::select::select(loaded, &profiles, &args.scenario, &args.skip)?;
    let profiles: Vec<_> = profiles
        .into_iter()
        .filter(|p| loaded.iter().any(|l| l.scenario.profile == *p))
        .collect();
    Ok((loaded, profiles))
}

/// The `--runscope` exports, converted, with the user's variables and the seed and pause
/// options.
fn load_runscope(args: &RunArgs, user: &crate::plan::UserVars) -> Result<Vec<Loaded>, Error> {
    if args.runscope.is_empty() {
        return Ok(vec![]);
    }
    let options = RunscopeOptions {
        seed: !args.no_runscope_seed,
        pauses: args.runscope_pauses,
        variables: user
            .vars()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    };
    let files: Vec<&std::path::Path> = args.runscope.iter().map(PathBuf::as_path).collect();
    Ok(crate::plan::load_runscope(&files, &options, user)?)
}

/// Before touching a non-loopback target, say what the run will do there and get a yes.
fn consent(
    base_url: &str,
    loaded: &[Loaded],
    options: &RunOptions,
    yes: bool,
) -> Result<(), Error> {
    let selection = options.selection();
    // A fan-out step creates one resource per request it sends.
    let posts = |endpoint: &str| -> usize {
        loaded
            .iter()
            .filter(|l| selection.selects(&l.scenario))
            .flat_map(|l| {
                let counts = crate::plan::fanout::step_requests(&l.scenario, &options.load);
                l.scenario.steps.iter().zip(counts)
            })
            .filter(|(s, _)| {
                s.request.method == Method::Post && s.request.path.eq_ignore_ascii_case(endpoint)
            })
            .map(|(s, n)| if s.fan_out.is_some() { n } else { 1 })
            .sum()
    };
    let notice = format!(
        "scimcheck will run against {base_url}, which is not a loopback address.\n\
         It will create up to {} users and {} groups, every name starting with {}, change only those,\n\
         and delete them when the run ends (unless --keep-resources).",
        posts("/Users"),
        posts("/Groups"),
        options.run_id.prefix()
    );
    eprintln!("{notice}");
    if let Some(load) = crate::run::pipeline::load_statement(loaded, options) {
        eprintln!(
            "Its concurrency and scale scenarios will send about {} requests, up to {} at once (--parallel).",
            load.requests, load.parallel
        );
    }
    let bursts = loaded
        .iter()
        .filter(|l| selection.selects(&l.scenario))
        .any(|l| l.scenario.steps.iter().any(|s| s.burst.is_some()));
    if bursts && options.burst.allowed {
        eprintln!("With --burst it will also send bursts of reads (Entra ID: 25 requests/s for 10 s, unless --burst-seconds).");
    }
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Usage("confirmation needed: pass --yes to run against a non-loopback target without a terminal".into()));
    }
    eprint!("Continue? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(Error::Usage("not confirmed; nothing was sent".into()))
    }
}

/// First SIGINT/SIGTERM: stop starting steps, clean up, report. Second: exit at once and
/// say what is left on the server.
async fn watch_signals(shared: Shared, base_url: String, run_id: RunId) {
    let mut first = true;
    let mut signals = Signals::new();
    loop {
        let name = signals.next().await;
        if first {
            first = false;
            eprintln!("\n{name}: finishing requests in flight, then cleaning up; press Ctrl-C again to exit at once");
            shared.cancel.cancel(StopReason::Interrupted(name.into()));
            continue;
        }
        let left = shared.ledger.remaining();
        let in_flight = shared.ledger.in_flight();
        eprintln!(
            "\n{name} again: exiting without cleanup; run {run_id} left {} on the server:",
            crate::report::grammar::count(left.len(), "resource")
        );
        for e in &left {
            eprintln!("  {}/{} ({})", e.kind.endpoint(), e.id, e.name);
        }
        if in_flight > 0 {
            eprintln!(
                "  and {} whose answers had not arrived: they may exist too",
                crate::report::grammar::count(in_flight, "creation")
            );
        }
        if !left.is_empty() || in_flight > 0 {
            eprintln!(
                "remove them with: scimcheck cleanup --base-url {base_url} --run-id {run_id}"
            );
        }
        std::process::exit(EXIT_INTERRUPTED);
    }
}

/// SIGINT and SIGTERM, listened for from creation on: a second signal sent as soon as the
/// first is answered is never lost between two waits.
pub(super) struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Listening from now on (inside the runtime).
    #[cfg(unix)]
    pub(super) fn new() -> Signals {
        use tokio::signal::unix::{signal, SignalKind};
        let streams = match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(int), Ok(term)) => Some((int, term)),
            _ => None,
        };
        Signals { streams }
    }

    /// Listening from now on.
    #[cfg(not(unix))]
    pub(super) fn new() -> Signals {
        Signals {}
    }

    /// The next signal's name.
    #[cfg(unix)]
    pub(super) async fn next(&mut self) -> &'static str {
        let Some((int, term)) = self.streams.as_mut() else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        }
    }

    /// The next Ctrl-C.
    #[cfg(not(unix))]
    pub(super) async fn next(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

async fn watch_deadline(shared: Shared, secs: u64) {
    tokio::time::sleep(Duration::from_secs(secs)).await;
    eprintln!("the run deadline of {secs} s passed: no new step starts; cleaning up");
    shared.cancel.cancel(StopReason::Deadline(secs));
}

/// A report's folder is made before the run, as `--snapshots` makes its own; one that
/// cannot be made fails before the run, not after it.
fn check_writable(path: &std::path::Path) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if path.is_dir() {
        return Err(Error::Usage(format!(
            "--report {}: is a directory; name a file",
            path.display()
        )));
    }
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Usage(format!(
                "--report {}: cannot create the directory {}: {e}",
                path.display(),
                dir.display()
            ))
        })?;
    }
    Ok(())
}

fn write_report(reporter: &dyn Reporter, run: &RunResult, path: &PathBuf) -> Result<(), Error> {
    let io_err = |source| Error::Report {
        path: path.clone(),
        source,
    };
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io_err)?);
    reporter.render(run, &mut file).map_err(io_err)?;
    file.flush().map_err(io_err)
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// The exit code of a finished run: 4 when no check ran, 1 when a check at or above `fail_on`
/// failed, else 0.
pub fn exit_code(run: &RunResult, fail_on: FailOn) -> i32 {
    if !anything_checked(run) {
        return EXIT_NOTHING_CHECKED;
    }
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    // A warning counts whatever its severity's name: `!` in the report, `warnings` in the
    // summary, and a failure under --fail-on warning.
    let failing = run.checks().any(|(_, _, c)| match c.status {
        CheckStatus::Failed => true,
        CheckStatus::Warning => threshold == Severity::Warning,
        CheckStatus::Passed | CheckStatus::Skipped => false,
    });
    if failing {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Whether at least one check reached a verdict on an exchange that was really sent.
fn anything_checked(run: &RunResult) -> bool {
    run.scenarios.iter().flat_map(|s| &s.steps).any(|step| {
        let sent = step.exchange.as_ref().is_some_and(|x| {
            x.error
                .as_ref()
                .is_none_or(|e| e.kind != crate::exec::TransportErrorKind::Refused)
        });
        sent && step.checks.iter().any(|c| c.status != CheckStatus::Skipped)
    })
}
