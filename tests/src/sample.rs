//! Valid sample records and random writes for the harness and tests: an
//! IT lead offering laptops, a hit municipality asking for help, members
//! pledging against open needs, the requester accepting pledges.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{Collection, MemberId, RecordId};
use amtshilfe_protocol::model::{
    Acceptance, AcceptanceStatus, AidRequest, Contact, EquipmentOffer, Mode, Need, Offer,
    OfferDetail, OfferKind, OfferStatus, Pledge, PledgeRef, PledgeStatus, Record, RecordKey,
    RequestRef, RequestStatus,
};
use amtshilfe_protocol::read_model::{PledgeState, ReadModel};

use crate::rng::SeededRng;

const DAY_MS: i64 = 86_400_000;

fn record_id(rng: &mut SeededRng, prefix: &str) -> RecordId {
    match RecordId::generate(prefix, rng.bytes()) {
        Ok(id) => id,
        Err(error) => panic!("generated ids are always valid: {error}"),
    }
}

fn fixed_id(text: &str) -> RecordId {
    match RecordId::new(text) {
        Ok(id) => id,
        Err(error) => panic!("{error}"),
    }
}

fn put(key: RecordKey, record: &Record) -> RecordOp {
    RecordOp::Put {
        key: key.to_string(),
        json: record.to_json(),
    }
}

/// An on-call contact path.
pub fn contact() -> Contact {
    Contact {
        role: "IT-Rufbereitschaft".into(),
        phone: "+49 6252 15-0".into(),
        email: "it-notfall@example.de".into(),
    }
}

/// An offer of `quantity` clean laptops, valid from `now_ms`.
pub fn laptops(quantity: u32, now_ms: i64) -> Offer {
    Offer {
        title: format!("{quantity} Notebooks, sauber aufgesetzt"),
        status: OfferStatus::Available,
        valid_from_ms: now_ms,
        valid_until_ms: None,
        contact: contact(),
        notes: String::new(),
        updated_at_ms: now_ms,
        detail: OfferDetail::Equipment(EquipmentOffer {
            category: "laptop".into(),
            quantity,
            image_state: "clean_standalone".into(),
            own_communications: true,
            location: "Lager Kreishaus".into(),
            setup_hours: 4,
            transport: "Abholung oder Lieferung".into(),
            wiped_on_return: true,
            clean_image: None,
        }),
    }
}

/// A request for `quantity` laptops on site, as need `laptops`.
pub fn laptop_request(quantity: u32, now_ms: i64) -> AidRequest {
    AidRequest {
        title: "Ransomware: Arbeitsplätze für den Notbetrieb".into(),
        situation: "Alle Clients verschlüsselt, Notbetrieb im Bürgerbüro.".into(),
        priority: "critical".into(),
        start_ms: now_ms,
        end_ms: now_ms + 30 * DAY_MS,
        needs: vec![Need {
            id: fixed_id("laptops"),
            kind: OfferKind::Equipment,
            role: None,
            skills: Vec::new(),
            equipment_category: Some("laptop".into()),
            mode: Mode::Onsite,
            quantity,
            notes: String::new(),
        }],
        status: RequestStatus::Open,
        created_at_ms: now_ms,
        exercise: false,
    }
}

/// A pledge of `quantity` units against `request`.
pub fn pledge(request: RequestRef, offer: Option<RecordId>, quantity: u32, now_ms: i64) -> Pledge {
    Pledge {
        request,
        offer,
        quantity,
        note: String::new(),
        status: PledgeStatus::Offered,
        created_at_ms: now_ms,
    }
}

/// The requester's acceptance of a pledge.
pub fn acceptance(
    pledger: MemberId,
    pledge_id: RecordId,
    request: &RequestRef,
    quantity: u32,
    now_ms: i64,
) -> Acceptance {
    Acceptance {
        pledge: PledgeRef {
            pledger,
            pledge: pledge_id,
        },
        request: request.request.clone(),
        need: request.need.clone(),
        quantity,
        accepted_at_ms: now_ms,
        terms: None,
        status: AcceptanceStatus::Active,
        hours_recorded: None,
        expenses_cents: None,
    }
}

