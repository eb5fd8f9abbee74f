//! What a recording holds: the exchanges kept for replay, in the order they ended, the notes
//! on what was not kept, and the credentials seen (so the scenario file never holds them).

use std::io::Write;
use std::sync::Mutex;

use crate::scenario::traffic::Recorded;

/// The exchanges of a finished recording and what is to be said about it.
#[derive(Debug, Default)]
pub struct Recording {
    /// The exchanges kept, in the order their answers came back.
    pub exchanges: Vec<Recorded>,
    /// One line each: a request not kept and why.
    pub notes: Vec<String>,
    /// Values that must not reach the file: credentials the IdP sent.
    pub secrets: Vec<String>,
    /// Requests forwarded or answered, kept or not.
    pub seen: usize,
}

/// The recording as it grows; shared by every request the proxy handles.
#[derive(Debug)]
pub(super) struct Log {
    inner: Mutex<Recording>,
    /// Exchanges kept at most (`--max-requests`).
    limit: Option<usize>,
    full: tokio::sync::Notify,
    /// Print the live line per exchange.
    echo: bool,
}

/// One exchange's live line: `POST /scim/v2/Users 201 14 ms`, with why it was not kept.
pub(super) struct Line<'a> {
    pub method: &'a str,
    pub target: &'a str,
    pub status: u16,
    pub ms: u64,
    pub unkept: Option<String>,
}

impl std::fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {} {} ms",
            self.method, self.target, self.status, self.ms
        )?;
        if let Some(why) = &self.unkept {
            write!(f, " (not kept: {why})")?;
        }
        Ok(())
    }
}

impl Log {
    pub fn new(limit: Option<usize>, echo: bool) -> Log {
        Log {
            inner: Mutex::new(Recording::default()),
            limit,
            full: tokio::sync::Notify::new(),
            echo,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recording> {
        // A panic elsewhere leaves the data whole: each change is one push.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `exchange` unless the limit is already reached; prints its line either way.
    pub fn keep(&self, exchange: Recorded, line: Line<'_>) {
        let mut rec = self.lock();
        rec.seen += 1;
        let room = self.limit.is_none_or(|n| rec.exchanges.len() < n);
        if room {
            rec.exchanges.push(exchange);
            self.show(&line);
            if self.limit.is_some_and(|n| rec.exchanges.len() >= n) {
                self.full.notify_one();
            }
        } else {
            let line = Line {
                unkept: Some("past --max-requests".into()),
                ..line
            };
            rec.notes.push(line.to_string());
            self.show(&line);
        }
    }

    /// An exchange answered but not kept; its line is also a note for the end.
    pub fn skip(&self, line: Line<'_>) {
        let mut rec = self.lock();
        rec.seen += 1;
        rec.notes.push(line.to_string());
        self.show(&line);
    }

    /// A credential the IdP sent; kept out of the file.
    pub fn secret(&self, value: &str) {
        let mut rec = self.lock();
        if !value.is_empty() && !rec.secrets.iter().any(|s| s == value) {
            rec.secrets.push(value.to_string());
        }
    }

    /// Resolves once `--max-requests` exchanges are kept (never without a limit).
    pub async fn full(&self) {
        if self.limit.is_none() {
            return std::future::pending().await;
        }
        // `notify_one` stores a permit, so a limit reached before this wait still counts.
        self.full.notified().await;
    }

    /// What was recorded.
    pub fn finish(&self) -> Recording {
        std::mem::take(&mut *self.lock())
    }

    fn show(&self, line: &Line<'_>) {
        if self.echo {
            // A closed stdout must not cost the exchange.
            let _ = writeln!(std::io::stdout().lock(), "{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::Method;

    fn exchange() -> Recorded {
        Recorded {
            duration_ms: 3,
            ..Recorded::new(Method::Get, "/Users", 200)
        }
    }

    fn line() -> Line<'static> {
        Line {
            method: "GET",
            target: "/scim/v2/Users",
            status: 200,
            ms: 3,
            unkept: None,
        }
    }

    #[test]
    fn the_limit_keeps_the_first_exchanges_and_notes_the_others() {
        let log = Log::new(Some(2), false);
        for _ in 0..3 {
            log.keep(exchange(), line());
        }
        let rec = log.finish();
        assert_eq!(rec.exchanges.len(), 2);
        assert_eq!(rec.seen, 3);
        assert_eq!(
            rec.notes,
            ["GET /scim/v2/Users 200 3 ms (not kept: past --max-requests)"]
        );
    }

    #[tokio::test]
    async fn reaching_the_limit_before_waiting_for_it_still_stops() {
        let log = Log::new(Some(1), false);
        log.keep(exchange(), line());
        tokio::time::timeout(std::time::Duration::from_secs(1), log.full())
            .await
            .expect("the limit is seen");
    }

    #[test]
    fn a_credential_is_kept_once() {
        let log = Log::new(None, false);
        log.secret("Bearer t");
        log.secret("Bearer t");
        log.secret("");
        assert_eq!(log.finish().secrets, ["Bearer t"]);
    }
}
