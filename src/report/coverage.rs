//! What a run covered, for a report handed to someone who was not there: per profile, the
//! scenarios that ran, those skipped (with the reason), the built-in ones this run did not
//! select, and what the profile's built-in scenarios do not test at all.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use super::coverage_areas::areas_of;
pub(crate) use super::coverage_areas::{AreaCoverage, AreaState};
use super::imported;
use super::verdict::Verdict;
use crate::result::{RunResult, ScenarioResult};

/// One profile's coverage in a run.
pub(crate) struct ProfileCoverage<'a> {
    /// The profile's name.
    pub profile: &'a str,
    /// Scenarios that checked something.
    pub ran: Vec<&'a ScenarioResult>,
    /// Scenarios that checked nothing, with the reason.
    pub skipped: Vec<(&'a ScenarioResult, String)>,
    /// Built-in scenarios of the profile this run left out (`--scenario`, `--skip`,
    /// `--entra-dialect`).
    pub not_selected: Vec<String>,
    /// What this run tested and did not test of the profile, area by area, read from the
    /// requests of its built-in scenarios and what became of them; `None` for a profile of
    /// the user's own scenario files, which scimcheck cannot describe.
    pub areas: Option<Vec<AreaCoverage>>,
}

/// The built-in scenarios as (profile, id, file), parsed once.
fn builtin() -> &'static [(String, String, String)] {
    static BUILTIN: OnceLock<Vec<(String, String, String)>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        crate::scenario::builtin()
            .map(|all| {
                all.into_iter()
                    .map(|l| {
                        (
                            l.scenario.profile.as_str().to_string(),
                            l.scenario.id.to_string(),
                            l.file,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Whether `file` is one of the scenario files compiled into scimcheck (a path inside the
/// tool, not on the machine that ran it).
pub(crate) fn is_builtin_file(file: &str) -> bool {
    builtin().iter().any(|(_, _, f)| f == file)
}

/// A scenario file as a report handed on may show it: a built-in one by its place in
/// scimcheck, any other by its name alone (never the directory it was read from).
pub(crate) fn shown_file(file: &str) -> String {
    if is_builtin_file(file) {
        return file.to_string();
    }
    std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `run` with no local directory in any text a report handed on shows: the directories of
/// the user's scenario files and of the snapshots, and the working directory, each dropped
/// from the messages, hints, reasons and diffs that name a file in them.
pub(crate) fn without_local_paths(run: &mut RunResult) {
    let mut dirs: Vec<String> = run
        .scenarios
        .iter()
        .filter(|sc| !is_builtin_file(&sc.file))
        .map(|sc| sc.file.as_str())
        .chain(
            run.scenarios
                .iter()
                .filter_map(|sc| sc.snapshot.as_ref())
                .map(|s| s.file.as_str()),
        )
        .filter_map(|f| std::path::Path::new(f).parent())
        .filter_map(|d| std::path::absolute(d).ok())
        .chain(std::env::current_dir().ok())
        .map(|d| d.display().to_string())
        // The root, or a one-letter drive, would take every slash with it.
        .filter(|d| d.trim_end_matches(['/', '\\']).len() > 2)
        .collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
    dirs.dedup();
    let scrub = |s: &mut String| {
        for d in &dirs {
            if s.contains(d.as_str()) {
                *s = s
                    .replace(&format!("{d}/"), "")
                    .replace(&format!("{d}\\"), "")
                    .replace(d.as_str(), "[local directory]");
            }
        }
    };
    for sc in &mut run.scenarios {
        sc.file = shown_file(&sc.file);
        sc.skipped.iter_mut().for_each(scrub);
        sc.not_applicable.iter_mut().for_each(scrub);
        if let Some(snap) = sc.snapshot.as_mut() {
            scrub(&mut snap.file);
            snap.diff.iter_mut().for_each(scrub);
            scrub(&mut snap.check.message);
        }
        for st in &mut sc.steps {
            st.skipped.iter_mut().for_each(scrub);
            for c in &mut st.checks {
                scrub(&mut c.message);
                c.hint.iter_mut().for_each(scrub);
            }
        }
    }
}

/// Why a scenario checked nothing.
pub(super) fn skip_reason(sc: &ScenarioResult) -> String {
    if let Some(why) = &sc.skipped {
        return why.clone();
    }
    if let Some(why) = &sc.not_applicable {
        return format!("not applicable: {why}");
    }
    if let Some(why) = super::verdict::refused_like_earlier(sc) {
        return why.to_string();
    }
    sc.steps
        .iter()
        .find_map(|st| st.skipped.clone())
        .unwrap_or_else(|| "no check reached a verdict".into())
}

/// The run's coverage, one entry per profile it ran, in the run's profile order.
pub(crate) fn of_run(run: &RunResult) -> Vec<ProfileCoverage<'_>> {
    let present: BTreeSet<&str> = run.scenarios.iter().map(|s| s.id.as_str()).collect();
    run.profiles
        .iter()
        .map(|p| {
            let profile = p.as_str();
            let mine: Vec<&ScenarioResult> = run
                .scenarios
                .iter()
                .filter(|s| s.profile.as_str() == profile)
                .collect();
            let (mut ran, mut skipped) = (vec![], vec![]);
            for sc in mine.iter().copied() {
                if Verdict::of_scenario(sc, run.interrupted.as_ref()) == Verdict::Skipped {
                    skipped.push((sc, skip_reason(sc)));
                } else {
                    ran.push(sc);
                }
            }
            let not_selected = builtin()
                .iter()
                .filter(|(bp, id, _)| bp == profile && !present.contains(id.as_str()))
                .map(|(_, id, _)| id.clone())
                .collect();
            // Only a profile whose built-in scenarios ran is described by them; an imported
            // export alone under Okta's name promises nothing about Okta's scenarios.
            let builtin_ran = mine
                .iter()
                .any(|sc| !imported::is_imported(sc) && is_builtin_file(&sc.file));
            ProfileCoverage {
                profile,
                ran,
                skipped,
                not_selected,
                areas: builtin_ran.then(|| areas_of(run, profile)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::coverage_areas::{builtin_scenarios, StepShape, AREAS};
    use super::*;

    #[test]
    fn every_area_is_tested_by_some_built_in_profile() {
        for (area, _) in AREAS {
            let tested_somewhere = crate::scenario::PROFILES.iter().any(|p| {
                builtin_scenarios()
                    .iter()
                    .filter(|sc| sc.profile == p.profile)
                    .flat_map(|sc| &sc.steps)
                    .any(|st| {
                        AREAS
                            .iter()
                            .any(|(a, t)| a == area && t(&StepShape::of(st)))
                    })
            });
            assert!(tested_somewhere, "{area}");
        }
    }

    #[test]
    fn scenarios_ran_skipped_and_left_out_are_told_apart() {
        let mut run = crate::report::fixture::run();
        run.scenarios[0].skipped = Some("the server says bulk is not supported".into());
        for st in &mut run.scenarios[0].steps {
            st.skipped = Some("the server says bulk is not supported".into());
            for c in &mut st.checks {
                c.status = crate::check::CheckStatus::Skipped;
            }
        }
        let cov = of_run(&run);
        assert_eq!(cov.len(), 1);
        let okta = &cov[0];
        assert_eq!(okta.profile, "okta");
        let ran: Vec<&str> = okta.ran.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ran, ["okta.users.create"]);
        assert_eq!(okta.skipped.len(), 1);
        assert_eq!(okta.skipped[0].0.id.as_str(), "okta.credentials");
        assert_eq!(okta.skipped[0].1, "the server says bulk is not supported");
        assert!(okta.not_selected.contains(&"okta.groups.push".to_string()));
        assert!(!okta.not_selected.contains(&"okta.users.create".to_string()));
        let areas = okta.areas.as_ref().expect("built-in scenarios ran");
        let state = |name: &str| {
            &areas
                .iter()
                .find(|a| a.area.starts_with(name))
                .unwrap_or_else(|| panic!("{name}"))
                .state
        };
        assert_eq!(
            state("creating users"),
            &AreaState::Tested(vec!["okta.users.create".into()])
        );
        assert_eq!(
            state("authentication"),
            &AreaState::NotRun("the server says bulk is not supported (okta.credentials)".into())
        );
        assert_eq!(
            state("the Groups endpoint"),
            &AreaState::NotRun("left out of this run (okta.groups.push)".into())
        );
        assert_eq!(state("Bulk"), &AreaState::NoScenario);
    }

    #[test]
    fn local_directories_leave_every_text() {
        let mut run = crate::report::fixture::run();
        let cwd = std::env::current_dir().unwrap().display().to_string();
        run.scenarios[0].file = "/home/alice/mine/acme.yaml".into();
        run.scenarios[0].steps[0].checks[0].message =
            format!("read {cwd}/fixtures/x.json and /home/alice/mine/data.json");
        without_local_paths(&mut run);
        let text = serde_json::to_string(&run).unwrap();
        assert!(!text.contains("/home/alice"), "{text}");
        assert!(!text.contains(&cwd), "{text}");
        assert_eq!(run.scenarios[0].file, "acme.yaml");
        assert_eq!(
            run.scenarios[0].steps[0].checks[0].message,
            "read fixtures/x.json and data.json"
        );
    }

    #[test]
    fn files_are_shown_without_their_directory() {
        assert_eq!(
            shown_file("scenarios/okta/credentials.yaml"),
            "scenarios/okta/credentials.yaml"
        );
        assert_eq!(shown_file("/home/alice/mine/acme.yaml"), "acme.yaml");
        assert_eq!(shown_file("../../x/acme.yaml"), "acme.yaml");
    }
}
