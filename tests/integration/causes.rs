//! One cause, one finding: a refusal is grouped by what the server said, not by its status.

use serde_json::{json, Value};

use crate::rfc::map_json;
use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::{cli, run_json, TOKEN};

fn is_create(req: &Req) -> bool {
    req.method == "POST" && req.path().ends_with("/Users")
}

fn sends_password(req: &Req) -> bool {
    req.body
        .as_ref()
        .is_some_and(|b| b.get("password").is_some())
}

fn sends_primary_email(req: &Req) -> bool {
    req.body
        .as_ref()
        .and_then(|b| b["emails"].as_array())
        .is_some_and(|emails| emails.iter().any(|e| e.get("primary").is_some()))
}

/// Refuses Okta's creates (they carry a password) for one reason and every other create
/// that sends `emails[].primary` (Entra always does) for another.
fn two_refusals(req: Req, up: &Upstream) -> Resp {
    if is_create(&req) && sends_password(&req) {
        return Resp::scim_error(400, Some("invalidValue"), "password is not supported");
    }
    if is_create(&req) && sends_primary_email(&req) {
        return Resp::scim_error(400, Some("invalidValue"), "primary not supported");
    }
    up.send(&req)
}

fn sends_enterprise_user(req: &Req) -> bool {
    req.body
        .as_ref()
        .and_then(|b| b["schemas"].as_array())
        .is_some_and(|s| {
            s.iter()
                .any(|u| u.as_str().is_some_and(|u| u.contains("enterprise")))
        })
}

/// Many defects at once: Okta's creates refused (they carry a password), Entra's too (the
/// enterprise extension with `emails[].primary`), a filter miss answered 404, `itemsPerPage`
/// echoing the requested `count`, error bodies whose `status` is a number, no `meta`, and
/// every answer in `application/json`.
fn many_defects(req: Req, up: &Upstream) -> Resp {
    let count = req.query("count");
    let filtered = req.method == "GET" && req.query("filter").is_some();
    let mut resp = if is_create(&req) && sends_password(&req) {
        Resp::scim_error(400, Some("invalidValue"), "password is not supported")
    } else if is_create(&req) && sends_enterprise_user(&req) && sends_primary_email(&req) {
        Resp::scim_error(400, Some("invalidValue"), "primary not supported")
    } else {
        up.send(&req)
    };
    if filtered && resp.json().is_some_and(|b| b["totalResults"] == 0) {
        resp = Resp::scim_error(404, None, "no such resource");
    }
    resp = map_json(resp, |b| {
        if let Some(status) = b["status"].as_str().and_then(|s| s.parse::<u64>().ok()) {
            b["status"] = json!(status);
        }
        if let Some(o) = b.as_object_mut() {
            o.remove("meta");
        }
    });
    if let Some(count) = count.and_then(|c| c.parse::<u64>().ok()) {
        resp = map_json(resp, |b| {
            if b.get("itemsPerPage").is_some() {
                b["itemsPerPage"] = json!(count);
            }
        });
    }
    if resp
        .headers
        .iter()
        .any(|(n, v)| n == "content-type" && v.contains("scim+json"))
    {
        resp.set_header("content-type", "application/json");
    }
    resp
}

fn args<'a>(base: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut out = vec!["run", "--base-url", base, "--token", TOKEN];
    out.extend_from_slice(extra);
    out
}

