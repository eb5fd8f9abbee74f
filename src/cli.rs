//! Command-line arguments. Names are part of the CLI contract (DESIGN.md): CI scripts
//! depend on them. clap types stay in this file and in `app/`, which turns them into the
//! stages' own options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "scimcheck",
    version,
    about = "SCIM 2.0 conformance harness: replays Okta and Entra ID provisioning traffic against a SCIM server",
    after_help = "Exit codes: 0 no failing check at or above --fail-on; 1 at least one; 2 usage, configuration or scenario-file error; 3 the target could not be reached, is not a SCIM root or rejected the credentials; 4 no check ran (every one skipped or refused); 70 an internal harness error (a bug in scimcheck, never a finding); 124 the --deadline passed before every step ran; 130 interrupted (after cleanup)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// One value, parsed once per process: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the scenarios of the chosen profiles against a SCIM server.
    Run(RunArgs),
    /// Serve the embedded reference SCIM server.
    Serve(ServeArgs),
    /// List the scenarios and named checks, with their references.
    List(ListArgs),
    /// Delete what an earlier run left behind (found by its run prefix), and nothing else.
    Cleanup(CleanupArgs),
    /// Record what an IdP sends: a reverse proxy to a SCIM server that writes the traffic as
    /// a scenario file to replay against any server.
    Record(RecordArgs),
    /// Turn traffic captured elsewhere into a scenario file.
    Import(ImportArgs),
    /// Print a shell completion script on stdout (bash, zsh, fish or powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, e.g. `scimcheck man > scimcheck.1`.
    Man,
}

/// How to reach and authenticate to the target; shared by `run` and `cleanup`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Bearer token sent as `Authorization: Bearer <token>`; without any credential option,
    /// the environment variable SCIM_TOKEN is used. Never printed.
    #[arg(help_heading = "Credentials", long, value_name = "TOKEN", conflicts_with_all = ["token_file", "basic_user", "oauth_token_url"])]
    pub token: Option<String>,

    /// Read the bearer token from a file (first line).
    #[arg(help_heading = "Credentials", long, value_name = "FILE", conflicts_with_all = ["basic_user", "oauth_token_url"])]
    pub token_file: Option<PathBuf>,

    /// HTTP Basic user; the password comes from SCIM_BASIC_PASSWORD or --basic-password-file.
    #[arg(
        help_heading = "Credentials",
        long,
        value_name = "USER",
        conflicts_with = "oauth_token_url"
    )]
    pub basic_user: Option<String>,

    /// Read the HTTP Basic password from a file (first line).
    #[arg(
        help_heading = "Credentials",
        long,
        value_name = "FILE",
        requires = "basic_user"
    )]
    pub basic_password_file: Option<PathBuf>,

    /// OAuth 2.0 token endpoint for the client-credentials grant.
    #[arg(
        help_heading = "Credentials",
        long,
        value_name = "URL",
        requires = "client_id"
    )]
    pub oauth_token_url: Option<String>,

    /// OAuth client id; the secret comes from SCIM_CLIENT_SECRET or --client-secret-file.
    #[arg(
        help_heading = "Credentials",
        long,
        value_name = "ID",
        requires = "oauth_token_url"
    )]
    pub client_id: Option<String>,

    /// Read the OAuth client secret from a file (first line).
    #[arg(
        help_heading = "Credentials",
        long,
        value_name = "FILE",
        requires = "oauth_token_url"
    )]
    pub client_secret_file: Option<PathBuf>,

    /// OAuth scope to request.
    #[arg(
        help_heading = "Credentials",
        long,
        value_name = "SCOPE",
        requires = "oauth_token_url"
    )]
    pub scope: Option<String>,

    /// Extra request header, `Name: value` (repeatable). Values are treated as secrets.
    #[arg(
        help_heading = "Credentials",
        long = "header",
        value_name = "NAME: VALUE"
    )]
    pub headers: Vec<String>,

    /// Trust the CA certificates in this PEM file as well as the system's.
    #[arg(help_heading = "Target", long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Do not verify TLS certificates (reported in the output).
    #[arg(help_heading = "Target", long)]
    pub insecure: bool,

    /// Send requests through this proxy; without it no proxy is used.
    #[arg(help_heading = "Target", long, value_name = "URL")]
    pub proxy: Option<String>,

    /// Per-request timeout in seconds.
    #[arg(help_heading = "Target", long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600), value_name = "SECS")]
    pub timeout: u64,

    /// Largest response body read, in MiB; a longer body is a finding, not an allocation.
    #[arg(help_heading = "Target", long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024), value_name = "MIB")]
    pub max_body_mib: u64,

    /// Longest total wait, in seconds, for retries of one request answered 429 or 503.
    #[arg(help_heading = "Target", long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=3600), value_name = "SECS")]
    pub max_retry_wait: u64,

    /// At most this many requests per second (for fragile tenants).
    #[arg(help_heading = "Target", long, value_name = "N", value_parser = parse_rps)]
    pub max_rps: Option<f64>,
}

