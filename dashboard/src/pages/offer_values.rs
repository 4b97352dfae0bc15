//! An offer's values as the offer form shows them (for its edit page).
//! The node's `web::offer_fields` reads them back; a round-trip test there
//! keeps both sides in step.

use amtshilfe_protocol::model::{Offer, OfferDetail, OfferStatus, SkillLevel};

use super::offer_form::{FormValues, SKILL_ROWS_MAX, TEAM_ROWS_MAX};
use crate::format::date;

fn text_list(items: &[String]) -> String {
    items.join(", ")
}

fn skill_values(values: &mut FormValues, skills: &[SkillLevel]) {
    for (row, skill) in skills.iter().enumerate().take(SKILL_ROWS_MAX) {
        values.insert(format!("skill{row}"), skill.skill.clone());
        values.insert(format!("skill{row}_level"), skill.level.to_string());
    }
}

fn flag(values: &mut FormValues, name: &str, on: bool) {
    if on {
        values.insert(name.to_owned(), "on".to_owned());
    }
}

/// The form values of an existing offer (for its edit page).
pub fn offer_values(offer: &Offer) -> FormValues {
    let mut v = FormValues::new();
    let mut put = |name: &str, value: String| {
        v.insert(name.to_owned(), value);
    };
    put("kind", offer.kind().id().to_owned());
    put("title", offer.title.clone());
    put("status", status_id(offer.status).to_owned());
    put("valid_from", date(offer.valid_from_ms));
    put(
        "valid_until",
        offer
            .valid_until_ms
            // The form's "valid until" is the last day that counts in full.
            .map(|until| date(crate::format::last_day_before(until)))
            .unwrap_or_default(),
    );
    put("contact_role", offer.contact.role.clone());
    put("contact_phone", offer.contact.phone.clone());
    put("contact_email", offer.contact.email.clone());
    put("notes", offer.notes.clone());
    match &offer.detail {
        OfferDetail::Equipment(e) => {
            put("category", e.category.clone());
            put("quantity", e.quantity.to_string());
            put("image_state", e.image_state.clone());
            put("location", e.location.clone());
            put("setup_hours", e.setup_hours.to_string());
            put("transport", e.transport.clone());
            flag(&mut v, "own_communications", e.own_communications);
            flag(&mut v, "wiped_on_return", e.wiped_on_return);
        }
        OfferDetail::Person(p) => {
            put("role", p.role.clone());
            put("mode", p.mode.id().to_owned());
            put("clearance", p.clearance.clone());
            put("employment_basis", p.employment_basis.clone());
            put("travel_radius_km", p.travel_radius_km.to_string());
            put("max_deployment_days", p.max_deployment_days.to_string());
            put("max_shift_hours", p.max_shift_hours.to_string());
            put("languages", text_list(&p.languages));
            put("certificates", text_list(&p.certificates));
            flag(&mut v, "on_call_24_7", p.on_call_24_7);
            flag(&mut v, "release_approved", p.release_approved);
            skill_values(&mut v, &p.skills);
        }
        OfferDetail::RemoteCapacity(r) => {
            put("hours_per_week", r.hours_per_week.to_string());
            put("response_time_minutes", r.response_time_minutes.to_string());
            put("coverage_hours", r.coverage_hours.clone());
            put("tools", text_list(&r.tools));
            for channel in &r.channels {
                flag(&mut v, &format!("channel_{channel}"), true);
            }
            flag(&mut v, "needs_clean_jump_host", r.needs_clean_jump_host);
            skill_values(&mut v, &r.skills);
        }
        OfferDetail::TeamPackage(t) => {
            put("mission", t.mission.clone());
            put("mode", t.mode.id().to_owned());
            put("limitations", t.limitations.clone());
            put("required_support", t.required_support.clone());
            put(
                "self_sufficiency_hours",
                t.self_sufficiency_hours.to_string(),
            );
            put("mobilisation_hours", t.mobilisation_hours.to_string());
            put("duration_days", t.duration_days.to_string());
            put(
                "cost_estimate_eur",
                t.cost_estimate_eur
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            );
            for (row, member) in t.composition.iter().enumerate().take(TEAM_ROWS_MAX) {
                put(&format!("member{row}_role"), member.role.clone());
                put(&format!("member{row}_count"), member.count.to_string());
            }
        }
        OfferDetail::ServiceRelocation(s) => {
            put("service", s.service.clone());
            put(
                "capacity_cases_per_week",
                s.capacity_cases_per_week.to_string(),
            );
            put("location", s.location.clone());
        }
    }
    v
}

/// The snake_case id of a status, as the form sends it.
pub fn status_id(status: OfferStatus) -> &'static str {
    status.id()
}
