//! The report drafts behind each legal clock: which fields each report has
//! (GDPR Art. 33 (3); § 32 (1) BSIG early warning, notification, final
//! report) as data with stable ids, a draft pre-filled from the incident,
//! and the report record the member completes, prints and marks as sent.
//!
//! A report record lives in the hit member's Requests document next to the
//! incident. Its `sent_at_ms` is what stops the clock; the node never sends
//! a report itself (the authorities' own portals and forms do that).

use serde::{Deserialize, Serialize};

use super::clocks::{ClockKind, MINUTE_MS};
use super::record::Incident;
use crate::calendar::civil_from_days;
use crate::ids::RecordId;
use crate::model::DAY_MS;
use crate::model::validation::{
    ValidationError, check_list, check_text, check_time, check_unique, inconsistent,
};

/// One field of a report template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportFieldTemplate {
    /// Stable id, as stored.
    pub id: &'static str,
    /// German label.
    pub label_de: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// Whether the report is incomplete without it.
    pub required: bool,
}

const fn field(
    id: &'static str,
    label_de: &'static str,
    label_en: &'static str,
    required: bool,
) -> ReportFieldTemplate {
    ReportFieldTemplate {
        id,
        label_de,
        label_en,
        required,
    }
}

/// Art. 33 (1) and (3) GDPR.
const GDPR_ART33: &[ReportFieldTemplate] = &[
    field(
        "aware_at",
        "Zeitpunkt der Kenntnisnahme",
        "Time of becoming aware",
        true,
    ),
    field("nature", "Art der Verletzung", "Nature of the breach", true),
    field(
        "data_subject_categories",
        "Kategorien und ungefähre Zahl betroffener Personen",
        "Categories and approximate number of data subjects",
        true,
    ),
    field(
        "record_categories",
        "Kategorien und ungefähre Zahl betroffener Datensätze",
        "Categories and approximate number of personal data records",
        true,
    ),
    field(
        "dpo_contact",
        "Name und Kontakt der/des Datenschutzbeauftragten",
        "Name and contact of the data protection officer",
        true,
    ),
    field(
        "likely_consequences",
        "Wahrscheinliche Folgen",
        "Likely consequences",
        true,
    ),
    field(
        "measures",
        "Ergriffene oder vorgeschlagene Maßnahmen",
        "Measures taken or proposed",
        true,
    ),
    field(
        "delay_reasons",
        "Gründe für eine Meldung nach 72 Stunden",
        "Reasons for a report after 72 hours",
        false,
    ),
];

/// § 32 (1) 1 BSIG.
const BSIG_EARLY_WARNING: &[ReportFieldTemplate] = &[
    field(
        "aware_at",
        "Zeitpunkt der Kenntnisnahme",
        "Time of becoming aware",
        true,
    ),
    field(
        "affected_services",
        "Betroffene Dienste",
        "Affected services",
        true,
    ),
    field(
        "suspected_unlawful",
        "Verdacht auf rechtswidrige oder böswillige Handlung",
        "Suspected unlawful or malicious act",
        true,
    ),
    field(
        "cross_border",
        "Mögliche grenzüberschreitende Auswirkungen",
        "Possible cross-border impact",
        true,
    ),
];

/// § 32 (1) 2 BSIG.
const BSIG_NOTIFICATION: &[ReportFieldTemplate] = &[
    field(
        "aware_at",
        "Zeitpunkt der Kenntnisnahme",
        "Time of becoming aware",
        true,
    ),
    field(
        "early_warning_update",
        "Aktualisierung der frühen Erstmeldung",
        "Update of the early warning",
        true,
    ),
    field(
        "severity_impact",
        "Erste Bewertung: Schweregrad und Auswirkungen",
        "Initial assessment: severity and impact",
        true,
    ),
    field(
        "indicators_of_compromise",
        "Kompromittierungsindikatoren, soweit vorhanden",
        "Indicators of compromise, where available",
        false,
    ),
];

/// § 32 (1) 4 BSIG.
const BSIG_FINAL_REPORT: &[ReportFieldTemplate] = &[
    field(
        "description",
        "Ausführliche Beschreibung mit Schweregrad und Auswirkungen",
        "Detailed description including severity and impact",
        true,
    ),
    field(
        "threat_root_cause",
        "Art der Bedrohung oder zugrunde liegende Ursache",
        "Type of threat or root cause",
        true,
    ),
    field(
        "mitigation",
        "Getroffene und laufende Abhilfemaßnahmen",
        "Mitigation measures applied and ongoing",
        true,
    ),
    field(
        "cross_border",
        "Grenzüberschreitende Auswirkungen, soweit bekannt",
        "Cross-border impact, where known",
        false,
    ),
];

/// The fields of the report behind `kind`, in form order.
pub fn report_fields(kind: ClockKind) -> &'static [ReportFieldTemplate] {
    match kind {
        ClockKind::GdprArt33 => GDPR_ART33,
        ClockKind::BsigEarlyWarning => BSIG_EARLY_WARNING,
        ClockKind::BsigNotification => BSIG_NOTIFICATION,
        ClockKind::BsigFinalReport => BSIG_FINAL_REPORT,
    }
}

/// One completed (or pre-filled) field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportField {
    /// A field id of the report's template.
    pub id: String,
    /// What the member wrote.
    pub value: String,
}