fn parse_rps(s: &str) -> Result<f64, String> {
    // Slower than one request in 1000 s would never finish a run.
    match s.parse::<f64>() {
        Ok(v) if (0.001..=10_000.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a rate from 0.001 to 10000 requests per second"
        )),
    }
}

fn parse_secret(s: &str) -> Result<String, String> {
    if s.is_empty() {
        Err("the value is empty".into())
    } else {
        Ok(s.to_string())
    }
}

fn parse_token(s: &str) -> Result<String, String> {
    if s.is_empty() {
        Err("the token is empty".into())
    } else {
        Ok(s.to_string())
    }
}

#[derive(Debug, Args)]
pub struct CleanupArgs {
    /// SCIM root URL of the target the run used.
    #[arg(long, env = "SCIM_BASE_URL", value_name = "URL")]
    pub base_url: String,

    /// The run id printed by `scimcheck run` (also in the JSON report).
    #[arg(long, value_name = "ID")]
    pub run_id: String,

    /// List what would be deleted, and delete nothing.
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Read run options from this TOML file (it must exist); without it, ./scimcheck.toml is
    /// read when there is one. Options given on the command line win over the file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// SCIM root URL, e.g. https://host/scim/v2. Omitted: the embedded reference server.
    #[arg(
        help_heading = "Target",
        long,
        env = "SCIM_BASE_URL",
        value_name = "URL"
    )]
    pub base_url: Option<String>,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Comma-separated profiles: okta, entra, rfc, a profile your scenario files name, or all
    /// (those); concurrency and scale are opt-in, run only when named (`scimcheck list`
    /// describes each) [default: okta; with --runscope, only the exports run unless --profile
    /// is given].
    #[arg(help_heading = "Selection", long, value_name = "LIST")]
    pub profile: Option<String>,

    /// Run only the scenarios whose id matches GLOB (`*`, `?`), e.g. `okta.users.*`. Repeatable.
    #[arg(help_heading = "Selection", long = "scenario", value_name = "GLOB")]
    pub scenario: Vec<String>,

    /// Do not run the scenarios whose id matches GLOB. Repeatable.
    #[arg(help_heading = "Selection", long, value_name = "GLOB")]
    pub skip: Vec<String>,

    /// Only the Entra ID scenarios of this PATCH dialect (2017: without the aadOptscim062020
    /// flag; 2020: with it); scenarios of neither dialect still run. Default: both.
    #[arg(help_heading = "Selection", long, value_enum, value_name = "2017|2020")]
    pub entra_dialect: Option<EntraDialect>,

    /// Start no new scenario after the first one with a failing check (cleanup still runs).
    #[arg(help_heading = "Selection", long)]
    pub fail_fast: bool,

    /// A scenario file, or a directory of them (*.yaml, *.yml). Without --profile only these
    /// run, under the profiles they name; with it, they join the built-ins. Repeatable.
    #[arg(help_heading = "Scenarios & variables", long, value_name = "PATH")]
    pub scenarios: Vec<PathBuf>,

    /// Set a variable, `{{vars.NAME}}` in scenario files; also sets or overrides a Runscope
    /// export's variable (e.g. randomGivenName=Ada). Repeatable; a later one wins.
    #[arg(
        help_heading = "Scenarios & variables",
        long = "variable",
        value_name = "NAME=VALUE"
    )]
    pub variables: Vec<String>,

    /// Read variables from a file: one NAME=VALUE a line, `#` comments and blank lines
    /// ignored. Repeatable; --variable wins over it.
    #[arg(help_heading = "Scenarios & variables", long, value_name = "FILE")]
    pub variables_file: Vec<PathBuf>,

    /// Set a secret, `{{secrets.NAME}}` in scenario files: sent where a step uses it, shown as
    /// [redacted] everywhere else (output, reports, snapshots, recorded responses). Repeatable.
    #[arg(
        help_heading = "Scenarios & variables",
        long = "secret",
        value_name = "NAME=VALUE"
    )]
    pub secrets: Vec<String>,

    /// Run a Runscope/BlazeMeter API-test export (JSON), such as Okta's "SCIM 2.0 SPEC Test",
    /// unchanged: no JavaScript runs, requests stay on the target, what it creates is
    /// deleted. Repeatable.
    #[arg(help_heading = "Scenarios & variables", long, value_name = "FILE")]
    pub runscope: Vec<PathBuf>,

    /// Before a Runscope export, create one user with the run prefix (deleted at the end), so
    /// that its first `GET /Users?count=1` finds one on an empty server [default].
    #[arg(
        help_heading = "Scenarios & variables",
        long,
        overrides_with = "no_runscope_seed"
    )]
    pub runscope_seed: bool,

    /// Do not create that user.
    #[arg(
        help_heading = "Scenarios & variables",
        long,
        overrides_with = "runscope_seed"
    )]
    pub no_runscope_seed: bool,

    /// Wait out the pauses of a Runscope export (within --deadline); by default they are
    /// reported and skipped.
    #[arg(help_heading = "Scenarios & variables", long)]
    pub runscope_pauses: bool,

    /// Write a report: KIND=PATH (KIND: json, junit, markdown, html, har). Repeatable. har is
    /// HAR 1.2 (credentials redacted), for devtools, HAR viewers and Grafana's har-to-k6.
    #[arg(help_heading = "Reports", long = "report", value_name = "KIND=PATH")]
    pub reports: Vec<String>,

    #[command(flatten)]
    pub labels: LabelArgs,

    /// Write normalised exchanges per scenario to DIR and report drift from the ones there.
    #[arg(help_heading = "Snapshots", long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,

    /// Accept this run's exchanges as the new snapshots.
    #[arg(help_heading = "Snapshots", long)]
    pub update_snapshots: bool,

    /// Severity of a snapshot drift finding.
    #[arg(help_heading = "Snapshots", long, value_enum, value_name = "SEVERITY", default_value_t = DriftSeverity::Error)]
    pub snapshot_drift: DriftSeverity,

    /// Print the JSON report on stdout instead of the human one.
    #[arg(help_heading = "Output", long)]
    pub json: bool,

    /// Print only the scenarios with failures or warnings (their failing steps), the findings
    /// and the summary.
    #[arg(help_heading = "Output", long, short, conflicts_with = "verbose")]
    pub quiet: bool,

    /// -v: every scenario's steps, passing and skipped checks, and every step a finding was
    /// seen at; -vv: every exchange as well.
    #[arg(help_heading = "Output", long, short, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(help_heading = "Output", long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Lowest severity that makes the exit code 1.
    #[arg(help_heading = "Output", long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Scenarios run at once (steps within a scenario always run in order).
    #[arg(help_heading = "Limits & safety", long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,

    /// Whole-run deadline in seconds: past it no new step starts, and cleanup runs.
    #[arg(help_heading = "Limits & safety", long, default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=86_400), value_name = "SECS")]
    pub deadline: u64,

    /// Send the scenarios' bursts of reads (Entra ID: 25 requests/s for 10 s) to a target that
    /// is not on loopback too; without it they run only against loopback targets.
    #[arg(help_heading = "Limits & safety", long)]
    pub burst: bool,

    /// Length of every burst, in seconds (default: the scenario's, 10 s for Entra ID).
    #[arg(help_heading = "Limits & safety", long, value_name = "SECS", value_parser = clap::value_parser!(u32).range(1..=600))]
    pub burst_seconds: Option<u32>,

    /// Do not delete the resources the run created.
    #[arg(help_heading = "Limits & safety", long)]
    pub keep_resources: bool,

    /// Requests the concurrency and scale scenarios send at once (K of the concurrency
    /// scenarios: K parallel member adds, K racing creates).
    #[arg(help_heading = "Load (concurrency and scale profiles)", long, value_name = "K", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=200))]
    pub parallel: u16,

    /// Users, and members of the large group, that the scale scenarios create.
    #[arg(help_heading = "Load (concurrency and scale profiles)", long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub scale: u32,

    /// Members per PATCH when the scale scenarios push a group Okta's way (Okta allows 100 to
    /// 1000; its default is 100).
    #[arg(help_heading = "Load (concurrency and scale profiles)", long, value_name = "B", default_value_t = 100, value_parser = clap::value_parser!(u16).range(100..=1000))]
    pub okta_batch: u16,

    /// Skip the confirmation asked before running against a non-loopback target.
    #[arg(help_heading = "Limits & safety", long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EntraDialect {
    #[value(name = "2017")]
    V2017,
    #[value(name = "2020")]
    V2020,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriftSeverity {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to bind; non-loopback needs --allow-non-loopback.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,

    /// Port (0 = any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Accept only `Authorization: Bearer <T>`; without it any non-empty bearer token.
    #[arg(long, value_name = "T", value_parser = parse_token)]
    pub token: Option<String>,

    /// Allow binding to an address other than loopback.
    #[arg(long)]
    pub allow_non_loopback: bool,

    /// Serve the alternative server instead: as correct as the reference one, taking the other
    /// choice RFC 7643/7644 allow: a PATCH on a user answers 204 No Content, as one on a group
    /// does (200 with the resource when `attributes` is asked for); no ETag header or
    /// meta.version, If-Match and If-None-Match ignored (etag.supported false); sortBy ignored
    /// (sort.supported false); group members that name no user or group stored as given
    /// instead of refused with 400. Bulk stays unsupported.
    #[arg(long)]
    pub alternative: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Point the IdP (through a tunnel you run) at the address printed at the start: the proxy's address with the upstream's path. Stop with Ctrl-C or SIGTERM (or --max-requests, --max-seconds); the file is written then. Replay it with: scimcheck run --scenarios FILE --base-url URL --token TOKEN"
)]
pub struct RecordArgs {
    /// SCIM root of the server the IdP's requests are forwarded to, e.g.
    /// https://app.example.com/scim/v2.
    #[arg(long, value_name = "URL")]
    pub upstream: String,

