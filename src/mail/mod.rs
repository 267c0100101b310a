//! Outgoing mail: building RFC 5322 messages, the queue of transactional mail, and the two
//! transports (SMTP, or `.eml` files in `DATA_DIR/outbox/` when no SMTP is configured).
//!
//! A message is written to `mail_queue` in the same transaction as the change that causes
//! it (a sign-up and its confirmation mail commit together, or neither does), then a
//! background worker delivers it. The queue row holds the finished message, so a retry
//! sends the same bytes with the same `Message-ID`; the outbox file is named after the row,
//! so a delivery repeated after a crash overwrites rather than duplicates it.

pub mod admin;
mod archive;
mod audience;
pub mod bench;
pub mod bulletin;
pub mod import;
pub mod intake;
pub mod list;
pub mod routes;
mod smtp;
pub mod store;

use std::path::{Path, PathBuf};

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use askama::Template;

use crate::config::Config;
use crate::db::{self, Db, Tx};
use crate::i18n::Lang;

/// An email in the subscriber's language: heading, paragraphs, one button, footer.
#[derive(Template)]
#[template(path = "email/message.html")]
struct LetterHtml<'a> {
    lang: Lang,
    site: &'a str,
    heading: &'a str,
    paras: &'a [String],
    action: Option<(&'a str, &'a str)>,
    footer: &'a [String],
}

#[derive(Template)]
#[template(path = "email/message.txt")]
struct LetterText<'a> {
    heading: &'a str,
    paras: &'a [String],
    action: Option<(&'a str, &'a str)>,
    footer: &'a [String],
}

/// A plain automatic email (confirmations, acknowledgements): heading, paragraphs, at most
/// one button, footer lines; HTML and text from `templates/email/message.*`.
pub struct Letter<'a> {
    pub kind: &'static str,
    pub lang: Lang,
    pub to: &'a str,
    pub site: &'a str,
    pub subject: String,
    pub heading: String,
    pub paras: Vec<String>,
    /// (button label, URL)
    pub action: Option<(String, String)>,
    pub footer: Vec<String>,
    pub unsubscribe_url: Option<String>,
}

impl<'a> Letter<'a> {
    /// A letter whose heading is its subject, with no text, button or footer yet.
    pub fn new(
        kind: &'static str,
        lang: Lang,
        to: &'a str,
        site: &'a str,
        subject: impl Into<String>,
    ) -> Letter<'a> {
        let subject = subject.into();
        Letter {
            kind,
            lang,
            to,
            site,
            heading: subject.clone(),
            subject,
            paras: Vec::new(),
            action: None,
            footer: Vec::new(),
            unsubscribe_url: None,
        }
    }

    /// A heading other than the subject.
    pub fn heading(mut self, heading: impl Into<String>) -> Self {
        self.heading = heading.into();
        self
    }

    /// The paragraphs of the message.
    pub fn paras(mut self, paras: Vec<String>) -> Self {
        self.paras = paras;
        self
    }

    /// The one button, and where it goes.
    pub fn button(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.action = Some((label.into(), url.into()));
        self
    }

    /// Small print under the message.
    pub fn footer(mut self, footer: Vec<String>) -> Self {
        self.footer = footer;
        self
    }

    /// The address that unsubscribes the recipient (also sent as `List-Unsubscribe`).
    pub fn unsubscribe(mut self, url: impl Into<String>) -> Self {
        self.unsubscribe_url = Some(url.into());
        self
    }

    pub fn outgoing(self) -> Outgoing {
        let action = self
            .action
            .as_ref()
            .map(|(label, url)| (label.as_str(), url.as_str()));
        let html = LetterHtml {
            lang: self.lang,
            site: self.site,
            heading: &self.heading,
            paras: &self.paras,
            action,
            footer: &self.footer,
        }
        .render()
        .unwrap_or_default();
        let text = LetterText {
            heading: &self.heading,
            paras: &self.paras,
            action,
            footer: &self.footer,
        }
        .render()
        .unwrap_or_default();
        Outgoing {
            kind: self.kind,
            to: self.to.to_string(),
            subject: self.subject,
            text,
            html,
            unsubscribe_url: self.unsubscribe_url,
            automatic: true,
            message_id: None,
        }
    }
}

/// A message to be queued.
pub struct Outgoing {
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The subscriber's self-service link: becomes `List-Unsubscribe` (RFC 2369) with
    /// RFC 8058 one-click.
    pub unsubscribe_url: Option<String>,
    /// `Auto-Submitted: auto-generated` (RFC 3834) for mail a person did not write.
    pub automatic: bool,
    /// The `Message-ID`'s local part when it must be the same on every attempt (a
    /// newsletter to one subscriber); random otherwise.
    pub message_id: Option<String>,
}

/// The sender, from configuration and the site's name.
pub struct Sender {
    pub name: String,
    pub address: String,
}

impl Sender {
    pub fn new(config: &Config, site_name: &str) -> Sender {
        Sender {
            name: site_name.to_string(),
            address: config.mail_from.clone(),
        }
    }

    fn domain(&self) -> &str {
        self.address
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or("localhost")
    }
}

