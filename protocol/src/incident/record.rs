//! The records of an incident room, all written by one member into its own
//! Requests document (single writer, like every document of the pact):
//!
//! - [`Incident`]: title, awareness time, affected services, clock profile,
//!   status, the requests that belong to it, the helpers it chose; written
//!   by the hit member, or by another member acting on its behalf
//!   (`on_behalf_of`), and taken over by the hit member with `adopts`;
//! - [`IncidentStep`]: the state of one checklist step;
//! - [`TimelineEntry`]: a line of the decision log written by a person,
//!   with its TLP level.
//!
//! Only one record at a time is checked here. Which member may act for
//! which is checked in ingress (`crate::ingress`), whether an adoption
//! names a real on-behalf incident in the read model.

use serde::{Deserialize, Serialize};

use super::checklist::step_template;
use super::clocks::ClockProfile;
use crate::ids::{MemberId, RecordId};
use crate::model::validation::{
    ValidationError, check_list, check_name, check_short, check_short_required, check_text,
    check_time, check_unique, inconsistent,
};
use crate::seal::Sealed;

/// Whether the incident is still being worked.
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
pub enum IncidentStatus {
    /// Being worked.
    Open,
    /// Over: aid released, costs settled.
    Closed,
}

/// Points at an incident record in a member's Requests document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentRef {
    /// The member whose document holds it.
    pub author: MemberId,
    /// Its record id.
    pub incident: RecordId,
}

/// An incident of a hit member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// Short title, e.g. "Ransomware im Rathaus".
    pub title: String,
    /// When the member became aware of the incident: the legal clocks start
    /// here, not when the record was written.
    pub aware_at_ms: i64,
    /// Services that are down or degraded, e.g. "Meldewesen".
    #[serde(default)]
    pub affected_services: Vec<String>,
    /// Which legal clocks run.
    pub profile: ClockProfile,
    /// Being worked or over.
    pub status: IncidentStatus,
    /// Set when the author acts for a hit member that cannot (its own node
    /// is down): the hit member. Shown as such everywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<MemberId>,
    /// Set by the hit member when it is back: the on-behalf incident this
    /// record takes over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopts: Option<IncidentRef>,
    /// Record ids of the author's requests that belong to this incident.
    #[serde(default)]
    pub requests: Vec<RecordId>,
    /// Members chosen as helpers, besides those with accepted mission
    /// orders (who are helpers anyway).
    #[serde(default)]
    pub helpers: Vec<MemberId>,
    /// When the record was first written, ms since the epoch.
    pub created_at_ms: i64,
    /// An exercise, not a real incident (see `pact::exercise`: bound to
    /// the record id, so it never changes).
    #[serde(default, skip_serializing_if = "crate::pact::exercise::is_false")]
    pub exercise: bool,
}

impl Incident {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("title", &self.title)?;
        check_time("aware_at_ms", self.aware_at_ms)?;
        check_list("affected_services", &self.affected_services)?;
        for (index, service) in self.affected_services.iter().enumerate() {
            check_short_required(&format!("affected_services[{index}]"), service)?;
        }
        check_unique(
            "affected_services",
            self.affected_services.iter().map(String::as_str),
        )?;
        if self.on_behalf_of.is_some() && self.adopts.is_some() {
            return Err(inconsistent(
                "adopts",
                "only the hit member adopts; an incident written on behalf of it adopts nothing",
            ));
        }
        check_list("requests", &self.requests)?;
        check_unique("requests", self.requests.iter().map(RecordId::as_str))?;
        check_list("helpers", &self.helpers)?;
        let helpers: Vec<String> = self.helpers.iter().map(ToString::to_string).collect();
        check_unique("helpers", helpers.iter().map(String::as_str))?;
        if self
            .on_behalf_of
            .is_some_and(|hit| self.helpers.contains(&hit))
        {
            return Err(inconsistent(
                "helpers",
                "the hit member is not its own helper",
            ));
        }
        check_time("created_at_ms", self.created_at_ms)
    }
}

/// Where a checklist step stands.
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
pub enum StepState {
    /// Not started.
    Open,
    /// Someone is on it.
    InProgress,
    /// Done.
    Done,
    /// Does not apply to this incident.
    NotApplicable,
}

