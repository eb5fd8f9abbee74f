//! The default terminal report of a server with many defects stays short, and every report
//! tells one defect as one cause, at the same first place, with the same verdicts.

use serde_json::{json, Value};

use crate::rfc::map_json;
use crate::support::proxy::{Faulty, Req, Resp, Upstream};
use crate::support::{cli, TOKEN};

fn discovery(req: &Req) -> bool {
    ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas"]
        .iter()
        .any(|e| req.path().ends_with(e))
}

/// A server with the shape of findings of a real one (scimmy): `itemsPerPage` echoing the
/// requested count (or 20) on every list, no `Location` on a create, no `WWW-Authenticate`
/// on a 401, a filter on an upper-cased value finding nothing, malformed filters answered
/// with an empty page, startIndex past the end answered with the first page, `attributes`
/// answers without `schemas`, users without `groups`, other methods on the discovery
/// endpoints answered 404, Entra's string booleans refused, and error bodies in
/// `application/json`.
fn scimmy_like(mut req: Req, up: &Upstream) -> Resp {
    if req.method != "GET" && discovery(&req) {
        return Resp::scim_error(404, None, "Endpoint Not Found");
    }
    let refuses_string_boolean = req.method == "PATCH"
        && req.body.as_ref().is_some_and(|b| {
            b["Operations"]
                .as_array()
                .is_some_and(|ops| ops.iter().any(|op| op["value"] == json!("False")))
        });
    if refuses_string_boolean {
        let mut resp = Resp::scim_error(400, Some("invalidValue"), "active must be a boolean");
        resp.set_header("content-type", "application/json");
        return resp;
    }
    let filter = req.query("filter").unwrap_or_default();
    let count = req.query("count");
    let per_page = count.clone().unwrap_or_else(|| "20".into());
    let past_the_end = req
        .query("startIndex")
        .and_then(|s| s.parse::<u64>().ok())
        .is_some_and(|s| s > 1);
    let mut resp = up.send(&req);
    let empty_page = resp
        .json()
        .is_some_and(|b| b["Resources"].as_array().is_some_and(Vec::is_empty));
    if req.method == "GET" && past_the_end && empty_page {
        req.set_query("startIndex", "1");
        resp = up.send(&req);
    }
    if req.method == "GET" && filter.contains("SCIMCHECK") {
        resp = Resp::scim(
            200,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []}),
        );
    }
    if resp.status == 400
        && resp
            .json()
            .is_some_and(|b| b["scimType"] == "invalidFilter")
    {
        resp = Resp::scim(
            200,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []}),
        );
    }
    let projected = req.query("attributes").is_some();
    resp = map_json(resp, |b| {
        if b.get("itemsPerPage").is_some() {
            b["itemsPerPage"] = json!(per_page.parse::<u64>().unwrap_or(20));
        }
        if let Some(o) = b.as_object_mut() {
            o.remove("groups");
            if projected {
                o.remove("schemas");
            }
        }
    });
    resp.headers.retain(|(n, _)| {
        !n.eq_ignore_ascii_case("location") && !n.eq_ignore_ascii_case("www-authenticate")
    });
    if resp.status >= 400 && resp.status != 401 {
        resp.set_header("content-type", "application/json");
    }
    resp
}

