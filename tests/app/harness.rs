//! Test harness: each test gets the real router over its own fresh database.
//!
//! SQLite by default (a file in a private temp dir). When `MMHA_TEST_DATABASE_URL` is a
//! PostgreSQL URL, each test gets its own schema in that database instead, dropped when the
//! test ends, so parallel tests and runs never collide.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use mmha::AppState;
use mmha::config::Config;
use tower::ServiceExt;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// One application under test.
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub dir: PathBuf,
    pub database_url: String,
    /// The staff session cookie, once logged in.
    pub cookie: Option<String>,
    /// Held by the first handle only: dropping it removes the directory and schema.
    _fresh: Option<FreshDb>,
}

/// A new, empty database and data directory of its own: a SQLite file in a private temp
/// dir, or a schema of its own in `MMHA_TEST_DATABASE_URL`'s PostgreSQL database. Both go
/// when this is dropped. Used by `TestApp` and by tests that start `mmha` processes.
pub struct FreshDb {
    pub url: String,
    pub dir: PathBuf,
    pg_schema: Option<(String, String)>,
}

impl FreshDb {
    pub async fn new() -> FreshDb {
        let id = unique();
        let dir = std::env::temp_dir().join(format!("mmha-test-{id}"));
        std::fs::create_dir_all(&dir).unwrap();
        match pg_base_url() {
            Some(base) => {
                let schema = format!("mmha_test_{id}");
                let admin = sqlx_admin(&base).await;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&admin)
                    .await
                    .expect("create test schema");
                admin.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                FreshDb {
                    url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
                    dir,
                    pg_schema: Some((base, schema)),
                }
            }
            None => FreshDb {
                url: mmha::db::default_sqlite_url(&dir),
                dir,
                pg_schema: None,
            },
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg_schema.is_some()
    }
}

/// A response, read fully.
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Res {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn location(&self) -> &str {
        self.header("location")
    }

    #[track_caller]
    pub fn assert_status(&self, want: u16) -> &Res {
        assert_eq!(
            self.status.as_u16(),
            want,
            "unexpected status; body:\n{}",
            &self.body[..self.body.len().min(3000)]
        );
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Res {
        assert!(
            self.body.contains(needle),
            "body should contain {needle:?}; body:\n{}",
            &self.body[..self.body.len().min(4000)]
        );
        self
    }

    #[track_caller]
    pub fn assert_not_contains(&self, needle: &str) -> &Res {
        assert!(
            !self.body.contains(needle),
            "body must not contain {needle:?}"
        );
        self
    }
}

fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{}_{}_{}", std::process::id(), n, nanos)
}

