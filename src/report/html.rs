//! The certification report: one self-contained HTML file (no external assets) that a vendor
//! hands to a customer or an IdP: target, date, profiles, harness version, the verdict per
//! scenario and check with references, expandable exchanges, and any snapshot diff.

use std::io::{self, Write};

use super::coverage::{shown_file, without_local_paths};
use super::exchange_text::exchange_text;
use super::grammar::{count, noun};
use super::html_style::STYLE;
use super::text::{display_copy, duration};
use super::verdict::{scenario_counts, snapshot_counts, snapshot_word, Verdict};
use super::Reporter;
use crate::check::{CheckOutcome, CheckStatus};
use crate::result::{RunResult, ScenarioResult, SnapshotOutcome, StepResult, Summary};

pub struct HtmlReporter;

pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text where `backticks` become code, as scenario titles and hints write it.
pub(super) fn inline(s: &str) -> String {
    if s.matches('`').count() % 2 == 1 {
        return esc(s);
    }
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", esc(part))
            } else {
                esc(part)
            }
        })
        .collect()
}

/// A check id that may break after its dots, never inside a word.
fn id_html(id: &str) -> String {
    esc(id).replace('.', ".<wbr>")
}

/// The request line of a step: method, decoded path and query, status.
fn request_line(x: &crate::exec::Exchange, base: &str) -> String {
    format!(
        "{} {} → {}",
        x.request.method.as_str(),
        super::exchange_text::shown_path(&x.request.url, base),
        x.status().map_or("no response".into(), |s| s.to_string())
    )
}

fn mark(status: CheckStatus) -> (&'static str, &'static str) {
    match status {
        CheckStatus::Passed => ("✓", "passed"),
        CheckStatus::Failed => ("✗", "failed"),
        CheckStatus::Warning => ("!", "warning"),
        CheckStatus::Skipped => ("–", "skipped"),
    }
}