async fn run_cli(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || cli(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .expect("cli task")
}

fn args(base: &str, extra: &[&str]) -> Vec<String> {
    let mut out = vec!["run", "--base-url", base, "--token", TOKEN];
    out.extend_from_slice(extra);
    out.into_iter().map(str::to_string).collect()
}

/// The text from `label` up to `end`.
fn between<'a>(text: &'a str, label: &str, end: &str) -> &'a str {
    let from = text
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in\n{text}"));
    let rest = &text[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_output_of_a_server_with_many_causes_fits_in_300_lines() {
    let server = Faulty::start(scimmy_like).await;
    let base = server.base_url();
    let dir = tempfile::tempdir().unwrap();
    let json_path = dir.path().join("run.json").display().to_string();
    let out = run_cli(args(
        &base,
        &[
            "--profile",
            "all",
            "--burst-seconds",
            "1",
            "--report",
            &format!("json={json_path}"),
        ],
    ))
    .await;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let f = &report["findings"];
    let causes = f["failure_causes"].as_u64().unwrap() + f["warning_causes"].as_u64().unwrap();
    assert!(causes >= 20, "a server with many causes: {f}\n{text}");
    let lines = text.lines().count();
    eprintln!("{lines} lines for {causes} causes ({f})");
    if std::env::var_os("SHOW_OUTPUT").is_some() {
        eprintln!("{text}");
    }
    assert!(lines < 300, "{lines} lines for {causes} causes:\n{text}");

    // Every cause keeps its rule and a reproducing curl line, in the scenario blocks.
    let blocks = &text[..text.find("Findings, one line per cause").unwrap()];
    let listed = between(&text, "Findings, one line per cause", "\nSummary: ");
    assert_eq!(
        listed
            .lines()
            .filter(|l| l.starts_with("  ✗ ") || l.starts_with("  ! "))
            .count() as u64,
        causes,
        "{listed}"
    );
    for line in listed.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let id = line.split_whitespace().nth(1).unwrap();
        let at = blocks
            .find(&format!("✗ {id} "))
            .or_else(|| blocks.find(&format!("! {id} ")))
            .unwrap_or_else(|| panic!("{id} has no block of its own:\n{text}"));
        let evidence = &blocks[at..];
        let evidence = &evidence[..evidence
            .find("reproduce: ")
            .unwrap_or_else(|| panic!("{id}: no curl line after it"))];
        assert!(evidence.contains("rule: "), "{id}: no rule:\n{evidence}");
    }
    // One line per shown step's responses and curl; a request body is in the curl line only.
    assert!(!blocks.contains("request: "), "{text}");
    assert!(blocks.contains("--data-raw '"), "{text}");

    // The list at the end names each cause's first place in plan order, as the JSON report
    // does (its checks are in plan order); the streamed blocks, written in the order the
    // scenarios finish, claim no first place and no count that later scenarios would change.
    let checks = report["checks"].as_array().unwrap();
    for line in listed.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let id = line.split_whitespace().nth(1).unwrap();
        let places = between(line, "  (at ", ")");
        let named = places
            .split_once(": ")
            .filter(|_| places.contains(" steps: "))
            .map_or(&places["  (at ".len()..], |(_, rest)| rest);
        let named = named.split([',', ';']).next().unwrap().trim();
        let first = checks
            .iter()
            .find(|c| c["id"] == id && (c["status"] == "failed" || c["status"] == "warning"))
            .unwrap();
        assert_eq!(
            named,
            format!(
                "{} › {}",
                first["scenario"].as_str().unwrap(),
                first["step"].as_str().unwrap()
            ),
            "{line}"
        );
    }
    assert!(!blocks.contains("steps in all"), "{blocks}");
    assert!(!blocks.contains("same finding as at"), "{blocks}");
    assert!(!blocks.contains("also: "), "{blocks}");

    // -v shows everything.
    let verbose = run_cli(args(
        &base,
        &["--profile", "all", "--burst-seconds", "1", "-v"],
    ))
    .await;
    let verbose = String::from_utf8_lossy(&verbose.stdout).into_owned();
    assert!(verbose.lines().count() > 3 * lines, "{verbose}");
    assert!(verbose.contains("request: "));
}

/// Every answer labelled `application/json`: `rfc7644.content-type` is an error under
/// Entra ID (it requires application/scim+json) and a warning elsewhere.
fn json_content_type(req: Req, up: &Upstream) -> Resp {
    let mut resp = up.send(&req);
    if resp
        .headers
        .iter()
        .any(|(n, v)| n == "content-type" && v.contains("scim+json"))
    {
        resp.set_header("content-type", "application/json");
    }
    resp
}

