//! The reports of one labelled run against the embedded server: the HTML names the title and
//! keeps no local path, JUnit carries properties and real times, Markdown the version, and
//! snapshots only written are "recorded", never "passed", in every format.

use std::path::Path;

use serde_json::Value;

use crate::support::cli_in;

/// A user scenario (profile okta, so it runs with the built-in ones) read from a file whose
/// directory must not reach the HTML report.
const SCENARIO: &str = "id: local.list\ntitle: List users\nprofile: okta\nreference: RFC 7644 §3.4.2\nsteps:\n  - id: list\n    title: List the users\n    request:\n      method: GET\n      path: /Users\n    expect:\n      status: [200]\n      schema: ListResponse\n";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn labelled_reports_of_one_run_with_first_snapshots() {
    let root = tempfile::tempdir().unwrap();
    let root_path = root.path().canonicalize().unwrap();
    let (work, extra, snaps, out) = (
        root_path.join("work"),
        root_path.join("extra"),
        root_path.join("snaps"),
        root_path.join("out"),
    );
    for d in [&work, &extra, &snaps, &out] {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(extra.join("mine.yaml"), SCENARIO).unwrap();
    let report = |name: &str| out.join(name).display().to_string();
    let run = cli_in(
        &work,
        &[
            "run",
            // The built-in okta scenarios and the file's, which is of profile okta too.
            "--profile",
            "okta",
            "--scenarios",
            extra.join("mine.yaml").to_str().unwrap(),
            "--snapshots",
            snaps.to_str().unwrap(),
            "--report",
            &format!("html={}", report("cert.html")),
            "--report",
            &format!("junit={}", report("junit.xml")),
            "--report",
            &format!("markdown={}", report("summary.md")),
            "--report",
            &format!("json={}", report("run.json")),
            "--title",
            "Acme <SCIM> certification",
            "--product",
            "Acme Directory",
            "--vendor",
            "Acme & Sons",
        ],
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // HTML: the labels, escaped; no local path at all; recorded snapshots.
    let html = read(&out.join("cert.html"));
    assert!(
        html.contains("<title>Acme &lt;SCIM&gt; certification · Acme Directory · Acme &amp; Sons · SCIM conformance report</title>"),
        "{}",
        &html[..html.find("</title>").unwrap_or(0)]
    );
    assert!(html.contains("<h1>Acme &lt;SCIM&gt; certification<span"));
    let root_text = root_path.display().to_string();
    assert!(
        !html.contains(&root_text),
        "the temp dir leaks into the HTML"
    );
    assert!(!html.contains(&work.display().to_string()), "the cwd leaks");
    let here = std::env::current_dir().unwrap().display().to_string();
    assert!(!html.contains(&here), "the test's own directory leaks");
    assert!(
        html.contains("mine.yaml"),
        "a user file is named, without its directory"
    );
    assert!(html.contains("id=\"coverage\"") && html.contains("Not tested by this run:"));
    assert!(html.contains("id=\"legend\"") && html.contains("RECORDED"));
    let snapshot_blocks: Vec<&str> = html
        .split("<details class=\"step\" id=\"")
        .filter(|b| b.split('"').next().unwrap_or("").ends_with("--snapshot"))
        .collect();
    assert_eq!(snapshot_blocks.len(), 7, "one snapshot per scenario");
    for block in &snapshot_blocks {
        let block = &block[..block.find("</details>").unwrap()];
        assert!(block.contains("badge rec\">RECORDED"), "{block}");
        assert!(!block.contains(">PASSED<"), "{block}");
    }

    // JUnit: real step times, properties on every suite, never the token.
    let xml = read(&out.join("junit.xml"));
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit");
    let times: Vec<f64> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| n.attribute("time").unwrap().parse().unwrap())
        .collect();
    assert!(times.iter().any(|t| *t > 0.0), "some testcase took time");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 7);
    let json: Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
    for suite in &suites {
        let prop = |name: &str| {
            suite
                .descendants()
                .find(|p| p.has_tag_name("property") && p.attribute("name") == Some(name))
                .and_then(|p| p.attribute("value"))
                .map(str::to_string)
        };
        assert_eq!(
            prop("target").as_deref(),
            json["target"]["base_url"].as_str()
        );
        assert_eq!(prop("run_id").as_deref(), json["run_id"].as_str());
        assert_eq!(
            prop("tool_version").as_deref(),
            Some(env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(prop("profiles").as_deref(), Some("okta"));
        assert_eq!(prop("title").as_deref(), Some("Acme <SCIM> certification"));
        assert_eq!(prop("product").as_deref(), Some("Acme Directory"));
        assert_eq!(prop("vendor").as_deref(), Some("Acme & Sons"));
        // A step's time is counted once, so the suite's cases never add up past its wall
        // time (each figure is whole milliseconds: one of slack per case for the rounding).
        let cases: Vec<f64> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|n| n.attribute("time").unwrap().parse().unwrap())
            .collect();
        let suite_time: f64 = suite.attribute("time").unwrap().parse().unwrap();
        let sum: f64 = cases.iter().sum();
        assert!(
            sum <= suite_time + 0.001 * cases.len() as f64,
            "cases add up to {sum} s in a suite of {suite_time} s"
        );
    }
    assert!(
        !xml.contains("Bearer scimcheck-"),
        "the embedded server's token never appears"
    );
    let snapshot_cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("name") == Some("snapshot › snapshot.drift"))
        .collect();
    assert_eq!(snapshot_cases.len(), 7);
    for case in snapshot_cases {
        let skipped = case.children().find(|n| n.has_tag_name("skipped"));
        assert!(
            skipped.is_some_and(|s| s.attribute("message").unwrap().starts_with("recorded ")),
            "a recorded snapshot is not a passing testcase"
        );
    }

    // Markdown: the version, the snapshots recorded.
    let md = read(&out.join("summary.md"));
    assert!(
        md.contains(&format!("scimcheck {}", env!("CARGO_PKG_VERSION"))),
        "{md}"
    );
    assert!(md.contains("Snapshots: 7 recorded."), "{md}");
    assert!(md.contains("**Acme &lt;SCIM&gt; certification**"), "{md}");

    // JSON: labels added, recorded snapshots skipped, none passed.
    assert_eq!(json["labels"]["title"], "Acme <SCIM> certification");
    assert_eq!(json["labels"]["vendor"], "Acme & Sons");
    for c in json["checks"].as_array().unwrap() {
        if c["id"] == "snapshot.drift" {
            assert_eq!(c["status"], "skipped", "{c}");
            assert!(c["message"].as_str().unwrap().starts_with("recorded "));
        }
    }

    // The terminal says recorded.
    assert!(stdout.contains("Snapshots: 7 recorded in "), "{stdout}");
}