fn anchor(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

impl Reporter for HtmlReporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        let mut shown = display_copy(run);
        without_local_paths(&mut shown);
        let run = &shown;
        let s = run.summary;
        let verdict = Verdict::of_run(run);
        let (class, label) = (verdict.class(), verdict.label());
        let profiles: Vec<&str> = run.profiles.iter().map(|p| p.as_str()).collect();
        write!(out, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")?;
        let labels: Vec<&str> = run.labels.given().map(|(_, v)| v).collect();
        let title = if labels.is_empty() {
            format!("SCIM conformance report · {}", run.target.base_url)
        } else {
            format!("{} · SCIM conformance report", labels.join(" · "))
        };
        write!(
            out,
            "<title>{}</title><style>{STYLE}</style></head><body>",
            esc(&title)
        )?;
        let heading = run.labels.title.as_deref().unwrap_or("Conformance report");
        write!(out, "<header><div class=\"brand\">scimcheck · SCIM 2.0 conformance</div><h1>{}<span class=\"verdict {class}\">{label}</span></h1>", esc(heading))?;
        let product: Vec<String> = [
            run.labels.product.as_deref(),
            run.labels
                .vendor
                .as_deref()
                .map(|v| format!("by {v}"))
                .as_deref(),
        ]
        .into_iter()
        .flatten()
        .map(esc)
        .collect();
        if !product.is_empty() {
            write!(out, "<div class=\"labels\">{}</div>", product.join(" "))?;
        }
        write!(out, "<dl class=\"meta\">")?;
        let target = if run.target.embedded {
            format!("{} (embedded reference server)", run.target.base_url)
        } else {
            run.target.base_url.clone()
        };
        let tls = if run.target.base_url.starts_with("http://") {
            "not used (http)"
        } else if run.target.insecure {
            "NOT verified (--insecure)"
        } else {
            "verified"
        };
        for (k, v) in [
            ("Product", run.labels.product.as_deref().unwrap_or("")),
            ("Vendor", run.labels.vendor.as_deref().unwrap_or("")),
        ] {
            if !v.is_empty() {
                write!(out, "<dt>{k}</dt><dd>{}</dd>", esc(v))?;
            }
        }
        for (k, v) in [
            ("Target", target.as_str()),
            ("Date", run.started_at.as_str()),
            ("Profiles", &profiles.join(", ")),
            ("Harness", &format!("scimcheck {}", run.tool_version)),
            ("Run id", run.run_id.as_str()),
            ("Duration", &duration(run.duration_ms)),
            ("TLS", tls),
        ] {
            write!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v))?;
        }
        if let Some(why) = &run.interrupted {
            write!(
                out,
                "<dt>Stopped early</dt><dd>{}</dd>",
                esc(&why.to_string())
            )?;
        }
        write!(out, "</dl></header>")?;
        if let Some(why) = &run.interrupted {
            write!(out, "<div class=\"notice\"><b>Incomplete:</b> the run stopped early ({}); the remaining steps were skipped, so this report is not a full result.</div>", esc(&why.to_string()))?;
        }
        write!(out, "<div class=\"cards\">")?;
        for (c, n, name) in [
            ("ok", s.passed, "passed"),
            ("bad", s.failed, "failed"),
            ("warn", s.warnings, noun(s.warnings, "warning").as_str()),
            ("skip", s.skipped, "skipped"),
        ] {
            write!(out, "<div class=\"card {c}\"><b>{n}</b>{name}</div>")?;
        }
        write!(
            out,
            "</div><p class=\"rule\">{}<br>Findings: {}</p><main>",
            esc(&super::group::checks_phrase(&s)),
            esc(&super::group::Tally::of(run).phrase())
        )?;
        findings(run, out)?;
        write!(out, "<table><thead><tr><th>Scenario</th><th>Reference</th><th>Passed</th><th>Failed</th><th>Warnings</th><th>Skipped</th></tr></thead><tbody>")?;
        for sc in &run.scenarios {
            let c = scenario_counts(sc);
            let v = Verdict::of_scenario(sc, run.interrupted.as_ref());
            write!(out, "<tr><td><span class=\"badge {}\">{}</span><a href=\"#{}\">{}</a></td><td class=\"rule\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>", v.class(), v.label(), anchor(&sc.id), inline(&sc.title), esc(&sc.reference), c.passed, c.failed, c.warnings, c.skipped)?;
        }
        write!(out, "</tbody></table>")?;
        if let Some(counts) = snapshot_counts(run) {
            write!(out, "<p class=\"rule\">Snapshots: {}. A recorded snapshot was written by this run and compared with nothing.</p>", esc(&counts))?;
        }
        super::html_sections::coverage(run, out)?;
        super::html_sections::legend(out)?;
        for sc in &run.scenarios {
            scenario(sc, run, out)?;
        }
        if !run.cleanup.failed.is_empty() {
            write!(out, "<section class=\"scenario\"><h2>Left on the server<small>remove with: scimcheck cleanup --base-url {} --run-id {}</small></h2><div class=\"step-body\"><ul>", esc(&run.target.base_url), esc(&run.run_id))?;
            for f in &run.cleanup.failed {
                write!(
                    out,
                    "<li><code>{}/{}</code> ({}): {}</li>",
                    f.entry.kind.endpoint(),
                    esc(f.entry.id.as_str()),
                    esc(&f.entry.name),
                    esc(&f.reason)
                )?;
            }
            write!(out, "</ul></div></section>")?;
        }
        write!(out, "</main><footer>Generated by scimcheck {} on {}. Each check cites the RFC 7643/7644 section or the identity provider behaviour it replays. Where the RFC allows more than one behaviour, each is accepted. Credentials are never recorded.</footer></body></html>", esc(&run.tool_version), esc(&run.started_at))?;
        writeln!(out)
    }
}

/// Every failure and warning up front, errors first, one line per check: the first message,
/// and the steps that showed it (each with its own message when they differ), so one defect
/// seen in many steps cannot bury the rest.
fn findings(run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
    type Group<'a> = (
        &'a CheckOutcome,
        CheckStatus,
        Option<String>,
        Vec<(String, String, &'a str)>,
    );
    let groups: Vec<Group<'_>> = super::group::findings(run)
        .into_iter()
        .map(|f| {
            let links = f
                .seen
                .iter()
                .map(|s| {
                    (
                        step_anchor(&s.scenario.id, s.step.id),
                        format!("{} › {}", inline(&s.scenario.title), inline(s.step.title)),
                        s.check.message.as_str(),
                    )
                })
                .collect();
            let status = if f.is_failure() {
                CheckStatus::Failed
            } else {
                CheckStatus::Warning
            };
            (f.first().check, status, f.severities(), links)
        })
        .collect();
    if groups.is_empty() {
        return Ok(());
    }
    let tally = super::group::Tally::of(run);
    write!(out, "<section class=\"scenario\"><h2>Failures and warnings<small>{}; one line per cause, errors first; each links to the steps with its evidence</small></h2><div class=\"step-body\"><ul class=\"findings\">", esc(&tally.phrase()))?;
    for (c, status, severities, links) in groups {
        let (symbol, class) = mark(status);
        let same = links.iter().all(|(_, _, m)| *m == c.message);
        let anchors: Vec<String> = links
            .iter()
            .map(|(href, text, message)| {
                if same {
                    format!("<a href=\"#{href}\">{text}</a>")
                } else {
                    format!("<a href=\"#{href}\">{text}</a>: {}", esc(message))
                }
            })
            .collect();
        let place = if anchors.len() <= 3 && same {
            anchors.join(" · ")
        } else {
            format!(
                "<details><summary>in {}</summary>{}</details>",
                count(anchors.len(), "step"),
                anchors.join("<br>")
            )
        };
        let fix = c
            .hint
            .as_deref()
            .map(|h| format!("<div class=\"fix\">Fix: {}</div>", inline(h)))
            .unwrap_or_default();
        let severities = severities
            .map(|s| format!("<div class=\"where\">{}</div>", esc(&s)))
            .unwrap_or_default();
        write!(out, "<li><span class=\"mark-{class}\">{symbol}</span> <code>{}</code> {}{fix}<div class=\"where\">{place} · {}</div>{severities}</li>", id_html(c.id.as_str()), esc(&c.message), esc(&c.reference))?;
    }
    write!(out, "</ul></div></section>")
}