async fn run_with_reports(base: &str, extra: &[&str]) -> (String, Value, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let mut all = args(base, extra);
    for (kind, file) in [
        ("json", "run.json"),
        ("markdown", "summary.md"),
        ("html", "cert.html"),
    ] {
        all.push("--report".into());
        all.push(format!("{kind}={}", path(file)));
    }
    let out = run_cli(all).await;
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        serde_json::from_str(&read("run.json")).unwrap(),
        read("summary.md"),
        read("cert.html"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_defect_at_two_severities_is_one_cause_at_its_highest() {
    let server = Faulty::start(json_content_type).await;
    let (text, report, md, html) = run_with_reports(
        &server.base_url(),
        &[
            "--profile",
            "okta,entra",
            "--scenario",
            "okta.users.create",
            "--scenario",
            "entra.users.create",
        ],
    )
    .await;
    let content_type: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "rfc7644.content-type" && c["status"] != "passed")
        .collect();
    let under = |profile: &str| {
        content_type
            .iter()
            .filter(|c| c["scenario"].as_str().unwrap().starts_with(profile))
            .collect::<Vec<_>>()
    };
    assert!(!under("okta.").is_empty() && !under("entra.").is_empty());
    for c in under("okta.") {
        assert_eq!(
            (&c["status"], &c["severity"]),
            (&json!("warning"), &json!("warning")),
            "{c}"
        );
    }
    for c in under("entra.") {
        assert_eq!(
            (&c["status"], &c["severity"]),
            (&json!("failed"), &json!("error")),
            "{c}"
        );
    }
    // One cause: one key, counted once, with the failures.
    let keys: std::collections::BTreeSet<&str> = content_type
        .iter()
        .map(|c| c["cause"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let f = &report["findings"];
    assert_eq!(
        f["warnings_of_failure_causes"].as_u64().unwrap(),
        under("okta.").len() as u64,
        "{f}"
    );
    // Every report lists it once, at its highest severity, saying where it was which.
    let listed = between(&text, "Findings, one line per cause", "\nSummary: ");
    let lines: Vec<&str> = listed
        .lines()
        .filter(|l| l.contains("rfc7644.content-type"))
        .collect();
    assert_eq!(lines.len(), 1, "{listed}");
    assert!(lines[0].starts_with("  ✗ "), "{}", lines[0]);
    assert!(
        lines[0].contains(&format!(
            "an error at {} (entra)",
            steps(under("entra.").len())
        )) && lines[0].contains(&format!(
            "a warning at {} (okta)",
            steps(under("okta.").len())
        )),
        "{}",
        lines[0]
    );
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.contains("| `rfc7644.content-type` |"))
        .collect();
    assert_eq!(rows.len(), 1, "{md}");
    assert!(
        rows[0].starts_with("| ❌ |") && rows[0].contains("an error at"),
        "{}",
        rows[0]
    );
    assert!(!md.contains("| ⚠️ | `rfc7644.content-type`"), "{md}");
    assert_eq!(
        html.matches("<code>rfc7644.<wbr>content-type</code> Content-Type")
            .count(),
        1
    );
}

fn steps(n: usize) -> String {
    if n == 1 {
        "1 step".into()
    } else {
        format!("{n} steps")
    }
}

/// Refuses every create that sends `emails[].primary` (every Entra create) for one reason.
fn refuses_primary(req: Req, up: &Upstream) -> Resp {
    let primary = req.method == "POST"
        && req.path().ends_with("/Users")
        && req
            .body
            .as_ref()
            .and_then(|b| b["emails"].as_array())
            .is_some_and(|emails| emails.iter().any(|e| e.get("primary").is_some()));
    if primary {
        return Resp::scim_error(400, Some("invalidValue"), "primary not supported");
    }
    up.send(&req)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_whose_create_repeats_an_earlier_refusal_is_skipped_in_every_report() {
    let server = Faulty::start(refuses_primary).await;
    let (text, report, md, html) = run_with_reports(
        &server.base_url(),
        &["--profile", "entra", "--scenario", "entra.users.*"],
    )
    .await;
    // The scenarios whose create the server refused like the first: nothing failed in them,
    // and the refused create's checks are skipped, naming the first.
    let checks = report["checks"].as_array().unwrap();
    let mut repeated: Vec<(&str, &str)> = Vec::new();
    for c in checks {
        let message = c["message"].as_str().unwrap();
        if message.starts_with("same root cause as ") {
            assert_eq!(c["status"], "skipped", "{c}");
            let scenario = c["scenario"].as_str().unwrap();
            if !repeated.iter().any(|(s, _)| *s == scenario) {
                repeated.push((scenario, message));
            }
        }
    }
    assert!(!repeated.is_empty(), "{text}");
    for (scenario, why) in &repeated {
        let own: Vec<&Value> = checks
            .iter()
            .filter(|c| c["scenario"] == *scenario)
            .collect();
        assert!(own
            .iter()
            .all(|c| c["status"] == "skipped" || c["status"] == "passed"));
        // Markdown: skipped, with the reason.
        let row = md
            .lines()
            .find(|l| l.contains(&format!("(`{scenario}`) |")))
            .unwrap_or_else(|| panic!("no row for {scenario}:\n{md}"));
        assert!(row.contains(&format!("| ➖ skipped: {why} |")), "{row}");
        // HTML: the skipped badge and the reason.
        let section = between(
            &html,
            &format!(
                "<section class=\"scenario\" id=\"{}\">",
                scenario.replace('.', "-")
            ),
            "</section>",
        );
        assert!(
            section.contains("<span class=\"badge skip\">SKIPPED</span>"),
            "{section}"
        );
        assert!(
            section.contains("<p>Skipped: same root cause as "),
            "{section}"
        );
        // Terminal: one line, skipped, with the reason.
        let line = text
            .lines()
            .find(|l| l.contains(&format!("  {scenario} · ")))
            .unwrap_or_else(|| panic!("no line for {scenario}:\n{text}"));
        assert!(
            line.starts_with("– ") && line.contains(" · skipped: same root cause as "),
            "{line}"
        );
    }
}