/// The PostgreSQL URL to test against, if any.
pub fn pg_base_url() -> Option<String> {
    std::env::var("MMHA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_demo(true).await
    }

    /// A fresh app; `demo` chooses whether the demo content is loaded.
    pub async fn with_demo(demo: bool) -> TestApp {
        let fresh = FreshDb::new().await;
        let mut config = Config::for_data_dir(fresh.dir.clone(), fresh.url.clone());
        config.demo_content = demo;
        let state = AppState::start(config).await.expect("app starts");
        let router = mmha::app::router(state.clone());
        TestApp {
            state,
            router,
            dir: fresh.dir.clone(),
            database_url: fresh.url.clone(),
            cookie: None,
            _fresh: Some(fresh),
        }
    }

    /// Another browser on the same app and database (no cookie yet).
    pub fn another_browser(&self) -> TestApp {
        TestApp {
            state: self.state.clone(),
            router: self.router.clone(),
            dir: self.dir.clone(),
            database_url: self.database_url.clone(),
            cookie: None,
            _fresh: None,
        }
    }

    /// A second instance of the app over the same database, as after a restart or behind a
    /// load balancer.
    pub async fn second_instance(&self) -> TestApp {
        let config = Config::for_data_dir(self.dir.clone(), self.database_url.clone());
        let state = AppState::start(config)
            .await
            .expect("second instance starts");
        let router = mmha::app::router(state.clone());
        TestApp {
            state,
            router,
            dir: self.dir.clone(),
            database_url: self.database_url.clone(),
            cookie: None,
            _fresh: None,
        }
    }

    /// Another instance over the same database with a changed configuration.
    pub async fn instance_with(&self, change: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config::for_data_dir(self.dir.clone(), self.database_url.clone());
        change(&mut config);
        let state = AppState::start(config).await.expect("instance starts");
        let router = mmha::app::router(state.clone());
        TestApp {
            state,
            router,
            dir: self.dir.clone(),
            database_url: self.database_url.clone(),
            cookie: None,
            _fresh: None,
        }
    }

    /// Sends a request through the real router.
    pub async fn send(&self, req: Request<Body>) -> Res {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        b
    }

    pub async fn get(&self, path: &str) -> Res {
        self.send(self.request(Method::GET, path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Res {
        let mut b = self.request(Method::GET, path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// A same-origin form POST, as a browser sends it: with the hidden `started` field
    /// every public form carries (the time the page was served, here two minutes ago)
    /// unless `form` sets it.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Res {
        self.post_with(path, form, &[("sec-fetch-site", "same-origin")])
            .await
    }

    /// A same-origin form POST with exactly the fields given (no `started` added).
    pub async fn post_exact(&self, path: &str, form: &[(&str, &str)]) -> Res {
        let body = serde_urlencoded::to_string(form).unwrap();
        let b = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    pub async fn post_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Res {
        let served = (mmha::db::now() - 120).to_string();
        let mut form = form.to_vec();
        if !form.iter().any(|(k, _)| *k == "started") {
            form.push(("started", &served));
        }
        let body = serde_urlencoded::to_string(&form).unwrap();
        let mut b = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// A same-origin multipart POST; `file` is (field name, file name, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Res {
        let boundary = "----mmhatestboundary7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        let served = (mmha::db::now() - 120).to_string();
        let mut fields = fields.to_vec();
        if !fields.iter().any(|(k, _)| *k == "started") {
            fields.push(("started", &served));
        }
        for (k, v) in &fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, filename, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = self
            .request(Method::POST, path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Creates an account directly in the database.
    pub async fn create_user(&self, email: &str, role: mmha::auth::Role, password: &str) -> i64 {
        let hash = mmha::auth::password::hash(password.to_string())
            .await
            .unwrap();
        let mut tx = self.state.db.begin_write().await.unwrap();
        let id = mmha::auth::store::create_user(&mut tx, email, "", role, &hash)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// Logs in through the login form and keeps the session cookie.
    pub async fn login(&mut self, email: &str, password: &str) -> Res {
        self.cookie = None;
        let res = self
            .post(
                "/admin/login",
                &[("email", email), ("password", password), ("next", "/admin")],
            )
            .await;
        if res.status == StatusCode::SEE_OTHER
            && let Some(c) = res.header("set-cookie").split(';').next()
        {
            self.cookie = Some(c.to_string());
        }
        res
    }

    /// Creates an account with `role` and logs in as it.
    pub async fn login_as(&mut self, role: mmha::auth::Role) -> String {
        let email = format!("{}@example.org", role.as_str());
        let password = "correct horse battery staple";
        self.create_user(&email, role, password).await;
        let res = self.login(&email, password).await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "login failed: {}",
            res.body
        );
        email
    }
}

async fn sqlx_admin(base: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(base)
        .await
        .expect("PostgreSQL for tests is reachable (MMHA_TEST_DATABASE_URL)")
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((base, schema)) = self.pg_schema.take() {
            // Drop needs async work; do it on a private runtime in a plain thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    let admin = sqlx_admin(&base).await;
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP SCHEMA IF EXISTS {schema} CASCADE"
                    )))
                    .execute(&admin)
                    .await;
                    admin.close().await;
                });
            })
            .join();
        }
    }
}

/// A real 64×64 JPEG (as a phone would send) carrying a GPS position and an address in
/// its metadata.
pub fn jpeg_with_location() -> Vec<u8> {
    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    }
    let pixels =
        image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8 * 4, y as u8 * 4, 120]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(&pixels)
        .unwrap();
    let mut d = vec![0xFF, 0xD8];
    d.extend(segment(0xE1, b"Exif\0\0GPSLatitude 51.48N"));
    d.extend(segment(0xFE, b"12 Home Street"));
    d.extend_from_slice(&plain[2..]);
    d
}

/// The value of the field `name` (a hidden or text input written `name=".." value=".."`)
/// in a page.
pub fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in\n{body}"));
    body[i + marker.len()..]
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// The fields a browser would send from the form whose `action` is `action` in a page:
/// inputs with their values (checkboxes and radios only when checked; buttons left out),
/// text areas and the selected option of each list, with the page's HTML escapes undone.
pub fn form_values(body: &str, action: &str) -> Vec<(String, String)> {
    let start = body
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form for {action}"));
    let form = &body[start..start + body[start..].find("</form>").expect("form ends")];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let i = tag.find(&key)? + key.len();
        Some(unescape(&tag[i..i + tag[i..].find('"')?]))
    };
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with("<input ") {
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            let checked = tag.contains(" checked");
            if let Some(name) = attr(tag, "name")
                && !matches!(kind.as_str(), "submit" | "button" | "file" | "image")
                && (!matches!(kind.as_str(), "checkbox" | "radio") || checked)
            {
                out.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea ") {
            if let Some(name) = attr(tag, "name") {
                let text = &rest[end + 1..];
                let text = &text[..text.find("</textarea>").expect("textarea ends")];
                out.push((name, unescape(text)));
            }
        } else if tag.starts_with("<select ")
            && let Some(name) = attr(tag, "name")
        {
            let list = &rest[..rest.find("</select>").expect("select ends")];
            let chosen = list
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| list.split("<option").nth(1))
                .and_then(|o| attr(o, "value"))
                .unwrap_or_default();
            out.push((name, chosen));
        }
        rest = &rest[end.min(rest.len())..];
        if rest.len() <= 1 {
            break;
        }
        rest = &rest[1..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}
