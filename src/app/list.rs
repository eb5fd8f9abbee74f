//! `scimcheck list`: every scenario with its steps and the checks each runs, the rules run on
//! every response, and the named checks, all with their references. One [`Listing`] value is
//! built and then written as text or, with `--json`, as a document whose shape is part of the
//! CLI contract (README, "scimcheck list --json"), so the two can never say different things.

use std::io::Write;

use serde::Serialize;

use crate::check::rules::{Applies, Rule, RULES};
use crate::cli::ListArgs;
use crate::error::Error;
use crate::scenario::{Capability, Dialect, Loaded, Profile, PROFILES};
use crate::scim::{status_check_id, Severity};

/// Bumped when a field changes meaning or goes away; adding a field does not bump it.
const LIST_VERSION: u32 = 1;

/// The whole listing.
#[derive(Debug, Serialize)]
struct Listing<'a> {
    list_version: u32,
    tool_version: &'static str,
    profiles: Vec<Profile>,
    /// Every built-in profile, whether `--profile` chose it or not.
    builtin_profiles: Vec<ProfileRow>,
    scenarios: Vec<ScenarioEntry<'a>>,
    /// Rules that run without a step asking, then those that are one outcome of a named
    /// check but take another severity in some profile.
    rules: Vec<RuleEntry>,
    named_checks: Vec<NamedEntry>,
}

/// A built-in profile: its name, what it replays, and whether `--profile all` runs it.
#[derive(Debug, Serialize)]
struct ProfileRow {
    name: &'static str,
    description: &'static str,
    in_all: bool,
    /// The description with the opt-in mark, for the text listing.
    #[serde(skip)]
    shown: String,
}

#[derive(Debug, Serialize)]
struct ScenarioEntry<'a> {
    id: &'a str,
    title: &'a str,
    profile: Profile,
    dialect: Option<Dialect>,
    reference: &'a str,
    description: Option<&'a str>,
    file: &'a str,
    requires: &'a [Capability],
    /// For a scenario generated at run time from what `/Schemas` publishes: what its steps
    /// will be (`steps` is then empty).
    generated: Option<String>,
    steps: Vec<StepEntry<'a>>,
}

#[derive(Debug, Serialize)]
struct StepEntry<'a> {
    id: &'a str,
    title: &'a str,
    /// The step's own rule, when it overrides the scenario's.
    reference: Option<&'a str>,
    needs: Vec<&'a str>,
    checks: Vec<CheckEntry>,
}

/// One check a step runs.
#[derive(Debug, Serialize)]
struct CheckEntry {
    id: String,
    /// `status`, `assert` or `named`.
    kind: &'static str,
    /// An assert's severity when it fails (asserts say it; status and named checks decide
    /// theirs per finding, so this is null for them).
    severity: Option<Severity>,
}

#[derive(Debug, Serialize)]
struct RuleEntry {
    id: &'static str,
    reference: &'static str,
    summary: &'static str,
    /// The condition of a rule that runs unasked.
    when: Option<&'static str>,
    /// The named check a rule is one outcome of.
    part_of: Option<&'static str>,
    profiles: Vec<ProfileEntry>,
}

#[derive(Debug, Serialize)]
struct NamedEntry {
    id: &'static str,
    reference: &'static str,
    summary: &'static str,
    reports: &'static [&'static str],
    profiles: Vec<ProfileEntry>,
}

/// A profile in which a rule's finding weighs differently, and why.
#[derive(Debug, Serialize)]
struct ProfileEntry {
    profile: Profile,
    severity: Severity,
    why: &'static str,
}

/// Runs `scimcheck list`.
pub(super) fn list(args: ListArgs) -> Result<(), Error> {
    let loaded = crate::plan::load(&args.scenarios, None)?;
    let profiles = super::parse_profiles(&args.profile, &loaded)?;
    let listing = listing(&loaded, profiles);
    let text = if args.json {
        serde_json::to_string_pretty(&listing)
            .map_err(|e| Error::Internal(format!("cannot write the listing as JSON: {e}")))?
    } else {
        text(&listing)
    };
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    Ok(())
}

