//! Sections of the HTML report that explain the run rather than list it: the legend of the
//! verdicts and marks, and the coverage (what ran, what was skipped and why, and area by
//! area what the run tested and did not).

use std::io::{self, Write};

use super::coverage::{self, AreaCoverage, AreaState, ProfileCoverage};
use super::grammar::count;
use super::html::{esc, inline};
use super::verdict::LEGEND;
use crate::result::RunResult;

/// The marks beside each check, with what they mean.
const MARKS: &[(&str, &str, &str)] = &[
    ("passed", "✓", "the check passed"),
    ("failed", "✗", "the check failed (severity error)"),
    (
        "warning",
        "!",
        "the check found something to fix (severity warning)",
    ),
    (
        "skipped",
        "–",
        "the check could not apply; its message says why (a recorded snapshot is one)",
    ),
];

/// Every verdict and mark the report uses, once, so a reader who was not there can read it.
pub(super) fn legend(out: &mut dyn Write) -> io::Result<()> {
    write!(out, "<section class=\"scenario\" id=\"legend\"><h2>Legend<small>verdicts of the run, scenarios, steps and snapshots; marks of the checks</small></h2><div class=\"step-body\"><dl class=\"legend\">")?;
    for (class, label, meaning) in LEGEND {
        write!(
            out,
            "<dt><span class=\"badge {class}\">{label}</span></dt><dd>{}</dd>",
            esc(meaning)
        )?;
    }
    for (class, mark, meaning) in MARKS {
        write!(
            out,
            "<dt class=\"mark-{class}\">{mark}</dt><dd>{}</dd>",
            esc(meaning)
        )?;
    }
    write!(out, "</dl></div></section>")
}

/// Per profile: the scenarios that ran, those skipped with the reason, the built-in ones not
/// selected, and area by area what the run tested (with the scenarios) and did not (why).
pub(super) fn coverage(run: &RunResult, out: &mut dyn Write) -> io::Result<()> {
    let all = coverage::of_run(run);
    let profiles: Vec<&str> = all.iter().map(|c| c.profile).collect();
    write!(
        out,
        "<section class=\"scenario coverage\" id=\"coverage\"><h2>Coverage<small>{} ran: {}; what each checked, skipped and does not test</small></h2><div class=\"step-body\">",
        count(profiles.len(), "profile"),
        esc(&profiles.join(", "))
    )?;
    for c in &all {
        profile(c, out)?;
    }
    write!(out, "<p class=\"none\">Whatever the profile, scimcheck also checks every response they apply to for the rules no scenario names: the status, the content type, the JSON body, SCIM error bodies, passwords never returned, one primary value; <code>scimcheck list</code> names them all.</p></div></section>")
}

fn profile(c: &ProfileCoverage<'_>, out: &mut dyn Write) -> io::Result<()> {
    write!(out, "<h3>Profile {}</h3>", esc(c.profile))?;
    let ran: Vec<String> = c
        .ran
        .iter()
        .map(|sc| format!("<code>{}</code> {}", esc(&sc.id), inline(&sc.title)))
        .collect();
    write!(out, "<p>Ran: {}</p>", count(ran.len(), "scenario"))?;
    if !ran.is_empty() {
        write!(out, "<ul><li>{}</li></ul>", ran.join("</li><li>"))?;
    }
    write!(
        out,
        "<p>Skipped (checked nothing): {}</p>",
        count(c.skipped.len(), "scenario")
    )?;
    if !c.skipped.is_empty() {
        write!(out, "<ul>")?;
        for (sc, why) in &c.skipped {
            write!(
                out,
                "<li><code>{}</code> {}: {}</li>",
                esc(&sc.id),
                inline(&sc.title),
                esc(why)
            )?;
        }
        write!(out, "</ul>")?;
    }
    if !c.not_selected.is_empty() {
        let ids: Vec<String> = c
            .not_selected
            .iter()
            .map(|id| format!("<code>{}</code>", esc(id)))
            .collect();
        write!(
            out,
            "<p>Not run (left out of this run by --scenario, --skip or --entra-dialect): {}</p>",
            ids.join(", ")
        )?;
    }
    let Some(areas) = &c.areas else {
        return write!(out, "<p class=\"none\">Scenarios of your own or an imported test: they test what their files send; scimcheck cannot say what they leave out.</p>");
    };
    let (tested, untested): (Vec<&AreaCoverage>, Vec<&AreaCoverage>) = areas
        .iter()
        .partition(|a| matches!(a.state, AreaState::Tested(_)));
    if !tested.is_empty() {
        write!(out, "<p><b>Tested by this run:</b></p><ul>")?;
        for a in tested {
            if let AreaState::Tested(by) = &a.state {
                let by: Vec<String> = by
                    .iter()
                    .map(|id| format!("<code>{}</code>", esc(id)))
                    .collect();
                write!(out, "<li>{}: {}</li>", esc(a.area), by.join(", "))?;
            }
        }
        write!(out, "</ul>")?;
    }
    if !untested.is_empty() {
        write!(out, "<p><b>Not tested by this run:</b></p><ul>")?;
        for a in untested {
            let why = match &a.state {
                AreaState::NotRun(why) => why.as_str(),
                _ => "no scenario of this profile sends such a request",
            };
            write!(out, "<li>{}: not tested: {}</li>", esc(a.area), esc(why))?;
        }
        write!(out, "</ul>")?;
    }
    Ok(())
}
