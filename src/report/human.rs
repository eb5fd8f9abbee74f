//! The terminal report: grouped by scenario (each scenario's block in `human_scenario`), one
//! line per failing check (✓ ✗ ! –), and for each step with a new finding the request, the
//! response and a curl line that reproduces it.

use std::io::{self, Write};

use super::group::Repeats;
use super::text::display_copy;
use super::{curl, imported, Reporter};
use crate::check::CheckStatus;
use crate::exec::Exchange;
use crate::result::{RunResult, ScenarioResult, StepRef, StepResult};
use crate::scim::json::clip;

/// How much of a body the terminal shows.
const BODY_SHOWN: usize = 600;
/// How much of a request's path and query a step line shows: a whole filter, decoded.
const PATH_SHOWN: usize = 300;

/// The report a person reads in a terminal or a CI log.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanReporter {
    /// ANSI colour.
    pub color: bool,
    /// Show every scenario's steps, passing and skipped checks too, and every place a
    /// finding was seen (`-v`).
    pub verbose: bool,
    /// Show every exchange, not only those of failing steps (`-vv`).
    pub exchanges: bool,
    /// Show only the scenarios with failures or warnings, and the summary.
    pub quiet: bool,
}

pub(super) struct Paint(pub(super) bool);

impl Paint {
    pub(super) fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub(super) fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    pub(super) fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    pub(super) fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    pub(super) fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    pub(super) fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
}

impl Reporter for HumanReporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        let run = &display_copy(run);
        self.header(run, out)?;
        let repeats = Repeats::of(run);
        let p = Paint(self.color);
        for scenario in &run.scenarios {
            self.scenario(&p, &run.target.base_url, scenario, &repeats, out)?;
        }
        self.trailer(run, false, out)
    }
}

impl HumanReporter {
    /// The lines before the first scenario: tool, target, run id, profiles. They are known
    /// before the run starts, so a streamed report prints them first.
    pub fn header(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        self.header_with_config(run, None, out)
    }

    /// The header, naming the config file the run's options came from, when there was one.
    pub fn header_with_config(
        &self,
        run: &RunResult,
        config: Option<&str>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let p = Paint(self.color);
        let target = if run.target.embedded {
            format!("{} (embedded reference server)", run.target.base_url)
        } else {
            run.target.base_url.clone()
        };
        writeln!(
            out,
            "{} {} · target {target}",
            p.bold("scimcheck"),
            run.tool_version
        )?;
        if run.target.insecure {
            writeln!(
                out,
                "{}",
                p.red("TLS certificates were NOT verified (--insecure)")
            )?;
        }
        let profiles: Vec<&str> = run.profiles.iter().map(|p| p.as_str()).collect();
        let config = config.map(|c| format!(" · config {c}")).unwrap_or_default();
        writeln!(
            out,
            "run {} · profiles {}{config}",
            run.run_id,
            profiles.join(",")
        )?;
        if let Some(load) = &run.load {
            let scale = match (load.scale, load.okta_batch) {
                (Some(n), Some(b)) => format!(
                    "; {n} users and group members (--scale), Okta batches of {b} (--okta-batch)"
                ),
                _ => String::new(),
            };
            writeln!(
                out,
                "load: about {} requests, up to {} at once (--parallel){scale}; then cleanup's deletes",
                load.requests, load.parallel
            )?;
        }
        Ok(())
    }

    /// The block of `scenario`, the last to finish: a streamed report passes the scenarios
    /// finished so far (`so_far`, ending with this one's checks), so a finding already shown
    /// in full is only referred to. Their text, and the scenario's, is already printable
    /// ([`super::text::clean_scenario`]): each is cleaned once, as it ends, not the whole run
    /// again for every block.
    pub(super) fn last_scenario(
        &self,
        so_far: &RunResult,
        scenario: &ScenarioResult,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let repeats = Repeats::so_far(so_far);
        self.scenario(
            &Paint(self.color),
            &so_far.target.base_url,
            scenario,
            &repeats,
            out,
        )
    }
}

