//! Newsletters: segments, issues, and sending them through `newsletter_sends`.
//!
//! Starting a send fixes its recipients: one `newsletter_sends` row per confirmed
//! subscriber in the segment, inserted in one transaction by whichever instance moves the
//! newsletter from draft or scheduled to sending. Workers on any instance then claim
//! batches of rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL), send each message and mark
//! that row sent at once. After a crash, rows still queued are sent and sent rows are not,
//! so nobody is skipped; the only message that can go twice is one a worker was in the
//! middle of when it died, and it goes with the same `Message-ID` (and, to the outbox, to
//! the same file name), so mail systems treat it as one.

use askama::Template;

use super::{Outgoing, SendError, Sender, Transport};
use crate::db::{self, Db};
use crate::i18n::Lang;

pub mod store;

/// A saved filter over confirmed subscribers; empty fields match everyone.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    pub nation: String,
    pub audience: String,
    pub lang: String,
    pub topic: String,
    pub subscribed_after: i64,
    pub subscribed_before: i64,
}

impl Segment {
    /// How many confirmed subscribers it matches now.
    pub async fn size(&self, db: &Db) -> sqlx::Result<i64> {
        store::segment_size(db, self).await
    }

    /// Everyone who wants the eBulletin.
    pub fn everyone() -> Segment {
        Segment {
            name: String::new(),
            topic: "ebulletin".into(),
            ..Segment::default()
        }
    }
}

/// One issue.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Newsletter {
    pub id: i64,
    pub subject: String,
    pub subject_cy: String,
    pub body: String,
    pub body_cy: String,
    pub segment_id: Option<i64>,
    pub status: String,
    pub scheduled_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub recipients: i64,
    pub in_archive: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Newsletter {
    /// Subject and Markdown body in a language (English where the Welsh is missing).
    pub fn version(&self, lang: Lang) -> (&str, &str, Lang) {
        if lang == Lang::Cy && !self.subject_cy.trim().is_empty() && !self.body_cy.trim().is_empty()
        {
            (&self.subject_cy, &self.body_cy, Lang::Cy)
        } else {
            (&self.subject, &self.body, Lang::En)
        }
    }
    pub fn editable(&self) -> bool {
        matches!(self.status.as_str(), "draft" | "scheduled")
    }
}

/// A send's progress.
#[derive(Debug, Default, Clone)]
pub struct Progress {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
    /// Not sent because the send was stopped.
    pub cancelled: i64,
    /// Messages per minute over the last minute.
    pub per_minute: i64,
}

impl Progress {
    pub fn remaining(&self) -> i64 {
        self.queued
    }
    /// Minutes left at the current rate, when it is sending.
    pub fn eta_minutes(&self) -> Option<i64> {
        (self.per_minute > 0 && self.queued > 0)
            .then(|| (self.queued + self.per_minute - 1) / self.per_minute)
    }
}

/// The email body around an issue's Markdown.
#[derive(Template)]
#[template(path = "email/bulletin.html")]
struct BulletinHtml<'a> {
    lang: Lang,
    site: &'a str,
    subject: &'a str,
    body_html: &'a str,
    web_url: &'a str,
    manage_url: &'a str,
    unsubscribe_url: &'a str,
}

/// What is needed to build one subscriber's copy.
pub struct Recipient<'a> {
    pub email: &'a str,
    pub lang: Lang,
    pub manage_token: &'a str,
}

/// One subscriber's copy of an issue: their language, their self-service links, and a
/// `Message-ID` that is the same on every attempt.
pub fn message(
    n: &Newsletter,
    r: &Recipient,
    site: &str,
    public_url: &str,
    message_id: Option<String>,
) -> Outgoing {
    let body_html = crate::cms::markdown::render(n.version(r.lang).1);
    message_with_html(n, r, &body_html, site, public_url, message_id)
}

