//! Markdown for a CI job summary: the verdict, the labels, target, run and tool version, the
//! checks and findings counted as every report counts them, the snapshots counted (recorded
//! / matched / drifted), a table of scenarios, then the failures and after them the
//! warnings, one row per cause with every step it was seen at, its rule and fix.

use std::io::{self, Write};

use super::grammar::count;
use super::group::Finding;
use super::text::display_copy;
use super::verdict::{scenario_counts, snapshot_counts, Verdict};
use super::Reporter;
use crate::result::RunResult;

pub struct MarkdownReporter;

/// Table cells cannot hold `|` or line breaks; `<` and `>` would be read as HTML (the
/// server's text, or a placeholder such as `<id>` in a hint).
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_code = false;
    for c in s.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            // Inside a code span an entity would show as typed.
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

impl Reporter for MarkdownReporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        let run = &display_copy(run);
        let s = run.summary;
        let verdict = Verdict::of_run(run);
        let words = match verdict {
            Verdict::Failed => "failed",
            Verdict::Incomplete => "incomplete",
            Verdict::Warnings => "passed with warnings",
            Verdict::Skipped => "nothing was checked",
            Verdict::Passed => "passed",
        };
        writeln!(out, "## scimcheck: {} {words}\n", verdict.emoji())?;
        if let Some(why) = &run.interrupted {
            writeln!(
                out,
                "> **Stopped early** ({}): the remaining steps were skipped, so this is not a full result.\n",
                cell(&why.to_string())
            )?;
        }
        if !run.labels.is_empty() {
            let parts: Vec<String> = run
                .labels
                .given()
                .map(|(name, v)| match name {
                    "title" => format!("**{}**", cell(v)),
                    _ => format!("{name} {}", cell(v)),
                })
                .collect();
            writeln!(out, "{}\n", parts.join(" · "))?;
        }
        let profiles: Vec<&str> = run.profiles.iter().map(|p| p.as_str()).collect();
        writeln!(
            out,
            "Target `{}` · profiles {} · run `{}` · scimcheck {} · {}\n",
            run.target.base_url,
            profiles.join(", "),
            run.run_id,
            cell(&run.tool_version),
            run.started_at
        )?;
        writeln!(
            out,
            "**{}**  \nFindings: {}\n",
            super::group::checks_phrase(&s),
            super::group::Tally::of(run).phrase()
        )?;
        if let Some(counts) = snapshot_counts(run) {
            writeln!(out, "Snapshots: {counts}. A recorded snapshot was written by this run and compared with nothing.\n")?;
        }
        for imported in super::imported::summaries(run) {
            let (first, second) = imported.lines();
            writeln!(
                out,
                "**Imported test: {}**  \n{}\n",
                cell(&first),
                cell(&second)
            )?;
        }
        writeln!(
            out,
            "| scenario | result | passed | failed | warnings | skipped |"
        )?;
        writeln!(out, "|---|---|---:|---:|---:|---:|")?;
        for sc in &run.scenarios {
            let c = scenario_counts(sc);
            let verdict = Verdict::of_scenario(sc, run.interrupted.as_ref());
            let mut mark = verdict.emoji().to_string();
            if verdict == Verdict::Skipped {
                if let Some(why) = super::verdict::refused_like_earlier(sc) {
                    mark.push_str(&format!(" skipped: {}", cell(why)));
                }
            }
            writeln!(
                out,
                "| {} (`{}`) | {mark} | {} | {} | {} | {} |",
                cell(&sc.title),
                sc.id,
                c.passed,
                c.failed,
                c.warnings,
                c.skipped
            )?;
        }
        // Failures, then warnings; one row per defect, with every step that showed it.
        let findings = super::group::findings(run);
        let (failures, warnings): (Vec<_>, Vec<_>) = findings.iter().partition(|f| f.is_failure());
        let tally = super::group::Tally::of(run);
        let heading = |causes: usize, n: usize, what: &str| {
            format!("{} of {}", count(causes, "cause"), count(n, what))
        };
        // A cause that is an error somewhere is in the failures' table with its warnings.
        let mut failures_heading = heading(tally.failure_causes, tally.failures, "failure");
        if tally.warnings_of_failure_causes > 0 {
            failures_heading.push_str(&format!(
                " and {}",
                count(tally.warnings_of_failure_causes, "warning")
            ));
        }
        findings_table(&failures_heading, "❌", &failures, out)?;
        findings_table(
            &heading(
                tally.warning_causes,
                tally.warnings - tally.warnings_of_failure_causes,
                "warning",
            ),
            "⚠️",
            &warnings,
            out,
        )?;
        if !run.cleanup.failed.is_empty() {
            writeln!(out, "\n### Left on the server\n")?;
            for f in &run.cleanup.failed {
                writeln!(
                    out,
                    "- `{}/{}` ({}): {}",
                    f.entry.kind.endpoint(),
                    f.entry.id,
                    cell(&f.entry.name),
                    cell(&f.reason)
                )?;
            }
            writeln!(
                out,
                "\nRemove them with `scimcheck cleanup --base-url {} --run-id {}`.",
                run.target.base_url, run.run_id
            )?;
        }
        Ok(())
    }
}

