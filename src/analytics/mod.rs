//! Privacy-first analytics, counted on the server: page views and visitors per page per
//! day, and referring sites by domain. No cookie, no script, and nothing about a visitor
//! is stored: a visitor is told apart within one day by a keyed hash of address, browser
//! and day whose key is random, lives only in this process's memory and is replaced
//! every day (so yesterday's visitors cannot be linked to today's, even by us). Visitors
//! who send Do Not Track or Global Privacy Control, bots and staff are not counted.
//!
//! Counts are kept in memory and added to the database every minute (like the finder's
//! search counts); a crash loses at most a minute. With several instances each keeps its
//! own key, so someone served by two instances on one day counts as two visitors.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;

use axum::http::HeaderMap;

use crate::db::Db;

pub mod store;

/// What one page view needs from its request.
pub struct Hit<'a> {
    pub path: &'a str,
    pub headers: &'a HeaderMap,
    pub ip: &'a str,
    /// This site's host, so internal links are not counted as referrers.
    pub host: &'a str,
}

#[derive(Default)]
pub struct Analytics {
    day: Mutex<Day>,
}

#[derive(Default)]
struct Day {
    day: String,
    /// The day's hashing key: SipHash with random keys, never written anywhere.
    key: std::collections::hash_map::RandomState,
    /// Hashes of (visitor) and (visitor, page) seen today.
    seen: HashSet<u64>,
    /// Pending counts per day, then per path: (views, visitors). Path "" is the site.
    views: HashMap<String, HashMap<String, (i64, i64)>>,
    /// Pending referrals per day, then per domain.
    refs: HashMap<String, HashMap<String, i64>>,
}

/// Requests that say they do not want to be tracked.
pub fn opted_out(h: &HeaderMap) -> bool {
    h.get("dnt").is_some_and(|v| v.as_bytes() == b"1")
        || h.get("sec-gpc").is_some_and(|v| v.as_bytes() == b"1")
}

/// User agents of crawlers, monitors, link previews and scripts.
pub fn is_bot(user_agent: &str) -> bool {
    if user_agent.len() < 12 {
        return true;
    }
    let ua = user_agent.to_ascii_lowercase();
    const MARKS: &[&str] = &[
        "bot",
        "spider",
        "crawl",
        "slurp",
        "curl/",
        "wget",
        "python",
        "go-http",
        "java/",
        "headless",
        "lighthouse",
        "preview",
        "facebookexternalhit",
        "monitor",
        "http-client",
        "okhttp",
        "axios",
        "node-fetch",
        "scrapy",
        "phantomjs",
        "feed",
        "check",
    ];
    MARKS.iter().any(|m| ua.contains(m))
}

