//! The certification report: one self-contained HTML file (no external assets) that a vendor
//! hands to a customer or an IdP: target, date, profiles, harness version, the verdict per
//! scenario and check with references, expandable exchanges, and any snapshot diff.

use std::io::{self, Write};

use super::exchange_text::exchange_text;
use super::text::{display_copy, duration};
use super::verdict::{scenario_counts, Verdict};
use super::Reporter;
use crate::check::{CheckOutcome, CheckStatus};
use crate::result::{RunResult, ScenarioResult, SnapshotOutcome, StepResult, Summary};

pub struct HtmlReporter;

fn esc(s: &str) -> String {
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
fn inline(s: &str) -> String {
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
fn request_line(x: &crate::exec::Exchange) -> String {
    let path = x
        .request
        .url
        .split_once("/scim/v2")
        .map_or(x.request.url.as_str(), |(_, p)| p);
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    format!(
        "{} {} → {}",
        x.request.method.as_str(),
        decoded,
        x.status().map_or("no response".into(), |s| s.to_string())
    )
}

const STYLE: &str = r#"
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--skip:#6e7781;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--ink);background:#fff}
header{background:linear-gradient(135deg,#0b2545,#13315c);color:#fff;padding:28px 40px}
header .brand{font-size:13px;letter-spacing:.12em;text-transform:uppercase;opacity:.75}
header h1{margin:4px 0 14px;font-size:26px;font-weight:600}
.verdict{display:inline-block;padding:4px 12px;border-radius:999px;font-weight:600;font-size:13px;vertical-align:middle;margin-left:10px}
.verdict.pass{background:#dafbe1;color:var(--ok)}.verdict.fail{background:#ffebe9;color:var(--bad)}.verdict.warn{background:#fff8c5;color:var(--warn)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0;font-size:13px}dl.meta dt{opacity:.7}dl.meta dd{margin:0;word-break:break-all}
.cards{display:flex;gap:12px;margin:20px 40px}.card{flex:1;border:1px solid var(--line);border-radius:8px;padding:12px 16px;background:#fff}
.card b{display:block;font-size:24px}.card.ok b{color:var(--ok)}.card.bad b{color:var(--bad)}.card.warn b{color:var(--warn)}.card.skip b{color:var(--skip)}
main{padding:0 40px 40px}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:var(--bg)}
td.n{text-align:right;font-variant-numeric:tabular-nums}a{color:#0969da;text-decoration:none}
section.scenario{margin-top:28px;border:1px solid var(--line);border-radius:8px;overflow:hidden}
section.scenario>h2{margin:0;padding:12px 16px;font-size:17px;background:var(--bg);border-bottom:1px solid var(--line)}
section.scenario>h2 small{display:block;font-weight:400;font-size:12px;color:var(--muted)}
.badge{display:inline-block;min-width:54px;text-align:center;padding:1px 8px;border-radius:4px;font-size:12px;font-weight:600;margin-right:8px}
.badge.pass{background:#dafbe1;color:var(--ok)}.badge.fail{background:#ffebe9;color:var(--bad)}.badge.warn{background:#fff8c5;color:var(--warn)}.badge.skip{background:#eaeef2;color:var(--skip)}
details.step{border-top:1px solid var(--line)}details.step:first-of-type{border-top:0}
details.step>summary{cursor:pointer;padding:8px 16px;list-style:none;display:flex;gap:10px;align-items:baseline}
details.step>summary::-webkit-details-marker{display:none}details.step>summary:before{content:"▸";color:var(--muted)}details.step[open]>summary:before{content:"▾"}
summary .req{margin-left:auto;font:12px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:55%}
.step-body{padding:0 16px 14px 36px}table.checks{table-layout:fixed}.checks col.m{width:22px}.checks col.id{width:30%}.checks col.r{width:22%}.checks code{font-size:12px}
.findings{margin:8px 0 0;padding:0;list-style:none}.findings li{padding:6px 0;border-bottom:1px solid var(--line)}.findings .where{color:var(--muted);font-size:12px}.findings details{display:inline}.findings summary{cursor:pointer;display:inline;color:#0969da}
.notice{margin:20px 40px 0;padding:10px 14px;border:1px solid #d4a72c;background:#fff8c5;border-radius:6px}
.mark-passed{color:var(--ok)}.mark-failed{color:var(--bad)}.mark-warning{color:var(--warn)}.mark-skipped{color:var(--skip)}
.rule{color:var(--muted);font-size:12px}.fix{font-size:12px}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;word-break:break-word;max-height:420px}
pre.diff .add{color:var(--ok);background:#e6ffec;display:block}pre.diff .del{color:var(--bad);background:#ffebe9;display:block}
footer{padding:16px 40px 32px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
@media print{details.step>summary:before{content:""}details::details-content{content-visibility:visible;display:block}details>:not(summary){display:block}pre{max-height:none;overflow:visible}summary .req{white-space:normal;max-width:none}}
"#;

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
        let run = &display_copy(run);
        let s = run.summary;
        let verdict = Verdict::of_run(run);
        let (class, label) = (verdict.class(), verdict.label());
        let profiles: Vec<&str> = run.profiles.iter().map(|p| p.as_str()).collect();
        write!(out, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")?;
        write!(
            out,
            "<title>SCIM conformance report · {}</title><style>{STYLE}</style></head><body>",
            esc(&run.target.base_url)
        )?;
        write!(out, "<header><div class=\"brand\">scimcheck · SCIM 2.0 conformance</div><h1>Conformance report<span class=\"verdict {class}\">{label}</span></h1><dl class=\"meta\">")?;
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
            (
                "warn",
                s.warnings,
                if s.warnings == 1 {
                    "warning"
                } else {
                    "warnings"
                },
            ),
            ("skip", s.skipped, "skipped"),
        ] {
            write!(out, "<div class=\"card {c}\"><b>{n}</b>{name}</div>")?;
        }
        write!(out, "</div><main><table><thead><tr><th>Scenario</th><th>Reference</th><th>Passed</th><th>Failed</th><th>Warnings</th><th>Skipped</th></tr></thead><tbody>")?;
        for sc in &run.scenarios {
            let c = scenario_counts(sc);
            let v = Verdict::of_scenario(sc, run.interrupted.as_ref());
            write!(out, "<tr><td><span class=\"badge {}\">{}</span><a href=\"#{}\">{}</a></td><td class=\"rule\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>", v.class(), v.label(), anchor(&sc.id), inline(&sc.title), esc(&sc.reference), c.passed, c.failed, c.warnings, c.skipped)?;
        }
        write!(out, "</tbody></table>")?;
        findings(run, out)?;
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
    type Group<'a> = (&'a CheckOutcome, Vec<(String, String, &'a str)>);
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
            (f.first().check, links)
        })
        .collect();
    if groups.is_empty() {
        return Ok(());
    }
    let total: usize = groups.iter().map(|(_, l)| l.len()).sum();
    write!(out, "<section class=\"scenario\"><h2>Failures and warnings<small>{total} finding(s) from {} check(s), errors first; each links to the step with its evidence</small></h2><div class=\"step-body\"><ul class=\"findings\">", groups.len())?;
    for (c, links) in groups {
        let (symbol, class) = mark(c.status);
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
                "<details><summary>in {} step(s)</summary>{}</details>",
                anchors.len(),
                anchors.join("<br>")
            )
        };
        write!(out, "<li><span class=\"mark-{class}\">{symbol}</span> <code>{}</code> {}<div class=\"where\">{place} · {}</div></li>", id_html(c.id.as_str()), esc(&c.message), esc(&c.reference))?;
    }
    write!(out, "</ul></div></section>")
}

fn step_anchor(scenario: &str, step: &str) -> String {
    format!("{}--{}", anchor(scenario), anchor(step))
}

fn scenario(sc: &ScenarioResult, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
    let v = Verdict::of_scenario(sc, run.interrupted.as_ref());
    write!(out, "<section class=\"scenario\" id=\"{}\"><h2><span class=\"badge {}\">{}</span>{}<small>{} · {} · {}</small></h2>", anchor(&sc.id), v.class(), v.label(), inline(&sc.title), esc(&sc.id), esc(&sc.reference), esc(&sc.file))?;
    if let Some(why) = &sc.skipped {
        write!(
            out,
            "<div class=\"step-body\"><p>Skipped: {}</p></div>",
            esc(&why.to_string())
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
        step_html(sc, &block.step, block.snapshot, out)?;
    }
    write!(out, "</section>")
}

fn step_html(
    sc: &ScenarioResult,
    step: &StepResult,
    snapshot: Option<&SnapshotOutcome>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let c = Summary::of(&step.checks);
    let v = Verdict::of_counts(&c);
    // Failures open; a step with warnings only stays closed, so one common warning
    // (say, the content type) does not unfold the whole report.
    let open = if c.failed > 0 { " open" } else { "" };
    let req = step.exchange.as_ref().map(request_line);
    write!(out, "<details class=\"step\" id=\"{}\"{open}><summary><span class=\"badge {}\">{}</span>{}<span class=\"req\">{}</span></summary><div class=\"step-body\">", step_anchor(&sc.id, &step.id), v.class(), v.label(), inline(&step.title), esc(req.as_deref().unwrap_or("")))?;
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

    #[test]
    fn html_of_a_fixed_run() {
        let mut out = Vec::new();
        HtmlReporter
            .render(&super::super::fixture::run(), &mut out)
            .unwrap();
        let html = String::from_utf8(out).unwrap();
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
        insta::assert_snapshot!(html);
    }
}
