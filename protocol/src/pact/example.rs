//! An example agreement, as the South-Hessian pact might have agreed it:
//! for tests and the demo. Fictional dates and rates.

use super::agreement::{
    Agreement, CouncilResolution, ExerciseKind, LegalForm, Obligation, Reimbursement,
    ReimbursementModel, RequestingRole, ScheduledExercise, Stage, StageReached,
};
use crate::ids::MemberId;
use crate::model::DAY_MS;

/// 2026-01-15T00:00Z, ms since the Unix epoch: the letter of intent.
const LOI_MS: i64 = 1_768_435_200_000;

/// An agreement in force since spring 2026, with a council resolution for
/// each of `members`, flat rates of 85 € per hour and 25 € per device-day,
/// and two exercises scheduled.
pub fn example_agreement(members: &[MemberId]) -> Agreement {
    let stages = [
        (Stage::LetterOfIntent, 0),
        (Stage::ContractDraft, 30),
        (Stage::CouncilResolutions, 60),
        (Stage::Signed, 100),
        (Stage::SupervisoryNotice, 110),
        (Stage::InForce, 120),
    ];
    Agreement {
        legal_form: LegalForm::PublicLawAgreement,
        stages: stages
            .iter()
            .map(|(stage, day)| StageReached {
                stage: *stage,
                date_ms: LOI_MS + day * DAY_MS,
            })
            .collect(),
        council_resolutions: members
            .iter()
            .zip(0..)
            .map(|(member, i)| CouncilResolution {
                member: *member,
                date_ms: LOI_MS + (60 + i) * DAY_MS,
            })
            .collect(),
        may_request: vec![
            RequestingRole::HeadOfAdministration,
            RequestingRole::CrisisStaffLead,
        ],
        obligation: Obligation::BestEffort,
        reimbursement: Reimbursement {
            model: ReimbursementModel::ExtraCostsFlatRate,
            hour_rate_cents: 8_500,
            device_day_rate_cents: 2_500,
        },
        liability_clause: "Die helfende Kommune haftet nur für Vorsatz und grobe \
            Fahrlässigkeit; im Übrigen stellt die anfordernde Kommune sie frei."
            .into(),
        exercise_schedule: vec![
            ScheduledExercise {
                date_ms: LOI_MS + 180 * DAY_MS,
                kind: ExerciseKind::Alerting,
                title: "Erreichbarkeit der 24/7-Kontakte".into(),
            },
            ScheduledExercise {
                date_ms: LOI_MS + 300 * DAY_MS,
                kind: ExerciseKind::Live,
                title: "Ausfall des Rechenzentrums eines Kreises".into(),
            },
        ],
    }
}