async fn run_cli(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || cli(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .expect("cli task")
}

fn owned(args: Vec<&str>) -> Vec<String> {
    args.into_iter().map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_terminal_report_of_a_broken_server_is_short() {
    let server = Faulty::start(many_defects).await;
    let base = server.base_url();
    let out = run_cli(owned(args(&base, &["--profile", "all"]))).await;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines = text.lines().count();
    assert!(lines < 300, "{lines} lines:\n{text}");
    // The echoed itemsPerPage is one finding in the summary, with the steps it was seen at.
    let findings = after(&text, "Findings, one line per cause", "\nSummary: ");
    let echo: Vec<&str> = findings
        .lines()
        .filter(|l| l.contains("rfc7644.list.items-per-page"))
        .collect();
    assert_eq!(echo.len(), 1, "{findings}");
    assert!(
        echo[0].contains(" steps: ") && echo[0].contains(" more)"),
        "{}",
        echo[0]
    );
    // Its evidence is shown once; a step skipped after a refused create is one line with
    // the others skipped for the same reason, never one line per check.
    let blocks = &text[..text.find("Findings, one line per cause").unwrap()];
    assert_eq!(
        blocks
            .lines()
            .filter(
                |l| l.trim_start().starts_with("✗ rfc7644.list.items-per-page ")
                    && !l.contains("shown above")
            )
            .count(),
        1,
        "{text}"
    );
    assert!(
        text.contains(" later steps skipped: `create` answered 400"),
        "{text}"
    );
    assert!(!text.contains("did not succeed: it was skipped"), "{text}");
    // -v shows every step and every place.
    let verbose = run_cli(owned(args(&base, &["--profile", "all", "-v"]))).await;
    let verbose = String::from_utf8_lossy(&verbose.stdout).into_owned();
    assert!(verbose.lines().count() > 3 * lines, "{verbose}");
    assert!(verbose.contains("did not succeed: it was skipped"));
    let findings = after(&verbose, "Findings, one line per cause", "\nSummary: ");
    assert!(!findings.contains(" more)"), "{findings}");
}

/// The check `id` of `scenario` in the JSON report.
fn check<'a>(report: &'a Value, scenario: &str, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["scenario"] == scenario && c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {scenario}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entra_refusal_is_its_own_cause_not_an_okta_one() {
    let server = Faulty::start(two_refusals).await;
    let (_, report) = run_json(
        &server.base_url(),
        &[
            "--profile",
            "okta,entra",
            "--scenario",
            "okta.users.create",
            "--scenario",
            "entra.users.*",
        ],
    )
    .await;
    let okta = check(
        &report,
        "okta.users.create",
        "okta.users.create.create-application-json.status",
    );
    assert_eq!(okta["status"], "failed", "{okta}");
    assert!(
        okta["message"]
            .as_str()
            .unwrap()
            .contains("password is not supported"),
        "{okta}"
    );
    let entra = check(
        &report,
        "entra.users.create",
        "entra.users.create.create.status",
    );
    assert_eq!(entra["status"], "failed", "its own failure: {entra}");
    assert_eq!(entra["severity"], "error");
    assert!(
        entra["message"]
            .as_str()
            .unwrap()
            .contains("primary not supported"),
        "its own detail: {entra}"
    );
    // Every other Entra create was refused for the same reason: skipped, pointing at the
    // Entra root, never at Okta's unrelated refusal.
    let repeats: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["scenario"].as_str().unwrap().starts_with("entra.users.")
                && c["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("same root cause as ")
        })
        .collect();
    assert!(!repeats.is_empty(), "the other Entra creates repeat it");
    assert!(
        entra["cause"]
            .as_str()
            .unwrap()
            .starts_with("entra.users.create.create.status:"),
        "{entra}"
    );
    for c in &repeats {
        assert_eq!(c["status"], "skipped", "{c}");
        assert_eq!(c["cause"], entra["cause"], "linked to its root: {c}");
        let message = c["message"].as_str().unwrap();
        assert!(
            message.starts_with("same root cause as entra.users.create › create:")
                && message.contains("primary not supported"),
            "{c}"
        );
    }
    assert!(
        !report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["scenario"].as_str().unwrap().starts_with("entra."))
            .any(|c| c["message"].as_str().unwrap().contains("okta.users.create")),
        "no Entra check is filed under the Okta create"
    );
}