/// The referring site's domain ("www." dropped), when it is another site.
pub fn referrer_domain(h: &HeaderMap, own_host: &str) -> Option<String> {
    let r = h.get(axum::http::header::REFERER)?.to_str().ok()?;
    let rest = r
        .strip_prefix("https://")
        .or_else(|| r.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    let host = host.split(':').next()?.to_ascii_lowercase();
    let own = own_host
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if host.is_empty() || host == own || host.len() > 100 || !host.contains('.') {
        return None;
    }
    let host = host.strip_prefix("www.").unwrap_or(&host);
    Some(host.to_string())
}

/// Public pages worth counting (staff screens, APIs, files and feeds are not).
pub fn counted_path(path: &str) -> bool {
    path.len() <= 200
        && ![
            "/admin",
            "/api/",
            "/assets/",
            "/images/",
            "/uploads/",
            "/healthz",
            "/readyz",
            "/metrics",
            "/login",
            "/logout",
            "/subscribe/",
            "/roster/manage",
            "/activities/manage",
            "/stories/withdraw",
        ]
        .iter()
        .any(|p| path.starts_with(p))
}

/// What is kept of a request that may be counted, taken before it is answered.
pub struct Pending {
    pub ip: String,
    pub user_agent: String,
    pub referrer: Option<String>,
}

/// The parts of a request to count later, or None when it is not to be counted (opted
/// out, a bot, staff, or a page that is not counted). Cheap for the requests it refuses.
pub fn pending(path: &str, headers: &HeaderMap, ip: impl FnOnce() -> String) -> Option<Pending> {
    if !counted_path(path) || opted_out(headers) {
        return None;
    }
    let ua = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if is_bot(ua) || crate::app::ctx::cookie(headers, crate::auth::SESSION_COOKIE).is_some() {
        return None;
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Some(Pending {
        ip: ip(),
        user_agent: ua.to_string(),
        referrer: referrer_domain(headers, host),
    })
}

impl Analytics {
    /// Counts one page view from a request's headers (tests and the benchmark; the
    /// middleware uses [`pending`] and [`Analytics::count`]).
    pub fn record(&self, hit: &Hit) {
        if let Some(p) = pending(hit.path, hit.headers, || hit.ip.to_string()) {
            let p = Pending {
                referrer: referrer_domain(hit.headers, hit.host),
                ..p
            };
            self.count(hit.path, &p);
        }
    }

    /// Counts one page view. Costs two hashes and two set lookups under a lock.
    pub fn count(&self, path: &str, p: &Pending) {
        let ua = p.user_agent.as_str();
        let referrer = p.referrer.clone();
        let today = crate::uktime::local_day(crate::db::now());
        let Ok(mut d) = self.day.lock() else {
            return;
        };
        if d.day != today {
            // A new day: a new key, and yesterday's visitors forgotten.
            d.day = today;
            d.key = Default::default();
            d.seen.clear();
        }
        let visitor = {
            let mut h = d.key.build_hasher();
            h.write(p.ip.as_bytes());
            h.write_u8(0);
            h.write(ua.as_bytes());
            h.write_u8(0);
            h.write(d.day.as_bytes());
            h.finish()
        };
        let page = {
            let mut h = d.key.build_hasher();
            h.write_u64(visitor);
            h.write(path.as_bytes());
            h.finish()
        };
        let new_visitor = d.seen.insert(visitor);
        let new_page_visitor = d.seen.insert(page ^ 0x9e37_79b9_7f4a_7c15);
        let day = d.day.clone();
        let per_path = d.views.entry(day.clone()).or_default();
        bump(per_path, "", 1, new_visitor as i64);
        bump(per_path, path, 1, new_page_visitor as i64);
        if let Some(domain) = referrer {
            *d.refs.entry(day).or_default().entry(domain).or_default() += 1;
        }
    }

    /// Adds pending counts to the database; on failure they stay pending.
    pub async fn flush(&self, db: &Db) -> anyhow::Result<()> {
        let (views, refs) = match self.day.lock() {
            Ok(mut d) => (std::mem::take(&mut d.views), std::mem::take(&mut d.refs)),
            Err(_) => return Ok(()),
        };
        if views.is_empty() && refs.is_empty() {
            return Ok(());
        }
        let write = async {
            let mut tx = db.begin_write().await?;
            for (day, paths) in &views {
                for (path, (v, u)) in paths {
                    store::add_views(&mut tx, day, path, *v, *u).await?;
                }
            }
            for (day, domains) in &refs {
                for (domain, n) in domains {
                    store::add_referrals(&mut tx, day, domain, *n).await?;
                }
            }
            tx.commit().await?;
            anyhow::Ok(())
        };
        if let Err(e) = write.await {
            if let Ok(mut d) = self.day.lock() {
                for (day, paths) in views {
                    let per_path = d.views.entry(day).or_default();
                    for (path, (v, u)) in paths {
                        bump(per_path, &path, v, u);
                    }
                }
                for (day, domains) in refs {
                    let per = d.refs.entry(day).or_default();
                    for (domain, n) in domains {
                        *per.entry(domain).or_default() += n;
                    }
                }
            }
            return Err(e);
        }
        Ok(())
    }

    /// Visitor hashes held for today (for the benchmark's memory figure).
    pub fn seen_len(&self) -> usize {
        self.day.lock().map(|d| d.seen.len()).unwrap_or(0)
    }
}

fn bump(map: &mut HashMap<String, (i64, i64)>, path: &str, views: i64, visitors: i64) {
    match map.get_mut(path) {
        Some(e) => {
            e.0 += views;
            e.1 += visitors;
        }
        None => {
            map.insert(path.to_string(), (views, visitors));
        }
    }
}

// ----- reading -----

/// The first day of a period of `days` days ending today (UK), "YYYY-MM-DD".
pub fn since(days: i64) -> String {
    let today = crate::uktime::local(crate::db::now()).date();
    crate::uktime::day_string(today - time::Duration::days(days.max(1) - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    #[test]
    fn bots_opt_outs_and_referrers() {
        assert!(is_bot("Googlebot/2.1 (+http://www.google.com/bot.html)"));
        assert!(is_bot("curl/8.5.0"));
        assert!(is_bot(""));
        assert!(!is_bot(FIREFOX));
        assert!(opted_out(&headers(&[("dnt", "1")])));
        assert!(opted_out(&headers(&[("sec-gpc", "1")])));
        assert!(!opted_out(&headers(&[("dnt", "0")])));
        let h = headers(&[("referer", "https://www.Facebook.com/some/post?id=1")]);
        assert_eq!(
            referrer_domain(&h, "mmha.example.org").as_deref(),
            Some("facebook.com")
        );
        let own = headers(&[("referer", "https://mmha.example.org/map")]);
        assert_eq!(referrer_domain(&own, "mmha.example.org:443"), None);
        assert!(!counted_path("/admin/pages"));
        assert!(counted_path("/campaigns/awareness-week-2027"));
    }

    #[test]
    fn visitors_are_counted_once_per_page_per_day() {
        let a = Analytics::default();
        let h = headers(&[("user-agent", FIREFOX)]);
        for path in ["/", "/", "/map"] {
            a.record(&Hit {
                path,
                headers: &h,
                ip: "192.0.2.1",
                host: "x",
            });
        }
        a.record(&Hit {
            path: "/",
            headers: &h,
            ip: "192.0.2.2",
            host: "x",
        });
        // Ignored: a bot, and someone asking not to be tracked.
        let bot = headers(&[("user-agent", "Googlebot/2.1")]);
        a.record(&Hit {
            path: "/",
            headers: &bot,
            ip: "192.0.2.3",
            host: "x",
        });
        let dnt = headers(&[("user-agent", FIREFOX), ("dnt", "1")]);
        a.record(&Hit {
            path: "/",
            headers: &dnt,
            ip: "192.0.2.4",
            host: "x",
        });
        let d = a.day.lock().unwrap();
        let today = d.views.get(&d.day).unwrap();
        assert_eq!(today.get(""), Some(&(4, 2)));
        assert_eq!(today.get("/"), Some(&(3, 2)));
        assert_eq!(today.get("/map"), Some(&(1, 1)));
    }
}
