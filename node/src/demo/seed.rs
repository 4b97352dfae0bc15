//! The demo pact's members and their clearly fictional data: a profile per
//! member, offers of every kind, and one open request from a municipality
//! hit by a (pretend) ransomware attack. Phone numbers use the range
//! reserved for drama (+49 30 23125 xxx) and e-mail addresses `example`
//! domains, so nothing here reaches a real person.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{Collection, RecordId, RecordIdError};
use amtshilfe_protocol::model::{
    AidRequest, Contact, EquipmentOffer, GeoPoint, MemberProfile, Mode, Need, Offer, OfferDetail,
    OfferKind, OfferStatus, PersonOffer, Record, RecordKey, RemoteCapacityOffer, RequestStatus,
    ServiceRelocationOffer, SkillLevel, TeamMember, TeamPackageOffer, TimeWindow,
};

use amtshilfe_protocol::model::DAY_MS;

/// One member of the demo pact.
#[derive(Debug, Clone, Copy)]
pub struct DemoMember {
    /// Display name.
    pub name: &'static str,
    /// Short name for the console.
    pub short: &'static str,
    /// Official municipality key, if any.
    pub ags: Option<&'static str>,
    /// Member kind catalogue id.
    pub kind: &'static str,
    /// Inhabitants (rounded, for display).
    pub population: Option<u32>,
    /// Seat of the administration.
    pub location: &'static str,
    /// Latitude and longitude in micro-degrees.
    pub coordinates: (i32, i32),
}

/// The six demo members; the last one is the central IT provider.
pub const MEMBERS: [DemoMember; 6] = [
    DemoMember {
        name: "Kreis Bergstraße",
        short: "bergstrasse",
        ags: Some("06431"),
        kind: "landkreis",
        population: Some(270_000),
        location: "Heppenheim",
        coordinates: (49_641_000, 8_638_000),
    },
    DemoMember {
        name: "Odenwaldkreis",
        short: "odenwald",
        ags: Some("06437"),
        kind: "landkreis",
        population: Some(97_000),
        location: "Erbach",
        coordinates: (49_657_000, 8_995_000),
    },
    DemoMember {
        name: "Landkreis Darmstadt-Dieburg",
        short: "dadi",
        ags: Some("06432"),
        kind: "landkreis",
        population: Some(300_000),
        location: "Darmstadt-Kranichstein",
        coordinates: (49_895_000, 8_682_000),
    },
    DemoMember {
        name: "Kreis Groß-Gerau",
        short: "gross-gerau",
        ags: Some("06433"),
        kind: "landkreis",
        population: Some(280_000),
        location: "Groß-Gerau",
        coordinates: (49_921_000, 8_485_000),
    },
    DemoMember {
        name: "Stadt Darmstadt",
        short: "darmstadt",
        ags: Some("06411"),
        kind: "kreisfreie_stadt",
        population: Some(160_000),
        location: "Darmstadt",
        coordinates: (49_872_000, 8_651_000),
    },
    DemoMember {
        name: "Kommunaler IT-Dienstleister (Demo)",
        short: "provider",
        ags: None,
        kind: "it_provider",
        population: None,
        location: "Darmstadt",
        coordinates: (49_870_000, 8_660_000),
    },
];

/// The joint security officer's name in the membership log.
pub const OFFICER_NAME: &str = "Gemeinsame Informationssicherheitsbeauftragte (Demo)";
/// The officer's login, on the first member's node.
pub const OFFICER_ACCOUNT: &str = "isb";
/// The members the officer serves (indexes into [`MEMBERS`]).
pub const OFFICER_SERVES: [usize; 3] = [0, 1, 3];
/// Who approves the appointment besides the proposer (member 0): every
/// served member and enough others for a majority of six.
pub const OFFICER_APPROVERS: [usize; 3] = [1, 2, 3];

/// Index of the member that asks for help in the demo.
pub const REQUESTER: usize = 4;

fn contact(member: &DemoMember, index: usize, deputy: bool) -> Contact {
    let role = if deputy {
        "Stellv. IT-Rufbereitschaft"
    } else {
        "IT-Rufbereitschaft"
    };
    Contact {
        role: role.into(),
        phone: format!("+49 30 23125 {}{}", index, if deputy { "02" } else { "01" }),
        email: format!("it-notfall@{}.example", member.short),
    }
}

fn id(text: &str) -> Result<RecordId, RecordIdError> {
    RecordId::new(text)
}

fn put(key: RecordKey, record: Record) -> RecordOp {
    RecordOp::Put {
        key: key.to_string(),
        json: record.to_json(),
    }
}

fn offer(
    title: &str,
    member: &DemoMember,
    index: usize,
    now_ms: i64,
    detail: OfferDetail,
) -> Record {
    Record::Offer(Offer {
        title: title.into(),
        status: OfferStatus::Available,
        valid_from_ms: now_ms - DAY_MS,
        valid_until_ms: Some(now_ms + 180 * DAY_MS),
        contact: contact(member, index, false),
        notes: "Fiktive Demodaten.".into(),
        updated_at_ms: now_ms,
        detail,
    })
}

