//! Sending one e-mail over SMTP (lettre, tokio, rustls). One connection
//! per message: alerts are rare, and a pooled connection would only go
//! stale between them.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncTransport, Message, Tokio1Executor};

use crate::config::{SmtpSecurity, smtp_host_port};

/// Longest an SMTP exchange may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Where and how e-mail is sent.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `host:port`.
    pub server: String,
    /// TLS mode.
    pub security: SmtpSecurity,
    /// Sender address.
    pub from: String,
    /// Account and password for SMTP AUTH.
    pub login: Option<SmtpLogin>,
}

/// An SMTP account; its password never appears in `Debug` output.
#[derive(Clone)]
pub struct SmtpLogin {
    /// Account name.
    pub user: String,
    /// Password.
    pub password: String,
}

impl std::fmt::Debug for SmtpLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpLogin")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Sends one plain-text e-mail; `Ok` carries the server's answer.
pub async fn send(
    settings: &SmtpSettings,
    to: &str,
    subject: &str,
    body: String,
) -> Result<String, String> {
    let (host, port) = smtp_host_port(&settings.server)
        .ok_or_else(|| format!("bad server {:?}", settings.server))?;
    let message = Message::builder()
        .from(settings.from.parse().map_err(|e| format!("sender: {e}"))?)
        .to(to.parse().map_err(|e| format!("recipient: {e}"))?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| format!("message: {e}"))?;
    let builder = match settings.security {
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| format!("TLS: {e}"))?,
        SmtpSecurity::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(|e| format!("TLS: {e}"))?
        }
    };
    let mut builder = builder.port(port).timeout(Some(SMTP_TIMEOUT));
    if let Some(login) = &settings.login {
        builder = builder.credentials(Credentials::new(login.user.clone(), login.password.clone()));
    }
    let transport = builder.build();
    let response = transport.send(message).await.map_err(|e| e.to_string())?;
    Ok(format!(
        "{} {}",
        response.code(),
        response.message().collect::<Vec<_>>().join(" ")
    ))
}
