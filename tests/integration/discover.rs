//! Finding one's way: `scimcheck list --json`, shell completions, the man page, the fix a
//! hint-less assert reports, and the README's GitHub Actions workflow.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::cli;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

/// The ids of the scenario files in `scenarios/` that `all` lists (not the opt-in load
/// profiles), read from the files themselves.
fn builtin_ids() -> BTreeSet<String> {
    let mut files = Vec::new();
    yaml_files(&root().join("scenarios"), &mut files);
    let opt_in = ["concurrency", "scale"].map(|d| root().join("scenarios").join(d));
    files
        .iter()
        .filter(|f| !opt_in.iter().any(|d| f.starts_with(d)))
        .map(|f| {
            let doc: Value = serde_saphyr::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            doc["id"].as_str().unwrap().to_string()
        })
        // And those generated from /Schemas at run time.
        .chain(["user", "group", "extensions"].map(|k| format!("rfc.attributes.{k}")))
        .collect()
}

fn list_json(args: &[&str]) -> Value {
    let mut all = vec!["list", "--json"];
    all.extend_from_slice(args);
    let out = cli(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    serde_json::from_slice(&out.stdout).expect("list --json prints one JSON document")
}

#[test]
fn list_json_holds_every_builtin_scenario_with_its_steps_and_checks() {
    let doc = list_json(&[]);
    assert_eq!(doc["list_version"], 1);
    assert_eq!(doc["profiles"], serde_json::json!(["okta", "entra", "rfc"]));
    let scenarios = doc["scenarios"].as_array().unwrap();
    let listed: BTreeSet<String> = scenarios
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, builtin_ids());
    let okta_users: Vec<&Value> = scenarios
        .iter()
        .filter(|s| s["id"].as_str().unwrap().starts_with("okta.users."))
        .collect();
    assert!(!okta_users.is_empty());
    for s in okta_users {
        assert_eq!(s["profile"], "okta");
        assert!(s["reference"].as_str().is_some_and(|r| !r.is_empty()));
        let steps = s["steps"].as_array().unwrap();
        assert!(!steps.is_empty(), "{}", s["id"]);
        for step in steps {
            let checks = step["checks"].as_array().unwrap();
            let status = format!(
                "{}.{}.status",
                s["id"].as_str().unwrap(),
                step["id"].as_str().unwrap()
            );
            assert_eq!(checks[0]["id"], status.as_str());
            assert_eq!(checks[0]["kind"], "status");
        }
    }
    // The dialect and required capabilities of a scenario, and an assert's severity.
    let dialect_2017 = scenarios.iter().filter(|s| s["dialect"] == "2017");
    assert!(dialect_2017.clone().count() >= 2);
    assert!(dialect_2017
        .clone()
        .all(|s| s["id"].as_str().unwrap().ends_with(".2017")));
    assert!(scenarios.iter().any(|s| s["dialect"].is_null()));
    assert!(scenarios
        .iter()
        .any(|s| !s["requires"].as_array().unwrap().is_empty()));
    let named: BTreeSet<&str> = doc["named_checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(named.contains("rfc7644.list-response"), "{named:?}");
    assert!(doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "rfc7644.content-type" && r["when"].is_string()));
}