fn skills(list: &[(&str, u8)]) -> Vec<SkillLevel> {
    list.iter()
        .map(|(skill, level)| SkillLevel {
            skill: (*skill).into(),
            level: *level,
        })
        .collect()
}

/// The profile of member `index`.
pub fn profile(index: usize, now_ms: i64) -> (Collection, Vec<RecordOp>) {
    let member = &MEMBERS[index];
    let record = Record::Profile(MemberProfile {
        name: member.name.into(),
        ags: member.ags.map(Into::into),
        kind: member.kind.into(),
        population: member.population,
        region: "Südhessen".into(),
        location: member.location.into(),
        primary_contact: contact(member, index, false),
        deputy_contact: contact(member, index, true),
        coordinates: Some(GeoPoint {
            lat_microdeg: member.coordinates.0,
            lon_microdeg: member.coordinates.1,
        }),
        updated_at_ms: now_ms,
        // The last member has let its contacts go stale, so the Lagebild
        // shows the flag; the others confirmed within the last weeks.
        contacts_confirmed_ms: Some(if index + 1 == MEMBERS.len() {
            now_ms - 120 * DAY_MS
        } else {
            now_ms - (3 + 7 * index as i64) * DAY_MS
        }),
    });
    (Collection::Profile, vec![put(RecordKey::profile(), record)])
}

/// The offers of member `index`: every member offers laptops and a person;
/// between them the members offer every kind.
pub fn offers(index: usize, now_ms: i64) -> Result<(Collection, Vec<RecordOp>), RecordIdError> {
    let member = &MEMBERS[index];
    let mut ops = Vec::new();
    let laptops = 3 + 2 * index as u32;
    ops.push(put(
        RecordKey::offer(id("laptops")?),
        offer(
            &format!("{laptops} Notebooks, sauber aufgesetzt"),
            member,
            index,
            now_ms,
            OfferDetail::Equipment(EquipmentOffer {
                category: "laptop".into(),
                quantity: laptops,
                image_state: "clean_standalone".into(),
                own_communications: index.is_multiple_of(2),
                location: format!("Lager {}", member.location),
                setup_hours: 4,
                transport: "Abholung oder Lieferung im Pakt-Gebiet".into(),
                wiped_on_return: true,
                clean_image: None,
            }),
        ),
    ));
    let (role, person_skills): (&str, &[(&str, u8)]) = match index % 3 {
        0 => (
            "directory_identity",
            &[("active_directory", 3), ("entra_id", 2)],
        ),
        1 => (
            "network_firewall",
            &[("firewall_fortinet", 3), ("vpn_remote_access", 2)],
        ),
        _ => (
            "backup_restore",
            &[("backup_veeam", 3), ("windows_server", 2)],
        ),
    };
    ops.push(put(
        RecordKey::offer(id("person")?),
        offer(
            "Administrator/in für den Wiederaufbau",
            member,
            index,
            now_ms,
            OfferDetail::Person(PersonOffer {
                role: role.into(),
                skills: skills(person_skills),
                certificates: Vec::new(),
                clearance: "none".into(),
                languages: vec!["de".into(), "en".into()],
                mode: Mode::Both,
                travel_radius_km: 80,
                availability: vec![TimeWindow {
                    start_ms: now_ms,
                    end_ms: now_ms + 60 * DAY_MS,
                }],
                on_call_24_7: index == 0,
                max_deployment_days: 14,
                max_shift_hours: 10,
                employment_basis: "abordnung".into(),
                release_approved: true,
            }),
        ),
    ));
    match index {
        1 => ops.push(put(
            RecordKey::offer(id("remote")?),
            offer(
                "Fernunterstützung Firewall und VPN",
                member,
                index,
                now_ms,
                OfferDetail::RemoteCapacity(RemoteCapacityOffer {
                    hours_per_week: 16,
                    response_time_minutes: 60,
                    coverage_hours: "Mo–Fr 7–18 Uhr".into(),
                    channels: vec!["phone".into(), "remote_desktop".into()],
                    tools: vec!["FortiManager".into()],
                    skills: skills(&[("firewall_fortinet", 3)]),
                    needs_clean_jump_host: true,
                }),
            ),
        )),
        2 => ops.push(put(
            RecordKey::offer(id("team")?),
            offer(
                "Client-Neuaufbau-Team (5 Personen)",
                member,
                index,
                now_ms,
                OfferDetail::TeamPackage(TeamPackageOffer {
                    mission: "Neuaufbau von bis zu 200 Arbeitsplätzen".into(),
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
                    required_support: "Raum, Strom, Netzanschluss".into(),
                    self_sufficiency_hours: 72,
                    mobilisation_hours: 24,
                    duration_days: 14,
                    cost_estimate_eur: Some(40_000),
                }),
            ),
        )),
        3 => ops.push(put(
            RecordKey::offer(id("relocation")?),
            offer(
                "Kfz-Zulassung im Nachbar-Bürgerbüro",
                member,
                index,
                now_ms,
                OfferDetail::ServiceRelocation(ServiceRelocationOffer {
                    service: "Kfz-Zulassung".into(),
                    capacity_cases_per_week: 150,
                    location: "Bürgerbüro Groß-Gerau".into(),
                }),
            ),
        )),
        5 => ops.push(put(
            RecordKey::offer(id("forensics")?),
            offer(
                "Forensik-Bereitschaft",
                member,
                index,
                now_ms,
                OfferDetail::Person(PersonOffer {
                    role: "forensics".into(),
                    skills: skills(&[
                        ("forensics_disk", 3),
                        ("forensics_memory", 2),
                        ("log_analysis_siem", 2),
                    ]),
                    certificates: vec!["GIAC GCFA".into()],
                    clearance: "ue2".into(),
                    languages: vec!["de".into(), "en".into()],
                    mode: Mode::Both,
                    travel_radius_km: 150,
                    availability: vec![TimeWindow {
                        start_ms: now_ms,
                        end_ms: now_ms + 90 * DAY_MS,
                    }],
                    on_call_24_7: true,
                    max_deployment_days: 14,
                    max_shift_hours: 12,
                    employment_basis: "personalgestellung".into(),
                    release_approved: true,
                }),
            ),
        )),
        _ => {}
    }
    Ok((Collection::Offers, ops))
}

