//! Mail delivery: the background task that empties the outbox over SMTP
//! (`KRING_SMTP_URL`), or, when no SMTP server is configured, writes each
//! message to the log so a local installation still shows invitation links.

use std::time::Duration;

use kring_app::mail::{self, Outgoing, Transport};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::DatabaseConnection;

pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Log,
}

impl Mailer {
    /// `smtp://host:port` (plain, for a local relay), `smtp://…?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host` (TLS).
    pub fn from_config(smtp_url: Option<&str>, from: &str) -> Result<Mailer, String> {
        let Some(url) = smtp_url else {
            return Ok(Mailer::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("KRING_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("KRING_MAIL_FROM: '{from}' is not an address: {e}"))?;
        Ok(Mailer::Smtp { transport, from })
    }
}

impl Transport for Mailer {
    async fn send(&self, message: &Outgoing) -> Result<(), String> {
        match self {
            Mailer::Log => {
                tracing::info!(
                    to = %message.to,
                    subject = %message.subject,
                    "mail (no KRING_SMTP_URL set, not sent):\n{}",
                    message.body
                );
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let to = message
                    .to
                    .parse::<Mailbox>()
                    .map_err(|e| format!("bad recipient: {e}"))?;
                let email = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(message.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(message.body.clone())
                    .map_err(|e| e.to_string())?;
                transport.send(email).await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }
}

/// Delivers due mail every few seconds for as long as the server runs.
pub fn spawn_delivery(db: DatabaseConnection, mailer: Mailer) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            if let Err(e) = mail::deliver_due(&db, &mailer).await {
                tracing::warn!(error = %e, "mail delivery round failed");
            }
        }
    })
}
