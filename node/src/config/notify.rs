//! The `[notify]` section: who is told about alerts, over which channels,
//! and after how long the next contact is told. Only parsing and checks;
//! the sending is `crate::notify`.

use serde::{Deserialize, Serialize};

/// Most on-call contacts.
pub const NOTIFY_CONTACTS_MAX: usize = 8;
/// Longest contact name, e-mail address, URL or server address, in bytes.
pub const NOTIFY_FIELD_BYTES_MAX: usize = 512;
/// Shortest and longest escalation time, in minutes.
pub const ESCALATION_MINUTES_RANGE: (u64, u64) = (1, 1_440);
/// Shortest and longest "member unreachable" threshold, in minutes.
pub const UNREACHABLE_MINUTES_RANGE: (u64, u64) = (5, 10_080);

/// How the node talks to the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain SMTP, then STARTTLS, which the server must offer.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No TLS at all: only for a relay on the same machine or a test.
    None,
}

/// One on-call contact; at least one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Who it is, as shown in the delivery log.
    pub name: String,
    /// E-mail address, sent to over `smtp_server`.
    #[serde(default)]
    pub email: Option<String>,
    /// URL that receives a JSON POST for each alert.
    #[serde(default)]
    pub webhook: Option<String>,
}

/// The `[notify]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// Contacts in escalation order.
    pub contacts: Vec<Contact>,
    /// SMTP server as `host:port`.
    #[serde(default)]
    pub smtp_server: Option<String>,
    /// `starttls`, `tls` or `none`.
    #[serde(default)]
    pub smtp_security: SmtpSecurity,
    /// Sender address of the e-mails.
    #[serde(default)]
    pub smtp_from: Option<String>,
    /// Account name for SMTP AUTH, if the server wants one.
    #[serde(default)]
    pub smtp_user: Option<String>,
    /// Absolute path of a file holding the SMTP password (read at start;
    /// make it readable by the node's user only). Needs `smtp_user`.
    #[serde(default)]
    pub smtp_password_file: Option<std::path::PathBuf>,
    /// Minutes a contact has to acknowledge before the next is told.
    #[serde(default = "default_escalation_minutes")]
    pub escalation_minutes: u64,
    /// Minutes without contact after which a member counts as unreachable.
    #[serde(default = "default_unreachable_minutes")]
    pub unreachable_minutes: u64,
}

fn default_escalation_minutes() -> u64 {
    15
}

fn default_unreachable_minutes() -> u64 {
    60
}

impl NotifyConfig {
    /// Checks the section; the error names the field and what is wrong.
    pub(super) fn check(&self) -> Result<(), (&'static str, String)> {
        if self.contacts.is_empty() || self.contacts.len() > NOTIFY_CONTACTS_MAX {
            return Err((
                "notify.contacts",
                format!("must name 1 to {NOTIFY_CONTACTS_MAX} contacts"),
            ));
        }
        let too_long = |text: &str| text.trim().is_empty() || text.len() > NOTIFY_FIELD_BYTES_MAX;
        for contact in &self.contacts {
            if too_long(&contact.name) {
                return Err((
                    "notify.contacts.name",
                    format!("must be 1 to {NOTIFY_FIELD_BYTES_MAX} bytes and not blank"),
                ));
            }
            if contact.email.is_none() && contact.webhook.is_none() {
                return Err((
                    "notify.contacts",
                    format!("{:?} has neither `email` nor `webhook`", contact.name),
                ));
            }
            if let Some(email) = &contact.email {
                if too_long(email) || !email.contains('@') {
                    return Err((
                        "notify.contacts.email",
                        format!("{email:?} is not an e-mail address"),
                    ));
                }
                if self.smtp_server.is_none() || self.smtp_from.is_none() {
                    return Err((
                        "notify.smtp_server",
                        "and `notify.smtp_from` are needed for contacts with `email`".into(),
                    ));
                }
            }
            if let Some(url) = &contact.webhook {
                let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
                if too_long(url) || !scheme_ok || url.parse::<axum::http::Uri>().is_err() {
                    return Err((
                        "notify.contacts.webhook",
                        format!("{url:?} is not an http:// or https:// URL"),
                    ));
                }
            }
        }
        if let Some(server) = &self.smtp_server
            && (too_long(server) || smtp_host_port(server).is_none())
        {
            return Err((
                "notify.smtp_server",
                format!("{server:?} is not `host:port`, e.g. \"mail.kreis.example:587\""),
            ));
        }
        if let Some(from) = &self.smtp_from
            && (too_long(from) || !from.contains('@'))
        {
            return Err((
                "notify.smtp_from",
                format!("{from:?} is not an e-mail address"),
            ));
        }
        if let Some(user) = &self.smtp_user
            && too_long(user)
        {
            return Err((
                "notify.smtp_user",
                format!("must be 1 to {NOTIFY_FIELD_BYTES_MAX} bytes"),
            ));
        }
        match (&self.smtp_user, &self.smtp_password_file) {
            (Some(_), Some(path)) if !path.is_absolute() => {
                return Err((
                    "notify.smtp_password_file",
                    "must be an absolute path".into(),
                ));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err((
                    "notify.smtp_password_file",
                    "and `notify.smtp_user` go together: name both or neither".into(),
                ));
            }
            _ => {}
        }
        let (low, high) = ESCALATION_MINUTES_RANGE;
        if !(low..=high).contains(&self.escalation_minutes) {
            return Err((
                "notify.escalation_minutes",
                format!("must be {low} to {high}"),
            ));
        }
        let (low, high) = UNREACHABLE_MINUTES_RANGE;
        if !(low..=high).contains(&self.unreachable_minutes) {
            return Err((
                "notify.unreachable_minutes",
                format!("must be {low} to {high}"),
            ));
        }
        Ok(())
    }
}

/// `host:port` split, or `None` if it is not of that shape.
pub fn smtp_host_port(server: &str) -> Option<(&str, u16)> {
    let (host, port) = server.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = port.parse().ok()?;
    (!host.is_empty() && port != 0).then_some((host, port))
}
