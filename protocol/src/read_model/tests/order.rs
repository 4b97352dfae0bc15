//! Property: the read model depends only on the latest records of each
//! document, never on the order documents were updated in. Each document
//! gets a history of versions (full record maps, or a removal); histories
//! are interleaved at random, keeping each document's own order, and the
//! result must equal a model built from the final versions alone.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::{doc, records};
use crate::ids::{Collection, DocumentId};
use crate::model::fixtures::*;
use crate::model::*;
use crate::read_model::ReadModel;

const MEMBERS: u8 = 3;

type Version = Option<BTreeMap<String, String>>;

fn status<T: Clone + std::fmt::Debug + 'static>(choices: Vec<T>) -> impl Strategy<Value = T> {
    proptest::sample::select(choices)
}

fn offer_record() -> impl Strategy<Value = (RecordKey, Record)> {
    (
        0..3u8,
        1..30u32,
        status(vec![OfferStatus::Available, OfferStatus::OutOfService]),
    )
        .prop_map(|(n, quantity, status)| {
            let mut offer = equipment_offer("laptop", quantity);
            offer.status = status;
            (RecordKey::offer(id(&format!("o{n}"))), Record::Offer(offer))
        })
}

fn request_record() -> impl Strategy<Value = (RecordKey, Record)> {
    (
        0..2u8,
        1..3usize,
        1..100u32,
        status(vec![
            RequestStatus::Open,
            RequestStatus::Closed,
            RequestStatus::Cancelled,
        ]),
    )
        .prop_map(|(n, needs, quantity, status)| {
            let needs = (0..needs)
                .map(|i| equipment_need(&format!("n{i}"), quantity))
                .collect();
            let mut request = request(needs);
            request.status = status;
            (
                RecordKey::request(id(&format!("r{n}"))),
                Record::Request(request),
            )
        })
}

fn pledge_record() -> impl Strategy<Value = (RecordKey, Record)> {
    (
        0..4u8,
        1..=MEMBERS,
        0..2u8,
        0..2u8,
        proptest::option::of(0..3u8),
        1..30u32,
        status(vec![PledgeStatus::Offered, PledgeStatus::Withdrawn]),
    )
        .prop_map(|(n, requester, r, need, offer, quantity, status)| {
            let offer = offer.map(|o| format!("o{o}"));
            let mut p = pledge(
                member(requester),
                &format!("r{r}"),
                &format!("n{need}"),
                offer.as_deref(),
                quantity,
            );
            p.status = status;
            (RecordKey::pledge(id(&format!("p{n}"))), Record::Pledge(p))
        })
}

fn acceptance_record() -> impl Strategy<Value = (RecordKey, Record)> {
    (
        0..3u8,
        1..=MEMBERS,
        0..4u8,
        0..2u8,
        0..2u8,
        1..30u32,
        status(vec![
            AcceptanceStatus::Accepted,
            AcceptanceStatus::Active,
            AcceptanceStatus::Released,
            AcceptanceStatus::Closed,
        ]),
    )
        .prop_map(|(n, pledger, p, r, need, quantity, status)| {
            let mut a = acceptance(
                member(pledger),
                &format!("p{p}"),
                &format!("r{r}"),
                &format!("n{need}"),
                quantity,
            );
            a.status = status;
            (
                RecordKey::acceptance(id(&format!("a{n}"))),
                Record::Acceptance(a),
            )
        })
}

fn decline_record() -> impl Strategy<Value = (RecordKey, Record)> {
    (0..2u8, 1..=MEMBERS, 0..4u8, 0..2u8, 0..2u8).prop_map(|(n, pledger, p, r, need)| {
        let decline = Decline {
            pledge: PledgeRef {
                pledger: member(pledger),
                pledge: id(&format!("p{p}")),
            },
            request: id(&format!("r{r}")),
            need: id(&format!("n{need}")),
            reason: String::new(),
            declined_at_ms: T0_MS + 3 * DAY_MS,
        };
        (
            RecordKey::new(RecordTag::Decline, id(&format!("d{n}"))),
            Record::Decline(decline),
        )
    })
}

fn settlement_record() -> impl Strategy<Value = (RecordKey, Record)> {
    (0..2u8, 1..=MEMBERS, 0..4u8, 0..3u8, 0..50u32).prop_map(|(n, requester, p, a, hours)| {
        let settlement = Settlement {
            pledge: id(&format!("p{p}")),
            requester: member(requester),
            acceptance: id(&format!("a{a}")),
            hours,
            expenses_cents: u64::from(hours) * 1_000,
            note: String::new(),
            recorded_at_ms: T0_MS + 5 * DAY_MS + i64::from(hours),
        };
        (
            RecordKey::new(RecordTag::Settlement, id(&format!("s{n}"))),
            Record::Settlement(settlement),
        )
    })
}