fn step_anchor(scenario: &str, step: &str) -> String {
    format!("{}--{}", anchor(scenario), anchor(step))
}

fn scenario(sc: &ScenarioResult, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
    let v = Verdict::of_scenario(sc, run.interrupted.as_ref());
    write!(out, "<section class=\"scenario\" id=\"{}\"><h2><span class=\"badge {}\">{}</span>{}<small>{} · {} · {}</small></h2>", anchor(&sc.id), v.class(), v.label(), inline(&sc.title), esc(&sc.id), esc(&sc.reference), esc(&shown_file(&sc.file)))?;
    if let Some(why) = &sc.skipped {
        write!(
            out,
            "<div class=\"step-body\"><p>Skipped: {}</p></div>",
            esc(&why.to_string())
        )?;
    }
    if let (None, Verdict::Skipped, Some(why)) =
        (&sc.skipped, v, super::verdict::refused_like_earlier(sc))
    {
        write!(
            out,
            "<div class=\"step-body\"><p>Skipped: {}. The steps that needed the create could not run, so this scenario says nothing either way.</p></div>",
            esc(why)
        )?;
    }
    if let Some(why) = &sc.not_applicable {
        write!(
            out,
            "<div class=\"step-body\"><p>Not applicable: {}. The steps after it were skipped, so this scenario says nothing either way.</p></div>",
            esc(&why.to_string())
        )?;
    }
    for block in super::blocks(sc) {
        step_html(sc, &run.target.base_url, &block.step, block.snapshot, out)?;
    }
    write!(out, "</section>")
}

fn step_html(
    sc: &ScenarioResult,
    base: &str,
    step: &StepResult,
    snapshot: Option<&SnapshotOutcome>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let c = Summary::of(&step.checks);
    let v = Verdict::of_counts(&c);
    // A snapshot is named by what happened to it: recorded, matched, drifted.
    let (badge_class, badge) = match snapshot.map(|s| snapshot_word(s.status)) {
        Some("recorded") => ("rec", "RECORDED".to_string()),
        Some("matched") => ("pass", "MATCHED".to_string()),
        Some(word) if word != "not compared" => (v.class(), word.to_ascii_uppercase()),
        _ => (v.class(), v.label().to_string()),
    };
    // Failures open; a step with warnings only stays closed, so one common warning
    // (say, the content type) does not unfold the whole report.
    let open = if c.failed > 0 { " open" } else { "" };
    let req = step.exchange.as_ref().map(|x| request_line(x, base));
    write!(out, "<details class=\"step\" id=\"{}\"{open}><summary><span class=\"badge {}\">{}</span>{}<span class=\"req\">{}</span></summary><div class=\"step-body\">", step_anchor(&sc.id, &step.id), badge_class, badge, inline(&step.title), esc(req.as_deref().unwrap_or("")))?;
    write!(out, "<table class=\"checks\"><colgroup><col class=\"m\"><col class=\"id\"><col><col class=\"r\"></colgroup><tbody>")?;
    for check in &step.checks {
        check_row(check, out)?;
    }
    write!(out, "</tbody></table>")?;
    if let Some(x) = &step.exchange {
        write!(out, "<pre>{}</pre>", esc(&exchange_text(x)))?;
    }
    {
        if let Some(diff) = snapshot.and_then(|s| s.diff.as_deref()) {
            write!(out, "<pre class=\"diff\">")?;
            for line in diff.lines() {
                let class = if line.starts_with('+') && !line.starts_with("+++") {
                    "add"
                } else if line.starts_with('-') && !line.starts_with("---") {
                    "del"
                } else {
                    ""
                };
                if class.is_empty() {
                    writeln!(out, "{}", esc(line))?;
                } else {
                    write!(out, "<span class=\"{class}\">{}</span>", esc(line))?;
                }
            }
            write!(out, "</pre>")?;
        }
    }
    write!(out, "</div></details>")
}

