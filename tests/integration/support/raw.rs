//! A raw TCP server for what wiremock cannot do: bodies that never end, connections reset
//! mid-exchange, bytes that are not HTTP. The preflight requests get sane answers so the run
//! reaches the scenarios.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy)]
pub enum Hostile {
    /// Headers promise a body, which then trickles forever.
    EndlessBody,
    /// Accepts the request and never answers.
    Silent,
    /// Closes the connection as soon as the request arrives.
    Reset,
    /// Answers bytes that are not HTTP.
    Garbage,
    /// A chunked body as fast as the socket takes it (bounded, 640 MiB at most).
    Flood,
}

pub struct RawServer {
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const PREFLIGHT_LIST: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#;

fn response(status: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\ncontent-type: application/scim+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).into_bytes()
}

pub async fn start(mode: Hostile) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut read = 0;
                loop {
                    match socket.read(&mut buf[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                    if buf[..read].windows(4).any(|w| w == b"\r\n\r\n") || read == buf.len() {
                        break;
                    }
                }
                let head = String::from_utf8_lossy(&buf[..read]).to_string();
                let line = head.lines().next().unwrap_or_default().to_string();
                if line.starts_with("GET /scim/v2/Users?startIndex=1&count=1 ") {
                    let _ = socket.write_all(&response("200 OK", PREFLIGHT_LIST)).await;
                    return;
                }
                if line.starts_with("GET /scim/v2/ServiceProviderConfig ") {
                    let _ = socket.write_all(&response("404 Not Found", "")).await;
                    return;
                }
                match mode {
                    Hostile::EndlessBody => {
                        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/scim+json\r\ncontent-length: 100000000\r\n\r\n{\"Resources\":[").await;
                        for _ in 0..600 {
                            if socket.write_all(b"{\"id\":\"x\"},").await.is_err() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                    Hostile::Silent => tokio::time::sleep(Duration::from_secs(60)).await,
                    Hostile::Reset => {
                        let _ = socket.set_zero_linger();
                        drop(socket);
                    }
                    Hostile::Flood => {
                        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
                        let chunk = format!("10000\r\n{}\r\n", "a".repeat(0x10000));
                        for _ in 0..10_000 {
                            if socket.write_all(chunk.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    }
                    Hostile::Garbage => {
                        let _ = socket
                            .write_all(b"\x00\x01\x02 this is not HTTP \xff\xfe\r\n\r\n")
                            .await;
                    }
                }
            });
        }
    });
    RawServer {
        base_url: format!("http://{addr}/scim/v2"),
        task,
    }
}

/// Reads one HTTP/1.1 request (head and Content-Length body) from a socket.
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                return Some(buf);
            }
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A proxy to `upstream` that resets the connection on every `every`-th request; a POST is
/// forwarded first, so the server acts but its answer is lost (the worst case for a ledger).
pub async fn reset_proxy(upstream: String, every: usize) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (upstream, count) = (upstream.clone(), count.clone());
            tokio::spawn(async move {
                // One request per connection: the answer closes it.
                let Some(request) = read_request(&mut socket).await else {
                    return;
                };
                let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                let reset = n % every == 0;
                let is_post = request.starts_with(b"POST ");
                if reset && !is_post {
                    let _ = socket.set_zero_linger();
                    return;
                }
                let Ok(mut up) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                let request = String::from_utf8_lossy(&request).replacen(
                    "\r\n",
                    "\r\nconnection: close\r\n",
                    1,
                );
                if up.write_all(request.as_bytes()).await.is_err() {
                    return;
                }
                let mut response = Vec::new();
                let _ = up.read_to_end(&mut response).await;
                if reset {
                    let _ = socket.set_zero_linger();
                    return;
                }
                let _ = socket.write_all(&response).await;
            });
        }
    });
    RawServer {
        base_url: format!("http://{addr}/scim/v2"),
        task,
    }
}
