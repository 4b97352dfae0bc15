//! An aid request of a hit member: the situation, a priority, a time window
//! and typed needs with quantities. Pledges of other members point at one
//! need by its id.
//!
//! This module never sums pledges; how much of a need is still open is the
//! read model's business.

use serde::{Deserialize, Serialize};

use super::common::{Mode, OfferKind, SkillLevel, TimeWindow, validate_skills};
use super::validation::{
    ValidationError, check_id, check_list, check_name, check_quantity, check_text, check_time,
    check_unique, inconsistent,
};
use crate::catalogue::CatalogueName;
use crate::ids::RecordId;

/// Whether a request still wants pledges.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Wants pledges.
    Open,
    /// Done: everything needed arrived or the incident is over.
    Closed,
    /// Withdrawn by the requester.
    Cancelled,
}

/// One typed need inside a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// Stable id inside the request; pledges point at it.
    pub id: RecordId,
    /// What kind of resource is needed.
    pub kind: OfferKind,
    /// Id from the role catalogue (persons and teams).
    #[serde(default)]
    pub role: Option<String>,
    /// Skills with the minimum level asked for.
    #[serde(default)]
    pub skills: Vec<SkillLevel>,
    /// Id from the equipment category catalogue (equipment only).
    #[serde(default)]
    pub equipment_category: Option<String>,
    /// Where the help is needed.
    pub mode: Mode,
    /// How many units: persons, devices, teams.
    #[schemars(range(min = 1, max = super::validation::QUANTITY_MAX))]
    pub quantity: u32,
    /// Free notes.
    #[serde(default)]
    #[schemars(length(max = super::validation::TEXT_CHARS_MAX))]
    pub notes: String,
}

impl Need {
    fn validate(&self, field: &str) -> Result<(), ValidationError> {
        let takes_role = matches!(self.kind, OfferKind::Person | OfferKind::TeamPackage);
        match &self.role {
            Some(role) if takes_role => {
                check_id(&format!("{field}.role"), CatalogueName::Role, role)?;
            }
            Some(_) => {
                return Err(inconsistent(
                    &format!("{field}.role"),
                    "only a person or team package need has a role",
                ));
            }
            None => {}
        }
        let takes_skills = matches!(
            self.kind,
            OfferKind::Person | OfferKind::RemoteCapacity | OfferKind::TeamPackage
        );
        if !takes_skills && !self.skills.is_empty() {
            return Err(inconsistent(
                &format!("{field}.skills"),
                "equipment and service needs have no skills",
            ));
        }
        validate_skills(&format!("{field}.skills"), &self.skills)?;
        match (&self.equipment_category, self.kind) {
            (Some(category), OfferKind::Equipment) => check_id(
                &format!("{field}.equipment_category"),
                CatalogueName::EquipmentCategory,
                category,
            )?,
            (Some(_), _) => {
                return Err(inconsistent(
                    &format!("{field}.equipment_category"),
                    "only an equipment need has an equipment category",
                ));
            }
            (None, _) => {}
        }
        check_quantity(&format!("{field}.quantity"), self.quantity)?;
        check_text(&format!("{field}.notes"), &self.notes)
    }
}

/// A hit member's request for aid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AidRequest {
    /// Short title, e.g. "Ransomware: Clients neu aufsetzen".
    #[schemars(length(min = 1, max = super::validation::NAME_CHARS_MAX))]
    pub title: String,
    /// What happened and what works.
    #[serde(default)]
    #[schemars(length(max = super::validation::TEXT_CHARS_MAX))]
    pub situation: String,
    /// Id from the priority catalogue.
    pub priority: String,
    /// When help is needed from, ms since the epoch.
    pub start_ms: i64,
    /// When help is needed until, ms since the epoch.
    pub end_ms: i64,
    /// The typed needs, at least one.
    #[schemars(length(max = super::validation::LIST_ITEMS_MAX))]
    pub needs: Vec<Need>,
    /// Whether pledges are still wanted.
    pub status: RequestStatus,
    /// When the request was made, ms since the epoch.
    pub created_at_ms: i64,
    /// An exercise, not a real request (see `pact::exercise`: bound to
    /// the record id, so it never changes).
    #[serde(default, skip_serializing_if = "crate::pact::exercise::is_false")]
    pub exercise: bool,
}