impl HumanReporter {
    pub(super) fn diff(&self, p: &Paint, diff: &str, out: &mut dyn Write) -> io::Result<()> {
        for line in diff.lines() {
            let painted = if line.starts_with('+') && !line.starts_with("+++") {
                p.green(line)
            } else if line.starts_with('-') && !line.starts_with("---") {
                p.red(line)
            } else {
                p.dim(line)
            };
            writeln!(out, "      {painted}")?;
        }
        Ok(())
    }

    /// A step: its line (the request relative to `base`, the run's base URL), its findings
    /// and, when one is new, the evidence.
    pub(super) fn step(
        &self,
        p: &Paint,
        base: &str,
        sc: &ScenarioResult,
        step: &StepResult,
        repeats: &Repeats,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let line = match &step.exchange {
            Some(x) => {
                let path = super::exchange_text::shown_path(&x.request.url, base);
                let status = x
                    .status()
                    .map_or_else(|| "—".to_string(), |s| s.to_string());
                format!(
                    "{} {} → {status}  {} ms",
                    x.request.method.as_str(),
                    clip(&path, PATH_SHOWN),
                    x.duration_ms
                )
            }
            None => match &step.skipped {
                Some(why) => format!("skipped: {why}"),
                // A snapshot only written says so ("recorded …"), not a bare mark.
                None if step.id.as_str() == crate::result::SNAPSHOT_STEP => step
                    .checks
                    .iter()
                    .find(|c| c.status == CheckStatus::Skipped)
                    .map(|c| c.message.clone())
                    .unwrap_or_default(),
                None => String::new(),
            },
        };
        let statuses = || step.checks.iter().map(|c| c.status);
        let mark = if statuses().any(|s| s == CheckStatus::Failed) {
            p.red("✗")
        } else if statuses().any(|s| s == CheckStatus::Warning) {
            p.yellow("!")
        } else if statuses().any(|s| s == CheckStatus::Passed) {
            p.green("✓")
        } else {
            p.dim("–")
        };
        if line.is_empty() {
            writeln!(out, "  {mark} {}", step.title)?;
        } else {
            writeln!(out, "  {mark} {}  {}", step.title, p.dim(&line))?;
        }
        // Passing and skipped checks only with -v: the step line already says they passed.
        let shown = |c: &&crate::check::CheckOutcome| c.is_failure() || self.verbose;
        // An imported test's own checks first, then scimcheck's rules on the same exchange.
        let mut checks: Vec<_> = step.checks.iter().collect();
        let imported = imported::is_imported(sc);
        if imported {
            checks.sort_by_key(|c| !imported::is_own(sc, step, c));
        }
        let mut rules_heading = imported && checks.iter().any(|c| imported::is_own(sc, step, c));
        let at = StepRef {
            id: step.id.as_str(),
            title: &step.title,
        };
        // Findings shown in full at an earlier step: one line for them all, after the new ones.
        let mut shown_above: Vec<(&str, CheckStatus)> = Vec::new();
        for c in checks.into_iter().filter(shown) {
            if rules_heading && !imported::is_own(sc, step, c) {
                writeln!(out, "    {}", p.dim("scimcheck's rules on this exchange:"))?;
                rules_heading = false;
            }
            // A server's multi-line detail stays inside the check's block.
            let message = indented(&c.message, CONTINUED);
            let (mark, text) = match c.status {
                CheckStatus::Passed => (p.green("✓"), message),
                CheckStatus::Failed => (p.red("✗"), p.red(&message)),
                CheckStatus::Warning => (p.yellow("!"), p.yellow(&message)),
                CheckStatus::Skipped => (p.dim("–"), p.dim(&message)),
            };
            let (first, seen) = if c.is_failure() {
                repeats.of_check(sc, at, c)
            } else {
                (None, 1)
            };
            if let Some(first) = first {
                // One defect, one finding: the full evidence stands where it was shown
                // first; -v repeats each here, in one line.
                if self.verbose {
                    let count = if repeats.partial {
                        String::new()
                    } else {
                        format!("; {seen} steps in all")
                    };
                    writeln!(
                        out,
                        "    {mark} {} {text} {}",
                        p.dim(c.id.as_str()),
                        p.dim(&format!("(shown above at {first}{count})"))
                    )?;
                } else if !shown_above.iter().any(|(id, _)| *id == c.id.as_str()) {
                    shown_above.push((c.id.as_str(), c.status));
                }
                continue;
            }
            writeln!(out, "    {mark} {} {text}", p.dim(c.id.as_str()))?;
            if c.is_failure() {
                // The rule and what to do about it, on one line; a fix the message already
                // says (`expected status 201` → `Answer this request with 201.`) only with -v.
                match c
                    .hint
                    .as_deref()
                    .filter(|h| self.verbose || !says(c, h))
                    .map(|h| indented(h, CONTINUED))
                {
                    Some(hint) => writeln!(
                        out,
                        "        {} {} {} {hint}",
                        p.dim("rule:"),
                        c.reference,
                        p.dim("· fix:")
                    )?,
                    None => writeln!(out, "        {} {}", p.dim("rule:"), c.reference)?,
                }
                // Streamed, the later steps are not known yet: the list of findings at
                // the end counts them.
                if seen > 1 && !repeats.partial {
                    writeln!(
                        out,
                        "        {} {} more {} {} the same finding",
                        p.dim("also:"),
                        seen - 1,
                        super::grammar::noun(seen - 1, "step"),
                        if seen == 2 { "shows" } else { "show" }
                    )?;
                }
            }
        }
        if !shown_above.is_empty() {
            let mark = if shown_above.iter().any(|(_, s)| *s == CheckStatus::Failed) {
                p.red("✗")
            } else {
                p.yellow("!")
            };
            let ids: Vec<&str> = shown_above.iter().map(|(id, _)| *id).collect();
            writeln!(
                out,
                "    {mark} {}",
                p.dim(&format!("also here, shown above: {}", ids.join(", ")))
            )?;
        }
        // A step whose every failure is shown in full elsewhere needs no evidence of its own.
        let failing = step.checks.iter().any(|c| {
            c.is_failure()
                && repeats
                    .of_check(
                        sc,
                        StepRef {
                            id: step.id.as_str(),
                            title: &step.title,
                        },
                        c,
                    )
                    .0
                    .is_none()
        });
        if let (Some(x), true) = (&step.exchange, failing || self.exchanges) {
            // A read that checks an earlier change is reproduced after that change: the
            // changes are named, and shown in full with -v.
            let before: Vec<(&str, &Exchange)> = step
                .needs
                .iter()
                .filter(|_| failing)
                .filter_map(|need| {
                    sc.steps
                        .iter()
                        .find(|s| &s.id == need)
                        .and_then(|s| s.exchange.as_ref())
                        .filter(|b| b.request.method != crate::scim::Method::Get)
                        .map(|b| (need.as_str(), b))
                })
                .collect();
            // By default the changes are named on the curl line: `after POST `create``.
            let after = if self.verbose || before.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = before
                    .iter()
                    .map(|(need, b)| format!("{} `{need}`", b.request.method.as_str()))
                    .collect();
                format!("after {} (-v shows them): ", names.join(", "))
            };
            for (need, before) in before.iter().filter(|_| self.verbose) {
                writeln!(
                    out,
                    "        {} {} {} (step `{need}`)",
                    p.dim("after:   "),
                    before.request.method.as_str(),
                    before.request.url
                )?;
                if let Some(body) = before.request.body_text() {
                    writeln!(out, "                  {}", clip(&body, BODY_SHOWN))?;
                }
                writeln!(out, "                  {}", curl::command(&before.request))?;
            }
            self.exchange(p, x, &after, out)?;
        }
        Ok(())
    }

    /// The exchange of a step: the request (with -v), the response on one line, and the
    /// curl command, preceded by `after` (the earlier changes it needs) when there is one.
    fn exchange(
        &self,
        p: &Paint,
        x: &Exchange,
        after: &str,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        // The curl line holds the whole request (its body too); -v shows it apart as well.
        if self.verbose || self.exchanges {
            writeln!(
                out,
                "        {} {} {}",
                p.dim("request: "),
                x.request.method.as_str(),
                x.request.url
            )?;
            if let Some(body) = x.request.body_text() {
                writeln!(out, "                  {}", clip(&body, BODY_SHOWN))?;
            }
        }
        match (&x.response, &x.error) {
            (Some(r), _) => {
                let ct = r.header("content-type").unwrap_or("no content type");
                let body = r.body.trim();
                let mut line = format!("{} · {ct} · {} ms", r.status, x.duration_ms);
                if !body.is_empty() {
                    line.push_str(&format!(
                        " · {}{}",
                        clip(&body.replace('\n', " "), BODY_SHOWN),
                        if r.truncated {
                            " [cut at the body limit]"
                        } else {
                            ""
                        }
                    ));
                }
                writeln!(out, "        {} {line}", p.dim("response:"))?;
                for t in &x.throttled {
                    writeln!(
                        out,
                        "                  (after a {} with Retry-After {}, waited {} ms)",
                        t.status,
                        t.retry_after.as_deref().unwrap_or("none"),
                        t.waited_ms
                    )?;
                }
            }
            (None, Some(e)) => writeln!(out, "        {} {}", p.dim("response:"), e.message)?,
            (None, None) => {}
        }
        writeln!(
            out,
            "        {} {after}{}",
            p.dim("reproduce:"),
            curl::command(&x.request)
        )
    }
}

