//! `scimcheck record` as a child process: started on a free loopback port, its address read
//! from its output, stopped by SIGTERM or by its own limits.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A `scimcheck record` child process, its address read from its first lines.
pub struct Recorder {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// The base URL to point the IdP at.
    pub idp: String,
    /// Its stdout so far.
    stdout: Vec<String>,
}

/// What a stopped recorder said and how it exited.
pub struct Finished {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

fn spawn(args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("scimcheck"))
        .arg("record")
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("scimcheck starts")
}

/// Starts the recorder in front of `upstream` on a free loopback port (blocking).
pub fn start(upstream: &str, out: &Path, extra: &[&str]) -> Recorder {
    let out = out.to_str().unwrap();
    let mut args = vec![
        "--upstream",
        upstream,
        "--listen",
        "127.0.0.1:0",
        "--out",
        out,
    ];
    args.extend(extra);
    let mut child = spawn(&args);
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => {
                let idp = line
                    .strip_prefix("recording: point the IdP at ")
                    .map(str::to_string);
                seen.push(line);
                if let Some(idp) = idp {
                    return Recorder {
                        child,
                        lines,
                        idp,
                        stdout: seen,
                    };
                }
            }
            Err(_) => {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!(
                    "the recorder printed no address; stdout: {seen:?}\nstderr: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

impl Recorder {
    /// Sends SIGTERM and waits for it to write its file and exit (blocking).
    pub fn stop(self) -> Finished {
        self.terminate();
        self.wait()
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    /// The next line it prints, within 10 s (blocking).
    pub fn next_line(&mut self) -> String {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(10))
            .expect("the recorder prints a line");
        self.stdout.push(line.clone());
        line
    }

    /// Waits (at most 30 s) for it to exit on its own (blocking).
    pub fn wait(mut self) -> Finished {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the recorder did not exit within 30 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stdout = std::mem::take(&mut self.stdout);
        stdout.extend(self.lines.iter());
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr);
        }
        Finished {
            code: status.code(),
            stdout: stdout.join("\n"),
            stderr,
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}

/// What an editor holding `text` to `schemas/scenario.schema.json` would flag.
pub fn schema_errors(text: &str) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../schemas/scenario.schema.json")).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let instance: serde_json::Value = serde_saphyr::from_str(text).unwrap();
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// A loopback address nothing listens on.
pub fn dead_address() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}
