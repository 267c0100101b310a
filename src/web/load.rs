//! Shedding load: past `max_in_flight` requests at once, requests for non-essential pages
//! get 503 with `Retry-After` (and the error page's helplines) at once, instead of queueing
//! until everything is slow. Help (`/help`, the finder and its API), Exit this page, health
//! checks and the files those pages need always go through.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Requests that are never shed.
pub fn essential(path: &str) -> bool {
    matches!(
        path,
        "/help" | "/exit" | "/support" | "/healthz" | "/readyz" | "/favicon.ico"
    ) || [
        "/assets/",
        "/theme/",
        "/api/v1/support",
        "/api/v1/lookup",
        "/support/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// Non-essential requests in flight.
#[derive(Default, Clone)]
pub struct Shedder {
    in_flight: Arc<AtomicUsize>,
}

/// Holds one place; gives it back when dropped (also when the request is cancelled).
pub struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Shedder {
    /// A place for one request, or None when `limit` are already in flight.
    pub fn enter(&self, limit: usize) -> Option<Slot> {
        let before = self.in_flight.fetch_add(1, Ordering::Relaxed);
        let slot = Slot(self.in_flight.clone());
        (before < limit).then_some(slot)
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
        assert!(s.enter(2).is_none(), "third is shed");
        assert_eq!(s.in_flight(), 2, "a shed request holds nothing");
        drop(a);
        assert!(s.enter(2).is_some());
        drop(b);
        assert_eq!(s.in_flight(), 0);
        assert!(essential("/help") && essential("/support") && essential("/assets/site.css"));
        assert!(!essential("/news") && !essential("/campaigns"));
    }
}
