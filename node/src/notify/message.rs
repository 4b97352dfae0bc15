//! The text of a notification: German first, then one English line, and
//! how to acknowledge it. Pure functions of the stored event.

use serde::Serialize;

use crate::store::NotifyEvent;

/// The acknowledgement route of event `seq`.
pub fn ack_path(seq: u64) -> String {
    format!("/api/notifications/{seq}/ack")
}

/// The e-mail subject.
pub fn subject(event: &NotifyEvent) -> String {
    format!("[amtshilfe] {}", event.subject_de)
}

/// The e-mail body (plain text). `next` names the contact told next if
/// nobody acknowledges within `escalation_minutes`.
pub fn body(
    event: &NotifyEvent,
    node: &str,
    next: Option<&str>,
    escalation_minutes: u64,
) -> String {
    let ack = ack_path(event.seq);
    let escalation_de = match next {
        Some(next) => format!(
            "Ohne Bestätigung binnen {escalation_minutes} Minuten wird {next} benachrichtigt.\n"
        ),
        None => String::new(),
    };
    format!(
        "{subject}\n\n\
         Bitte bestätigen Sie den Empfang im amtshilfe-Knoten von {node}:\n\
         POST {ack}\n\
         {escalation_de}\n\
         Meldung Nr. {seq} ({id})\n\n\
         English: {subject_en}. Please acknowledge: POST {ack}\n",
        subject = event.subject_de,
        seq = event.seq,
        id = event.alert_id,
        subject_en = event.subject_en,
    )
}

/// The JSON body of a webhook call.
#[derive(Debug, Serialize)]
pub struct WebhookBody<'a> {
    /// Event number (for the acknowledgement).
    pub event: u64,
    /// The alert's stable id.
    pub alert: &'a str,
    /// Kind of alert.
    pub kind: &'a str,
    /// German subject.
    pub subject_de: &'a str,
    /// English subject.
    pub subject_en: &'a str,
    /// The whole text, as in the e-mail.
    pub text: String,
    /// The member whose node sends it.
    pub node: &'a str,
    /// The contact this call is for.
    pub contact: &'a str,
    /// The acknowledgement route (POST, authenticated).
    pub ack: String,
}
