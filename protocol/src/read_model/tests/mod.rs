//! Tests of the read model: shared builders here, scenarios and the
//! order-independence property in the submodules.

mod aid_end;
mod alerts;
mod board;
mod exercise;
mod incident;
mod order;
mod owned;
mod registry;
mod registry_timing;
mod reimbursement;
mod shared_address;

use std::collections::BTreeMap;

use super::*;
use crate::ids::{Collection, DocumentId, MemberId};
use crate::model::fixtures::*;
use crate::model::*;

pub(super) const REQUESTER: u8 = 1;
pub(super) const HELPER: u8 = 2;
pub(super) const OTHER: u8 = 3;

pub(super) fn doc(member_n: u8, collection: Collection) -> DocumentId {
    DocumentId::new(member(member_n), collection)
}

pub(super) fn records(entries: Vec<(RecordKey, Record)>) -> BTreeMap<String, String> {
    entries
        .into_iter()
        .map(|(key, record)| (key.to_string(), record.to_json()))
        .collect()
}

pub(super) fn offers(model: &mut ReadModel, member_n: u8, offers: Vec<(&str, Offer)>) {
    let entries = offers
        .into_iter()
        .map(|(i, o)| (RecordKey::offer(id(i)), Record::Offer(o)))
        .collect();
    model.update_document(doc(member_n, Collection::Offers), &records(entries));
}

pub(super) fn pledges(model: &mut ReadModel, member_n: u8, pledges: Vec<(&str, Pledge)>) {
    let entries = pledges
        .into_iter()
        .map(|(i, p)| (RecordKey::pledge(id(i)), Record::Pledge(p)))
        .collect();
    model.update_document(doc(member_n, Collection::Pledges), &records(entries));
}

pub(super) fn requests(
    model: &mut ReadModel,
    member_n: u8,
    requests: Vec<(&str, AidRequest)>,
    acceptances: Vec<(&str, Acceptance)>,
) {
    let mut entries: Vec<(RecordKey, Record)> = requests
        .into_iter()
        .map(|(i, r)| (RecordKey::request(id(i)), Record::Request(r)))
        .collect();
    entries.extend(
        acceptances
            .into_iter()
            .map(|(i, a)| (RecordKey::acceptance(id(i)), Record::Acceptance(a))),
    );
    model.update_document(doc(member_n, Collection::Requests), &records(entries));
}

pub(super) fn profile_of(model: &mut ReadModel, member_n: u8, p: MemberProfile) {
    let entries = vec![(RecordKey::profile(), Record::Profile(p))];
    model.update_document(doc(member_n, Collection::Profile), &records(entries));
}

pub(super) fn address(member_n: u8, record: &str) -> RecordAddress {
    RecordAddress::new(member(member_n), id(record))
}

pub(super) fn need_ref(request: &str, need: &str) -> RequestRef {
    RequestRef {
        requester: member(REQUESTER),
        request: id(request),
        need: id(need),
    }
}

pub(super) fn ids_of(entries: &[OfferEntry<'_>]) -> Vec<String> {
    entries
        .iter()
        .map(|e| format!("{}/{}", e.address.owner.0[0], e.address.id))
        .collect()
}

pub(super) fn laptops_request() -> AidRequest {
    request(vec![
        equipment_need("n1", 100),
        person_need("n2", "forensics"),
    ])
}
