//! The incident checklist as data: the 15 steps of a hit member's first
//! weeks (DOMAIN.md "Incident checklist"), each with a stable id, German and
//! English labels, and when it is due counted from the moment the member
//! became aware of the incident (not from when the incident was opened).
//!
//! Ids are stable: step records point at them, so a label may change but an
//! id never does. Nothing here reads a clock; due times are derived from the
//! awareness time the caller passes in.

use super::clocks::{ClockProfile, HOUR_MS, MINUTE_MS};
use crate::model::DAY_MS;

/// When a step is due, relative to awareness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepDue {
    /// Due this long after awareness (0: immediately).
    After {
        /// Milliseconds after the awareness time.
        ms: i64,
    },
    /// Runs for the whole incident, or is done when needed: no due time.
    Open,
}

/// One step of the template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepTemplate {
    /// Stable id; step records name it.
    pub id: &'static str,
    /// Position in the checklist, 1-based.
    pub number: u8,
    /// German label.
    pub label_de: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// When it is due.
    pub due: StepDue,
    /// Whether the step belongs to the checklist only under § 32 BSIG.
    pub bsig32_only: bool,
}

impl StepTemplate {
    /// When the step is due for an incident the member became aware of at
    /// `aware_at_ms`, or `None` if it has no due time.
    pub fn due_at_ms(&self, aware_at_ms: i64) -> Option<i64> {
        match self.due {
            StepDue::After { ms } => Some(aware_at_ms.saturating_add(ms)),
            StepDue::Open => None,
        }
    }

    /// Whether the step is on the checklist of an incident with `profile`.
    pub fn applies_to(&self, profile: ClockProfile) -> bool {
        !self.bsig32_only || profile == ClockProfile::GdprBsig32
    }
}

const fn after(ms: i64) -> StepDue {
    StepDue::After { ms }
}

/// The template, in checklist order.
pub const CHECKLIST: [StepTemplate; 15] = [
    step(
        1,
        "report_internally",
        "Stoppen und intern melden (Notfallnummer: wer, welches System, wann)",
        "Stop and report on the internal emergency number (who, which system, when)",
        after(0),
    ),
    step(
        2,
        "isolate",
        "Isolieren: vom Netz trennen, nicht ausschalten; Online-Sicherungen abkoppeln",
        "Isolate: unplug from the network, do not power off; detach online backups",
        after(30 * MINUTE_MS),
    ),
    step(
        3,
        "crisis_staff",
        "Krisenstab einberufen, Entscheidungsprotokoll beginnen",
        "Convene the crisis staff, start a decision log",
        after(2 * HOUR_MS),
    ),
    step(
        4,
        "state_cert",
        "Landes-CERT / Hessen3C-Hotline (24/7) anrufen, Dienstleister aktivieren",
        "Call the state CERT / Hessen3C 24/7 hotline, activate the retainer",
        after(2 * HOUR_MS),
    ),
    step(
        5,
        "criminal_complaint",
        "Strafanzeige bei Polizei / LKA (ZAC)",
        "Criminal complaint to the police / LKA cybercrime office (ZAC)",
        after(DAY_MS),
    ),
    step(
        6,
        "forensics",
        "Forensik; betroffene Systeme unverändert lassen",
        "Forensics; keep affected systems untouched",
        StepDue::Open,
    ),
    step(
        7,
        "gdpr_art33",
        "§ Meldung an die Datenschutzaufsicht (Art. 33 DSGVO), ggf. Betroffene informieren (Art. 34)",
        "§ Report the personal-data breach to the data protection authority (Art. 33 GDPR); inform data subjects if high risk (Art. 34)",
        after(72 * HOUR_MS),
    ),
    StepTemplate {
        bsig32_only: true,
        ..step(
            8,
            "bsig32_reports",
            "§ Meldungen nach § 32 BSIG an die Meldestelle von BSI und BBK (Frühwarnung, Meldung, Abschlussbericht)",
            "§ Reports under § 32 BSIG to the joint BSI/BBK reporting office (early warning, notification, final report)",
            after(24 * HOUR_MS),
        )
    },
    step(
        9,
        "insurer",
        "Cyberversicherung benachrichtigen, wie die Police es verlangt",
        "Notify the cyber insurer as the policy demands",
        after(0),
    ),
    step(
        10,
        "communicate",
        "Kommunizieren: Beschäftigte, Rat, Nachbarn, Öffentlichkeit; Notfall-Webseite mit funktionierenden Diensten",
        "Communicate: staff, council, neighbours, public; emergency web page listing which services work",
        after(DAY_MS),
    ),
    step(
        11,
        "request_aid",
        "Hilfe im Pakt anfordern",
        "Request aid from the pact",
        after(3 * DAY_MS),
    ),
    step(
        12,
        "emergency_operation",
        "Notbetrieb priorisierter Fachverfahren (Zahlungen, Löhne, Kfz-Zulassung, Personenstand)",
        "Emergency operation of prioritised specialist applications (payments, payroll, vehicle registration, civil register)",
        after(14 * DAY_MS),
    ),
    step(
        13,
        "escalate",
        "Eskalieren: Katastrophenfall oder Amtshilfe (z. B. Bundeswehr)",
        "Escalate: disaster declaration or Amtshilfe (e.g. Bundeswehr)",
        StepDue::Open,
    ),
    step(
        14,
        "clean_rebuild",
        "Sauber neu aufbauen: neu installieren, Zugangsdaten zurücksetzen, MFA, Wiederherstellung aus geprüften Sicherungen",
        "Clean rebuild: re-image, reset credentials, MFA, restore from verified backups",
        StepDue::Open,
    ),
    step(
        15,
        "close",
        "Abschließen: Hilfe freigeben, Kosten abrechnen, Lehren ziehen, Sicherheitsstand erneut prüfen",
        "Close: release aid, settle costs, lessons learned, repeat the posture check",
        StepDue::Open,
    ),
];

