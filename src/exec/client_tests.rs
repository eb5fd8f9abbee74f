//! The client against a server that resets a kept-alive connection as the next request
//! arrives on it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::{Client, ClientConfig};
use crate::exec::Auth;
use crate::plan::PreparedRequest;

/// Answers the first request of every connection with keep-alive, and resets the
/// connection when a second request arrives on it.
async fn resetting_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut requests = 0;
                loop {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    requests += 1;
                    if requests > 1 {
                        // RST, not FIN: what a server closing an idle connection races into.
                        // A zero linger resets at once; only a longer one blocks on drop.
                        #[allow(deprecated)]
                        let _ = socket.set_linger(Some(std::time::Duration::ZERO));
                        return;
                    }
                    let body = "{}";
                    let answer = format!("HTTP/1.1 200 OK\r\ncontent-type: application/scim+json\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                    let _ = socket.write_all(answer.as_bytes()).await;
                }
            });
        }
    });
    (format!("http://{addr}/scim/v2"), connections)
}

#[tokio::test]
async fn a_read_on_a_connection_the_server_reset_is_sent_again_on_a_new_one() {
    let (base, connections) = resetting_server().await;
    let client = Client::new(ClientConfig::new(base, Auth::None)).unwrap();
    let get = PreparedRequest::get("/Users");
    for _ in 0..3 {
        let x = client.send(&get).await;
        assert_eq!(x.status(), Some(200), "{:?}", x.error);
    }
    assert!(connections.load(Ordering::SeqCst) >= 3);
}

#[tokio::test]
async fn a_write_on_a_reset_connection_is_not_sent_again() {
    let (base, _) = resetting_server().await;
    let client = Client::new(ClientConfig::new(base, Auth::None)).unwrap();
    assert_eq!(
        client.send(&PreparedRequest::get("/Users")).await.status(),
        Some(200)
    );
    let mut delete = PreparedRequest::get("/Users/x");
    delete.method = crate::scim::Method::Delete;
    let x = client.send(&delete).await;
    assert!(
        x.error.is_some(),
        "a write is never repeated: {:?}",
        x.status()
    );
}