    /// Address the IdP (or its tunnel) connects to; port 0 picks a free one. Non-loopback
    /// needs --allow-non-loopback.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8089")]
    pub listen: std::net::SocketAddr,

    /// Accept connections from the network, not only from this machine.
    #[arg(long)]
    pub allow_non_loopback: bool,

    /// The scenario file to write when the recording stops.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// The scenario's profile (what `scimcheck run --profile` selects it by).
    #[arg(long, value_name = "NAME", default_value = "recorded")]
    pub profile: String,

    /// The scenario's id [default: recorded.<the file's name>].
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    /// A value that must never reach the file (an API key in a header, a password);
    /// Authorization values are left out without it. Repeatable.
    #[arg(long = "secret", value_name = "VALUE")]
    pub secrets: Vec<String>,

    /// Stop once this many SCIM requests are recorded.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_requests: Option<u32>,

    /// Stop after this many seconds.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_seconds: Option<u64>,

    /// Trust the CA certificates in this PEM file as well as the system's (upstream).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Do not verify the upstream's TLS certificate (said at the start).
    #[arg(long)]
    pub insecure: bool,

    /// Longest wait for the upstream's answer to one request, in seconds.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600), value_name = "SECS")]
    pub timeout: u64,

    /// Largest request or answer body forwarded, in MiB; a larger one is answered 413 or
    /// 502 and not recorded.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024), value_name = "MIB")]
    pub max_body_mib: u64,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Comma-separated profiles: okta, entra, rfc, a profile your scenario files name, or all
    /// (those); concurrency and scale are opt-in, listed only when named.
    #[arg(long, default_value = "all", value_name = "LIST")]
    pub profile: String,

