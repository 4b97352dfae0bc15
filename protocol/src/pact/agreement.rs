//! The pact's agreement: the terms the members signed (legal form, stage,
//! council resolutions, who may request, obligation, reimbursement,
//! liability, exercise schedule). It lives in the membership log and is
//! changed only by a `Proposal::SetAgreement` that a majority approves, so
//! no single member rewrites the terms (see `membership::replay`).
//!
//! Pure values and their checks; every cap is a named constant. A bad
//! agreement makes the whole proposal entry malformed, so it never enters
//! any log.

use serde::{Deserialize, Serialize};

use crate::ids::MemberId;
use crate::model::ValidationError;
use crate::model::validation::{
    check_list_max, check_name, check_range, check_text, check_time, inconsistent,
};

/// Most council resolutions one agreement lists, in members. Real IKZ
/// pacts have a handful to a few dozen members; the cap keeps the largest
/// agreement inside one membership entry.
pub const COUNCIL_RESOLUTIONS_MAX: usize = 128;
/// Most exercises one agreement schedules.
pub const SCHEDULED_EXERCISES_MAX: usize = 12;
/// Largest flat rate, in euro cents (10,000 €).
pub const RATE_CENTS_MAX: u32 = 1_000_000;
/// Largest encoded agreement, in bytes: with an entry's parents and
/// signature it stays below `membership::ENTRY_BYTES_MAX`.
pub const AGREEMENT_BYTES_MAX: usize = 12 * 1024;

/// The pact's agreement as the members agreed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Agreement {
    /// The legal form of the cooperation.
    pub legal_form: LegalForm,
    /// The stages reached, in order, each with its date.
    pub stages: Vec<StageReached>,
    /// Per member, the date its council (Kreistag, Gemeindevertretung)
    /// resolved to join.
    pub council_resolutions: Vec<CouncilResolution>,
    /// Who may request help on behalf of a member.
    pub may_request: Vec<RequestingRole>,
    /// Whether members must help or help as far as they can.
    pub obligation: Obligation,
    /// How extra costs are reimbursed.
    pub reimbursement: Reimbursement,
    /// The liability clause, as agreed.
    pub liability_clause: String,
    /// Exercises the members agreed to hold.
    pub exercise_schedule: Vec<ScheduledExercise>,
}

/// The legal form of the cooperation (DOMAIN "Pact agreement fields").
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// Absichtserklärung.
    LetterOfIntent,
    /// Arbeitsgemeinschaft.
    WorkingGroup,
    /// Öffentlich-rechtliche Vereinbarung.
    PublicLawAgreement,
    /// Zweckverband.
    SpecialPurposeAssociation,
    /// Verwaltungsvereinbarung.
    AdministrativeAgreement,
}

/// The stages of a pact, in the order they are reached.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The letter of intent is signed.
    #[serde(alias = "loi_signed")]
    LetterOfIntent,
    /// A contract draft is circulated.
    ContractDraft,
    /// The councils are deciding.
    CouncilResolutions,
    /// The agreement is signed.
    Signed,
    /// The supervisory authority was notified (Anzeige bei der Aufsicht).
    SupervisoryNotice,
    /// The agreement is in force.
    InForce,
}

/// A stage and the day it was reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StageReached {
    /// The stage.
    pub stage: Stage,
    /// The day it was reached, ms since the Unix epoch (a Berlin midnight).
    pub date_ms: i64,
}

/// A member's council resolution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CouncilResolution {
    /// The member whose council resolved (its id as hex: the schema says
    /// so, since the agreement is a request body of the API).
    pub member: MemberId,
    /// The day of the resolution, ms since the Unix epoch.
    pub date_ms: i64,
}

/// Who may request help on behalf of a member.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RequestingRole {
    /// The head of the administration (Landrat, Bürgermeister).
    HeadOfAdministration,
    /// The head of the crisis staff (Leitung Krisenstab).
    CrisisStaffLead,
    /// The IT lead (IT-Leitung).
    ItLead,
    /// The information security officer (ISB).
    SecurityOfficer,
}

/// Whether help is owed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Obligation {
    /// Members help as far as they can spare people and devices.
    BestEffort,
    /// Members commit to help within the agreed limits.
    Committed,
}

/// How a helping member's extra costs are reimbursed. Under Amtshilfe only
/// the extra costs caused are reimbursable, and they may be flat-rated
/// (BVerwG 6 C 10/17).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Reimbursement {
    /// The model.
    pub model: ReimbursementModel,
    /// Flat rate per hour of work, in euro cents (flat-rate model only).
    pub hour_rate_cents: u32,
    /// Flat rate per device and day lent, in euro cents (flat-rate model
    /// only).
    pub device_day_rate_cents: u32,
}