/// An incident, or a step of one (the incident may be missing: parts are
/// indexed by the incident they name whether it has arrived or not).
fn incident_record() -> impl Strategy<Value = (RecordKey, Record)> {
    (0..2u8, 0..2u8, any::<bool>(), 0..3u8).prop_map(|(n, incident, is_step, at)| {
        if is_step {
            let step = crate::incident::IncidentStep {
                incident: id(&format!("i{incident}")),
                step: "crisis_staff".into(),
                state: crate::incident::StepState::InProgress,
                owner: String::new(),
                note: String::new(),
                updated_at_ms: T0_MS + i64::from(at),
            };
            (
                RecordKey::new(RecordTag::IncidentStep, id(&format!("s{n}"))),
                Record::IncidentStep(step),
            )
        } else {
            let mut record = crate::incident::record::tests::incident();
            record.requests = vec![id("r0")];
            (
                RecordKey::new(RecordTag::Incident, id(&format!("i{n}"))),
                Record::Incident(record),
            )
        }
    })
}

fn version(records_strategy: BoxedStrategy<(RecordKey, Record)>) -> impl Strategy<Value = Version> {
    (
        proptest::collection::vec(records_strategy, 0..4),
        any::<bool>(),
        0..8u8,
    )
        .prop_map(|(entries, with_junk, removal)| {
            if removal == 0 {
                return None;
            }
            let mut map = records(entries);
            if with_junk {
                // Ingress would refuse it; the read model must skip it.
                map.insert("offer:junk".into(), "{\"title\":1}".into());
            }
            Some(map)
        })
}

fn history(collection: Collection) -> BoxedStrategy<Vec<Version>> {
    let records_strategy = match collection {
        Collection::Offers => offer_record().boxed(),
        Collection::Requests => prop_oneof![
            request_record(),
            acceptance_record(),
            decline_record(),
            incident_record()
        ]
        .boxed(),
        Collection::Pledges => prop_oneof![pledge_record(), settlement_record()].boxed(),
        Collection::Profile => Just((
            RecordKey::profile(),
            Record::Profile(profile("Kreis Bergstraße", "06431")),
        ))
        .boxed(),
        Collection::Posture => Just(crate::posture::sample_record()).boxed(),
    };
    proptest::collection::vec(version(records_strategy), 1..4).boxed()
}

fn histories() -> impl Strategy<Value = Vec<(DocumentId, Vec<Version>)>> {
    let documents: Vec<DocumentId> = (1..=MEMBERS)
        .flat_map(|m| Collection::ALL.map(|c| doc(m, c)))
        .collect();
    let strategies: Vec<_> = documents
        .iter()
        .map(|document| history(document.collection))
        .collect();
    strategies.prop_map(move |hs| documents.iter().copied().zip(hs).collect())
}

fn apply(model: &mut ReadModel, document: DocumentId, version: &Version) {
    match version {
        Some(records) => model.update_document(document, records),
        None => model.remove_document(document),
    }
}

/// Applies the histories interleaved by `picks`, each document's versions in
/// their own order.
fn interleaved(histories: &[(DocumentId, Vec<Version>)], picks: &[u8]) -> ReadModel {
    let mut model = ReadModel::new();
    let mut next: Vec<usize> = vec![0; histories.len()];
    let mut picks = picks.iter().cycle();
    loop {
        let pending: Vec<usize> = (0..histories.len())
            .filter(|&i| next[i] < histories[i].1.len())
            .collect();
        if pending.is_empty() {
            return model;
        }
        let pick = usize::from(*picks.next().unwrap_or(&0)) % pending.len();
        let i = pending[pick];
        let (document, versions) = &histories[i];
        apply(&mut model, *document, &versions[next[i]]);
        next[i] += 1;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn update_order_does_not_matter(
        histories in histories(),
        picks_a in proptest::collection::vec(any::<u8>(), 1..64),
        picks_b in proptest::collection::vec(any::<u8>(), 1..64),
    ) {
        let a = interleaved(&histories, &picks_a);
        let b = interleaved(&histories, &picks_b);
        prop_assert_eq!(&a, &b);

        // Only the final versions, documents in reverse order.
        let mut fresh = ReadModel::new();
        for (document, versions) in histories.iter().rev() {
            if let Some(last) = versions.last() {
                apply(&mut fresh, *document, last);
            }
        }
        prop_assert_eq!(&a, &fresh);
    }
}