/// One table of findings under its heading (`3 failures`), nothing when there are none.
fn findings_table(
    heading: &str,
    mark: &str,
    findings: &[&Finding<'_>],
    out: &mut dyn Write,
) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n### {heading}\n")?;
    writeln!(
        out,
        "| | check | scenario › step | what happened | rule | fix |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for f in findings {
        let first = f.first();
        let c = first.check;
        let mut places = format!("`{}` › `{}`", first.scenario.id, first.step.id);
        if f.seen.len() > 1 {
            let others: Vec<String> = f.seen[1..]
                .iter()
                .map(|s| format!("`{}` › `{}`", s.scenario.id, s.step.id))
                .collect();
            places.push_str(&format!(
                " and {} more: {}",
                others.len(),
                others.join(", ")
            ));
        }
        if let Some(severities) = f.severities() {
            places.push_str(&format!(" ({severities})"));
        }
        writeln!(
            out,
            "| {mark} | `{}` | {places} | {} | {} | {} |",
            c.id,
            cell(&c.message),
            cell(&c.reference),
            cell(c.hint.as_deref().unwrap_or(""))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_html_outside_code() {
        assert_eq!(
            cell("a|b <script> `x<y>|z`"),
            "a\\|b &lt;script&gt; `x<y>\\|z`"
        );
    }

    #[test]
    fn markdown_of_a_fixed_run() {
        let mut out = Vec::new();
        MarkdownReporter
            .render(&super::super::fixture::run(), &mut out)
            .unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }

    #[test]
    fn markdown_header_names_the_labels_the_version_and_the_snapshots() {
        let mut run = super::super::fixture::run();
        run.labels.title = Some("Acme | certification".into());
        run.labels.product = Some("Acme Directory".into());
        let mut out = Vec::new();
        MarkdownReporter.render(&run, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        let header: String = md.split("| scenario |").next().unwrap().to_string();
        assert!(header.contains("scimcheck 0.1.0"), "{header}");
        assert!(
            header.contains("Snapshots: 1 recorded, 1 drifted."),
            "{header}"
        );
        assert!(header.contains("**Acme \\| certification**"), "{header}");
        insta::assert_snapshot!(header);
    }

    #[test]
    fn failures_come_before_warnings() {
        let mut out = Vec::new();
        MarkdownReporter
            .render(&super::super::fixture::run(), &mut out)
            .unwrap();
        let md = String::from_utf8(out).unwrap();
        let failures = md.find("### 3 causes of 3 failures").expect(&md);
        let warnings = md.find("### 1 cause of 1 warning\n").expect(&md);
        assert!(failures < warnings);
        assert!(md[warnings..].contains("rfc7644.content-type"));
        assert!(!md[failures..warnings].contains("rfc7644.content-type"));
    }
}
