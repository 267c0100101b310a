//! Shedding load: requests for non-essential pages get 503 with `Retry-After` (and the
//! error page's helplines) at once, instead of queueing until everything is slow, when
//! either
//! - `max_in_flight` of them are already being handled (what piles up when the database
//!   is the bottleneck), or
//! - the CPU cannot keep up: a probe task that wakes every 10 ms has been woken more than
//!   `shed_latency_ms` late twice running, which is how long every request now waits for
//!   a turn (the "event-loop lag" signal). It lasts until a probe is on time again.
//!
//! Help (`/help`, the finder and its API), Exit this page, health checks and the files
//! those pages need always go through, and so does every form sent (POST): someone's
//! story or message is never turned away for load.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Paths a capability declares never to be shed: help and what help pages need. Each
/// capability that serves one owns its `Essential` beside its routes; the application
/// gathers them (`app::ESSENTIAL`).
#[derive(Clone, Copy, Debug)]
pub struct Essential {
    /// Exact paths.
    pub paths: &'static [&'static str],
    /// Path prefixes.
    pub prefixes: &'static [&'static str],
}

impl Essential {
    pub fn covers(&self, path: &str) -> bool {
        self.paths.contains(&path) || self.prefixes.iter().any(|p| path.starts_with(p))
    }
}

/// The hashed static files every page needs.
pub const ASSETS: Essential = Essential {
    paths: &[],
    prefixes: &["/assets/"],
};

/// Whether any of `declared` says `path` is never shed.
pub fn essential(path: &str, declared: &[Essential]) -> bool {
    declared.iter().any(|e| e.covers(path))
}

/// How often the probe wakes.
pub const PROBE_EVERY: Duration = Duration::from_millis(10);

/// Why a request was turned away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shed {
    InFlight,
    Latency,
}

impl Shed {
    pub fn as_str(self) -> &'static str {
        match self {
            Shed::InFlight => "in_flight",
            Shed::Latency => "latency",
        }
    }
}

/// Non-essential requests in flight, and whether the CPU is behind.
#[derive(Default, Clone)]
pub struct Shedder {
    in_flight: Arc<AtomicUsize>,
    /// Consecutive late probes (saturating); two or more: the CPU is behind.
    late: Arc<AtomicU8>,
}

/// Holds one place; gives it back when dropped (also when the request is cancelled).
pub struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Shedder {
    /// A place for one non-essential request, or why there is none.
    pub fn enter(&self, limit: usize) -> Result<Slot, Shed> {
        if self.late.load(Ordering::Relaxed) >= 2 {
            return Err(Shed::Latency);
        }
        let before = self.in_flight.fetch_add(1, Ordering::Relaxed);
        let slot = Slot(self.in_flight.clone());
        if before < limit {
            Ok(slot)
        } else {
            Err(Shed::InFlight)
        }
    }

    /// Takes one probe's lateness: two late in a row put the instance behind, one on time
    /// brings it back. A zero `bound` never sheds.
    pub fn observe(&self, lag: Duration, bound: Duration) {
        if bound.is_zero() || lag <= bound {
            self.late.store(0, Ordering::Relaxed);
        } else {
            let late = self.late.load(Ordering::Relaxed).saturating_add(1);
            self.late.store(late, Ordering::Relaxed);
        }
    }

    /// Runs the probe for as long as the runtime does (one per instance).
    pub fn spawn_probe(&self, bound: Duration) {
        if bound.is_zero() {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                let asleep = Instant::now();
                tokio::time::sleep(PROBE_EVERY).await;
                me.observe(asleep.elapsed().saturating_sub(PROBE_EVERY), bound);
            }
        });
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_given_back() {
        let s = Shedder::default();
        let a = s.enter(2).expect("first");
        let b = s.enter(2).expect("second");
        assert_eq!(s.enter(2).err(), Some(Shed::InFlight), "third is shed");
        assert_eq!(s.in_flight(), 2, "a shed request holds nothing");
        drop(a);
        assert!(s.enter(2).is_ok());
        drop(b);
        assert_eq!(s.in_flight(), 0);
        let help = Essential {
            paths: &["/help"],
            prefixes: &["/support/"],
        };
        let declared = [help, ASSETS];
        for path in ["/help", "/support/cf10", "/assets/site.css"] {
            assert!(essential(path, &declared), "{path}");
        }
        for path in ["/news", "/campaigns", "/help/more", "/support", "/"] {
            assert!(!essential(path, &declared), "{path}");
        }
    }

    #[test]
    fn two_late_probes_shed_until_one_is_on_time() {
        let bound = Duration::from_millis(250);
        let late = Duration::from_millis(400);
        let s = Shedder::default();
        s.observe(late, bound);
        assert!(s.enter(512).is_ok(), "one late probe is not enough");
        s.observe(Duration::from_millis(1), bound);
        s.observe(late, bound);
        assert!(
            s.enter(512).is_ok(),
            "late, on time, late: not twice running"
        );
        s.observe(late, bound);
        assert_eq!(s.enter(512).err(), Some(Shed::Latency));
        s.observe(late, bound);
        assert_eq!(s.enter(512).err(), Some(Shed::Latency));
        s.observe(Duration::from_millis(2), bound);
        assert!(s.enter(512).is_ok(), "on time again");
        // A zero bound switches it off.
        for _ in 0..5 {
            s.observe(Duration::from_secs(2), Duration::ZERO);
        }
        assert!(s.enter(512).is_ok());
    }
}