/// The state of one checklist step of an incident (same document).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentStep {
    /// The incident's record id.
    pub incident: RecordId,
    /// A step id of the checklist template.
    pub step: String,
    /// Where it stands.
    pub state: StepState,
    /// Who is on it (a role or a name; empty: nobody yet).
    #[serde(default)]
    pub owner: String,
    /// Free note.
    #[serde(default)]
    pub note: String,
    /// Last change, ms since the epoch; the latest record of a step wins.
    pub updated_at_ms: i64,
}

impl IncidentStep {
    /// Checks every field; the step must be in the template.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if step_template(&self.step).is_none() {
            return Err(ValidationError::BadFormat {
                field: "step".into(),
                reason: "must be a step id of the incident checklist",
            });
        }
        check_short("owner", &self.owner)?;
        check_text("note", &self.note)?;
        check_time("updated_at_ms", self.updated_at_ms)
    }
}

/// Traffic Light Protocol level of a timeline entry: who may read it.
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
pub enum Tlp {
    /// The whole pact.
    Clear,
    /// The hit member, its helpers and its officer.
    Amber,
    /// The hit member and its officer.
    Red,
}

/// How a reader stands to an incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReaderRole {
    /// The hit member itself (or the member acting for it).
    HitMember,
    /// The security officer serving the hit member.
    Officer,
    /// A member the hit member chose, or one with an accepted mission order.
    Helper,
    /// Any other member of the pact.
    OtherMember,
}

impl Tlp {
    /// Whether a reader in `role` may read an entry of this level.
    pub fn readable_by(self, role: ReaderRole) -> bool {
        match self {
            Tlp::Clear => true,
            Tlp::Amber => role != ReaderRole::OtherMember,
            Tlp::Red => matches!(role, ReaderRole::HitMember | ReaderRole::Officer),
        }
    }
}

/// One line of the decision log, written by a person.
///
/// A `clear` line carries its text in the clear. An `amber` or `red` line
/// carries it only in `sealed`, encrypted to its readers (see
/// [`super::sealed_line`]); its other fields stay in the clear, because
/// every node must check them, and are bound into the seal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    /// The incident's record id.
    pub incident: RecordId,
    /// When it happened or was decided, ms since the epoch.
    pub at_ms: i64,
    /// Who may read it.
    pub tlp: Tlp,
    /// Who wrote it (a role or a name).
    pub author: String,
    /// What happened or was decided; empty on a sealed line.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The text of an `amber` or `red` line, sealed to its readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<Sealed>,
}

