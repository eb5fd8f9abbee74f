//! TLS: verified by default, a private CA with --cacert, --insecure only when asked and said
//! loudly. A TLS-terminating proxy with a certificate from a test CA fronts the reference server.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use scimcheck::server::RunningServer;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig as TlsConfig};
use tokio_rustls::TlsAcceptor;

use crate::support::{cli, TOKEN};

struct TlsTarget {
    base_url: String,
    ca_pem: String,
    _reference: RunningServer,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsTarget {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn tls_target() -> TlsTarget {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();

    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = TlsConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let reference = crate::support::reference_server().await;
    let upstream = reference
        .base_url()
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    TlsTarget {
        base_url: format!("https://127.0.0.1:{port}/scim/v2"),
        ca_pem: ca_cert.pem(),
        _reference: reference,
        task,
    }
}

async fn run(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || cli(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_certificate_is_refused() {
    let t = tls_target().await;
    let out = run(vec![
        "run".into(),
        "--base-url".into(),
        t.base_url.clone(),
        "--token".into(),
        TOKEN.into(),
    ])
    .await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("TLS handshake failed") && err.to_lowercase().contains("certificate"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_ca_with_cacert() {
    let t = tls_target().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &t.ca_pem).unwrap();
    let out = run(vec![
        "run".into(),
        "--base-url".into(),
        t.base_url.clone(),
        "--token".into(),
        TOKEN.into(),
        "--cacert".into(),
        ca.display().to_string(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("NOT verified"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_is_explicit_and_loud() {
    let t = tls_target().await;
    let out = run(vec![
        "run".into(),
        "--base-url".into(),
        t.base_url.clone(),
        "--token".into(),
        TOKEN.into(),
        "--insecure".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--insecure: TLS certificates of"));
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("TLS certificates were NOT verified (--insecure)"));
}

#[test]
fn cacert_that_is_not_pem_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let out = cli(&[
        "run",
        "--base-url",
        "https://127.0.0.1:9/scim/v2",
        "--token",
        "x",
        "--cacert",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--cacert"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
