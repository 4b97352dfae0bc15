//! What the pages and the API read alike: the registry query (its filter
//! and its page).

use amtshilfe_protocol::ids::MemberId;
use amtshilfe_protocol::model::{Mode, OfferKind, OfferStatus, SkillLevel, TimeWindow};
use amtshilfe_protocol::read_model::RegistryFilter;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::http::ApiError;

/// The value of `status` that asks for offers of every status.
pub const ANY_STATUS: &str = "any";

/// Refusal code: `skill_level` came without `skill`.
pub const SKILL_LEVEL_NEEDS_SKILL: &str = "skill_level_needs_skill";
/// Refusal code: only one end of the window came.
pub const WINDOW_NEEDS_BOTH_ENDS: &str = "window_needs_both_ends";

/// The schema of `status`: an offer status or [`ANY_STATUS`].
fn status_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut values: Vec<&str> = OfferStatus::ALL.iter().map(|status| status.id()).collect();
    values.push(ANY_STATUS);
    schemars::json_schema!({ "type": "string", "enum": values })
}

/// The query parameters of `GET /api/registry`; every one is optional.
/// Without `status` only available offers are listed; `status=any` lists all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistryQuery {
    /// Offer kind (`person`, `equipment`, …).
    pub kind: Option<OfferKind>,
    /// A role id the offer provides.
    pub role: Option<String>,
    /// A skill id the offer brings …
    pub skill: Option<String>,
    /// … at this level or higher (default 1; needs `skill`).
    pub skill_level: Option<u8>,
    /// An equipment category id.
    pub category: Option<String>,
    /// Where the help is needed (`remote`, `onsite`, `both`).
    pub mode: Option<Mode>,
    /// Start of the window the offer must be usable in, ms (with `window_end_ms`).
    pub window_start_ms: Option<i64>,
    /// End of that window, ms (with `window_start_ms`).
    pub window_end_ms: Option<i64>,
    /// At least this many units still free.
    pub min_remaining: Option<u32>,
    /// Offers of this member only (hex member id).
    pub owner: Option<MemberId>,
    /// Offers of members in this region only: the member's name contains
    /// it (any case) or its AGS starts with it.
    #[schemars(length(max = REGION_CHARS_MAX))]
    pub region: Option<String>,
    /// An offer status, or `any`.
    #[schemars(schema_with = "status_schema")]
    pub status: Option<String>,
    /// Most offers in one answer (default [`REGISTRY_LIMIT_DEFAULT`], at
    /// most [`REGISTRY_LIMIT_MAX`]).
    #[schemars(range(min = 1, max = REGISTRY_LIMIT_MAX))]
    pub limit: Option<usize>,
    /// How many matching offers to skip (default 0). When more follow the
    /// answer, its `X-Next-Offset` header says where the next page starts.
    pub offset: Option<usize>,
}

/// Offers in one registry answer unless `limit` says otherwise.
pub const REGISTRY_LIMIT_DEFAULT: usize = 100;
/// Most offers one registry answer may hold: a whole federal state's pact
/// has tens of thousands, far too many for one answer.
pub const REGISTRY_LIMIT_MAX: usize = 1_000;
/// Longest `region`: a member's name is no longer
/// (`NAME_CHARS_MAX`), and each query compares it with every owner's name.
pub const REGION_CHARS_MAX: usize = amtshilfe_protocol::model::NAME_CHARS_MAX;
/// The header naming the offset of the next page, if there is one.
pub const NEXT_OFFSET_HEADER: &str = "x-next-offset";

impl RegistryQuery {
    /// The page asked for: (offset, limit).
    pub fn page(&self) -> Result<(usize, usize), ApiError> {
        let limit = self.limit.unwrap_or(REGISTRY_LIMIT_DEFAULT);
        if !(1..=REGISTRY_LIMIT_MAX).contains(&limit) {
            return Err(ApiError::InvalidQuery(format!(
                "limit must be between 1 and {REGISTRY_LIMIT_MAX}, got {limit}"
            )));
        }
        Ok((self.offset.unwrap_or(0), limit))
    }

    /// The read model's filter for this query.
    pub fn to_filter(&self) -> Result<RegistryFilter, ApiError> {
        let skill = match (&self.skill, self.skill_level) {
            (Some(skill), level) => Some(SkillLevel {
                skill: skill.clone(),
                level: level.unwrap_or(1),
            }),
            (None, Some(_)) => {
                return Err(ApiError::QueryRule {
                    code: SKILL_LEVEL_NEEDS_SKILL,
                    message: "skill_level needs a skill".into(),
                });
            }
            (None, None) => None,
        };
        let window = match (self.window_start_ms, self.window_end_ms) {
            (Some(start_ms), Some(end_ms)) => {
                let window = TimeWindow { start_ms, end_ms };
                window.validate("window")?;
                Some(window)
            }
            (None, None) => None,
            _ => {
                return Err(ApiError::QueryRule {
                    code: WINDOW_NEEDS_BOTH_ENDS,
                    message: "window_start_ms and window_end_ms go together".into(),
                });
            }
        };
        let status = match self.status.as_deref() {
            None => Some(OfferStatus::Available),
            Some(ANY_STATUS) => None,
            Some(text) => Some(serde_json::from_value(json!(text)).map_err(|_| {
                ApiError::InvalidQuery(format!(
                    "status must be an offer status or {ANY_STATUS:?}, got {text:?}"
                ))
            })?),
        };
        let region = self.region.clone().filter(|region| !region.is_empty());
        if let Some(region) = &region
            && region.chars().count() > REGION_CHARS_MAX
        {
            return Err(ApiError::InvalidQuery(format!(
                "region must be at most {REGION_CHARS_MAX} characters"
            )));
        }
        Ok(RegistryFilter {
            kind: self.kind,
            role: self.role.clone(),
            skill,
            equipment_category: self.category.clone(),
            mode: self.mode,
            window,
            min_remaining: self.min_remaining.unwrap_or(0),
            owner: self.owner,
            status,
            region,
        })
    }
}