/// The open request of the hit municipality.
pub fn request(now_ms: i64) -> Result<(Collection, Vec<RecordOp>), RecordIdError> {
    let need = |need_id: &str,
                kind: OfferKind,
                role: Option<&str>,
                category: Option<&str>,
                mode: Mode,
                quantity: u32,
                notes: &str|
     -> Result<Need, RecordIdError> {
        Ok(Need {
            id: id(need_id)?,
            kind,
            role: role.map(Into::into),
            skills: Vec::new(),
            equipment_category: category.map(Into::into),
            mode,
            quantity,
            notes: notes.into(),
        })
    };
    let record = Record::Request(AidRequest {
        title: "Ransomware-Angriff (Übungsszenario): Notbetrieb Bürgerservice".into(),
        situation: "Fiktives Szenario: Server und Clients verschlüsselt, Netz getrennt. Notbetrieb im Bürgerbüro mit Notfall-Laptops.".into(),
        priority: "critical".into(),
        start_ms: now_ms,
        end_ms: now_ms + 21 * DAY_MS,
        needs: vec![
            need("laptops", OfferKind::Equipment, None, Some("laptop"), Mode::Onsite, 12, "sauber aufgesetzt, eigene LTE-Anbindung")?,
            need("identity", OfferKind::Person, Some("directory_identity"), None, Mode::Both, 1, "Active Directory neu aufbauen")?,
            need("forensics", OfferKind::Person, Some("forensics"), None, Mode::Both, 1, "Beweissicherung")?,
        ],
        status: RequestStatus::Open,
        created_at_ms: now_ms,
        // The demo's scenario is an exercise: marked from the start, in its
        // id as in its record.
        exercise: true,
    });
    let mut ops = vec![put(RecordKey::request(id("uebung-notbetrieb")?), record)];
    ops.extend(super::incident_seed::incident_ops(
        now_ms,
        "uebung-notbetrieb",
    )?);
    Ok((Collection::Requests, ops))
}

#[cfg(test)]
mod tests {
    use super::*;
    use amtshilfe_protocol::model::decode_record;

    fn check(collection: Collection, ops: &[RecordOp]) {
        for op in ops {
            let RecordOp::Put { key, json } = op else {
                panic!("the seed only puts")
            };
            decode_record(collection, key, json).unwrap_or_else(|e| panic!("{key}: {e}"));
        }
    }

    #[test]
    fn every_seed_record_is_valid_and_every_offer_kind_is_there() {
        let now = 1_795_305_600_000;
        let mut kinds = std::collections::BTreeSet::new();
        for index in 0..MEMBERS.len() {
            let (collection, ops) = profile(index, now);
            check(collection, &ops);
            let (collection, ops) = offers(index, now).unwrap();
            check(collection, &ops);
            for op in &ops {
                let RecordOp::Put { json, .. } = op else {
                    continue;
                };
                let offer: Offer = serde_json::from_str(json).unwrap();
                kinds.insert(offer.kind());
            }
        }
        let (collection, ops) = request(now).unwrap();
        check(collection, &ops);
        assert!(
            ops.iter()
                .any(|op| matches!(op, RecordOp::Put { key, .. } if key.starts_with("incident:"))),
            "the request sits in an incident"
        );
        assert_eq!(
            kinds.len(),
            5,
            "every offer kind of the domain is in the demo: {kinds:?}"
        );
    }
}
