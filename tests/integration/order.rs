//! The order a run works in: the longest scenarios start first, and the report still lists
//! the scenarios in plan order.

use std::sync::{Arc, Mutex};

use scimcheck::exec::{Auth, Client, ClientConfig, Secret};
use scimcheck::plan::RunId;
use scimcheck::result::{ScenarioResult, Target};
use scimcheck::run::{self, Events, RunOptions, Shared};
use scimcheck::scenario::{self, Profile};

use crate::support::{reference_server, TOKEN};

/// Records the scenarios in the order they end.
#[derive(Default)]
struct Ended(Mutex<Vec<String>>);

impl Events for Ended {
    fn scenario_done(&self, result: &ScenarioResult) {
        self.0.lock().unwrap().push(result.id.to_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_at_a_time_the_longest_scenario_runs_first_and_results_keep_plan_order() {
    let server = reference_server().await;
    let ended = Arc::new(Ended::default());
    let mut shared = Shared::new(
        Client::new(ClientConfig::new(
            server.base_url().to_string(),
            Auth::Bearer(Secret::new(TOKEN)),
        ))
        .unwrap(),
    );
    shared.events = ended.clone();
    let loaded = scenario::builtin().unwrap();
    let plan_order: Vec<String> = loaded
        .iter()
        .filter(|l| l.scenario.profile == Profile::Okta)
        .map(|l| l.scenario.id.to_string())
        .collect();
    let options = RunOptions {
        run_id: RunId::random(),
        profiles: vec![Profile::Okta],
        entra_dialect: None,
        burst: Default::default(),
        // One slot: scenarios end in the order they start.
        concurrency: 1,
        keep_resources: false,
        fail_fast: false,
        user: Default::default(),
        load: Default::default(),
        keep_set_exchanges: false,
    };
    let target = Target {
        base_url: server.base_url().to_string(),
        embedded: false,
        insecure: false,
    };
    let run = run::run(&shared, loaded, &options, target).await.unwrap();

    let ended = ended.0.lock().unwrap().clone();
    assert_eq!(
        ended,
        [
            "okta.groups.push",
            "okta.users.create",
            "okta.users.deactivate",
            "okta.users.import",
            "okta.users.update",
            "okta.credentials",
        ]
    );
    let reported: Vec<String> = run.scenarios.iter().map(|s| s.id.to_string()).collect();
    assert_eq!(reported, plan_order);
    assert_eq!(run.summary.failed, 0);
    assert!(run.cleanup.failed.is_empty());
}
