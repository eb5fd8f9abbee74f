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
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let base_url = loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("serve exited before printing its base URL");
        }
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url.trim_end_matches('/').to_string();
        }
    };
    // Drained in bulk: splitting the log into lines would be CPU charged to the harness.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    (child, base_url)
}
