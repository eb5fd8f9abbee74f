//! Why a recording could not start.

use std::net::SocketAddr;

/// A recording that could not start; the message names the input and what to change.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// `--upstream` is not a URL the proxy can forward to.
    #[error("--upstream `{raw}`: {why}")]
    Upstream {
        /// The value given.
        raw: String,
        /// What is wrong with it.
        why: String,
    },
    /// The upstream gave no HTTP answer to the startup probe.
    #[error("the upstream {url} does not answer: {cause}")]
    Unreachable {
        /// The URL probed.
        url: String,
        /// The transport error, with its causes.
        cause: String,
    },
    /// A TLS option (`--cacert`) that cannot be used.
    #[error("{0}")]
    Client(String),
    /// A non-loopback `--listen` without `--allow-non-loopback`.
    #[error("refusing to listen on {0}: it is not a loopback address, and the proxy forwards whatever reaches it to the upstream; pass --allow-non-loopback to accept connections from the network")]
    NonLoopback(SocketAddr),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}{hint}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
        /// What to do about it.
        hint: &'static str,
    },
}