impl AidRequest {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("title", &self.title)?;
        check_text("situation", &self.situation)?;
        check_id("priority", CatalogueName::Priority, &self.priority)?;
        self.window().validate("window")?;
        if self.needs.is_empty() {
            return Err(ValidationError::Empty {
                field: "needs".into(),
            });
        }
        check_list("needs", &self.needs)?;
        for (index, need) in self.needs.iter().enumerate() {
            need.validate(&format!("needs[{index}]"))?;
        }
        check_unique("needs", self.needs.iter().map(|n| n.id.as_str()))?;
        check_time("created_at_ms", self.created_at_ms)
    }

    /// The time window help is needed in.
    pub fn window(&self) -> TimeWindow {
        TimeWindow {
            start_ms: self.start_ms,
            end_ms: self.end_ms,
        }
    }

    /// The need with this id.
    pub fn need(&self, id: &RecordId) -> Option<&Need> {
        self.needs.iter().find(|need| &need.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{equipment_need, person_need, request};

    fn error_field(request: &AidRequest) -> String {
        let error = request.validate().unwrap_err();
        error
            .to_string()
            .split(':')
            .next()
            .unwrap_or_default()
            .into()
    }

    #[test]
    fn a_request_with_two_needs_is_valid() {
        let r = request(vec![
            equipment_need("n1", 100),
            person_need("n2", "forensics"),
        ]);
        assert_eq!(r.validate(), Ok(()));
        assert!(r.need(&RecordId::new("n2").unwrap()).is_some());
        assert!(r.need(&RecordId::new("n3").unwrap()).is_none());
    }

    #[test]
    fn request_fields_are_checked() {
        let base = request(vec![equipment_need("n1", 10)]);
        let mut r = base.clone();
        r.title = "\u{0}".into();
        assert_eq!(error_field(&r), "title");
        let mut r = base.clone();
        r.situation = "s".repeat(10_000);
        assert_eq!(error_field(&r), "situation");
        let mut r = base.clone();
        r.priority = "whenever".into();
        assert_eq!(error_field(&r), "priority");
        let mut r = base.clone();
        r.end_ms = r.start_ms;
        assert!(matches!(
            r.validate(),
            Err(ValidationError::EndNotAfterStart { field, .. }) if field == "window"
        ));
        let mut r = base.clone();
        r.needs.clear();
        assert_eq!(error_field(&r), "needs");
        let mut r = base.clone();
        r.needs = (0..33)
            .map(|i| equipment_need(&format!("n{i}"), 1))
            .collect();
        assert!(matches!(r.validate(), Err(ValidationError::TooMany { .. })));
        let mut r = base.clone();
        r.needs.push(equipment_need("n1", 3));
        assert!(matches!(
            r.validate(),
            Err(ValidationError::Duplicate { .. })
        ));
        let mut r = base;
        r.created_at_ms = -1;
        assert_eq!(error_field(&r), "created_at_ms");
    }

    #[test]
    fn need_fields_are_checked() {
        let r = request(vec![equipment_need("n1", 0)]);
        assert_eq!(
            r.validate().unwrap_err().to_string(),
            "needs[0].quantity: must be at least 1, got 0"
        );
        let mut need = equipment_need("n1", 1);
        need.role = Some("lead".into());
        assert_eq!(error_field(&request(vec![need])), "needs[0].role");
        let mut need = equipment_need("n1", 1);
        need.equipment_category = Some("toaster".into());
        assert_eq!(
            error_field(&request(vec![need])),
            "needs[0].equipment_category"
        );
        let mut need = equipment_need("n1", 1);
        need.skills = vec![SkillLevel {
            skill: "vmware".into(),
            level: 1,
        }];
        assert_eq!(error_field(&request(vec![need])), "needs[0].skills");
        let mut need = person_need("n1", "forensics");
        need.equipment_category = Some("laptop".into());
        assert_eq!(
            error_field(&request(vec![need])),
            "needs[0].equipment_category"
        );
        let need = person_need("n1", "janitor");
        assert_eq!(error_field(&request(vec![need])), "needs[0].role");
        let mut need = person_need("n1", "lead");
        need.skills[0].level = 0;
        assert_eq!(
            error_field(&request(vec![need])),
            "needs[0].skills[0].level"
        );
        let mut need = person_need("n1", "lead");
        need.notes = "\u{1b}".into();
        assert_eq!(error_field(&request(vec![need])), "needs[0].notes");
    }
}