fn check_row(check: &CheckOutcome, out: &mut dyn Write) -> io::Result<()> {
    let (symbol, class) = mark(check.status);
    write!(
        out,
        "<tr><td class=\"mark-{class}\">{symbol}</td><td><code>{}</code></td><td>{}",
        id_html(check.id.as_str()),
        esc(&check.message)
    )?;
    if check.is_failure() {
        if let Some(hint) = &check.hint {
            write!(out, "<div class=\"fix\">Fix: {}</div>", inline(hint))?;
        }
    }
    write!(
        out,
        "</td><td class=\"rule\">{}</td></tr>",
        esc(&check.reference)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(run: &RunResult) -> String {
        let mut out = Vec::new();
        HtmlReporter.render(run, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The built-in scenarios the fixture leaves out change whenever one is added: the
    /// snapshot keeps the sentence, not the list.
    fn stable(html: &str) -> String {
        let start = "by --scenario, --skip or --entra-dialect): ";
        match html.find(start) {
            Some(i) => {
                let from = i + start.len();
                let end = from + html[from..].find("</p>").unwrap();
                format!("{}[built-in ids]{}", &html[..from], &html[end..])
            }
            None => html.to_string(),
        }
    }

    /// The part of `html` from `from` to the end of the first `to` after it.
    fn part<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
        let i = html.find(from).unwrap_or_else(|| panic!("no {from}"));
        let j = i + html[i..].find(to).unwrap() + to.len();
        &html[i..j]
    }

    #[test]
    fn html_of_a_fixed_run() {
        let html = render(&super::super::fixture::run());
        assert!(
            !html.contains("src=\"http")
                && !html.contains("href=\"http")
                && !html.contains("<link"),
            "self-contained"
        );
        assert!(
            html.contains("&lt;html&gt;&lt;h1&gt;Internal Server Error"),
            "bodies are escaped"
        );
        insta::assert_snapshot!(stable(&html));
    }

    #[test]
    fn html_header_title_coverage_and_legend() {
        let mut run = super::super::fixture::run();
        run.labels.title = Some("Acme <SCIM> certification".into());
        run.labels.product = Some("Acme Directory 4.2".into());
        run.labels.vendor = Some("Acme & Sons".into());
        let html = render(&run);
        assert!(html.contains(
            "<title>Acme &lt;SCIM&gt; certification · Acme Directory 4.2 · Acme &amp; Sons · SCIM conformance report</title>"
        ));
        assert!(!html.contains("<SCIM>"), "labels are escaped");
        assert!(
            html.contains("<code>okta.groups.push</code>"),
            "built-in scenarios left out are named"
        );
        let html = stable(&html);
        let meta = [
            part(&html, "<title>", "</title>"),
            part(&html, "<header>", "</header>"),
            part(
                &html,
                "<section class=\"scenario\"><h2>Failures and warnings",
                "</section>",
            ),
            part(&html, "<section class=\"scenario coverage\"", "</section>"),
            part(
                &html,
                "<section class=\"scenario\" id=\"legend\"",
                "</section>",
            ),
        ]
        .join("\n\n")
        .replace("><", ">\n<");
        insta::assert_snapshot!(meta);
    }

    #[test]
    fn a_written_snapshot_is_recorded_never_passed() {
        let html = render(&super::super::fixture::run());
        let block = part(&html, "id=\"okta-credentials--snapshot\"", "</details>");
        assert!(block.contains("badge rec\">RECORDED"), "{block}");
        assert!(!block.contains("PASSED"), "{block}");
        assert!(html.contains("Snapshots: 1 recorded, 1 drifted."), "{html}");
    }

    #[test]
    fn no_local_path_reaches_the_report() {
        let mut run = super::super::fixture::run();
        run.scenarios[0].file = "/home/alice/mine/acme.yaml".into();
        let html = render(&run);
        assert!(!html.contains("/home/alice"), "{html}");
        let cwd = std::env::current_dir().unwrap().display().to_string();
        assert!(!html.contains(&cwd));
        assert!(html.contains("acme.yaml"));
    }

    #[test]
    fn each_finding_carries_its_fix() {
        let html = render(&super::super::fixture::run());
        let summary = part(&html, "<h2>Failures and warnings", "</section>");
        assert!(
            summary.contains("Fix: Answer this request with 409."),
            "{summary}"
        );
        assert!(
            summary.contains("3 failures from 3 causes, 1 warning from 1 cause"),
            "{summary}"
        );
    }
}