/// A report draft or sent report, in the hit member's Requests document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentReport {
    /// The incident's record id (same document).
    pub incident: RecordId,
    /// Which report.
    pub kind: ClockKind,
    /// The fields filled in so far.
    pub fields: Vec<ReportField>,
    /// When the member marked it as sent; this stops the clock.
    #[serde(default)]
    pub sent_at_ms: Option<i64>,
    /// Last change, ms since the epoch.
    pub updated_at_ms: i64,
}

impl IncidentReport {
    /// Checks every field: only the kind's field ids, each once, bounded
    /// text; a report marked as sent has every required field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_list("fields", &self.fields)?;
        let template = report_fields(self.kind);
        for (index, field) in self.fields.iter().enumerate() {
            if !template.iter().any(|t| t.id == field.id) {
                return Err(inconsistent(
                    &format!("fields[{index}].id"),
                    "not a field of this report",
                ));
            }
            check_text(&format!("fields[{index}].value"), &field.value)?;
        }
        check_unique("fields", self.fields.iter().map(|f| f.id.as_str()))?;
        if let Some(sent) = self.sent_at_ms {
            check_time("sent_at_ms", sent)?;
            if !self.missing_fields().is_empty() {
                return Err(inconsistent(
                    "sent_at_ms",
                    "a report is marked as sent only when every required field is filled in",
                ));
            }
        }
        check_time("updated_at_ms", self.updated_at_ms)
    }

    /// Required fields still empty.
    pub fn missing_fields(&self) -> Vec<&'static str> {
        report_fields(self.kind)
            .iter()
            .filter(|t| t.required)
            .filter(|t| {
                !self
                    .fields
                    .iter()
                    .any(|f| f.id == t.id && !f.value.trim().is_empty())
            })
            .map(|t| t.id)
            .collect()
    }
}

/// A fresh draft of the report behind `kind`, with what the incident
/// already says filled in (the awareness time as UTC text, the affected
/// services). The member completes the rest.
pub fn draft(
    kind: ClockKind,
    incident_id: RecordId,
    incident: &Incident,
    now_ms: i64,
) -> IncidentReport {
    let mut fields = Vec::new();
    for template in report_fields(kind) {
        let value = match template.id {
            "aware_at" => utc_text(incident.aware_at_ms),
            "affected_services" => incident.affected_services.join(", "),
            "description" | "nature" => incident.title.clone(),
            _ => continue,
        };
        if !value.is_empty() {
            fields.push(ReportField {
                id: template.id.to_owned(),
                value,
            });
        }
    }
    IncidentReport {
        incident: incident_id,
        kind,
        fields,
        sent_at_ms: None,
        updated_at_ms: now_ms,
    }
}

/// `JJJJ-MM-TT hh:mm UTC`: the pages show Berlin time; a printed report
/// names its zone so nobody has to guess.
fn utc_text(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let minutes = ms.rem_euclid(DAY_MS) / MINUTE_MS;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::record::tests::incident;

    #[test]
    fn every_report_has_unique_field_ids() {
        for kind in ClockKind::ALL {
            let fields = report_fields(kind);
            assert!(!fields.is_empty());
            let mut ids: Vec<&str> = fields.iter().map(|f| f.id).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), fields.len(), "{kind:?}");
        }
    }

    #[test]
    fn a_draft_is_prefilled_from_the_incident_and_cannot_be_sent_incomplete() {
        let incident = incident();
        let id = RecordId::new("i1").unwrap();
        let mut report = draft(ClockKind::GdprArt33, id, &incident, incident.aware_at_ms);
        assert_eq!(report.fields[0].id, "aware_at");
        assert_eq!(report.fields[0].value, "2026-12-06 08:00 UTC");
        assert_eq!(report.validate(), Ok(()));
        assert!(report.missing_fields().contains(&"dpo_contact"));
        report.sent_at_ms = Some(incident.aware_at_ms);
        assert!(matches!(
            report.validate(),
            Err(ValidationError::Inconsistent { field, .. }) if field == "sent_at_ms"
        ));
        for id in report.missing_fields() {
            report.fields.push(ReportField {
                id: id.into(),
                value: "ausgefüllt".into(),
            });
        }
        assert_eq!(report.validate(), Ok(()));

        let early = draft(
            ClockKind::BsigEarlyWarning,
            RecordId::new("i1").unwrap(),
            &incident,
            0,
        );
        let services = early.fields.iter().find(|f| f.id == "affected_services");
        assert_eq!(services.unwrap().value, "Meldewesen, E-Mail");
    }

    #[test]
    fn foreign_or_repeated_fields_are_refused() {
        let incident = incident();
        let mut report = draft(
            ClockKind::BsigEarlyWarning,
            RecordId::new("i1").unwrap(),
            &incident,
            0,
        );
        report.fields.push(ReportField {
            id: "dpo_contact".into(),
            value: "x".into(),
        });
        assert!(matches!(
            report.validate(),
            Err(ValidationError::Inconsistent { field, .. }) if field == "fields[2].id"
        ));
        report.fields.pop();
        report.fields.push(report.fields[0].clone());
        assert!(matches!(
            report.validate(),
            Err(ValidationError::Duplicate { .. })
        ));
    }
}
