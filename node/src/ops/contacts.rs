//! This member's 24/7 contacts: set them (primary and deputy, each role,
//! phone and e-mail) or confirm them unchanged. Both write this member's
//! own profile, the only profile a node may write, and both set
//! `contacts_confirmed_ms` to now: whoever saves them has just looked at
//! them. A member without a profile yet names its kind and AGS once; the
//! name is its name in the membership log. Every field is checked by
//! `MemberProfile::validate`; a refusal writes nothing.

use amtshilfe_protocol::model::{Contact, MemberProfile, Record, RecordKey};
use serde::Deserialize;

use super::write::{Saved, save};
use crate::core::Core;
use crate::http::{ApiError, ApiState};

/// New 24/7 contacts, as the API and the page take them.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactsBody {
    /// The 24/7 primary contact.
    pub primary_contact: Contact,
    /// The 24/7 deputy contact.
    pub deputy_contact: Contact,
    /// The member kind (catalogue `member_kind`), needed only while the
    /// member has no profile; ignored after.
    #[serde(default)]
    pub kind: Option<String>,
    /// The AGS, needed only while the member has no profile (not for an
    /// IT provider); ignored after.
    #[serde(default)]
    pub ags: Option<String>,
}

fn own_profile(core: &Core) -> Option<MemberProfile> {
    core.replica()
        .read_model()
        .profile(&core.device().member)
        .cloned()
}

/// Later than the version it replaces, whatever the clocks say.
fn next_update(profile: &MemberProfile, now_ms: i64) -> i64 {
    now_ms.max(profile.updated_at_ms.saturating_add(1))
}

/// Sets this member's contacts and confirms them.
pub(crate) async fn set_contacts(state: &ApiState, body: ContactsBody) -> Result<Saved, ApiError> {
    save(state, move |core, now_ms| {
        let mut profile = match own_profile(core) {
            Some(profile) => profile,
            None => MemberProfile {
                name: super::pact::name_of(
                    core.replica().membership().state(),
                    &core.device().member,
                ),
                ags: body.ags.filter(|a| !a.trim().is_empty()),
                kind: body.kind.unwrap_or_default(),
                population: None,
                region: String::new(),
                location: String::new(),
                primary_contact: body.primary_contact.clone(),
                deputy_contact: body.deputy_contact.clone(),
                coordinates: None,
                updated_at_ms: 0,
                contacts_confirmed_ms: None,
            },
        };
        profile.updated_at_ms = next_update(&profile, now_ms);
        profile.primary_contact = body.primary_contact;
        profile.deputy_contact = body.deputy_contact;
        profile.contacts_confirmed_ms = Some(now_ms);
        profile.validate()?;
        Ok((RecordKey::profile(), Record::Profile(profile)))
    })
    .await
}

/// Confirms this member's contacts as they are; 404 `profile_not_found`
/// if it has none yet.
pub(crate) async fn confirm_contacts(state: &ApiState) -> Result<Saved, ApiError> {
    save(state, move |core, now_ms| {
        let mut profile = own_profile(core).ok_or_else(|| {
            ApiError::not_found(
                "profile_not_found",
                "Dieses Mitglied hat noch keine Kontakte hinterlegt. / This member has no \
                 contacts yet; set them first.",
            )
        })?;
        profile.updated_at_ms = next_update(&profile, now_ms);
        profile.contacts_confirmed_ms = Some(now_ms);
        profile.validate()?;
        Ok((RecordKey::profile(), Record::Profile(profile)))
    })
    .await
}
