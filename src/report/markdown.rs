//! Markdown for a CI job summary: a table per scenario and the failures with their rules.

use std::io::{self, Write};

use super::Reporter;
use crate::check::CheckStatus;
use crate::result::{RunResult, Summary};

pub struct MarkdownReporter;

/// Table cells cannot hold `|` or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

impl Reporter for MarkdownReporter {
    fn render(&self, run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
        let s = run.summary;
        let verdict = if s.failed > 0 {
            "❌ failed"
        } else if s.warnings > 0 {
            "⚠️ passed with warnings"
        } else {
            "✅ passed"
        };
        writeln!(out, "## scimcheck: {verdict}\n")?;
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
            "**{} passed, {} failed, {} warnings, {} skipped**\n",
            s.passed, s.failed, s.warnings, s.skipped
        )?;
        writeln!(
            out,
            "| scenario | result | passed | failed | warnings | skipped |"
        )?;
        writeln!(out, "|---|---|---:|---:|---:|---:|")?;
        for sc in &run.scenarios {
            let c = Summary::of(sc.steps.iter().flat_map(|st| &st.checks));
            let mark = if c.failed > 0 {
                "❌"
            } else if c.warnings > 0 {
                "⚠️"
            } else {
                "✅"
            };
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
        let failures: Vec<_> = run.checks().filter(|(_, _, c)| c.is_failure()).collect();
        if !failures.is_empty() {
            writeln!(out, "\n### Failures and warnings\n")?;
            writeln!(
                out,
                "| | check | scenario › step | what happened | rule | fix |"
            )?;
            writeln!(out, "|---|---|---|---|---|---|")?;
            for (sc, st, c) in failures {
                let mark = if c.status == CheckStatus::Failed {
                    "❌"
                } else {
                    "⚠️"
                };
                writeln!(
                    out,
                    "| {mark} | `{}` | `{}` › `{}` | {} | {} | {} |",
                    c.id,
                    sc.id,
                    st.id,
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
    fn markdown_of_a_fixed_run() {
        let mut out = Vec::new();
        MarkdownReporter
            .render(&super::super::fixture::run(), &mut out)
            .unwrap();
        insta::assert_snapshot!(String::from_utf8(out).unwrap());
    }
}
