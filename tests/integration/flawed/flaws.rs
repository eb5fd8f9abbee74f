//! The defects real SCIM servers ship, each switchable, and the gate that every request
//! passes first: the request count, the rate limit, the injected faults and the busy write
//! lock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use tokio::sync::MutexGuard;

use super::error::ScimError;

/// One defect of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flaw {
    /// An attribute the server does not keep: created or PATCHed, it is silently dropped
    /// (a server without `title`), and PATCH still answers 200.
    Ignores(&'static str),
    /// A PATCH of a group's members reads the group, pauses with no lock held, then writes
    /// back what it read plus its change: of concurrent adds, the last one wins.
    LostUpdate,
    /// POST /Users checks userName uniqueness, pauses, then inserts: racing creates of one
    /// userName make two users.
    DuplicateCreate,
    /// One global write lock taken with `try_lock` and held ~10 ms per write: a write that
    /// finds it held answers 500 "database is locked".
    LockedWrites,
    /// Above `per_second` requests in a second: 429 with a SCIM error body, and
    /// `Retry-After: 1` only when `retry_after`.
    RateLimit { per_second: u32, retry_after: bool },
    /// A GET of a resource answers the version from before its last write until `lag_ms`
    /// after that write (404 for one just created, the old body for one just deleted).
    StaleReads { lag_ms: u64 },
    /// That share of requests (every Nth, counted) is answered 500 or has its connection
    /// dropped, alternately, before anything else happens.
    Faults { percent: u8 },
    /// A group silently keeps only its first N members (the write still answers 2xx).
    MemberCap(usize),
    /// Removing a member from a group of more than 100 members keeps only the first 100 of
    /// the others.
    RemoveTruncates,
    /// A GET of a group with more than N members answers 500.
    BigGet500(usize),
    /// A PATCH whose operations carry more than N member values answers 413.
    PatchLimit(usize),
    /// Every list request orders the resources differently, so a startIndex walk repeats
    /// some and skips others.
    UnstablePaging,
    /// PUT /Users/{id} answers 200 with the user as it was: the replacement is not applied.
    IgnoresPut,
    /// A PATCH setting `active` to false answers 200 with the user still active.
    IgnoresDeactivation,
    /// A PATCH setting `active` to true answers 400: a deactivated user stays deactivated.
    RefusesReactivation,
}

/// The flaws of one server, as the handlers ask about them.
#[derive(Debug, Default)]
pub struct Flaws {
    pub lost_update: bool,
    pub duplicate_create: bool,
    pub locked_writes: bool,
    pub rate_limit: Option<(u32, bool)>,
    pub stale_lag: Option<Duration>,
    pub faults_every: Option<usize>,
    pub member_cap: Option<usize>,
    pub remove_truncates: bool,
    pub big_get: Option<usize>,
    pub patch_limit: Option<usize>,
    pub unstable_paging: bool,
    pub ignored: Vec<&'static str>,
    pub ignores_put: bool,
    pub ignores_deactivation: bool,
    pub refuses_reactivation: bool,
}

impl Flaws {
    pub fn new(list: &[Flaw]) -> Self {
        let mut f = Flaws::default();
        for flaw in list {
            match flaw {
                Flaw::Ignores(attr) => f.ignored.push(attr),
                Flaw::LostUpdate => f.lost_update = true,
                Flaw::DuplicateCreate => f.duplicate_create = true,
                Flaw::LockedWrites => f.locked_writes = true,
                Flaw::RateLimit {
                    per_second,
                    retry_after,
                } => f.rate_limit = Some((*per_second, *retry_after)),
                Flaw::StaleReads { lag_ms } => f.stale_lag = Some(Duration::from_millis(*lag_ms)),
                // 0 % injects nothing; otherwise every Nth request, N = 100 / percent.
                Flaw::Faults { percent } if *percent > 0 => {
                    f.faults_every = Some((100 / usize::from(*percent)).max(1))
                }
                Flaw::Faults { .. } => {}
                Flaw::MemberCap(n) => f.member_cap = Some(*n),
                Flaw::RemoveTruncates => f.remove_truncates = true,
                Flaw::BigGet500(n) => f.big_get = Some(*n),
                Flaw::PatchLimit(n) => f.patch_limit = Some(*n),
                Flaw::UnstablePaging => f.unstable_paging = true,
                Flaw::IgnoresPut => f.ignores_put = true,
                Flaw::IgnoresDeactivation => f.ignores_deactivation = true,
                Flaw::RefusesReactivation => f.refuses_reactivation = true,
            }
        }
        f
    }
}

/// The state the flaws need across requests.
#[derive(Debug)]
pub struct Gate {
    pub requests: AtomicUsize,
    faults: AtomicUsize,
    /// The start of the current one-second window and the requests seen in it; the first
    /// window opens with the first request, so a burst right after start is counted whole.
    window: Mutex<Option<(Instant, u32)>>,
    write_lock: tokio::sync::Mutex<()>,
}

impl Gate {
    pub fn new() -> Self {
        Gate {
            requests: AtomicUsize::new(0),
            faults: AtomicUsize::new(0),
            window: Mutex::new(None),
            write_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Counts the request; answers it here when the rate limit or an injected fault says so.
    pub fn admit(&self, flaws: &Flaws) -> Option<Response> {
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(every) = flaws.faults_every {
            if n.is_multiple_of(every) {
                return Some(self.fault());
            }
        }
        let (per_second, retry_after) = flaws.rate_limit?;
        let mut window = self.window.lock().expect("rate window lock");
        let seen = match window.as_mut() {
            Some((start, seen)) if start.elapsed() < Duration::from_secs(1) => seen,
            _ => &mut window.insert((Instant::now(), 0)).1,
        };
        *seen += 1;
        if *seen <= per_second {
            return None;
        }
        let mut resp = ScimError::new(429, None, "too many requests").into_response();
        if retry_after {
            resp.headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
        }
        Some(resp)
    }

    /// A 500, or (every other fault) a response whose body fails before its first byte, so
    /// that the connection is closed with nothing sent.
    fn fault(&self) -> Response {
        if self.faults.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
            return ScimError::new(500, None, "internal server error").into_response();
        }
        let broken = futures::stream::once(async {
            Err::<Vec<u8>, _>(std::io::Error::other("connection dropped"))
        });
        Response::new(Body::from_stream(broken))
    }

    /// With LockedWrites, the global write lock, or a 500 when another write holds it; the
    /// lock is held ~10 ms, as a slow database transaction would.
    pub async fn write_slot(&self, flaws: &Flaws) -> Result<Option<MutexGuard<'_, ()>>, ScimError> {
        if !flaws.locked_writes {
            return Ok(None);
        }
        let guard = self
            .write_lock
            .try_lock()
            .map_err(|_| ScimError::new(500, None, "database is locked"))?;
        tokio::time::sleep(Duration::from_millis(10)).await;
        Ok(Some(guard))
    }
}

/// The pause between a read and the write that depends on it, with no lock held: where
/// racing requests interleave.
pub async fn race_pause() {
    tokio::time::sleep(Duration::from_millis(rand::random_range(5..=20))).await;
}
