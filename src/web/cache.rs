//! Rendered public pages kept in memory, already compressed.
//!
//! Compressing a 30 KB page on every request costs most of the throughput on a small box,
//! so a page is rendered and compressed (brotli and gzip) once, then served from memory
//! until content changes. Every write bumps the shared content version; each instance
//! polls it and clears its cache, so an edit shows everywhere within a second. Only pages
//! that are the same for every visitor in a language go here (never staff pages, never
//! pages that carry a visitor's input).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use axum::http::{HeaderMap, header};

/// Body bytes in each encoding, and their validator.
pub struct Compressed {
    pub identity: Bytes,
    pub gzip: Bytes,
    pub br: Bytes,
    pub etag: String,
}

/// Content-coding chosen for a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Br,
    Gzip,
    Identity,
}

impl Compressed {
    /// For rendered pages, compressed again after every content change, often with
    /// visitors waiting: brotli 6 and gzip 6 are within 1–3 % of the best sizes at a
    /// fifth of the time (the map page: 9 ms instead of 39 ms; see docs/performance.md).
    pub fn new(body: Vec<u8>) -> Compressed {
        Self::with_levels(body, 6, 6)
    }

    /// For the embedded assets, compressed once when the process starts: the smallest.
    pub fn best(body: Vec<u8>) -> Compressed {
        Self::with_levels(body, 11, 9)
    }

    /// For bytes that are compressed already (fonts): sent as they are.
    pub fn stored(body: Vec<u8>) -> Compressed {
        let etag = format!("\"{}\"", super::assets::short_hash(&body));
        let body = Bytes::from(body);
        Compressed {
            identity: body.clone(),
            gzip: body.clone(),
            br: body,
            etag,
        }
    }

    fn with_levels(body: Vec<u8>, brotli_quality: u32, gzip_level: u32) -> Compressed {
        let etag = format!("\"{}\"", super::assets::short_hash(&body));
        let gzip = {
            let mut e =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(gzip_level));
            e.write_all(&body).expect("gzip into memory");
            e.finish().expect("gzip into memory")
        };
        let br = {
            let mut out = Vec::new();
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, brotli_quality, 22);
                w.write_all(&body).expect("brotli into memory");
            }
            out
        };
        Compressed {
            identity: Bytes::from(body),
            gzip: Bytes::from(gzip),
            br: Bytes::from(br),
            etag,
        }
    }

    /// The bytes to send for the client's preferred encoding (identity when compression
    /// would not make it smaller).
    pub fn pick(&self, want: Encoding) -> (Bytes, Encoding) {
        match want {
            Encoding::Br if self.br.len() < self.identity.len() => (self.br.clone(), Encoding::Br),
            Encoding::Br | Encoding::Gzip if self.gzip.len() < self.identity.len() => {
                (self.gzip.clone(), Encoding::Gzip)
            }
            _ => (self.identity.clone(), Encoding::Identity),
        }
    }
}

/// The client's preferred encoding, as an extractor: cheaper than taking a copy of the
/// whole `HeaderMap` when that is all a handler needs from it.
pub struct AcceptEncoding(pub Encoding);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for AcceptEncoding {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(AcceptEncoding(preferred_encoding(&parts.headers)))
    }
}