const fn step(
    number: u8,
    id: &'static str,
    label_de: &'static str,
    label_en: &'static str,
    due: StepDue,
) -> StepTemplate {
    StepTemplate {
        id,
        number,
        label_de,
        label_en,
        due,
        bsig32_only: false,
    }
}

/// The template step with this id.
pub fn step_template(id: &str) -> Option<&'static StepTemplate> {
    CHECKLIST.iter().find(|step| step.id == id)
}

/// The steps on the checklist of an incident with `profile`, in order.
pub fn checklist_for(profile: ClockProfile) -> impl Iterator<Item = &'static StepTemplate> {
    CHECKLIST
        .iter()
        .filter(move |step| step.applies_to(profile))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_template_has_fifteen_numbered_steps_with_unique_ids() {
        let ids: BTreeSet<&str> = CHECKLIST.iter().map(|s| s.id).collect();
        assert_eq!(ids.len(), 15);
        for (index, step) in CHECKLIST.iter().enumerate() {
            assert_eq!(usize::from(step.number), index + 1);
            assert!(crate::ids::RecordId::new(step.id.replace('_', "-")).is_ok());
            assert!(!step.label_de.is_empty() && !step.label_en.is_empty());
        }
    }

    #[test]
    fn only_regulated_entities_get_the_bsig_step() {
        assert_eq!(checklist_for(ClockProfile::Gdpr).count(), 14);
        assert_eq!(checklist_for(ClockProfile::GdprBsig32).count(), 15);
        assert!(checklist_for(ClockProfile::Gdpr).all(|s| s.id != "bsig32_reports"));
    }

    #[test]
    fn due_times_count_from_awareness() {
        let aware = 1_000_000;
        let crisis = step_template("crisis_staff").unwrap();
        assert_eq!(crisis.due_at_ms(aware), Some(aware + 2 * HOUR_MS));
        let gdpr = step_template("gdpr_art33").unwrap();
        assert_eq!(gdpr.due_at_ms(aware), Some(aware + 72 * HOUR_MS));
        assert_eq!(step_template("forensics").unwrap().due_at_ms(aware), None);
        assert_eq!(
            step_template("report_internally").unwrap().due_at_ms(aware),
            Some(aware)
        );
        assert!(step_template("nonsense").is_none());
    }
}