#[test]
fn list_json_follows_profile_and_user_scenarios() {
    let okta = list_json(&["--profile", "okta"]);
    let scenarios = okta["scenarios"].as_array().unwrap();
    assert!(!scenarios.is_empty());
    assert!(scenarios.iter().all(|s| s["profile"] == "okta"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.yaml");
    std::fs::write(
        &file,
        "id: acme.discovery\ntitle: Mine\nprofile: acme\nreference: r\ndescription: Just one.\nsteps:\n  - id: config\n    title: Read the config\n    request: { method: GET, path: /ServiceProviderConfig }\n    expect:\n      status: [200]\n      asserts: [{ id: acme.patch, pointer: /patch/supported, equals: true, severity: warning }]\n",
    )
    .unwrap();
    let mine = list_json(&["--profile", "acme", "--scenarios", file.to_str().unwrap()]);
    let s = &mine["scenarios"][0];
    assert_eq!(mine["scenarios"].as_array().unwrap().len(), 1);
    assert_eq!(s["id"], "acme.discovery");
    assert_eq!(s["description"], "Just one.");
    assert_eq!(s["file"], file.to_str().unwrap());
    let checks = &s["steps"][0]["checks"];
    assert_eq!(checks[1]["id"], "acme.patch");
    assert_eq!(checks[1]["kind"], "assert");
    assert_eq!(checks[1]["severity"], "warning");
}

#[test]
fn completions_for_each_shell_name_the_options() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = cli(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = stdout(&out);
        assert!(text.contains("scimcheck"), "{shell}: {text}");
        // fish writes long options without their dashes (`-l base-url`).
        assert!(text.contains("base-url"), "{shell}");
        assert!(text.contains("entra-dialect"), "{shell}");
    }
    let out = cli(&["completions", "powershell-ish"]);
    assert_eq!(out.status.code(), Some(2));
    // Values, not file names: the profiles for --profile, scenario ids for --scenario.
    let bash = stdout(&cli(&["completions", "bash"]));
    assert!(
        bash.contains(r#"compgen -W "okta entra rfc all concurrency scale""#),
        "{bash}"
    );
    assert!(
        bash.contains("okta.users.create") && bash.contains("rfc.attributes.user"),
        "{bash}"
    );
}

#[test]
fn man_prints_one_page_with_every_subcommand() {
    let out = cli(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.starts_with(".TH") || page.starts_with(".ie"), "{page}");
    for section in [
        ".SH \"SCIMCHECK RUN\"",
        ".SH \"SCIMCHECK LIST\"",
        ".SH \"SCIMCHECK COMPLETIONS\"",
    ] {
        assert!(page.contains(section), "{section}");
    }
    // roff escapes the dashes of options.
    assert!(page.contains("\\-\\-base\\-url"));
    assert!(page.contains("\\-\\-json"));
}

#[test]
fn an_assert_without_a_hint_reports_a_fix_said_from_its_rendered_operands() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nohint.yaml"),
        "id: mine.nohint\ntitle: t\nprofile: mine\nreference: r\nsteps:\n  - id: config\n    title: Read the config\n    request: { method: GET, path: /ServiceProviderConfig }\n    expect:\n      status: [200]\n      asserts:\n        - { id: mine.patch, pointer: /patch/supported, equals: false }\n        - { id: mine.schema, pointer: /schemas/0, equals: \"{{run.id}}\" }\n",
    )
    .unwrap();
    let md = dir.path().join("report.md");
    let out = cli(&[
        "run",
        "--profile",
        "mine",
        "--scenarios",
        dir.path().to_str().unwrap(),
        "--json",
        "--report",
        &format!("markdown={}", md.display()),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let hint = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {report}"))["hint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(hint("mine.patch"), "Make `/patch/supported` equal false.");
    let run_id = report["run_id"].as_str().unwrap();
    assert_eq!(
        hint("mine.schema"),
        format!("Make `/schemas/0` equal \"{run_id}\".")
    );
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(
        markdown.contains("Make `/patch/supported` equal false."),
        "{markdown}"
    );
}

/// The fenced block of README.md that holds the workflow.
fn readme_workflow() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("```yaml\n# .github/workflows/")
        .expect("README shows the workflow")
        + "```yaml\n".len();
    let end = start + readme[start..].find("```\n").unwrap();
    readme[start..end].to_string()
}

#[test]
fn the_readme_workflow_is_the_example_file_and_parses() {
    let file = std::fs::read_to_string(root().join("examples/github-actions.yml")).unwrap();
    assert_eq!(
        readme_workflow(),
        file,
        "README and examples/github-actions.yml differ"
    );
    let doc: Value = serde_saphyr::from_str(&file).expect("the workflow is YAML");
    let job = &doc["jobs"]["scimcheck"];
    assert!(job["services"].as_object().is_some_and(|s| !s.is_empty()));
    let steps = job["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("$GITHUB_STEP_SUMMARY")));
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("actions/upload-artifact"))));
    // Every option given to scimcheck exists, and the JUnit file is the one reported on.
    let run = runs
        .iter()
        .find(|r| r.trim_start().starts_with("scimcheck run"))
        .expect("a step runs scimcheck");
    let help = stdout(&cli(&["run", "--help"]));
    for word in run.split_whitespace().filter(|w| w.starts_with("--")) {
        let flag = word.split('=').next().unwrap();
        assert!(
            help.contains(flag),
            "`{flag}` is not an option of scimcheck run"
        );
    }
    let junit = run
        .split_whitespace()
        .find_map(|w| w.strip_prefix("junit="))
        .expect("a JUnit report");
    let reporter = steps
        .iter()
        .find(|s| s["with"]["report_paths"].is_string())
        .expect("a test reporter");
    assert_eq!(reporter["with"]["report_paths"], junit);
}

/// Every `scimcheck …` command in README's shell blocks names only options its subcommand
/// has, so the examples cannot go stale unseen.
#[test]
fn the_readme_commands_use_only_options_that_exist() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut commands: Vec<String> = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let code = line.split(" #").next().unwrap_or_default().trim_end();
        pending.push_str(code.trim_end_matches('\\'));
        pending.push(' ');
        if !code.ends_with('\\') {
            if pending.trim_start().starts_with("scimcheck ") {
                commands.push(pending.trim().to_string());
            }
            pending.clear();
        }
    }
    assert!(
        commands.len() >= 5,
        "README shows its commands: {commands:?}"
    );
    for command in &commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        // `import har` has options of its own.
        let sub = if words[1] == "import" {
            words[1..3].join(" ")
        } else {
            words[1].to_string()
        };
        let mut args: Vec<&str> = sub.split(' ').collect();
        args.push("--help");
        let help = stdout(&cli(&args));
        for flag in words.iter().filter(|w| w.starts_with("--")) {
            let flag = flag.split('=').next().unwrap();
            assert!(
                help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                "README: `{command}`: `{flag}` is not an option of scimcheck {sub}"
            );
        }
    }
}
