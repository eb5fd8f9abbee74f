//! The reference server as a child process, for the benchmarks: only the harness's own CPU is
//! then counted in the bench process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `scimcheck serve` on a free loopback port with `token`; returns the child and its
/// base URL. Its request log is drained on a thread so the server never blocks on a full pipe.
pub fn reference_server(token: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scimcheck"))
        .args(["serve", "--port", "0", "--token", token])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("reference server starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base_url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with("http://"))
                .map(|w| w.trim_end_matches('/').to_string())
        })
        .expect("serve prints its base URL");
    std::thread::spawn(move || for _ in lines {});
    (child, base_url)
}
