//! A member gone rogue names itself after another member in its own
//! profile (a record only it writes, so ingress takes it). Helpers must
//! still see who really asks: every view names a member by the name the
//! pact admitted it under (charter or `Add` proposal, approved by a
//! majority), never by the name it gives itself.

use amtshilfe_protocol::document::RecordOp;
use amtshilfe_protocol::ids::{Collection, MemberId};
use amtshilfe_protocol::model::{MemberProfile, Record, RecordKey};
use amtshilfe_protocol::read_model::RegistryFilter;
use amtshilfe_tests::fixtures::{T0_MS, TestPact};
use amtshilfe_tests::sample;

mod common;

use common::{offer_put, request_put};

fn profile_named(name: &str) -> RecordOp {
    let profile = MemberProfile {
        name: name.into(),
        ags: Some("06431".into()),
        kind: "landkreis".into(),
        population: Some(270_000),
        region: "Südhessen".into(),
        location: "Heppenheim".into(),
        primary_contact: sample::contact(),
        deputy_contact: sample::contact(),
        coordinates: None,
        updated_at_ms: T0_MS,
        contacts_confirmed_ms: None,
    };
    RecordOp::Put {
        key: RecordKey::profile().to_string(),
        json: Record::Profile(profile).to_json(),
    }
}

#[test]
fn a_member_naming_itself_after_another_is_shown_under_its_pact_name() {
    let pact = TestPact::new(3, 5);
    let mut replica = pact.replica();
    let victim = &pact.members[0];
    let rogue = &pact.members[2];
    let rogue_id: MemberId = rogue.device.member;
    replica
        .write(
            &rogue.device,
            Collection::Profile,
            &[profile_named(&victim.name)],
            T0_MS,
        )
        .expect("a member may write its own profile");
    replica
        .write(
            &rogue.device,
            Collection::Offers,
            &[offer_put("o-rogue", 2, T0_MS)],
            T0_MS,
        )
        .expect("a member may offer");
    replica
        .write(
            &rogue.device,
            Collection::Requests,
            &[request_put("r-rogue", 10, T0_MS)],
            T0_MS,
        )
        .expect("a member may ask for help");
    let model = replica.read_model();

    let offers = model.registry(&RegistryFilter::default());
    let offer = offers
        .iter()
        .find(|entry| entry.address.owner == rogue_id)
        .expect("the rogue's offer is listed");
    assert_eq!(offer.owner_name, Some(rogue.name.as_str()));

    let board = model.request_board();
    let request = board
        .iter()
        .find(|view| view.address.owner == rogue_id)
        .expect("the rogue's request is on the board");
    assert_eq!(request.requester_name, Some(rogue.name.as_str()));

    let alerts = model.alerts_for(&victim.device.member, T0_MS);
    let alert = alerts
        .iter()
        .find(|alert| alert.id.contains("r-rogue"))
        .expect("the victim is told of the new request");
    assert!(
        alert.subject_de.contains(&rogue.name) && !alert.subject_de.contains(&victim.name),
        "{}",
        alert.subject_de
    );
}