/// The reimbursement models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReimbursementModel {
    /// Extra costs at the agreed flat rates, plus documented expenses.
    ExtraCostsFlatRate,
    /// Extra costs as documented, no flat rates.
    ExtraCostsActual,
    /// Help is given free of charge.
    None,
}

/// One exercise the members agreed to hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScheduledExercise {
    /// The planned day, ms since the Unix epoch.
    pub date_ms: i64,
    /// The kind of exercise.
    pub kind: ExerciseKind,
    /// What is practised, e.g. "Ausfall des Rechenzentrums".
    pub title: String,
}

/// Kinds of exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseKind {
    /// Reaching the 24/7 contacts (Alarmierungsübung).
    Alerting,
    /// A discussion around a scenario (Planbesprechung).
    Tabletop,
    /// A full run from request to mission order (Vollübung).
    Live,
}

/// Why an agreement was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgreementError {
    /// A field breaks its rule.
    #[error("agreement.{0}")]
    Field(ValidationError),
    /// The encoded agreement is larger than [`AGREEMENT_BYTES_MAX`].
    #[error("agreement is {bytes} bytes encoded, at most {AGREEMENT_BYTES_MAX} allowed")]
    TooLarge {
        /// Its encoded size.
        bytes: usize,
    },
}

impl AgreementError {
    /// A stable, machine-readable name of the reason.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Field(error) => error.code(),
            Self::TooLarge { .. } => "agreement_too_large",
        }
    }
}

impl From<ValidationError> for AgreementError {
    fn from(error: ValidationError) -> Self {
        Self::Field(error)
    }
}

impl Agreement {
    /// The stage reached last, if any.
    pub fn stage(&self) -> Option<&StageReached> {
        self.stages.last()
    }

    /// Whether the agreement binds its members now: signed or later.
    pub fn is_signed(&self) -> bool {
        self.stage().is_some_and(|s| s.stage >= Stage::Signed)
    }

    /// Checks every field and the encoded size.
    pub fn validate(&self) -> Result<(), AgreementError> {
        self.validate_stages()?;
        check_list_max(
            "council_resolutions",
            &self.council_resolutions,
            COUNCIL_RESOLUTIONS_MAX,
        )?;
        let mut members = std::collections::BTreeSet::new();
        for (i, resolution) in self.council_resolutions.iter().enumerate() {
            check_time(
                &format!("council_resolutions[{i}].date_ms"),
                resolution.date_ms,
            )?;
            if !members.insert(resolution.member) {
                return Err(ValidationError::Duplicate {
                    field: "council_resolutions".into(),
                    id: resolution.member.to_string(),
                }
                .into());
            }
        }
        if self.may_request.is_empty() {
            return Err(ValidationError::Empty {
                field: "may_request".into(),
            }
            .into());
        }
        let distinct: std::collections::BTreeSet<_> = self.may_request.iter().collect();
        if distinct.len() != self.may_request.len() {
            return Err(inconsistent("may_request", "a role is named twice").into());
        }
        self.reimbursement.validate()?;
        check_text("liability_clause", &self.liability_clause)?;
        check_list_max(
            "exercise_schedule",
            &self.exercise_schedule,
            SCHEDULED_EXERCISES_MAX,
        )?;
        for (i, exercise) in self.exercise_schedule.iter().enumerate() {
            check_time(&format!("exercise_schedule[{i}].date_ms"), exercise.date_ms)?;
            check_name(&format!("exercise_schedule[{i}].title"), &exercise.title)?;
        }
        let bytes = postcard::to_stdvec(self).map_or(usize::MAX, |b| b.len());
        if bytes > AGREEMENT_BYTES_MAX {
            return Err(AgreementError::TooLarge { bytes });
        }
        Ok(())
    }

    /// At least one stage; stages strictly in their order, dates never
    /// going back.
    fn validate_stages(&self) -> Result<(), ValidationError> {
        if self.stages.is_empty() {
            return Err(ValidationError::Empty {
                field: "stages".into(),
            });
        }
        for (i, reached) in self.stages.iter().enumerate() {
            check_time(&format!("stages[{i}].date_ms"), reached.date_ms)?;
        }
        for (i, pair) in self.stages.windows(2).enumerate() {
            if pair[1].stage <= pair[0].stage {
                return Err(inconsistent(
                    &format!("stages[{}].stage", i + 1),
                    "stages follow letter_of_intent → contract_draft → council_resolutions → signed → supervisory_notice → in_force, each once",
                ));
            }
            if pair[1].date_ms < pair[0].date_ms {
                return Err(inconsistent(
                    &format!("stages[{}].date_ms", i + 1),
                    "a later stage cannot be reached before an earlier one",
                ));
            }
        }
        Ok(())
    }
}

