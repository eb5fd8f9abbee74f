//! `scimcheck record`: the options checked before anything listens, the proxy run until a
//! signal or a limit, and the recording written as a scenario file in one step.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::RecordArgs;
use crate::error::{Error, EXIT_INTERRUPTED, EXIT_OK};
use crate::record::{
    ClientOptions, RecordError, RecordOptions, Recorder, Upstream, UpstreamClient,
};
use crate::scenario::traffic::{to_replayable, to_scenario, Recorded, Source, TrafficError};
use crate::scim::Method;

/// A line on stdout; a closed stdout (`| head`) must not cost the recording.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub async fn record(args: RecordArgs) -> Result<i32, Error> {
    let upstream = Upstream::parse(&args.upstream).map_err(error)?;
    check_out(&args.out)?;
    let mut source = source(&args)?;
    let client = UpstreamClient::new(&ClientOptions {
        timeout: Duration::from_secs(args.timeout),
        ca_cert: args.cacert.clone(),
        insecure: args.insecure,
    })
    .map_err(error)?;
    let options = RecordOptions {
        listen: args.listen,
        allow_non_loopback: args.allow_non_loopback,
        max_requests: args.max_requests.map(|n| n as usize),
        body_cap: usize::try_from(args.max_body_mib * 1024 * 1024).unwrap_or(usize::MAX),
        grace: Duration::from_secs(args.timeout + 5),
        echo: true,
    };
    let recorder = Recorder::bind(upstream.clone(), client.clone(), &options)
        .await
        .map_err(error)?;
    if args.insecure {
        eprintln!(
            "warning: --insecure: TLS certificates of {} are not verified",
            upstream.base_url()
        );
    }
    let probed = client.probe(&upstream).await.map_err(error)?;
    let from = now();
    say!(
        "recording: forwarding to {} (GET /ServiceProviderConfig answered {probed})",
        upstream.base_url()
    );
    say!("recording: point the IdP at {}", recorder.idp_base_url());
    say!(
        "recording: stop with Ctrl-C or SIGTERM{}; {} is written then",
        limits(&args),
        args.out.display()
    );
    let _ = std::io::stdout().flush();
    let out_shown = args.out.display().to_string();
    let mut impatient = None;
    let mut signals = super::run::Signals::new();
    let stopping = async {
        let why = stop(args.max_seconds, &mut signals).await;
        say!(
            "stopping: {why}; requests in flight finish, then {out_shown} is written (Ctrl-C again exits without writing it)"
        );
        // A second signal while the last requests finish: leave at once, writing nothing.
        let out_shown = out_shown.clone();
        impatient = Some(tokio::spawn(async move {
            let name = signals.next().await;
            eprintln!("\n{name} again: exiting; {out_shown} was not written");
            std::process::exit(EXIT_INTERRUPTED);
        }));
        why
    };
    let (why, recording) = recorder.run(stopping).await;
    say!("stopped: {why}");
    source.secrets.extend(recording.secrets.iter().cloned());
    source.header = header(&upstream, &from, recording.exchanges.len(), &args.out);
    // A write to a resource the recording never saw created could never be sent by a run
    // (it only changes what it created): it is left out, with a note.
    let converted = match to_replayable(
        &recording.exchanges,
        &source,
        crate::plan::first_unsendable,
    ) {
        Ok(c) => c,
        Err(TrafficError::NoScimRequests) => {
            for note in &recording.notes {
                say!("note: {note}");
            }
            return Err(Error::Usage(format!(
                "nothing recorded: no SCIM request reached the proxy ({} seen), so {} was not written; point the IdP at {} and send it traffic",
                crate::report::grammar::count(recording.seen, "request"),
                args.out.display(),
                upstream_path_hint(&args, &upstream)
            )));
        }
        Err(e) => return Err(Error::Usage(format!("{}: {e}", args.out.display()))),
    };
    write_atomically(&args.out, &converted.yaml)?;
    if let Some(watch) = impatient {
        watch.abort();
    }
    say!(
        "wrote {}: {} as scenario {} (profile {})",
        args.out.display(),
        crate::report::grammar::count(converted.scenario.steps.len(), "request"),
        source.id,
        source.profile
    );
    for note in recording.notes.iter().chain(&converted.notes) {
        say!("note: {note}");
    }
    say!(
        "replay it: scimcheck run --scenarios {} --base-url URL --token TOKEN",
        args.out.display()
    );
    Ok(EXIT_OK)
}

/// Where a recording error goes: an upstream that does not answer is exit 3, the rest are
/// the user's to change (exit 2).
fn error(e: RecordError) -> Error {
    match e {
        RecordError::Unreachable { .. } => Error::Unreachable(e.to_string()),
        _ => Error::Usage(e.to_string()),
    }
}