fn listing(loaded: &[Loaded], profiles: Vec<Profile>) -> Listing<'_> {
    let scenarios = loaded
        .iter()
        .filter(|l| profiles.contains(&l.scenario.profile))
        .map(|l| {
            let s = &l.scenario;
            let generated = crate::plan::generated::is_placeholder(l);
            ScenarioEntry {
                id: s.id.as_str(),
                title: &s.title,
                profile: s.profile,
                dialect: s.dialect,
                reference: &s.reference,
                description: s.description.as_deref().map(str::trim),
                file: &l.file,
                requires: &s.requires,
                generated: generated.then(|| generated_steps(s.id.as_str())),
                steps: s
                    .steps
                    .iter()
                    .filter(|_| !generated)
                    .map(|step| {
                        let mut checks = vec![CheckEntry {
                            id: status_check_id(&s.id, &step.id).to_string(),
                            kind: "status",
                            severity: None,
                        }];
                        checks.extend(step.expect.asserts.iter().map(|a| CheckEntry {
                            id: a.id.clone(),
                            kind: "assert",
                            severity: Some(a.severity.unwrap_or(Severity::Error)),
                        }));
                        checks.extend(step.expect.checks.iter().map(|c| CheckEntry {
                            id: c.id().to_string(),
                            kind: "named",
                            severity: None,
                        }));
                        StepEntry {
                            id: step.id.as_str(),
                            title: &step.title,
                            reference: step.reference.as_deref(),
                            needs: step.needs.iter().map(|n| n.as_str()).collect(),
                            checks,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let profiles_of = |r: &Rule| {
        r.profiles
            .iter()
            .map(|p| ProfileEntry {
                profile: p.profile,
                severity: p.severity,
                why: p.why,
            })
            .collect()
    };
    let rule = |r: &Rule, when, part_of| RuleEntry {
        id: r.id,
        reference: r.reference,
        summary: r.summary,
        when,
        part_of,
        profiles: profiles_of(r),
    };
    // Rules that run unasked first, then the outcomes of named checks listed for a profile.
    let mut rules: Vec<RuleEntry> = RULES
        .iter()
        .filter_map(|r| match r.applies {
            Applies::Always { when } => Some(rule(r, Some(when.text()), None)),
            _ => None,
        })
        .collect();
    rules.extend(RULES.iter().filter_map(|r| match r.applies {
        Applies::Part { of } => Some(rule(r, None, Some(of))),
        _ => None,
    }));
    let named_checks = RULES
        .iter()
        .filter_map(|r| match r.applies {
            Applies::Named { produces } => Some(NamedEntry {
                id: r.id,
                reference: r.reference,
                summary: r.summary,
                reports: produces,
                profiles: profiles_of(r),
            }),
            _ => None,
        })
        .collect();
    Listing {
        list_version: LIST_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        profiles,
        builtin_profiles: PROFILES
            .iter()
            .map(|p| ProfileRow {
                name: p.name,
                description: p.description,
                in_all: p.in_all,
                shown: p.described(),
            })
            .collect(),
        scenarios,
        rules,
        named_checks,
    }
}

/// What a scenario generated from `/Schemas` will run, known before the run only in outline.
fn generated_steps(id: &str) -> String {
    format!(
        "steps generated from /Schemas at run time: for each writable attribute a create, a read-back, PATCH replace/remove/add each read back; checks {id}.<attribute>.created|replaced|removed|added, {id}.<attribute>.never-returned, {id}.<attribute>.read-only, the duplicate and required statuses, {id}.unknown-attribute.not-stored (warning)"
    )
}

/// The listing for a reader.
fn text(listing: &Listing<'_>) -> String {
    let mut lines = Vec::new();
    for s in &listing.scenarios {
        let dialect = s
            .dialect
            .map(|d| format!(" dialect {d}"))
            .unwrap_or_default();
        lines.push(format!(
            "{}  [{}{dialect}]  {}\n    {}  ({})",
            s.id, s.profile, s.title, s.reference, s.file
        ));
        if let Some(description) = s.description {
            lines.push(format!("    {}", description.replace('\n', "\n    ")));
        }
        if !s.requires.is_empty() {
            let names: Vec<&str> = s.requires.iter().map(|c| c.config_key()).collect();
            lines.push(format!("    requires: {}", names.join(", ")));
        }
        if let Some(generated) = &s.generated {
            lines.push(format!("    - {generated}"));
        }
        for step in &s.steps {
            lines.push(format!("    - {}: {}", step.id, step.title));
            if let Some(reference) = step.reference {
                lines.push(format!("        rule: {reference}"));
            }
            let checks: Vec<String> = step
                .checks
                .iter()
                .map(|c| match c.severity {
                    Some(sev) if sev != Severity::Error => format!("{} ({})", c.id, sev.as_str()),
                    _ => c.id.clone(),
                })
                .collect();
            lines.push(format!("        checks: {}", checks.join(", ")));
        }
    }
    lines.push("\nProfiles (--profile; all runs those not marked opt-in):".into());
    for p in &listing.builtin_profiles {
        lines.push(format!("{}  {}", p.name, p.shown));
    }
    lines.push("\nChecks on every response they apply to:".into());
    for r in &listing.rules {
        let condition = match (r.when, r.part_of) {
            (Some(when), _) => format!("when: {when}"),
            (None, Some(of)) => format!("part of: {of}"),
            (None, None) => String::new(),
        };
        lines.push(format!(
            "{}  ({})\n    {}\n    {condition}",
            r.id, r.reference, r.summary
        ));
        lines.extend(profile_lines(&r.profiles));
    }
    lines.push("\nNamed checks (a step asks for them by id):".into());
    for r in &listing.named_checks {
        lines.push(format!(
            "{}  ({})\n    {}\n    reports: {}",
            r.id,
            r.reference,
            r.summary,
            r.reports.join(", ")
        ));
        lines.extend(profile_lines(&r.profiles));
    }
    lines.join("\n")
}

/// The profiles in which a rule weighs its finding differently.
fn profile_lines(profiles: &[ProfileEntry]) -> Vec<String> {
    profiles
        .iter()
        .map(|p| format!("    {} under {}: {}", p.severity.as_str(), p.profile, p.why))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Vec<Loaded> {
        crate::scenario::builtin().unwrap()
    }

    #[test]
    fn text_and_json_come_from_the_same_listing() {
        let loaded = builtin();
        let listing = listing(&loaded, crate::scenario::profiles::in_all().collect());
        let text = text(&listing);
        let json = serde_json::to_value(&listing).unwrap();
        for s in json["scenarios"].as_array().unwrap() {
            assert!(text.contains(s["id"].as_str().unwrap()));
            for step in s["steps"].as_array().unwrap() {
                for c in step["checks"].as_array().unwrap() {
                    assert!(text.contains(c["id"].as_str().unwrap()), "{c}");
                }
            }
        }
        for r in json["rules"].as_array().unwrap() {
            assert!(text.contains(r["id"].as_str().unwrap()));
            assert!(r["when"].is_string() != r["part_of"].is_string(), "{r}");
        }
    }

    #[test]
    fn a_profile_filter_keeps_only_its_scenarios() {
        let loaded = builtin();
        let listing = listing(&loaded, vec![Profile::Entra]);
        assert!(!listing.scenarios.is_empty());
        assert!(listing
            .scenarios
            .iter()
            .all(|s| s.profile == Profile::Entra));
        assert!(listing.scenarios.iter().any(|s| s.dialect.is_some()));
    }

    #[test]
    fn an_assert_severity_is_its_own_or_error() {
        let loaded = builtin();
        let listing = listing(&loaded, crate::scenario::profiles::in_all().collect());
        let asserts = listing
            .scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .flat_map(|s| &s.checks)
            .filter(|c| c.kind == "assert");
        let mut seen = std::collections::HashSet::new();
        for c in asserts {
            seen.insert(c.severity.expect("asserts carry a severity"));
        }
        assert!(seen.contains(&Severity::Error) && seen.contains(&Severity::Warning));
    }
}
