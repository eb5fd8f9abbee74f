//! One scenario's block in the terminal report. By default it is as short as the truth
//! allows, as a passing test is one line in nextest: a scenario without failures or
//! warnings is one line; a failing one shows the steps with a new finding, in full, once;
//! steps that only repeat a finding shown earlier are counted on one line, and the steps
//! skipped because an earlier one failed on one line per reason. `-v` shows every step.

use std::io::{self, Write};

use super::grammar::count;
use super::group::Repeats;
use super::human::{HumanReporter, Paint};
use super::text::duration;
use super::verdict::Verdict;
use crate::check::{CheckOutcome, CheckStatus};
use crate::result::{ScenarioResult, StepRef, StepResult};

impl HumanReporter {
    pub(super) fn scenario(
        &self,
        p: &Paint,
        base: &str,
        sc: &ScenarioResult,
        repeats: &Repeats,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let blocks = super::blocks(sc);
        let findings = blocks
            .iter()
            .flat_map(|b| &b.step.checks)
            .any(CheckOutcome::is_failure);
        let verdict = Verdict::of_scenario(sc, None);
        let mark = match verdict {
            Verdict::Failed => p.red("✗"),
            Verdict::Warnings | Verdict::Incomplete => p.yellow("!"),
            Verdict::Passed => p.green("✓"),
            Verdict::Skipped => p.dim("–"),
        };
        if !findings && !self.verbose {
            if !self.quiet {
                self.one_line(p, &mark, sc, out, None)?;
            }
            return Ok(());
        }
        // A scenario whose every finding was shown in full above is one line too, naming them.
        if !self.verbose && sc.skipped.is_none() {
            let (steps, ids) = repeated_only(sc, &blocks, repeats);
            if steps > 0 {
                let ids = format!(
                    "{} only {} findings shown above: {}",
                    count(steps, "step"),
                    if steps == 1 { "repeats" } else { "repeat" },
                    ids.join(", ")
                );
                return self.one_line(p, &mark, sc, out, Some(&ids));
            }
        }
        writeln!(out)?;
        writeln!(
            out,
            "{mark} {}  {}",
            p.bold(&sc.title),
            p.dim(&format!("{} · {}", sc.id, sc.reference))
        )?;
        if let Some(reason) = &sc.skipped {
            writeln!(out, "  – skipped: {reason}")?;
            return Ok(());
        }
        if self.verbose {
            for block in &blocks {
                self.step(p, base, sc, &block.step, repeats, out)?;
            }
        } else {
            self.compact_steps(p, base, sc, &blocks, repeats, out)?;
        }
        if let Some(why) = &sc.not_applicable {
            writeln!(out, "  – not applicable: {why}")?;
        }
        if let Some(diff) = sc.snapshot.as_ref().and_then(|s| s.diff.as_deref()) {
            self.diff(p, diff, out)?;
        }
        Ok(())
    }

    /// A scenario without findings: its verdict, title, id, steps and time, and why steps
    /// were skipped, when some were.
    fn one_line(
        &self,
        p: &Paint,
        mark: &str,
        sc: &ScenarioResult,
        out: &mut dyn Write,
        repeated: Option<&str>,
    ) -> io::Result<()> {
        let mut about = format!(
            "{} · {} · {}",
            sc.id,
            count(sc.steps.len(), "step"),
            duration(sc.duration_ms)
        );
        if let Some(repeated) = repeated {
            about.push_str(&format!(" · {repeated}"));
        }
        if let Some(why) = &sc.skipped {
            about.push_str(&format!(" · skipped: {why}"));
        } else if let Some(why) = super::verdict::refused_like_earlier(sc) {
            about.push_str(&format!(" · skipped: {why}"));
        } else if let Some(why) = &sc.not_applicable {
            about.push_str(&format!(" · not applicable: {why}"));
        } else if let Some((why, n)) = skipped_steps(sc).into_iter().next() {
            about.push_str(&format!(" · {} skipped: {why}", count(n, "step")));
        }
        writeln!(out, "{mark} {}  {}", sc.title, p.dim(&about))
    }

