//! Markdown for a CI job summary: a table per scenario and the failures with their rules.

use std::io::{self, Write};

use super::text::display_copy;
use super::verdict::{scenario_counts, Verdict};
use super::Reporter;
use crate::check::CheckStatus;
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
        let profiles: Vec<&str> = run.profiles.iter().map(|p| p.as_str()).collect();
        writeln!(
            out,
            "Target `{}` · profiles {} · run `{}` · {}\n",
            run.target.base_url,
            profiles.join(", "),
            run.run_id,
            run.started_at
        )?;
        writeln!(
            out,
            "**{} passed, {} failed, {} warning{}, {} skipped**\n",
            s.passed,
            s.failed,
            s.warnings,
            if s.warnings == 1 { "" } else { "s" },
            s.skipped
        )?;
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
            let mark = Verdict::of_scenario(sc, run.interrupted.as_ref()).emoji();
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
        // Errors first; one row per defect, with every step that showed it.
        let findings = super::group::findings(run);
        if !findings.is_empty() {
            writeln!(out, "\n### Failures and warnings\n")?;
            writeln!(
                out,
                "| | check | scenario › step | what happened | rule | fix |"
            )?;
            writeln!(out, "|---|---|---|---|---|---|")?;
            for f in findings {
                let first = f.first();
                let c = first.check;
                let mark = if c.status == CheckStatus::Failed {
                    "❌"
                } else {
                    "⚠️"
                };
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
                writeln!(
                    out,
                    "| {mark} | `{}` | {places} | {} | {} | {} |",
                    c.id,
                    cell(&c.message),
                    cell(&c.reference),
                    cell(c.hint.as_deref().unwrap_or(""))
                )?;
            }
        }
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
}