    /// A scenario file, or a directory of them (*.yaml, *.yml), to add. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub scenarios: Vec<PathBuf>,

    /// Print the listing as one JSON document on stdout (fields in the README).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub command: ImportCommand,
}

/// What `scimcheck import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A HAR file (devtools, a proxy, mitmproxy, `--report har`) as a scenario file.
    ///
    /// Its SCIM requests to the SCIM root most of them share become the steps, in order; the
    /// other entries are listed and left out. Replay it with `scimcheck run --scenarios
    /// FILE.yaml --base-url URL`.
    Har(ImportHarArgs),
}

#[derive(Debug, Args)]
pub struct ImportHarArgs {
    /// The HAR file (HAR 1.1 or 1.2).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The scenario file to write (replaced if it exists).
    #[arg(long, value_name = "FILE.yaml")]
    pub out: PathBuf,

    /// The scenario's profile: a name of your own (lowercase letters, digits, `-`, `_`) or a
    /// built-in one.
    #[arg(long, value_name = "NAME", default_value = "recorded")]
    pub profile: String,

    /// The scenario's id (lowercase letters, digits, `.`, `-`, `_`); default `recorded.` and
    /// the HAR file's name.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,

    /// A value that must not reach the scenario file (a password, an API key seen in bodies);
    /// every occurrence is replaced. Authorization and Cookie values in the HAR always are.
    /// Repeatable.
    #[arg(long = "secret", value_name = "VALUE", value_parser = parse_secret)]
    pub secrets: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell, e.g. `scimcheck completions bash > /etc/bash_completion.d/scimcheck`.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells `scimcheck completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// Names printed at the head of the reports (a certificate's title, product and vendor).
#[derive(Debug, Args)]
pub struct LabelArgs {
    /// Title of the reports (HTML header and <title>, JSON, JUnit properties, Markdown).
    #[arg(long, value_name = "TEXT", help_heading = "Reports", value_parser = parse_label)]
    pub title: Option<String>,

    /// Name of the product under test, printed in the reports.
    #[arg(long, value_name = "TEXT", help_heading = "Reports", value_parser = parse_label)]
    pub product: Option<String>,

    /// Name of the product's vendor, printed in the reports.
    #[arg(long, value_name = "TEXT", help_heading = "Reports", value_parser = parse_label)]
    pub vendor: Option<String>,
}

/// A label is one line of text: an empty one or a line break would only garble a header.
fn parse_label(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        Err("the text is empty".into())
    } else if s.chars().any(char::is_control) {
        Err("the text holds a line break or another control character; give one line".into())
    } else if s.chars().count() > 200 {
        Err("the text is longer than 200 characters".into())
    } else {
        Ok(s.to_string())
    }
}
