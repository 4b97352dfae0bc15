//! An offer → the values its edit form shows, by field name; what
//! `offer_of` reads back.

use amtshilfe_protocol::model::{Offer, OfferDetail, SkillLevel};

use super::name::{self, ON};
use super::{FormValues, SKILL_ROWS_MAX, TEAM_ROWS_MAX};
use crate::format::{date, last_day_before};

fn text_list(items: &[String]) -> String {
    items.join(", ")
}

fn skill_values(values: &mut FormValues, skills: &[SkillLevel]) {
    for (row, skill) in skills.iter().enumerate().take(SKILL_ROWS_MAX) {
        values.insert(name::skill(row), skill.skill.clone());
        values.insert(name::skill_level(row), skill.level.to_string());
    }
}

fn flag(values: &mut FormValues, name: &str, on: bool) {
    if on {
        values.insert(name.to_owned(), ON.to_owned());
    }
}

/// The form values of an existing offer (for its edit page).
pub fn offer_values(offer: &Offer) -> FormValues {
    use name as n;
    let mut v = FormValues::new();
    let mut put = |name: &str, value: String| {
        v.insert(name.to_owned(), value);
    };
    put(n::KIND, offer.kind().id().to_owned());
    put(n::TITLE, offer.title.clone());
    put(n::STATUS, offer.status.id().to_owned());
    put(n::VALID_FROM, date(offer.valid_from_ms));
    put(
        n::VALID_UNTIL,
        offer
            .valid_until_ms
            // The form's "valid until" is the last day that counts in full.
            .map(|until| date(last_day_before(until)))
            .unwrap_or_default(),
    );
    put(n::CONTACT_ROLE, offer.contact.role.clone());
    put(n::CONTACT_PHONE, offer.contact.phone.clone());
    put(n::CONTACT_EMAIL, offer.contact.email.clone());
    put(n::NOTES, offer.notes.clone());
    match &offer.detail {
        OfferDetail::Equipment(e) => {
            put(n::CATEGORY, e.category.clone());
            put(n::QUANTITY, e.quantity.to_string());
            put(n::IMAGE_STATE, e.image_state.clone());
            put(n::LOCATION, e.location.clone());
            put(n::SETUP_HOURS, e.setup_hours.to_string());
            put(n::TRANSPORT, e.transport.clone());
            flag(&mut v, n::OWN_COMMUNICATIONS, e.own_communications);
            flag(&mut v, n::WIPED_ON_RETURN, e.wiped_on_return);
            if let Some(image) = &e.clean_image {
                v.insert(n::CLEAN_IMAGE_BY.into(), image.imaged_by.clone());
                v.insert(n::CLEAN_IMAGE_DATE.into(), date(image.imaged_at_ms));
                v.insert(n::CLEAN_IMAGE_NAME.into(), image.image_name.clone());
                v.insert(n::CLEAN_IMAGE_SHA256.into(), image.image_sha256.clone());
            }
        }
        OfferDetail::Person(p) => {
            put(n::ROLE, p.role.clone());
            put(n::MODE, p.mode.id().to_owned());
            put(n::CLEARANCE, p.clearance.clone());
            put(n::EMPLOYMENT_BASIS, p.employment_basis.clone());
            put(n::TRAVEL_RADIUS_KM, p.travel_radius_km.to_string());
            put(n::MAX_DEPLOYMENT_DAYS, p.max_deployment_days.to_string());
            put(n::MAX_SHIFT_HOURS, p.max_shift_hours.to_string());
            put(n::LANGUAGES, text_list(&p.languages));
            put(n::CERTIFICATES, text_list(&p.certificates));
            flag(&mut v, n::ON_CALL_24_7, p.on_call_24_7);
            flag(&mut v, n::RELEASE_APPROVED, p.release_approved);
            skill_values(&mut v, &p.skills);
        }
        OfferDetail::RemoteCapacity(r) => {
            put(n::HOURS_PER_WEEK, r.hours_per_week.to_string());
            put(
                n::RESPONSE_TIME_MINUTES,
                r.response_time_minutes.to_string(),
            );
            put(n::COVERAGE_HOURS, r.coverage_hours.clone());
            put(n::TOOLS, text_list(&r.tools));
            for channel in &r.channels {
                flag(&mut v, &n::channel(channel), true);
            }
            flag(&mut v, n::NEEDS_CLEAN_JUMP_HOST, r.needs_clean_jump_host);
            skill_values(&mut v, &r.skills);
        }
        OfferDetail::TeamPackage(t) => {
            put(n::MISSION, t.mission.clone());
            put(n::MODE, t.mode.id().to_owned());
            put(n::LIMITATIONS, t.limitations.clone());
            put(n::REQUIRED_SUPPORT, t.required_support.clone());
            put(
                n::SELF_SUFFICIENCY_HOURS,
                t.self_sufficiency_hours.to_string(),
            );
            put(n::MOBILISATION_HOURS, t.mobilisation_hours.to_string());
            put(n::DURATION_DAYS, t.duration_days.to_string());
            put(
                n::COST_ESTIMATE_EUR,
                t.cost_estimate_eur
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            );
            for (row, member) in t.composition.iter().enumerate().take(TEAM_ROWS_MAX) {
                put(&n::member_role(row), member.role.clone());
                put(&n::member_count(row), member.count.to_string());
            }
        }
        OfferDetail::ServiceRelocation(s) => {
            put(n::SERVICE, s.service.clone());
            put(
                n::CAPACITY_CASES_PER_WEEK,
                s.capacity_cases_per_week.to_string(),
            );
            put(n::LOCATION, s.location.clone());
        }
    }
    v
}