/// Reads Accept-Encoding: brotli first, then gzip; an explicit `q=0` refuses a coding.
pub fn preferred_encoding(headers: &HeaderMap) -> Encoding {
    let Some(v) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Encoding::Identity;
    };
    let accepts = |name: &str| {
        v.split(',').any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let refused = it.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    if accepts("br") {
        Encoding::Br
    } else if accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// A cached page.
pub struct CachedPage {
    pub content_type: &'static str,
    pub cache_control: &'static str,
    pub body: Compressed,
}

/// Cap on cached entries: query strings make keys unbounded, so past this the cache
/// starts over rather than grow without limit.
const MAX_ENTRIES: usize = 4096;

/// The in-memory page cache.
#[derive(Default)]
pub struct PageCache {
    inner: RwLock<Inner>,
    /// One gate per key being rendered: when a change empties the cache under load, the
    /// first request for a page renders it and the others for that page wait for it,
    /// instead of every one of them rendering and compressing the same page at once.
    rendering: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct Inner {
    version: i64,
    pages: HashMap<String, Arc<CachedPage>>,
}

impl PageCache {
    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        self.inner.read().ok()?.pages.get(key).cloned()
    }

    /// Stores a page rendered while content was at `version`; a page rendered from data
    /// older than the cache's current version is not kept.
    pub fn insert(&self, key: String, version: i64, page: Arc<CachedPage>) {
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if version < inner.version {
            return;
        }
        if inner.pages.len() >= MAX_ENTRIES {
            inner.pages.clear();
        }
        inner.pages.insert(key, page);
    }

    /// The page under `key`, rendering it with `render` (for content at `version`) when
    /// it is not cached. Concurrent calls for one key render once; the rest wait for that
    /// render and share it. A failed or stale render is not shared: the next caller tries.
    pub async fn get_or_render<E, F, Fut>(
        &self,
        key: String,
        version: i64,
        render: F,
    ) -> Result<Arc<CachedPage>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Arc<CachedPage>, E>>,
    {
        if let Some(p) = self.get(&key) {
            return Ok(p);
        }
        let gate = {
            let mut rendering = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
            rendering.entry(key.clone()).or_default().clone()
        };
        // First for this page: render it while the others wait.
        let _turn = match gate.try_lock() {
            Ok(turn) => Some(turn),
            Err(_) => {
                // Another request is rendering it: wait for that one, take its page if it
                // was stored. If it failed (the database is down, say), render without
                // holding the gate, so waiters never queue one failure after another.
                drop(gate.lock().await);
                if let Some(p) = self.get(&key) {
                    return Ok(p);
                }
                None
            }
        };
        let page = render().await?;
        self.insert(key.clone(), version, page.clone());
        self.rendering
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key);
        Ok(page)
    }

    /// Drops every page; later inserts must come from content at least `version`.
    pub fn clear(&self, version: i64) {
        if let Ok(mut inner) = self.inner.write() {
            inner.version = inner.version.max(version);
            inner.pages.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.inner.read().map(|i| i.pages.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &str) -> Encoding {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, v.parse().unwrap());
        preferred_encoding(&h)
    }

    #[test]
    fn accept_encoding() {
        assert_eq!(enc("gzip, deflate, br"), Encoding::Br);
        assert_eq!(enc("gzip"), Encoding::Gzip);
        assert_eq!(enc("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(enc("identity"), Encoding::Identity);
        assert_eq!(preferred_encoding(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn compressed_round_trip() {
        let body = "<p>hello</p>".repeat(200).into_bytes();
        let c = Compressed::new(body.clone());
        let (gz, e) = c.pick(Encoding::Gzip);
        assert_eq!(e, Encoding::Gzip);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out).unwrap();
        assert_eq!(out, body);
        let (br, e) = c.pick(Encoding::Br);
        assert_eq!(e, Encoding::Br);
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut out).unwrap();
        assert_eq!(out, body);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_render_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cache = Arc::new(PageCache::default());
        let renders = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (cache, renders) = (cache.clone(), renders.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_render::<(), _, _>("/".into(), 0, || async {
                        renders.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok(Arc::new(CachedPage {
                            content_type: "text/html",
                            cache_control: "no-cache",
                            body: Compressed::new(b"page".to_vec()),
                        }))
                    })
                    .await
                    .unwrap()
                    .body
                    .identity
                    .clone()
            }));
        }
        for t in tasks {
            assert_eq!(&t.await.unwrap()[..], b"page");
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1);
        // When a render fails, those waiting for it render side by side rather than one
        // after another (each failing after the database's timeout, in an outage).
        let active = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (cache, active, most) = (cache.clone(), active.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_render::<&str, _, _>("/down".into(), 0, || async {
                        let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        active.fetch_sub(1, Ordering::SeqCst);
                        Err("database down")
                    })
                    .await
                    .is_err()
            }));
        }
        for t in tasks {
            assert!(t.await.unwrap());
        }
        assert!(
            most.load(Ordering::SeqCst) > 1,
            "the waiters' renders ran one after another"
        );
        // A failed render is not shared: the next caller renders.
        let failed = cache
            .get_or_render::<&str, _, _>("/x".into(), 0, || async { Err("db down") })
            .await;
        assert!(failed.is_err());
        let ok = cache
            .get_or_render::<&str, _, _>("/x".into(), 0, || async {
                Ok(Arc::new(CachedPage {
                    content_type: "text/html",
                    cache_control: "no-cache",
                    body: Compressed::new(b"x".to_vec()),
                }))
            })
            .await;
        assert!(ok.is_ok());
    }

    #[test]
    fn stale_renders_are_not_cached() {
        let cache = PageCache::default();
        let page = || {
            Arc::new(CachedPage {
                content_type: "text/html",
                cache_control: "no-cache",
                body: Compressed::new(b"x".to_vec()),
            })
        };
        cache.clear(5);
        cache.insert("/".into(), 4, page());
        assert!(cache.get("/").is_none());
        cache.insert("/".into(), 5, page());
        assert!(cache.get("/").is_some());
    }
}