impl TimelineEntry {
    /// Checks every field.
    ///
    /// A `clear` line has its text and nothing sealed. A line above `clear`
    /// has no text in the clear (it would be readable on every node that
    /// relays it) and a well-formed sealed text; who its readers may be is
    /// checked against the membership log in ingress
    /// ([`super::sealed_line::check_line_readers`]).
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("at_ms", self.at_ms)?;
        check_short_required("author", &self.author)?;
        match (&self.sealed, self.tlp) {
            (None, Tlp::Clear) => {
                if self.text.trim().is_empty() {
                    return Err(ValidationError::Empty {
                        field: "text".into(),
                    });
                }
                check_text("text", &self.text)
            }
            (Some(_), Tlp::Clear) => Err(inconsistent(
                "sealed",
                "a clear line is not sealed; its text is readable by the whole pact",
            )),
            (None, _) => Err(inconsistent(
                "tlp",
                "amber and red lines must be sealed to their readers",
            )),
            (Some(sealed), _) => {
                if !self.text.is_empty() {
                    return Err(inconsistent(
                        "text",
                        "a sealed line carries its text only sealed",
                    ));
                }
                sealed
                    .check_structure()
                    .map_err(|e| ValidationError::BadFormat {
                        field: "sealed".into(),
                        reason: e.code(),
                    })
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::validation::LIST_ITEMS_MAX;

    /// 2026-12-06T08:00:00Z.
    pub(crate) const AWARE_MS: i64 = 1_796_544_000_000;

    pub(crate) fn incident() -> Incident {
        Incident {
            title: "Ransomware im Rathaus".into(),
            aware_at_ms: AWARE_MS,
            affected_services: vec!["Meldewesen".into(), "E-Mail".into()],
            profile: ClockProfile::Gdpr,
            status: IncidentStatus::Open,
            on_behalf_of: None,
            adopts: None,
            requests: vec![RecordId::new("r1").unwrap()],
            helpers: vec![],
            created_at_ms: AWARE_MS + 3_600_000,
            exercise: false,
        }
    }

    #[test]
    fn incidents_are_checked() {
        assert_eq!(incident().validate(), Ok(()));
        let mut i = incident();
        i.title = " ".into();
        assert!(matches!(i.validate(), Err(ValidationError::Empty { field }) if field == "title"));
        let mut i = incident();
        i.aware_at_ms = -1;
        assert_eq!(i.validate().unwrap_err().field(), "aware_at_ms");
        let mut i = incident();
        i.affected_services = vec!["x".into(); LIST_ITEMS_MAX + 1];
        assert!(matches!(i.validate(), Err(ValidationError::TooMany { .. })));
        let mut i = incident();
        i.affected_services.push("E-Mail".into());
        assert!(matches!(
            i.validate(),
            Err(ValidationError::Duplicate { .. })
        ));
        let mut i = incident();
        i.on_behalf_of = Some(MemberId([7; 32]));
        assert_eq!(i.validate(), Ok(()));
        i.adopts = Some(IncidentRef {
            author: MemberId([8; 32]),
            incident: RecordId::new("i1").unwrap(),
        });
        assert_eq!(i.validate().unwrap_err().field(), "adopts");
        let mut i = incident();
        i.on_behalf_of = Some(MemberId([7; 32]));
        i.helpers = vec![MemberId([7; 32])];
        assert_eq!(i.validate().unwrap_err().field(), "helpers");
    }

    #[test]
    fn profiles_are_stored_by_their_ids() {
        let mut i = incident();
        i.profile = ClockProfile::GdprBsig32;
        let json = serde_json::to_string(&i).unwrap();
        assert!(json.contains("\"profile\":\"gdpr+bsig32\""), "{json}");
        assert!(!json.contains("on_behalf_of"), "{json}");
        assert_eq!(serde_json::from_str::<Incident>(&json).unwrap(), i);
        let bad = json.replace("gdpr+bsig32", "bsig");
        assert!(serde_json::from_str::<Incident>(&bad).is_err());
    }

    #[test]
    fn steps_name_a_template_step() {
        let step = IncidentStep {
            incident: RecordId::new("i1").unwrap(),
            step: "crisis_staff".into(),
            state: StepState::InProgress,
            owner: "Krisenstab".into(),
            note: String::new(),
            updated_at_ms: AWARE_MS,
        };
        assert_eq!(step.validate(), Ok(()));
        let mut s = step.clone();
        s.step = "party".into();
        assert_eq!(s.validate().unwrap_err().field(), "step");
        let mut s = step;
        s.owner = "o".repeat(500);
        assert!(matches!(s.validate(), Err(ValidationError::TooLong { .. })));
    }

    #[test]
    fn tlp_levels_decide_who_reads() {
        use ReaderRole::*;
        assert!(
            [HitMember, Officer, Helper, OtherMember]
                .into_iter()
                .all(|r| Tlp::Clear.readable_by(r))
        );
        assert!(Tlp::Amber.readable_by(Helper) && Tlp::Amber.readable_by(Officer));
        assert!(!Tlp::Amber.readable_by(OtherMember));
        assert!(Tlp::Red.readable_by(HitMember) && Tlp::Red.readable_by(Officer));
        assert!(!Tlp::Red.readable_by(Helper));
    }

    #[test]
    fn unsealed_amber_and_red_entries_are_refused() {
        let entry = TimelineEntry {
            incident: RecordId::new("i1").unwrap(),
            at_ms: AWARE_MS,
            tlp: Tlp::Clear,
            author: "Krisenstab".into(),
            text: "Netz getrennt".into(),
            sealed: None,
        };
        assert_eq!(entry.validate(), Ok(()));
        for tlp in [Tlp::Amber, Tlp::Red] {
            let mut e = entry.clone();
            e.tlp = tlp;
            assert_eq!(e.validate().unwrap_err().field(), "tlp");
        }
        let mut e = entry;
        e.text = "  ".into();
        assert!(matches!(e.validate(), Err(ValidationError::Empty { .. })));
    }
}
