//! Catalogues: the closed vocabularies of the domain (roles, skills,
//! equipment categories, …) as data with stable ids and German and English
//! labels.
//!
//! The lists live in `protocol/catalogues/*.json`, are embedded into the
//! binary and parsed once. Model fields that refer to a catalogue hold the id
//! as a string and validation checks it here, so adding an entry is a data
//! change, not a code change. Removing or renaming an id breaks stored
//! records; never do that, add a new id instead.
//!
//! This module never reads files at run time and never changes a catalogue
//! after it was parsed.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Longest catalogue id, in characters.
pub const ENTRY_ID_CHARS_MAX: usize = 40;
/// Longest label, in characters.
pub const LABEL_CHARS_MAX: usize = 80;

/// One catalogue entry: a stable id and its labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable id, stored in records: `a-z`, `0-9`, `_`.
    pub id: String,
    /// German label (the interface language).
    pub de: String,
    /// English label.
    pub en: String,
}

/// One catalogue: a versioned, ordered list of entries. The order is the
/// display order (and, for priorities, the rank: first is most urgent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Bumped whenever entries are added or labels change.
    pub version: u32,
    entries: Vec<Entry>,
}

impl Catalogue {
    const EMPTY: Catalogue = Catalogue {
        version: 0,
        entries: Vec::new(),
    };

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.id == id)
    }

    /// Whether the id is in this catalogue.
    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Position of the id in display order.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|entry| entry.id == id)
    }

    /// All entries, in display order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// Names the catalogues; used in validation errors and generic lookups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogueName {
    /// Roles of a person in an incident.
    Role,
    /// Technical skills.
    Skill,
    /// Skill levels: 1 basic, 2 advanced, 3 expert.
    SkillLevel,
    /// Equipment categories.
    EquipmentCategory,
    /// States of an equipment image.
    ImageState,
    /// Security clearances (Sicherheitsüberprüfung).
    Clearance,
    /// Legal bases for lending staff.
    EmploymentBasis,
    /// Remote, on site, or both.
    Mode,
    /// Offer kinds.
    OfferKind,
    /// Request priorities.
    Priority,
    /// Kinds of pact member.
    MemberKind,
    /// Remote support channels.
    Channel,
}

impl CatalogueName {
    /// Every catalogue.
    pub const ALL: [CatalogueName; 12] = [
        CatalogueName::Role,
        CatalogueName::Skill,
        CatalogueName::SkillLevel,
        CatalogueName::EquipmentCategory,
        CatalogueName::ImageState,
        CatalogueName::Clearance,
        CatalogueName::EmploymentBasis,
        CatalogueName::Mode,
        CatalogueName::OfferKind,
        CatalogueName::Priority,
        CatalogueName::MemberKind,
        CatalogueName::Channel,
    ];

    /// What one entry of this catalogue is called, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            CatalogueName::Role => "role",
            CatalogueName::Skill => "skill",
            CatalogueName::SkillLevel => "skill level",
            CatalogueName::EquipmentCategory => "equipment category",
            CatalogueName::ImageState => "image state",
            CatalogueName::Clearance => "security clearance",
            CatalogueName::EmploymentBasis => "employment basis",
            CatalogueName::Mode => "mode",
            CatalogueName::OfferKind => "offer kind",
            CatalogueName::Priority => "priority",
            CatalogueName::MemberKind => "member kind",
            CatalogueName::Channel => "channel",
        }
    }

    fn source(self) -> &'static str {
        match self {
            CatalogueName::Role => include_str!("../catalogues/roles.json"),
            CatalogueName::Skill => include_str!("../catalogues/skills.json"),
            CatalogueName::SkillLevel => include_str!("../catalogues/skill_levels.json"),
            CatalogueName::EquipmentCategory => {
                include_str!("../catalogues/equipment_categories.json")
            }
            CatalogueName::ImageState => include_str!("../catalogues/image_states.json"),
            CatalogueName::Clearance => include_str!("../catalogues/clearances.json"),
            CatalogueName::EmploymentBasis => include_str!("../catalogues/employment_bases.json"),
            CatalogueName::Mode => include_str!("../catalogues/modes.json"),
            CatalogueName::OfferKind => include_str!("../catalogues/offer_kinds.json"),
            CatalogueName::Priority => include_str!("../catalogues/priorities.json"),
            CatalogueName::MemberKind => include_str!("../catalogues/member_kinds.json"),
            CatalogueName::Channel => include_str!("../catalogues/channels.json"),
        }
    }
}