/// Where the later lines of a check's message or fix start: under the rule line's text.
const CONTINUED: &str = "        ";

/// `text` with each line after the first indented by `by`, so a multi-line server detail
/// stays inside its block instead of starting at the left margin.
pub(super) fn indented(text: &str, by: &str) -> String {
    text.trim_end_matches('\n')
        .split('\n')
        .collect::<Vec<_>>()
        .join(&format!("\n{by}"))
}

/// Whether a check's message already says its fix: `expected status 201, got 400` needs no
/// `Answer this request with 201.` under it.
fn says(c: &crate::check::CheckOutcome, hint: &str) -> bool {
    hint.strip_prefix("Answer this request with ")
        .and_then(|rest| rest.strip_suffix('.'))
        .is_some_and(|statuses| {
            c.message
                .strip_prefix("expected status ")
                .is_some_and(|m| m.starts_with(statuses))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(r: HumanReporter) -> String {
        let mut out = Vec::new();
        r.render(&super::super::fixture::run(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn human_report_of_a_fixed_run() {
        insta::assert_snapshot!(render(HumanReporter::default()));
    }

    #[test]
    fn cleanup_is_always_reported_and_counts_agree_in_number() {
        let mut run = super::super::fixture::run();
        run.cleanup = Default::default();
        run.scenarios.truncate(1);
        let mut out = Vec::new();
        HumanReporter::default().render(&run, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Cleanup: nothing to delete"), "{text}");
        assert!(text.contains(" · 1 scenario in "), "{text}");
    }

    #[test]
    fn quiet_shows_only_failures() {
        let text = render(HumanReporter {
            quiet: true,
            ..Default::default()
        });
        assert!(!text.contains("✓"), "{text}");
        assert!(text.contains("✗ okta.users.create.duplicate.status"));
        assert!(text.contains("Summary:"));
    }

    #[test]
    fn a_multi_line_detail_stays_indented() {
        let mut run = super::super::fixture::run();
        run.scenarios[1].steps[0].checks[1].message =
            "expected status 201, got 500 (detail: line one\nline two)".into();
        let mut out = Vec::new();
        HumanReporter::default().render(&run, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("(detail: line one\n        line two)"),
            "{text}"
        );
        assert!(!text.lines().any(|l| l.starts_with("line two")), "{text}");
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(!render(HumanReporter::default()).contains('\x1b'));
        assert!(render(HumanReporter {
            color: true,
            ..Default::default()
        })
        .contains("\x1b[31m"));
    }
}