#[test]
fn one_of_each_is_counted_in_the_singular() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("mine.yaml"), SCENARIO).unwrap();
    let md = root.path().join("summary.md");
    let out = cli_in(
        root.path(),
        &[
            "run",
            "--scenarios",
            "mine.yaml",
            "--scenario",
            "local.list",
            "--report",
            &format!("markdown={}", md.display()),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Summary: 1 step, "), "{stdout}");
    assert!(stdout.contains(" · 1 scenario in "), "{stdout}");
    assert!(read(&md).contains(" failed, 0 warnings, "));
}

#[test]
fn an_empty_or_multi_line_label_is_a_usage_error() {
    for bad in ["", "two\nlines"] {
        let out = cli_in(Path::new("."), &["run", "--title", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--title"), "{err}");
    }
}

/// A report's folder is made as `--snapshots` makes its own; a path under a file is refused
/// before anything is sent.
#[test]
fn report_folders_are_made_and_an_impossible_one_is_refused_before_the_run() {
    let root = tempfile::tempdir().unwrap();
    let nested = root.path().join("out/ci/junit.xml");
    let out = crate::support::cli(&[
        "run",
        "--scenario",
        "okta.credentials",
        "--report",
        &format!("junit={}", nested.display()),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(nested.is_file(), "the JUnit report was written");
    let blocker = root.path().join("a-file");
    std::fs::write(&blocker, "x").unwrap();
    let out = crate::support::cli(&[
        "run",
        "--report",
        &format!("json={}", blocker.join("run.json").display()),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot create the directory"), "{err}");
}
