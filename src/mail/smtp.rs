//! The SMTP connection: lettre's protocol code (EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA) over
//! a socket opened here with `TCP_NODELAY`, kept open between messages.
//!
//! Why not lettre's own pooled transport: in lettre 0.11.23 its sockets keep Nagle's
//! algorithm on, and it writes a message's closing `.` separately from the body, so every
//! message waits for the server's delayed ACK: 40 ms, which caps a connection at about 25
//! messages a second (lettre pull request #1159 fixes this; not yet released). Implicit TLS
//! (port 465) still uses lettre's transport, because opening TLS before the greeting needs
//! lettre's private connect path; STARTTLS (587) and plain loopback relays go through here.

use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, Tls, TlsParameters,
};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::Mutex;

use super::SendError;
use crate::config::{Smtp, SmtpSecurity};

/// How long one connection attempt or one message may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// A connection unused for longer than this is checked with NOOP before it is used again
/// (servers close idle connections after a few minutes).
const IDLE_CHECK: Duration = Duration::from_secs(20);

pub struct Client {
    host: String,
    port: u16,
    starttls: bool,
    credentials: Option<Credentials>,
    /// For STARTTLS: the server's name and the authorities trusted for it.
    tls: Option<TlsParameters>,
    hello: ClientId,
    conn: Mutex<Option<(AsyncSmtpConnection, Instant)>>,
    /// Implicit TLS only.
    lettre: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

fn transient(message: impl ToString) -> SendError {
    SendError {
        transient: true,
        message: message.to_string(),
    }
}

fn from_lettre(e: lettre::transport::smtp::Error) -> SendError {
    SendError {
        transient: !e.is_permanent(),
        message: e.to_string(),
    }
}

/// TLS for `smtp.host`, trusting the public authorities and those in `[smtp] ca_file`.
fn tls_parameters(smtp: &Smtp) -> anyhow::Result<TlsParameters> {
    let mut b = TlsParameters::builder(smtp.host.clone());
    if let Some(path) = &smtp.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("[smtp] ca_file {}: {e}", path.display()))?;
        anyhow::ensure!(
            pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----"),
            "[smtp] ca_file {} holds no PEM certificate",
            path.display()
        );
        // Every certificate in the file.
        b = b.add_root_certificate(Certificate::from_pem(&pem)?);
    }
    Ok(b.build_rustls()?)
}

impl Client {
    pub fn new(smtp: &Smtp) -> anyhow::Result<Client> {
        let credentials = match (&smtp.username, &smtp.password) {
            (Some(u), Some(p)) => Some(Credentials::new(u.clone(), p.clone())),
            _ => None,
        };
        let tls = match smtp.security {
            SmtpSecurity::None => None,
            _ => Some(tls_parameters(smtp)?),
        };
        let lettre = match smtp.security {
            SmtpSecurity::Tls => {
                let mut b = AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?
                    .tls(Tls::Wrapper(tls.clone().expect("TLS parameters")));
                if let Some(port) = smtp.port {
                    b = b.port(port);
                }
                if let Some(c) = &credentials {
                    b = b.credentials(c.clone());
                }
                Some(b.timeout(Some(TIMEOUT)).build())
            }
            _ => None,
        };
        Ok(Client {
            host: smtp.host.clone(),
            port: smtp.port.unwrap_or(match smtp.security {
                SmtpSecurity::Tls => 465,
                SmtpSecurity::Starttls => 587,
                SmtpSecurity::None => 25,
            }),
            starttls: smtp.security == SmtpSecurity::Starttls,
            credentials,
            tls,
            hello: ClientId::default(),
            conn: Mutex::new(None),
            lettre,
        })
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let tcp = tokio::time::timeout(
            TIMEOUT,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| transient("connection timed out"))?
        .map_err(transient)?;
        tcp.set_nodelay(true).map_err(transient)?;
        let stream: Box<dyn AsyncTokioStream> = Box::new(tcp);
        let mut c = AsyncSmtpConnection::connect_with_transport(stream, &self.hello)
            .await
            .map_err(from_lettre)?;
        if self.starttls
            && let Some(tls) = &self.tls
        {
            c.starttls(tls.clone(), &self.hello)
                .await
                .map_err(from_lettre)?;
        }
        if let Some(creds) = &self.credentials {
            c.auth(&[Mechanism::Plain, Mechanism::Login], creds)
                .await
                .map_err(from_lettre)?;
        }
        Ok(c)
    }

    /// Sends one message, over the open connection when there is a healthy one.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        if let Some(t) = &self.lettre {
            return t
                .send_raw(envelope, message)
                .await
                .map(|_| ())
                .map_err(from_lettre);
        }
        let mut guard = self.conn.lock().await;
        if let Some((c, used)) = guard.as_mut()
            && (c.has_broken() || (used.elapsed() > IDLE_CHECK && !c.test_connected().await))
        {
            *guard = None;
        }
        let (c, used) = match guard.as_mut() {
            Some(open) => open,
            None => guard.insert((
                tokio::time::timeout(TIMEOUT * 2, self.connect())
                    .await
                    .map_err(|_| transient("connecting timed out"))??,
                Instant::now(),
            )),
        };
        let result = match tokio::time::timeout(TIMEOUT, c.send(envelope, message)).await {
            Ok(r) => r.map(|_| ()).map_err(from_lettre),
            Err(_) => Err(transient("the server did not answer in time")),
        };
        *used = Instant::now();
        // After an error (lettre has already said QUIT) or a timeout (the connection is
        // mid-command), the next message starts on a new connection.
        if result.is_err() || c.has_broken() {
            *guard = None;
        }
        result
    }
}