fn upstream_path_hint(args: &RecordArgs, upstream: &Upstream) -> String {
    format!(
        "the proxy's address ({}) with {}",
        args.listen,
        if upstream.base_path().is_empty() {
            "no path"
        } else {
            upstream.base_path()
        }
    )
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn limits(args: &RecordArgs) -> String {
    let mut out = String::new();
    if let Some(n) = args.max_requests {
        out.push_str(&format!(", after {n} SCIM requests"));
    }
    if let Some(s) = args.max_seconds {
        out.push_str(&format!(", after {s} s"));
    }
    out
}

/// Resolves on the first SIGINT or SIGTERM, or when `--max-seconds` pass; says which.
async fn stop(max_seconds: Option<u64>, signals: &mut super::run::Signals) -> String {
    let timer = async {
        match max_seconds {
            Some(s) => {
                tokio::time::sleep(Duration::from_secs(s)).await;
                format!("--max-seconds {s} passed")
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        name = signals.next() => name.to_string(),
        why = timer => why,
    }
}

/// The file's comment header: what recorded it, from where, when, and how to replay it.
fn header(upstream: &Upstream, from: &str, requests: usize, out: &Path) -> Vec<String> {
    vec![
        format!(
            "Recorded by scimcheck {} (`scimcheck record`) from {from} to {}:",
            env!("CARGO_PKG_VERSION"),
            now()
        ),
        format!(
            "{} an IdP sent to {}.",
            crate::report::grammar::count(requests, "SCIM request"),
            upstream.base_url()
        ),
        format!(
            "Replay: scimcheck run --scenarios {} --base-url URL --token TOKEN",
            out.file_name().map_or_else(
                || out.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        ),
    ]
}

/// The scenario's names; a bad --id or --profile is refused now, not after the recording,
/// by converting one exchange and loading the result as the end will.
fn source(args: &RecordArgs) -> Result<Source, Error> {
    let stem = args
        .out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let source = Source {
        id: args
            .id
            .clone()
            .unwrap_or_else(|| format!("recorded.{}", slug(&stem))),
        title: format!("IdP traffic recorded by scimcheck record ({stem})"),
        profile: args.profile.clone(),
        secrets: args.secrets.clone(),
        header: vec![],
    };
    crate::scenario::Profile::named(&source.profile)
        .map_err(|e| Error::Usage(format!("--profile: {e}")))?;
    let trial = Recorded::new(Method::Get, "/ServiceProviderConfig", 200);
    let refused = |e: String| {
        Error::Usage(format!(
            "--id `{}` / --profile `{}`: {e}",
            source.id, source.profile
        ))
    };
    let yaml = to_scenario(&[trial], &source)
        .map_err(|e| refused(e.to_string()))?
        .yaml;
    let loaded = crate::scenario::Loaded::parse(&args.out.display().to_string(), &yaml)
        .map_err(|e| refused(e.to_string()))?;
    crate::scenario::validate_all(&[loaded]).map_err(|e| refused(e.to_string()))?;
    Ok(source)
}

/// A scenario id part from a file name: `Okta Cycle` → `okta-cycle`.
fn slug(stem: &str) -> String {
    let mut out = String::new();
    for c in stem.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(|c| c == '-' || c == '.').to_string();
    if out.is_empty() {
        "traffic".into()
    } else {
        out
    }
}

/// The file is written at the end of what may be a long recording: a place it cannot be
/// written is refused before the proxy listens.
fn check_out(out: &Path) -> Result<(), Error> {
    if out.is_dir() {
        return Err(Error::Usage(format!(
            "--out {}: is a directory; name a file, e.g. okta-cycle.yaml",
            out.display()
        )));
    }
    let dir = parent(out);
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--out {}: the directory {} does not exist",
            out.display(),
            dir.display()
        )));
    }
    let probe = temp_path(out);
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| {
            Error::Usage(format!(
                "--out {}: cannot write in {}: {e}",
                out.display(),
                dir.display()
            ))
        })
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn temp_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent(out).join(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes `text` to a temporary file beside `out`, then renames it: a reader sees the old
/// file or the whole new one, never half of it.
fn write_atomically(out: &Path, text: &str) -> Result<(), Error> {
    let tmp = temp_path(out);
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, out));
    written.map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        Error::Report {
            path: out.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_id_is_the_file_name_as_a_slug() {
        assert_eq!(slug("okta-cycle"), "okta-cycle");
        assert_eq!(slug("Okta Cycle (2)"), "okta-cycle-2");
        assert_eq!(slug("..."), "traffic");
    }

    #[test]
    fn the_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.yaml");
        std::fs::write(&out, "old").unwrap();
        write_atomically(&out, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