    /// The steps of a scenario with findings, by default: those with a new finding in full;
    /// a create refused like an earlier one, one line; steps that only repeat findings
    /// shown earlier, one line in all; skipped steps, one line per reason.
    fn compact_steps(
        &self,
        p: &Paint,
        base: &str,
        sc: &ScenarioResult,
        blocks: &[super::Block<'_>],
        repeats: &Repeats,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut repeated_steps = 0;
        let mut repeated: Vec<(&str, CheckStatus)> = Vec::new();
        // The snapshot's block (with its diff) comes last, after the steps' skips.
        let (steps, snapshot): (Vec<_>, Vec<_>) = blocks.iter().partition(|b| b.snapshot.is_none());
        for block in steps {
            let step: &StepResult = &block.step;
            if step.skipped.is_some() {
                continue;
            }
            let at = StepRef {
                id: step.id.as_str(),
                title: &step.title,
            };
            let failures: Vec<&CheckOutcome> =
                step.checks.iter().filter(|c| c.is_failure()).collect();
            if failures.is_empty() {
                if let Some(c) = step
                    .checks
                    .iter()
                    .find(|c| crate::run::root_of(&c.message).is_some())
                {
                    writeln!(
                        out,
                        "  {} {}  {}",
                        p.dim("–"),
                        step.title,
                        p.dim(&c.message)
                    )?;
                }
                continue;
            }
            if failures
                .iter()
                .any(|c| repeats.of_check(sc, at, c).0.is_none())
            {
                self.step(p, base, sc, step, repeats, out)?;
                continue;
            }
            repeated_steps += 1;
            for c in failures {
                if !repeated.iter().any(|(id, _)| *id == c.id.as_str()) {
                    repeated.push((c.id.as_str(), c.status));
                }
            }
        }
        if repeated_steps > 0 {
            let mark = if repeated.iter().any(|(_, s)| *s == CheckStatus::Failed) {
                p.red("✗")
            } else {
                p.yellow("!")
            };
            let ids: Vec<&str> = repeated.iter().map(|(id, _)| *id).collect();
            writeln!(
                out,
                "  {mark} {} only {} findings shown above: {}",
                count(repeated_steps, "more step"),
                if repeated_steps == 1 {
                    "repeats"
                } else {
                    "repeat"
                },
                ids.join(", ")
            )?;
        }
        for (why, n) in skipped_steps(sc) {
            writeln!(
                out,
                "  {} {} skipped: {why}",
                p.dim("–"),
                count(n, later(&why))
            )?;
        }
        for block in snapshot {
            if block.step.checks.iter().any(CheckOutcome::is_failure) {
                self.step(p, base, sc, &block.step, repeats, out)?;
            }
        }
        Ok(())
    }
}

/// When every finding of a scenario repeats one shown in full at an earlier scenario (and
/// nothing else needs a line: no refused create, no snapshot finding, no diff), how many
/// steps showed them and their check ids; `(0, [])` otherwise.
fn repeated_only<'a>(
    sc: &'a ScenarioResult,
    blocks: &'a [super::Block<'a>],
    repeats: &Repeats,
) -> (usize, Vec<&'a str>) {
    let none = (0, Vec::new());
    if sc.not_applicable.is_some()
        || sc.snapshot.as_ref().is_some_and(|s| s.diff.is_some())
        || blocks
            .iter()
            .any(|b| b.snapshot.is_some() && b.step.checks.iter().any(CheckOutcome::is_failure))
    {
        return none;
    }
    let mut steps = 0;
    let mut ids: Vec<&str> = Vec::new();
    for step in &sc.steps {
        let at = StepRef {
            id: step.id.as_str(),
            title: &step.title,
        };
        if step
            .checks
            .iter()
            .any(|c| crate::run::root_of(&c.message).is_some())
        {
            return none;
        }
        let failures: Vec<&CheckOutcome> = step.checks.iter().filter(|c| c.is_failure()).collect();
        if failures.is_empty() {
            continue;
        }
        if failures
            .iter()
            .any(|c| repeats.of_check(sc, at, c).0.is_none())
        {
            return none;
        }
        steps += 1;
        for c in failures {
            if !ids.contains(&c.id.as_str()) {
                ids.push(c.id.as_str());
            }
        }
    }
    (steps, ids)
}

/// The skipped steps of a scenario counted by reason, in order of first appearance, each
/// reason as people read it (`` `create` answered 400 ``). A step skipped because the step
/// it needs was skipped counts under that step's reason: one failed create, one line.
fn skipped_steps(sc: &ScenarioResult) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for why in sc.steps.iter().filter_map(|s| s.skipped.as_deref()) {
        let why = shown_reason(root_reason(sc, why));
        match out.iter_mut().find(|(w, _)| *w == why) {
            Some((_, n)) => *n += 1,
            None => out.push((why, 1)),
        }
    }
    out
}

/// The reason at the start of a chain of skips: `` step `b` did not succeed: it was
/// skipped `` is the reason `b` was skipped, and so on (at most one hop per step).
fn root_reason<'a>(sc: &'a ScenarioResult, why: &'a str) -> &'a str {
    let mut why = why;
    for _ in 0..sc.steps.len() {
        let need = why
            .strip_prefix("step `")
            .and_then(|rest| rest.strip_suffix("` did not succeed: it was skipped"));
        let Some(earlier) = need
            .and_then(|id| sc.steps.iter().find(|s| s.id.as_str() == id))
            .and_then(|s| s.skipped.as_deref())
        else {
            break;
        };
        why = earlier;
    }
    why
}

/// `` step `create` did not succeed: it answered 400 `` → `` `create` answered 400 ``.
fn shown_reason(why: &str) -> String {
    why.strip_prefix("step ")
        .map(|rest| rest.replacen(" did not succeed: it answered ", " answered ", 1))
        .unwrap_or_else(|| why.to_string())
}

/// "later step" when the reason is an earlier step, else "step".
fn later(why: &str) -> &'static str {
    if why.starts_with('`') || why.starts_with("because the create failed") {
        "later step"
    } else {
        "step"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_because_of_an_earlier_step_reads_short() {
        assert_eq!(
            shown_reason("step `create` did not succeed: it answered 400"),
            "`create` answered 400"
        );
        assert_eq!(later("`create` answered 400"), "later step");
        assert_eq!(
            shown_reason("filtering is not supported"),
            "filtering is not supported"
        );
        assert_eq!(later("filtering is not supported"), "step");
    }

    #[test]
    fn a_chain_of_skips_counts_under_its_first_reason() {
        let mut sc = crate::report::fixture::run().scenarios[1].clone();
        let ids: Vec<String> = sc.steps.iter().map(|s| s.id.to_string()).collect();
        assert!(ids.len() >= 3, "{ids:?}");
        sc.steps[0].skipped = None;
        sc.steps[1].skipped = Some(format!(
            "step `{}` did not succeed: it answered 400",
            ids[0]
        ));
        for i in 2..ids.len() {
            sc.steps[i].skipped = Some(format!(
                "step `{}` did not succeed: it was skipped",
                ids[i - 1]
            ));
        }
        assert_eq!(
            skipped_steps(&sc),
            vec![(format!("`{}` answered 400", ids[0]), ids.len() - 1)]
        );
    }
}