impl std::fmt::Display for CatalogueName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.noun())
    }
}

/// Embedded catalogue data that does not parse or breaks the entry rules.
/// A programmer error: the unit tests of this module catch it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("embedded {catalogue} catalogue is broken: {reason}")]
pub struct CatalogueError {
    /// Which catalogue.
    pub catalogue: CatalogueName,
    /// What is wrong with it.
    pub reason: String,
}

/// All catalogues, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalogues {
    // Indexed by the position of the name in `CatalogueName::ALL`.
    lists: [Catalogue; CatalogueName::ALL.len()],
}

impl Catalogues {
    const EMPTY: Catalogues = Catalogues {
        lists: [const { Catalogue::EMPTY }; CatalogueName::ALL.len()],
    };

    /// The catalogue with this name.
    pub fn get(&self, name: CatalogueName) -> &Catalogue {
        &self.lists[name as usize]
    }

    /// The entry `id` of catalogue `name`.
    pub fn entry(&self, name: CatalogueName, id: &str) -> Option<&Entry> {
        self.get(name).get(id)
    }

    /// A person role.
    pub fn role(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::Role, id)
    }

    /// A skill.
    pub fn skill(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::Skill, id)
    }

    /// A skill level (1, 2 or 3).
    pub fn skill_level(&self, level: u8) -> Option<&Entry> {
        self.entry(CatalogueName::SkillLevel, &level.to_string())
    }

    /// An equipment category.
    pub fn equipment_category(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::EquipmentCategory, id)
    }

    /// An image state.
    pub fn image_state(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::ImageState, id)
    }

    /// A security clearance.
    pub fn clearance(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::Clearance, id)
    }

    /// An employment basis.
    pub fn employment_basis(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::EmploymentBasis, id)
    }

    /// A mode (remote, on site, both).
    pub fn mode(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::Mode, id)
    }

    /// An offer kind.
    pub fn offer_kind(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::OfferKind, id)
    }

    /// A priority.
    pub fn priority(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::Priority, id)
    }

    /// A member kind.
    pub fn member_kind(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::MemberKind, id)
    }

    /// A remote support channel.
    pub fn channel(&self, id: &str) -> Option<&Entry> {
        self.entry(CatalogueName::Channel, id)
    }

    fn parse_all() -> Result<Self, CatalogueError> {
        let mut out = Self::EMPTY;
        for name in CatalogueName::ALL {
            out.lists[name as usize] = parse_one(name, name.source())?;
        }
        Ok(out)
    }
}

fn parse_one(name: CatalogueName, source: &str) -> Result<Catalogue, CatalogueError> {
    let fail = |reason: String| CatalogueError {
        catalogue: name,
        reason,
    };
    let catalogue: Catalogue = serde_json::from_str(source).map_err(|e| fail(e.to_string()))?;
    if catalogue.entries.is_empty() {
        return Err(fail("no entries".into()));
    }
    let mut seen = std::collections::BTreeSet::new();
    for entry in &catalogue.entries {
        let id_ok = !entry.id.is_empty()
            && entry.id.len() <= ENTRY_ID_CHARS_MAX
            && entry
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !id_ok {
            return Err(fail(format!("bad id {:?}", entry.id)));
        }
        if !seen.insert(entry.id.as_str()) {
            return Err(fail(format!("id {:?} appears twice", entry.id)));
        }
        for label in [&entry.de, &entry.en] {
            if label.trim().is_empty() || label.chars().count() > LABEL_CHARS_MAX {
                return Err(fail(format!("bad label for {:?}", entry.id)));
            }
        }
    }
    Ok(catalogue)
}