/// [`message`] with the body's HTML already rendered (the same for every recipient in a
/// language, so a send renders it once, not once per recipient).
fn message_with_html(
    n: &Newsletter,
    r: &Recipient,
    body_html: &str,
    site: &str,
    public_url: &str,
    message_id: Option<String>,
) -> Outgoing {
    let (subject, body, lang) = n.version(r.lang);
    // Links go to the reader's language (`/cy/…` for a Welsh reader).
    let at = |path: String| format!("{public_url}{}", r.lang.address(&path));
    let manage = at(format!("/subscribe/manage/{}", r.manage_token));
    let unsubscribe = at(format!("/subscribe/unsubscribe/{}", r.manage_token));
    let web = at(format!("/bulletin/{}", n.id));
    let html = BulletinHtml {
        lang,
        site,
        subject,
        body_html,
        web_url: &web,
        manage_url: &manage,
        unsubscribe_url: &unsubscribe,
    }
    .render()
    .unwrap_or_default();
    let text = format!(
        "{subject}\n\n{body}\n\n--\n{}\n{}\n{}\n",
        lang.t_args("email-bulletin-web", &[("url", web.into())]),
        lang.t_args("email-footer-manage", &[("url", manage.into())]),
        lang.t_args(
            "email-footer-unsubscribe",
            &[("url", unsubscribe.clone().into())]
        ),
    );
    Outgoing {
        kind: "newsletter",
        to: r.email.to_string(),
        subject: subject.to_string(),
        text,
        html,
        unsubscribe_url: Some(unsubscribe),
        automatic: false,
        message_id,
    }
}

/// How long a claimed recipient row is held. It is renewed just before its message is
/// sent, so this bounds one message's delivery (SMTP times out at 30 s), and it is how long
/// rows claimed by a worker that died wait before another worker resumes them.
pub const LOCK_SECONDS: i64 = 45;

/// Sends up to `limit` due recipients of newsletters being sent. Returns how many were
/// handled (sent, failed, skipped or put back for a retry).
pub async fn send_due(
    db: &Db,
    transport: &Transport,
    sender: &Sender,
    public_url: &str,
    limit: i64,
) -> anyhow::Result<usize> {
    // Due: queued and due, or claimed by a worker whose lock ran out (it died).
    let claim = crate::token::random_token();
    let claimed = store::claim_due(db, &claim, limit).await?;
    let mut cache: Option<Newsletter> = None;
    // The body's HTML per language of the newsletter in `cache`.
    let mut html: Vec<(Lang, String)> = Vec::new();
    let handled = claimed.len();
    for (nid, sid, email, attempts) in claimed {
        if cache.as_ref().is_none_or(|n| n.id != nid) {
            cache = store::newsletter(db, nid).await?;
            html.clear();
        }
        let Some(n) = cache.as_ref() else { continue };
        let sub = store::recipient(db, sid).await?;
        let mark = |status: &'static str, error: String, next: i64| {
            store::mark_send(db, nid, sid, status, error, next)
        };
        // Unsubscribed (or erased) since the send started: not sent.
        let Some((_, lang, token)) = sub.filter(|s| s.0 == "confirmed") else {
            mark("skipped", String::new(), 0).await?;
            continue;
        };
        // Still ours? Renew the lock just before sending; if the batch took so long that
        // the lock ran out and another worker took the row over, leave it to that worker.
        let ours = store::renew_claim(db, nid, sid, &claim).await?;
        if !ours {
            continue;
        }
        let r = Recipient {
            email: &email,
            lang: Lang::from_code(&lang).unwrap_or_default(),
            manage_token: &token,
        };
        let body_html = match html.iter().find(|(l, _)| *l == r.lang) {
            Some((_, h)) => h,
            None => {
                html.push((r.lang, crate::cms::markdown::render(n.version(r.lang).1)));
                &html[html.len() - 1].1
            }
        };
        let m = message_with_html(
            n,
            &r,
            body_html,
            &sender.name,
            public_url,
            Some(format!("newsletter-{nid}-{sid}")),
        );
        let text = super::build(sender, &m)?;
        match transport
            .send(&format!("newsletter-{nid:05}-{sid:08}"), &email, &text)
            .await
        {
            Ok(()) => {
                mark("sent", String::new(), 0).await?;
            }
            Err(SendError { transient, message }) => {
                let give_up = !transient || attempts >= super::MAX_ATTEMPTS;
                // The reply can quote the address: kept in the table, not logged.
                tracing::warn!(
                    newsletter = nid,
                    attempts,
                    give_up,
                    "newsletter delivery failed"
                );
                let message: String = message.chars().take(500).collect();
                if give_up {
                    mark("failed", message, 0).await?;
                } else {
                    mark("queued", message, db::now() + super::backoff(attempts)).await?;
                }
            }
        }
    }
    if handled > 0 {
        store::finish(db).await?;
    }
    Ok(handled)
}