/// A write of a new laptop offer under a fresh id.
pub fn offer_write(rng: &mut SeededRng, now_ms: i64) -> (Collection, Vec<RecordOp>) {
    let quantity = 1 + rng.below(10) as u32;
    let key = RecordKey::offer(record_id(rng, "o"));
    (
        Collection::Offers,
        vec![put(key, &Record::Offer(laptops(quantity, now_ms)))],
    )
}

/// A random write that makes sense for `me` given what it knows: a new
/// offer, a new request, a pledge against someone's open need, or an
/// acceptance of a pledge against its own request.
pub fn random_write(
    rng: &mut SeededRng,
    known: &ReadModel,
    me: MemberId,
    now_ms: i64,
) -> (Collection, Vec<RecordOp>) {
    match rng.below(4) {
        0 => offer_write(rng, now_ms),
        1 => request_write(rng, now_ms),
        2 => pledge_write(rng, known, me, now_ms).unwrap_or_else(|| offer_write(rng, now_ms)),
        _ => acceptance_write(rng, known, me, now_ms).unwrap_or_else(|| request_write(rng, now_ms)),
    }
}

fn request_write(rng: &mut SeededRng, now_ms: i64) -> (Collection, Vec<RecordOp>) {
    let quantity = 1 + rng.below(20) as u32;
    let key = RecordKey::request(record_id(rng, "r"));
    (
        Collection::Requests,
        vec![put(key, &Record::Request(laptop_request(quantity, now_ms)))],
    )
}

fn pledge_write(
    rng: &mut SeededRng,
    known: &ReadModel,
    me: MemberId,
    now_ms: i64,
) -> Option<(Collection, Vec<RecordOp>)> {
    let open: Vec<(RequestRef, u32)> = known
        .request_board()
        .iter()
        .filter(|view| view.address.owner != me)
        .flat_map(|view| {
            view.needs
                .iter()
                .filter(|need| need.totals.open > 0)
                .map(|need| {
                    let request = RequestRef {
                        requester: view.address.owner,
                        request: view.address.id.clone(),
                        need: need.need.id.clone(),
                    };
                    (request, need.totals.open)
                })
        })
        .collect();
    if open.is_empty() {
        return None;
    }
    let (request, open_quantity) = rng.pick(&open).clone();
    let quantity = 1 + rng.below(open_quantity as usize) as u32;
    let key = RecordKey::pledge(record_id(rng, "p"));
    Some((
        Collection::Pledges,
        vec![put(
            key,
            &Record::Pledge(pledge(request, None, quantity, now_ms)),
        )],
    ))
}

fn acceptance_write(
    rng: &mut SeededRng,
    known: &ReadModel,
    me: MemberId,
    now_ms: i64,
) -> Option<(Collection, Vec<RecordOp>)> {
    let mut candidates = Vec::new();
    for view in known
        .request_board()
        .iter()
        .filter(|v| v.address.owner == me)
    {
        for need in &view.needs {
            for pledge in need
                .pledges
                .iter()
                .filter(|p| p.state == PledgeState::Offered)
            {
                candidates.push((
                    pledge.address.owner,
                    pledge.address.id.clone(),
                    pledge.pledge.request.clone(),
                    pledge.pledge.quantity,
                ));
            }
        }
    }
    if candidates.is_empty() {
        return None;
    }
    let (pledger, pledge_id, request, quantity) = rng.pick(&candidates).clone();
    let key = RecordKey::acceptance(record_id(rng, "a"));
    let record = Record::Acceptance(acceptance(pledger, pledge_id, &request, quantity, now_ms));
    Some((Collection::Requests, vec![put(key, &record)]))
}
