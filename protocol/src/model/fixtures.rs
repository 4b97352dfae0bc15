//! Valid sample records for tests. Each builder returns a record that
//! validates; tests break one field at a time.

use super::*;
use crate::ids::{MemberId, RecordId};

/// 2026-01-01T00:00:00Z.
pub(crate) const T0_MS: i64 = 1_767_225_600_000;
pub(crate) use super::DAY_MS;

pub(crate) fn id(text: &str) -> RecordId {
    RecordId::new(text).unwrap()
}

pub(crate) fn member(n: u8) -> MemberId {
    MemberId([n; 32])
}

pub(crate) fn contact() -> Contact {
    Contact {
        role: "IT-Rufbereitschaft".into(),
        phone: "+49 6252 15-0".into(),
        email: "it-notfall@example.de".into(),
    }
}

pub(crate) fn profile(name: &str, ags: &str) -> MemberProfile {
    MemberProfile {
        name: name.into(),
        ags: Some(ags.into()),
        kind: "landkreis".into(),
        population: Some(270_000),
        region: "Südhessen".into(),
        location: "Heppenheim".into(),
        primary_contact: contact(),
        deputy_contact: contact(),
        coordinates: Some(GeoPoint {
            lat_microdeg: 49_641_000,
            lon_microdeg: 8_638_000,
        }),
        updated_at_ms: T0_MS,
        contacts_confirmed_ms: Some(T0_MS),
    }
}

fn offer(title: &str, detail: OfferDetail) -> Offer {
    Offer {
        title: title.into(),
        status: OfferStatus::Available,
        valid_from_ms: T0_MS,
        valid_until_ms: None,
        contact: contact(),
        notes: String::new(),
        updated_at_ms: T0_MS,
        detail,
    }
}

pub(crate) fn person_offer(role: &str, mode: Mode) -> Offer {
    offer(
        "Forensiker/in",
        OfferDetail::Person(PersonOffer {
            role: role.into(),
            skills: vec![
                SkillLevel {
                    skill: "forensics_disk".into(),
                    level: 3,
                },
                SkillLevel {
                    skill: "active_directory".into(),
                    level: 2,
                },
            ],
            certificates: vec!["GIAC GCFA".into()],
            clearance: "ue2".into(),
            languages: vec!["de".into(), "en".into()],
            mode,
            travel_radius_km: 150,
            availability: vec![TimeWindow {
                start_ms: T0_MS + DAY_MS,
                end_ms: T0_MS + 10 * DAY_MS,
            }],
            on_call_24_7: true,
            max_deployment_days: DEPLOYMENT_DAYS_DEFAULT,
            max_shift_hours: SHIFT_HOURS_DEFAULT,
            employment_basis: "abordnung".into(),
            release_approved: true,
        }),
    )
}

pub(crate) fn remote_offer() -> Offer {
    offer(
        "AD-Fernunterstützung",
        OfferDetail::RemoteCapacity(RemoteCapacityOffer {
            hours_per_week: 20,
            response_time_minutes: 30,
            coverage_hours: "Mo–Fr 7–18 Uhr".into(),
            channels: vec!["phone".into(), "remote_desktop".into()],
            tools: vec!["BloodHound".into()],
            skills: vec![SkillLevel {
                skill: "active_directory".into(),
                level: 3,
            }],
            needs_clean_jump_host: true,
        }),
    )
}

pub(crate) fn equipment_offer(category: &str, quantity: u32) -> Offer {
    offer(
        "Notebooks, sauber",
        OfferDetail::Equipment(EquipmentOffer {
            category: category.into(),
            quantity,
            image_state: "clean_standalone".into(),
            own_communications: true,
            location: "Lager Heppenheim".into(),
            setup_hours: 4,
            transport: "Abholung".into(),
            wiped_on_return: true,
            clean_image: None,
        }),
    )
}

pub(crate) fn team_offer() -> Offer {
    offer(
        "Client-Neuaufbau-Team",
        OfferDetail::TeamPackage(TeamPackageOffer {
            mission: "Neuaufbau von 200 Arbeitsplätzen".into(),
            composition: vec![
                TeamMember {
                    role: "lead".into(),
                    count: 1,
                },
                TeamMember {
                    role: "client_rollout".into(),
                    count: 4,
                },
            ],
            mode: Mode::Onsite,
            limitations: "keine Fachverfahren".into(),
            required_support: "Raum, Strom, Netz".into(),
            self_sufficiency_hours: 72,
            mobilisation_hours: 24,
            duration_days: 14,
            cost_estimate_eur: Some(40_000),
        }),
    )
}

pub(crate) fn equipment_need(need_id: &str, quantity: u32) -> Need {
    Need {
        id: id(need_id),
        kind: OfferKind::Equipment,
        role: None,
        skills: Vec::new(),
        equipment_category: Some("laptop".into()),
        mode: Mode::Onsite,
        quantity,
        notes: String::new(),
    }
}

pub(crate) fn person_need(need_id: &str, role: &str) -> Need {
    Need {
        id: id(need_id),
        kind: OfferKind::Person,
        role: Some(role.into()),
        skills: vec![SkillLevel {
            skill: "forensics_disk".into(),
            level: 2,
        }],
        equipment_category: None,
        mode: Mode::Onsite,
        quantity: 1,
        notes: String::new(),
    }
}

pub(crate) fn request(needs: Vec<Need>) -> AidRequest {
    AidRequest {
        title: "Ransomware: Clients neu aufsetzen".into(),
        situation: "Alle Clients verschlüsselt.".into(),
        priority: "critical".into(),
        start_ms: T0_MS + 2 * DAY_MS,
        end_ms: T0_MS + 30 * DAY_MS,
        needs,
        status: RequestStatus::Open,
        created_at_ms: T0_MS + 2 * DAY_MS,
        exercise: false,
    }
}

pub(crate) fn pledge(
    requester: MemberId,
    request: &str,
    need: &str,
    offer: Option<&str>,
    quantity: u32,
) -> Pledge {
    Pledge {
        request: RequestRef {
            requester,
            request: id(request),
            need: id(need),
        },
        offer: offer.map(id),
        quantity,
        note: String::new(),
        status: PledgeStatus::Offered,
        created_at_ms: T0_MS + 3 * DAY_MS,
    }
}

pub(crate) fn acceptance(
    pledger: MemberId,
    pledge: &str,
    request: &str,
    need: &str,
    quantity: u32,
) -> Acceptance {
    Acceptance {
        pledge: PledgeRef {
            pledger,
            pledge: id(pledge),
        },
        request: id(request),
        need: id(need),
        quantity,
        accepted_at_ms: T0_MS + 3 * DAY_MS,
        terms: None,
        status: AcceptanceStatus::Active,
        hours_recorded: None,
        expenses_cents: None,
    }
}
