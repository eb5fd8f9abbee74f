//! A fixed run result (fixed clock, ids and durations) for the reports' snapshot tests.

use serde_json::json;

use crate::check::CheckOutcome;
use crate::exec::{Exchange, Headers, LedgerEntry, RecordedRequest, RecordedResponse, Throttle};
use crate::result::{
    Cleanup, CleanupFailure, RunResult, ScenarioResult, SnapshotOutcome, SnapshotStatus,
    StepResult, Summary, Target,
};
use crate::scenario::Profile;
use crate::scim::{Method, ResourceId, ResourceKind, Severity};

fn headers(pairs: &[(&str, &str)]) -> Headers {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn step(
    id: &str,
    title: &str,
    exchange: Option<Exchange>,
    checks: Vec<CheckOutcome>,
) -> StepResult {
    StepResult {
        id: id.into(),
        title: title.into(),
        skipped: None,
        exchange,
        checks,
        captures: Default::default(),
        snapshot: Default::default(),
        needs: vec![],
        set: None,
        provisioned: vec![],
        set_exchanges: vec![],
    }
}

pub fn run() -> RunResult {
    let base = "https://scim.example.com/scim/v2";
    let created = Exchange {
        request: RecordedRequest {
            method: Method::Post,
            url: format!("{base}/Users"),
            headers: headers(&[("accept", "application/scim+json"), ("authorization", "Bearer [redacted]"), ("content-type", "application/json")]),
            body: Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "scimcheck-abc123-zoe.angstrom@example.com", "password": "[redacted]", "active": true})),
            raw_body: None,
        },
        response: Some(RecordedResponse::new(201, headers(&[("content-type", "application/scim+json"), ("location", &format!("{base}/Users/u-1"))]), json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u-1", "userName": "scimcheck-abc123-zoe.angstrom@example.com", "active": "true", "meta": {"resourceType": "User", "location": format!("{base}/Users/u-1")}}).to_string(), false)),
        error: None,
        started: None,
        duration_ms: 12,
        throttled: vec![Throttle { status: 429, retry_after: Some("1".into()), waited_ms: 1000, error_body: true }],
    };
    let duplicate = Exchange {
        request: RecordedRequest {
            method: Method::Post,
            url: format!("{base}/Users"),
            headers: headers(&[("authorization", "Bearer [redacted]")]),
            body: Some(json!({"userName": "scimcheck-abc123-zoe.angstrom@example.com"})),
            raw_body: None,
        },
        response: Some(RecordedResponse::new(
            500,
            headers(&[("content-type", "text/html")]),
            "<html><h1>Internal Server Error</h1></html>".into(),
            false,
        )),
        error: None,
        started: None,
        duration_ms: 3,
        throttled: vec![],
    };
    let create_checks = vec![
        CheckOutcome::pass(
            "okta.users.create.create.status",
            "RFC 7644 §3.3",
            "status 201",
        ),
        CheckOutcome::fail(
            "schema.User.active",
            Severity::Error,
            "RFC 7643 (User schema)",
            "/active: \"true\" is not of type \"boolean\", \"null\"",
            "Make the response match the User schema of RFC 7643.",
        )
        .at("/active"),
        CheckOutcome::fail(
            "rfc7644.content-type",
            Severity::Warning,
            "RFC 7644 §3.1, §8.1",
            "Content-Type: application/json instead of application/scim+json",
            "Send Content-Type: application/scim+json; Entra ID requires it.",
        ),
    ];
    let dup_checks = vec![
        CheckOutcome::fail(
            "okta.users.create.duplicate.status",
            Severity::Error,
            "RFC 7644 §3.3 (409 uniqueness)",
            "expected status 409, got 500",
            "Answer this request with 409.",
        ),
        CheckOutcome::skip(
            "rfc7644.error-response",
            "RFC 7644 §3.12",
            "status 500 instead of 409",
        ),
    ];
    let mut skipped = step(
        "get-by-id",
        "Read the new user by id",
        None,
        vec![CheckOutcome::skip(
            "okta.users.create.get-by-id.status",
            "RFC 7644 §3.4.1",
            "step `create` failed",
        )],
    );
    skipped.skipped = Some("step `create` failed".into());
    let create = ScenarioResult {
        id: "okta.users.create".into(),
        title: "Okta: Create Users".into(),
        profile: Profile::Okta,
        reference: "Okta SCIM 2.0 integration: Create Users".into(),
        file: "scenarios/okta/create-users.yaml".into(),
        skipped: None,
        not_applicable: None,
        steps: vec![step("create", "Create the user", Some(created), create_checks), step("duplicate", "Refuse a second user with the same userName", Some(duplicate), dup_checks), skipped],
        duration_ms: 20,
        volatile: vec![],
        snapshot: Some(SnapshotOutcome { file: "/home/alice/ci/snapshots/okta.users.create.json".into(), status: SnapshotStatus::Drifted, diff: Some("--- okta.users.create.json\n+++ this run\n@@ -1,3 +1,3 @@\n   \"status\": 201,\n-  \"active\": true\n+  \"active\": \"true\"\n".into()) , check: CheckOutcome::fail("snapshot.drift", Severity::Error, "accepted snapshot (--snapshots)", "differs from okta.users.create.json (2 lines changed)", "Review the diff; if the new behaviour is right, accept it with --update-snapshots.") }),
    };
    let credentials = ScenarioResult {
        id: "okta.credentials".into(),
        title: "Okta: Test API Credentials".into(),
        profile: Profile::Okta,
        reference: "Okta SCIM 2.0 integration: Test API Credentials".into(),
        file: "scenarios/okta/credentials.yaml".into(),
        skipped: None,
        not_applicable: None,
        steps: vec![step(
            "list-with-token",
            "List users with the configured token",
            None,
            vec![
                CheckOutcome::pass(
                    "okta.credentials.list-with-token.status",
                    "RFC 7644 §3.4.2",
                    "status 200",
                ),
                CheckOutcome::pass(
                    "rfc7644.list.integer-counts",
                    "RFC 7644 §3.4.2",
                    "totalResults, startIndex and itemsPerPage are integers",
                ),
            ],
        )],
        duration_ms: 4,
        volatile: vec![],
        // Only written, never compared: every report must say "recorded", not "passed". The
        // absolute directory stands for a local path no report handed on may show.
        snapshot: Some(SnapshotOutcome {
            file: "/home/alice/ci/snapshots/okta.credentials.json".into(),
            status: SnapshotStatus::Written,
            diff: None,
            check: CheckOutcome::skip(
                "snapshot.drift",
                "accepted snapshot (--snapshots)",
                "recorded okta.credentials.json: no accepted snapshot to compare with yet",
            ),
        }),
    };
    let scenarios = vec![credentials, create];
    let mut run = RunResult {
        report_version: crate::result::REPORT_VERSION,
        tool_version: "0.1.0".into(),
        run_id: "abc123".into(),
        target: Target {
            base_url: base.into(),
            embedded: false,
            insecure: false,
        },
        profiles: vec![Profile::Okta],
        started_at: "2026-01-02T03:04:05Z".into(),
        duration_ms: 1234,
        summary: Summary::default(),
        preflight_throttled: vec![],
        scenarios,
        cleanup: Cleanup {
            kept: false,
            deleted: vec![],
            failed: vec![CleanupFailure {
                entry: LedgerEntry {
                    kind: ResourceKind::User,
                    id: ResourceId::new("u-1"),
                    name: "scimcheck-abc123-zoe.angstrom@example.com".into(),
                    deleted: false,
                },
                reason: "DELETE answered 405".into(),
            }],
            unverified: None,
        },
        interrupted: None,
        labels: Default::default(),
        load: None,
    };
    run.summary = Summary::of(run.checks().map(|(_, _, c)| c));
    run
}