static PARSED: OnceLock<Result<Catalogues, CatalogueError>> = OnceLock::new();
static EMPTY: Catalogues = Catalogues::EMPTY;

/// The catalogues, parsed on first use.
///
/// If the embedded data were broken every catalogue would be empty, so all
/// records that name a catalogue id fail validation (fail closed) instead of
/// the node crashing; [`load_error`] says why, and the unit tests make sure
/// it never happens in a release.
pub fn catalogues() -> &'static Catalogues {
    match PARSED.get_or_init(Catalogues::parse_all) {
        Ok(parsed) => parsed,
        Err(_) => &EMPTY,
    }
}

/// Why the embedded catalogues did not parse, if they did not. A node checks
/// this once at start-up.
pub fn load_error() -> Option<&'static CatalogueError> {
    PARSED.get_or_init(Catalogues::parse_all).as_ref().err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogues_parse() {
        assert_eq!(load_error(), None);
        for name in CatalogueName::ALL {
            assert!(
                !catalogues().get(name).entries().is_empty(),
                "{name} is empty"
            );
        }
    }

    #[test]
    fn names_index_their_own_slot() {
        for (index, name) in CatalogueName::ALL.into_iter().enumerate() {
            assert_eq!(name as usize, index);
        }
    }

    #[test]
    fn lookups_find_entries_with_both_labels() {
        let c = catalogues();
        let forensics = c.role("forensics").unwrap();
        assert_eq!(forensics.de, "IT-Forensik");
        assert_eq!(forensics.en, "Forensics");
        assert_eq!(c.clearance("ue2").unwrap().de, "Ü2");
        assert_eq!(c.skill_level(3).unwrap().en, "Expert");
        assert!(c.skill_level(4).is_none());
        assert!(c.role("janitor").is_none());
        assert!(c.skill("okr_civil_register").is_some());
        assert!(c.equipment_category("satellite_terminal").is_some());
        assert!(c.member_kind("it_provider").is_some());
        assert!(c.employment_basis("personalgestellung").is_some());
        assert!(c.image_state("mdm_enrolled").is_some());
        assert!(c.mode("both").is_some());
        assert!(c.offer_kind("team_package").is_some());
        assert!(c.channel("remote_desktop").is_some());
        assert_eq!(c.get(CatalogueName::Priority).position("critical"), Some(0));
    }

    #[test]
    fn role_catalogue_has_the_domain_roles() {
        let ids: Vec<&str> = catalogues()
            .get(CatalogueName::Role)
            .entries()
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "lead",
                "responder",
                "client_rollout",
                "network_firewall",
                "directory_identity",
                "backup_restore",
                "specialist_application",
                "forensics",
                "crisis_communication",
                "data_protection"
            ]
        );
        assert!(catalogues().get(CatalogueName::Skill).entries().len() >= 20);
    }

    #[test]
    fn broken_data_is_rejected() {
        let name = CatalogueName::Role;
        let duplicate = r#"{"version":1,"entries":[
            {"id":"a","de":"A","en":"A"},{"id":"a","de":"B","en":"B"}]}"#;
        assert!(parse_one(name, duplicate).is_err());
        let bad_id = r#"{"version":1,"entries":[{"id":"A-b","de":"A","en":"A"}]}"#;
        assert!(parse_one(name, bad_id).is_err());
        let empty_label = r#"{"version":1,"entries":[{"id":"a","de":" ","en":"A"}]}"#;
        assert!(parse_one(name, empty_label).is_err());
        let unknown_field = r#"{"version":1,"entries":[],"x":1}"#;
        assert!(parse_one(name, unknown_field).is_err());
        assert!(parse_one(name, r#"{"version":1,"entries":[]}"#).is_err());
    }
}