/// The text after `label` on its line, up to `end`.
fn after<'a>(text: &'a str, label: &str, end: &str) -> &'a str {
    let from = text
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in\n{text}"))
        + label.len();
    let rest = &text[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_states_the_same_counts_in_the_same_words() {
    let server = Faulty::start(many_defects).await;
    let base = server.base_url();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let reports: Vec<String> = ["json", "junit", "markdown", "html"]
        .iter()
        .zip(["run.json", "junit.xml", "summary.md", "cert.html"])
        .flat_map(|(kind, file)| ["--report".to_string(), format!("{kind}={}", path(file))])
        .collect();
    let mut all = owned(args(&base, &["--profile", "okta,entra"]));
    all.extend(reports);
    let out = run_cli(all).await;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let json: Value = serde_json::from_str(&read("run.json")).unwrap();

    // What the JSON counts, in the words every report uses.
    let s = &json["summary"];
    let n = |v: &Value| v.as_u64().unwrap();
    let total = n(&s["passed"]) + n(&s["failed"]) + n(&s["warnings"]) + n(&s["skipped"]);
    let checks = format!(
        "{total} checks: {} passed, {} failed, {} warning{}, {} skipped",
        s["passed"],
        s["failed"],
        s["warnings"],
        if n(&s["warnings"]) == 1 { "" } else { "s" },
        s["skipped"]
    );
    let f = &json["findings"];
    let plural = |v: &Value, word: &str| format!("{v} {word}{}", if n(v) == 1 { "" } else { "s" });
    // Warnings of a cause that is an error elsewhere (content-type: an error under Entra ID)
    // are told apart from the warning causes.
    let mixed = f["warnings_of_failure_causes"].as_u64().unwrap_or(0);
    let warnings = match mixed {
        0 => format!(
            "{} from {}",
            plural(&f["warnings"], "warning"),
            plural(&f["warning_causes"], "cause")
        ),
        m if m == n(&f["warnings"]) => format!(
            "{} from causes counted with the failures",
            plural(&f["warnings"], "warning")
        ),
        m => format!(
            "{}: {} from {}, {m} from causes counted with the failures",
            plural(&f["warnings"], "warning"),
            n(&f["warnings"]) - m,
            plural(&f["warning_causes"], "cause")
        ),
    };
    let findings = format!(
        "{} from {}, {warnings}",
        plural(&f["failures"], "failure"),
        plural(&f["failure_causes"], "cause"),
    );
    assert_eq!(
        f["failures"], s["failed"],
        "every failed check is a failure"
    );
    assert_eq!(f["warnings"], s["warnings"]);
    assert!(n(&f["failure_causes"]) > 0 && n(&f["failure_causes"]) < n(&f["failures"]));

    // The cause keys: as many as the causes counted, shared by the repeated checks.
    let causes: std::collections::BTreeSet<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "failed" || c["status"] == "warning")
        .map(|c| c["cause"].as_str().expect("every finding names its cause"))
        .collect();
    assert_eq!(
        causes.len() as u64,
        n(&f["failure_causes"]) + n(&f["warning_causes"])
    );

    // Terminal.
    assert_eq!(
        after(&text, "Summary: ", " · ").split_once(", ").unwrap().1,
        checks
    );
    assert_eq!(after(&text, "\nFindings: ", "\n"), findings);
    // Markdown.
    let md = read("summary.md");
    assert_eq!(after(&md, "**", "**"), checks);
    assert_eq!(after(&md, "\nFindings: ", "\n"), findings);
    // HTML.
    let html = read("cert.html");
    assert_eq!(after(&html, "<p class=\"rule\">", "<br>"), checks);
    assert_eq!(after(&html, "<br>Findings: ", "</p>"), findings);
    // JUnit: the same words on every suite, and its own counts agree.
    let xml = read("junit.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    for suite in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
        let prop = |name: &str| {
            suite
                .descendants()
                .find(|p| p.has_tag_name("property") && p.attribute("name") == Some(name))
                .and_then(|p| p.attribute("value"))
                .unwrap()
                .to_string()
        };
        assert_eq!(prop("checks"), checks);
        assert_eq!(prop("findings"), findings);
    }
    let root = doc.root_element();
    assert_eq!(root.attribute("tests"), Some(total.to_string().as_str()));
    assert_eq!(
        root.attribute("failures"),
        Some(s["failed"].to_string().as_str())
    );
}
