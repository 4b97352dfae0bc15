//! Every kind round-trips: form values → offer → the edit form's values →
//! the same offer; and the page draws exactly the fields this module reads.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use amtshilfe_protocol::model::{DAY_MS, OfferDetail, OfferKind};
use serde_json::json;

use super::*;
use crate::i18n::Lang;
use crate::layout::{Ctx, Nav};
use crate::pages::{OfferForm, offer_edit};

const NOW_MS: i64 = 1_767_225_600_000;

fn values(pairs: &[(&str, &str)]) -> FormValues {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn common(kind: &str) -> Vec<(&str, &str)> {
    vec![
        (name::KIND, kind),
        (name::TITLE, "Angebot"),
        (name::VALID_FROM, "2026-01-01"),
        (name::VALID_UNTIL, "2026-03-31"),
        (name::CONTACT_ROLE, "IT-Rufbereitschaft"),
        (name::CONTACT_PHONE, "+49 6252 15-0"),
        (name::CONTACT_EMAIL, "it@example.de"),
    ]
}

/// One filled form per kind, with every field the kind has.
fn filled_forms() -> Vec<(OfferKind, FormValues)> {
    let per_kind: Vec<(OfferKind, Vec<(&str, &str)>)> = vec![
        (
            OfferKind::Equipment,
            vec![
                ("category", "laptop"),
                ("quantity", "3"),
                ("image_state", "clean_standalone"),
                ("location", "Heppenheim"),
                ("setup_hours", "4"),
                ("transport", "Abholung"),
                ("own_communications", "on"),
                ("wiped_on_return", "on"),
                ("clean_image_imaged_by", "M. Weber, IT Heppenheim"),
                ("clean_image_date", "2025-12-30"),
                ("clean_image_image_name", "Win11-Basis-2025-12"),
                (
                    "clean_image_image_sha256",
                    "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
                ),
            ],
        ),
        (
            OfferKind::Person,
            vec![
                ("role", "forensics"),
                ("mode", "both"),
                ("clearance", "none"),
                ("employment_basis", "abordnung"),
                ("travel_radius_km", "80"),
                ("max_deployment_days", "14"),
                ("max_shift_hours", "10"),
                ("languages", "de, en"),
                ("certificates", "GCFA"),
                ("skill0", "forensics_disk"),
                ("skill0_level", "3"),
                ("skill1", ""),
                ("on_call_24_7", "on"),
                ("release_approved", "on"),
            ],
        ),
        (
            OfferKind::RemoteCapacity,
            vec![
                ("hours_per_week", "8"),
                ("response_time_minutes", "60"),
                ("coverage_hours", "Mo–Fr 7–18 Uhr"),
                ("channel_phone", "on"),
                ("channel_chat", "on"),
                ("tools", "Teams, Jitsi"),
                ("needs_clean_jump_host", "on"),
                ("skill0", "forensics_disk"),
                ("skill0_level", "2"),
            ],
        ),
        (
            OfferKind::TeamPackage,
            vec![
                ("mission", "Clients neu aufsetzen"),
                ("mode", "onsite"),
                ("member0_role", "lead"),
                ("member0_count", "1"),
                ("member1_role", "client_rollout"),
                ("member1_count", "4"),
                ("member2_role", ""),
                ("limitations", "nur werktags"),
                ("required_support", "Parkplätze"),
                ("self_sufficiency_hours", "12"),
                ("mobilisation_hours", "24"),
                ("duration_days", "10"),
                ("cost_estimate_eur", "25000"),
            ],
        ),
        (
            OfferKind::ServiceRelocation,
            vec![
                ("service", "Melde- und Passwesen"),
                ("capacity_cases_per_week", "120"),
                ("location", "Bürgerbüro Heppenheim"),
            ],
        ),
    ];
    per_kind
        .into_iter()
        .map(|(kind, specific)| {
            let mut pairs = common(kind.id());
            pairs.extend(specific);
            (kind, values(&pairs))
        })
        .collect()
}

/// Each filled form becomes a valid offer of its kind, and the edit page's
/// values of that offer read back into the same offer.
#[test]
fn every_kind_round_trips_through_the_form() {
    let forms = filled_forms();
    assert_eq!(forms.len(), OfferKind::ALL.len());
    for (kind, form) in forms {
        let made = offer_of(&form, NOW_MS, None).unwrap_or_else(|r| panic!("{kind:?}: {r:?}"));
        made.validate()
            .unwrap_or_else(|error| panic!("{kind:?}: {error}"));
        assert_eq!(made.kind(), kind);
        let shown = offer_values(&made);
        let again =
            offer_of(&shown, NOW_MS, Some(&made)).unwrap_or_else(|r| panic!("{kind:?}: {r:?}"));
        assert_eq!(again, made, "{kind:?}");
        // Read afresh (not over the base), the shown values give the same
        // offer too: nothing the form shows is lost on the way.
        let fresh = offer_of(&shown, NOW_MS, None).unwrap();
        assert_eq!(fresh.detail, made.detail, "{kind:?}");
        assert_eq!(fresh.valid_until_ms, made.valid_until_ms, "{kind:?}");
        // Every value the form sent that is not empty is shown again.
        for (field, value) in &form {
            if !value.is_empty() {
                assert!(
                    shown.contains_key(field),
                    "{kind:?}: {field} not shown again"
                );
            }
        }
    }
}

fn ctx() -> Ctx {
    Ctx {
        lang: Lang::De,
        account: "it-leitung".into(),
        role: "it_lead".into(),
        csrf: "c".into(),
        member_name: "Kreis Bergstraße".into(),
        can_offer: true,
        can_pledge: true,
        can_request: true,
        can_accept: true,
        can_administer: false,
        can_edit_posture: false,
        can_review_posture: false,
        member_names: Vec::new(),
        nav: Nav::Ressourcen,
    }
}

/// The `name="…"` of every control inside the offer form.
fn control_names(html: &str) -> BTreeSet<String> {
    let start = html.find("data-testid=\"offer-form\"").unwrap();
    let form = &html[start..html[start..].find("</form>").unwrap() + start];
    form.split(" name=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .filter(|name| name != "csrf")
        .collect()
}

/// The page draws a control for every value of the edit form, and every
/// control it draws is one that `offer_of` reads: the names agree.
#[test]
fn the_page_draws_exactly_the_fields_that_are_read() {
    for (kind, form) in filled_forms() {
        let offer = offer_of(&form, NOW_MS, None).unwrap();
        let shown = offer_values(&offer);
        let page = offer_edit(
            &ctx(),
            &OfferForm {
                kind,
                values: &shown,
                editing: Some("o-1"),
                error: None,
            },
            NOW_MS,
        );
        let drawn = control_names(&page);
        for field in shown.keys() {
            assert!(drawn.contains(field), "{kind:?}: {field} has no control");
        }
        // Each drawn control changes the offer when its value changes.
        for field in &drawn {
            if [name::KIND, name::STATUS].contains(&field.as_str()) {
                continue;
            }
            assert!(
                changes_the_offer(&shown, field),
                "{kind:?}: changing {field} changes nothing"
            );
        }
    }
}

/// Whether a new value in `field` (a ticked box unticked, a number one
/// higher, another date, more text; a blank field filled) makes
/// `offer_of` read another offer from `shown`.
fn changes_the_offer(shown: &FormValues, field: &str) -> bool {
    let mut before = shown.clone();
    let mut after = shown.clone();
    match shown.get(field).map(String::as_str) {
        Some(name::ON) => {
            after.remove(field);
        }
        Some(value) if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit()) => {
            let higher = value.parse::<u64>().unwrap_or(0) + 1;
            after.insert(field.to_owned(), higher.to_string());
        }
        Some(_) if field.starts_with("valid_") => {
            after.insert(field.to_owned(), "01.02.2027".to_owned());
        }
        Some(value) if !value.is_empty() => {
            after.insert(field.to_owned(), format!("{value}x"));
        }
        _ => {
            // A blank row's level or count counts only with its skill or
            // role filled in.
            let row: String = field.chars().filter(char::is_ascii_digit).collect();
            let row = row.parse().unwrap_or(0);
            let partner = if field.ends_with("_level") {
                Some(name::skill(row))
            } else if field.ends_with("_count") {
                Some(name::member_role(row))
            } else {
                None
            };
            if let Some(partner) = partner {
                before.insert(partner.clone(), "lead".to_owned());
                after.insert(partner, "lead".to_owned());
                after.insert(field.to_owned(), "3".to_owned());
            } else {
                after.insert(field.to_owned(), name::ON.to_owned());
            }
        }
    }
    let base = offer_of(&before, NOW_MS, None).unwrap();
    offer_of(&after, NOW_MS, None).map_or(true, |read| read != base)
}

#[test]
fn an_edit_keeps_what_the_form_does_not_show() {
    let mut pairs = common("person");
    pairs.extend([("role", "lead"), ("mode", "onsite")]);
    pairs.extend([("employment_basis", "abordnung"), ("clearance", "none")]);
    pairs.extend([("max_deployment_days", "14"), ("max_shift_hours", "12")]);
    let mut base = offer_of(&values(&pairs), NOW_MS, None).unwrap();
    let window = json!([{ "start_ms": NOW_MS, "end_ms": NOW_MS + DAY_MS }]);
    if let OfferDetail::Person(person) = &mut base.detail {
        person.availability = serde_json::from_value(window).unwrap();
    }
    base.valid_from_ms += 3_600_000;
    let mut shown = offer_values(&base);
    shown.insert(name::TITLE.into(), "Neue Leitung".into());
    let edited = offer_of(&shown, NOW_MS + 1, Some(&base)).unwrap();
    assert_eq!(edited.title, "Neue Leitung");
    assert_eq!(edited.valid_from_ms, base.valid_from_ms, "exact time kept");
    assert_eq!(edited.detail, base.detail, "availability kept");
    assert_eq!(edited.updated_at_ms, NOW_MS + 1);
}

#[test]
fn refusals_name_the_form_field() {
    let mut pairs = common("equipment");
    pairs.extend([("quantity", "drei"), ("category", "laptop")]);
    let refusal = offer_of(&values(&pairs), NOW_MS, None).unwrap_err();
    assert_eq!(refusal.field.as_deref(), Some("quantity"));
    let mut pairs = common("equipment");
    pairs.push(("status", "verschenkt"));
    let refusal = offer_of(&values(&pairs), NOW_MS, None).unwrap_err();
    assert_eq!(refusal.field.as_deref(), Some("status"));
    for (path, field) in [
        ("detail.location", Some("location")),
        ("contact.phone", Some("contact_phone")),
        ("detail.skills[1].level", Some("skill1_level")),
        ("detail.composition[2].count", Some("member2_count")),
        ("detail.composition", Some("member0_role")),
        ("validity", Some("valid_until")),
        ("validity.start_ms", Some("valid_from")),
        ("detail.availability[0].end_ms", None),
        ("updated_at_ms", None),
        ("detail.clean_image.imaged_at_ms", Some("clean_image_date")),
        (
            "detail.clean_image.image_sha256",
            Some("clean_image_image_sha256"),
        ),
    ] {
        assert_eq!(form_field(path).as_deref(), field, "{path}");
    }
}

/// A clean-image attestation needs a date; clearing every field of it in
/// an edit removes it.
#[test]
fn a_clean_image_attestation_is_read_checked_and_removable() {
    let mut pairs = common("equipment");
    pairs.extend([("category", "laptop"), ("quantity", "3")]);
    pairs.extend([("image_state", "clean_standalone"), ("location", "L")]);
    pairs.push(("clean_image_image_name", "Win11"));
    let refusal = offer_of(&values(&pairs), NOW_MS, None).unwrap_err();
    assert_eq!(refusal.field.as_deref(), Some("clean_image_date"));
    let (_, full) = filled_forms()
        .into_iter()
        .find(|(kind, _)| *kind == OfferKind::Equipment)
        .unwrap();
    let attested = offer_of(&full, NOW_MS, None).unwrap();
    let OfferDetail::Equipment(equipment) = &attested.detail else {
        panic!("equipment");
    };
    let image = equipment.clean_image.as_ref().unwrap();
    assert_eq!(&image.image_sha256[..4], "9f86", "kept in lowercase");
    let mut cleared = offer_values(&attested);
    for field in [
        name::CLEAN_IMAGE_BY,
        name::CLEAN_IMAGE_DATE,
        name::CLEAN_IMAGE_NAME,
        name::CLEAN_IMAGE_SHA256,
    ] {
        cleared.insert(field.into(), String::new());
    }
    let edited = offer_of(&cleared, NOW_MS, Some(&attested)).unwrap();
    let OfferDetail::Equipment(equipment) = &edited.detail else {
        panic!("equipment");
    };
    assert_eq!(equipment.clean_image, None);
}