impl Reimbursement {
    fn validate(&self) -> Result<(), ValidationError> {
        let max = i64::from(RATE_CENTS_MAX);
        check_range(
            "reimbursement.hour_rate_cents",
            self.hour_rate_cents,
            0,
            max,
        )?;
        check_range(
            "reimbursement.device_day_rate_cents",
            self.device_day_rate_cents,
            0,
            max,
        )?;
        let has_rates = self.hour_rate_cents > 0 || self.device_day_rate_cents > 0;
        match self.model {
            ReimbursementModel::ExtraCostsFlatRate if !has_rates => Err(inconsistent(
                "reimbursement.hour_rate_cents",
                "the flat-rate model needs a rate per hour or per device-day",
            )),
            ReimbursementModel::ExtraCostsActual | ReimbursementModel::None if has_rates => {
                Err(inconsistent(
                    "reimbursement.hour_rate_cents",
                    "flat rates belong to the flat-rate model only",
                ))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MemberId;
    use crate::pact::example_agreement;

    fn members(n: u8) -> Vec<MemberId> {
        (1..=n).map(|i| MemberId([i; 32])).collect()
    }

    #[test]
    fn the_example_is_valid_and_in_force() {
        let agreement = example_agreement(&members(6));
        assert_eq!(agreement.validate(), Ok(()));
        assert_eq!(agreement.stage().map(|s| s.stage), Some(Stage::InForce));
        assert!(agreement.is_signed());
    }

    #[test]
    fn each_rule_is_checked_with_its_field_and_code() {
        type Break = Box<dyn Fn(&mut Agreement)>;
        let cases: Vec<(&str, &str, Break)> = vec![
            ("stages", "empty", Box::new(|a| a.stages.clear())),
            (
                "stages[1].stage",
                "inconsistent",
                Box::new(|a| a.stages.swap(0, 1)),
            ),
            (
                "stages[2].date_ms",
                "inconsistent",
                Box::new(|a| a.stages[2].date_ms = a.stages[1].date_ms - 1),
            ),
            (
                "stages[0].date_ms",
                "below_min",
                Box::new(|a| a.stages[0].date_ms = -1),
            ),
            (
                "council_resolutions",
                "duplicate",
                Box::new(|a| {
                    let first = a.council_resolutions[0].clone();
                    a.council_resolutions.push(first);
                }),
            ),
            (
                "council_resolutions",
                "too_many",
                Box::new(|a| {
                    a.council_resolutions = (0..=COUNCIL_RESOLUTIONS_MAX)
                        .map(|i| CouncilResolution {
                            member: MemberId({
                                let mut bytes = [0; 32];
                                bytes[..8].copy_from_slice(&(i as u64).to_le_bytes());
                                bytes
                            }),
                            date_ms: 0,
                        })
                        .collect();
                }),
            ),
            ("may_request", "empty", Box::new(|a| a.may_request.clear())),
            (
                "may_request",
                "inconsistent",
                Box::new(|a| a.may_request.push(a.may_request[0])),
            ),
            (
                "reimbursement.hour_rate_cents",
                "above_max",
                Box::new(|a| a.reimbursement.hour_rate_cents = RATE_CENTS_MAX + 1),
            ),
            (
                "reimbursement.hour_rate_cents",
                "inconsistent",
                Box::new(|a| {
                    a.reimbursement.hour_rate_cents = 0;
                    a.reimbursement.device_day_rate_cents = 0;
                }),
            ),
            (
                "reimbursement.hour_rate_cents",
                "inconsistent",
                Box::new(|a| a.reimbursement.model = ReimbursementModel::None),
            ),
            (
                "liability_clause",
                "too_long",
                Box::new(|a| a.liability_clause = "x".repeat(4_001)),
            ),
            (
                "exercise_schedule",
                "too_many",
                Box::new(|a| {
                    let one = a.exercise_schedule[0].clone();
                    a.exercise_schedule = vec![one; SCHEDULED_EXERCISES_MAX + 1];
                }),
            ),
            (
                "exercise_schedule[1].title",
                "empty",
                Box::new(|a| a.exercise_schedule[1].title = " ".into()),
            ),
        ];
        let base = example_agreement(&members(3));
        for (field, code, break_it) in cases {
            let mut agreement = base.clone();
            break_it(&mut agreement);
            let error = agreement.validate().unwrap_err();
            assert_eq!(error.code(), code, "{field}: {error}");
            assert!(
                error.to_string().starts_with(&format!("agreement.{field}")),
                "{field}: got {error}"
            );
        }
    }

    #[test]
    fn an_agreement_past_its_byte_cap_is_refused_whole() {
        let mut agreement = example_agreement(&members(3));
        // 4,000 four-byte characters: within the character cap, over the
        // byte cap.
        agreement.liability_clause = "𝔏".repeat(4_000);
        assert_eq!(
            agreement.validate().map_err(|e| e.code()),
            Err("agreement_too_large")
        );
    }
}