/// Builds the message text. Errors only for an address lettre cannot parse (callers
/// validate addresses first, so that is a bug, not bad input).
pub fn build(sender: &Sender, m: &Outgoing) -> anyhow::Result<String> {
    let from = Mailbox::new(Some(sender.name.clone()), sender.address.parse()?);
    let to: Mailbox = m.to.parse()?;
    let id = m
        .message_id
        .clone()
        .unwrap_or_else(|| crate::token::random_token()[..24].to_string());
    let mut b = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .date_now()
        .message_id(Some(format!("<{id}@{}>", sender.domain())));
    if m.automatic {
        b = b.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ));
    }
    if let Some(url) = &m.unsubscribe_url {
        b = b
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    let body = MultiPart::alternative()
        .singlepart(
            // Quoted-printable: readable in any client, and tools (and tests) can find the
            // links in the raw message.
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .header(ContentTransferEncoding::QuotedPrintable)
                .body(m.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .header(ContentTransferEncoding::QuotedPrintable)
                .body(m.html.clone()),
        );
    let msg = b.multipart(body)?;
    Ok(String::from_utf8_lossy(&msg.formatted()).into_owned())
}

/// Queues a message in the caller's transaction.
pub async fn enqueue(tx: &mut Tx, sender: &Sender, m: &Outgoing) -> anyhow::Result<()> {
    let text = build(sender, m)?;
    store::enqueue(tx, m.kind, &m.to, &text).await?;
    Ok(())
}

/// Why a delivery failed.
#[derive(Debug)]
pub struct SendError {
    /// Worth trying again later (connection refused, 4xx reply).
    pub transient: bool,
    pub message: String,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    Outbox(PathBuf),
    /// One connection per instance, shared by its workers.
    Smtp {
        client: std::sync::Arc<smtp::Client>,
        from: String,
    },
}

impl Transport {
    pub fn from_config(config: &Config) -> anyhow::Result<Transport> {
        let Some(smtp) = &config.smtp else {
            return Ok(Transport::Outbox(config.data_dir.join("outbox")));
        };
        Ok(Transport::Smtp {
            client: std::sync::Arc::new(smtp::Client::new(smtp)?),
            from: config.mail_from.clone(),
        })
    }

    /// Delivers one message. `name` names the outbox file: the same name for the same
    /// message, so a delivery repeated after a crash replaces the file.
    pub async fn send(&self, name: &str, to: &str, message: &str) -> Result<(), SendError> {
        match self {
            Transport::Outbox(dir) => write_eml(dir, name, message).await.map_err(|e| SendError {
                transient: true,
                message: e.to_string(),
            }),
            Transport::Smtp { client, from } => {
                let permanent = |m: String| SendError {
                    transient: false,
                    message: m,
                };
                let envelope = lettre::address::Envelope::new(
                    Some(from.parse().map_err(|e| permanent(format!("{e}")))?),
                    vec![to.parse().map_err(|e| permanent(format!("{e}")))?],
                )
                .map_err(|e| permanent(e.to_string()))?;
                client.send(&envelope, message.as_bytes()).await
            }
        }
    }
}

/// Writes `DATA_DIR/outbox/{name}.eml` through a temporary file, so a reader never sees
/// half a message.
async fn write_eml(dir: &Path, name: &str, message: &str) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    let name = format!("{name}.eml");
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, message.replace("\r\n", "\n").replace('\n', "\r\n")).await?;
    tokio::fs::rename(&tmp, dir.join(name)).await
}

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Seconds before attempt `n + 1`: 30 s, 1 min, 2 min, … up to 2 hours.
pub(crate) fn backoff(attempts: i64) -> i64 {
    (30 * (1i64 << attempts.clamp(0, 8))).min(7200)
}

/// Delivers the queued messages that are due, at most `limit`. Returns how many were sent.
/// Several workers (instances) may run this at once: each claims rows by moving their
/// `locked_until` forward, and only the claimant sends them.
pub async fn deliver_due(db: &Db, transport: &Transport, limit: i64) -> anyhow::Result<usize> {
    let claimed = store::claim_due(db, limit).await?;
    let mut sent = 0;
    for (id, to, message, attempts) in claimed {
        match transport
            .send(&format!("mail-{id:08}"), &to, &message)
            .await
        {
            Ok(()) => {
                sent += 1;
                store::mark_sent(db, id).await?;
            }
            Err(e) => {
                let give_up = !e.transient || attempts >= MAX_ATTEMPTS;
                // The server's reply can quote the address: it goes in the table for staff,
                // not in the log.
                tracing::warn!(id, attempts, give_up, "mail delivery failed");
                let error: String = e.message.chars().take(500).collect();
                store::mark_failed(db, id, &error, db::now() + backoff(attempts), give_up).await?;
            }
        }
    }
    Ok(sent)
}

/// Delivers everything due now (tests and the `mail` worker loop).
pub async fn deliver_all(db: &Db, transport: &Transport) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let n = deliver_due(db, transport, 50).await?;
        total += n;
        if n == 0 {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_the_headers_mail_providers_look_for() {
        let sender = Sender {
            name: "Alliance (demo)".into(),
            address: "bulletin@example.org".into(),
        };
        let text = build(
            &sender,
            &Outgoing {
                kind: "test",
                to: "parent@example.com".into(),
                subject: "Cadarnhewch eich tanysgrifiad".into(),
                text: "Plain words".into(),
                html: "<p>Plain words</p>".into(),
                unsubscribe_url: Some("https://example.org/subscribe/unsubscribe/abc".into()),
                automatic: true,
                message_id: None,
            },
        )
        .unwrap();
        for h in [
            "Message-ID: <",
            "@example.org>",
            "Date: ",
            "Auto-Submitted: auto-generated",
            "List-Unsubscribe: <https://example.org/subscribe/unsubscribe/abc>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "MIME-Version: 1.0",
        ] {
            assert!(text.contains(h), "missing {h} in\n{text}");
        }
        assert!(backoff(1) < backoff(2) && backoff(20) == 7200);
    }
}
