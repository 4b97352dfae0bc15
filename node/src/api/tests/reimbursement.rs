//! The reimbursement export for the finance office: per pair of members,
//! the confirmed mission orders at the rates of the agreement the members
//! agreed by majority (without one: expenses only).

use amtshilfe_protocol::ids::Collection;
use amtshilfe_protocol::membership::Proposal;
use amtshilfe_protocol::pact::example_agreement;

use super::*;

fn lines(bytes: Vec<u8>) -> Vec<String> {
    String::from_utf8(bytes)
        .unwrap()
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_finance_office_gets_each_pair_at_the_agreements_rates() {
    let mut node = TestNode::new();
    let me = node.me();
    let b = node.other_id();
    let now = crate::clock::now_ms();
    // A's request for laptops over two days, and its closed, confirmed
    // mission order with B: 3 laptops, 10 hours, 120,00 EUR expenses.
    let mut request = laptop_request(5);
    request["start_ms"] = json!(now);
    request["end_ms"] = json!(now + 2 * DAY_MS);
    let acceptance = json!({
        "pledge": { "pledger": b, "pledge": "p-b1" }, "request": "r-a1", "need": "n1",
        "quantity": 3, "accepted_at_ms": now, "status": "closed",
        "hours_recorded": 10, "expenses_cents": 12_000
    });
    let ops = [
        RecordOp::Put {
            key: RecordKey::request(id("r-a1")).to_string(),
            json: request.to_string(),
        },
        RecordOp::Put {
            key: RecordKey::acceptance(id("a-a1")).to_string(),
            json: acceptance.to_string(),
        },
    ];
    node.core
        .lock()
        .write(Collection::Requests, &ops, now)
        .unwrap();
    node.other_writes(
        RecordKey::pledge(id("p-b1")),
        pledge(me, &id("r-a1"), "n1", 3),
    );
    node.other_writes(
        RecordKey::new(amtshilfe_protocol::model::RecordTag::Settlement, id("s-b1")),
        json!({ "pledge": "p-b1", "requester": me, "acceptance": "a-a1", "hours": 10,
                "expenses_cents": 12_000, "note": "", "recorded_at_ms": now }),
    );

    node.add_account("leser", Role::Viewer, true);
    let (session, _) = node.login_page("leser").await;
    let page = node.page(&session, "/pakt/vereinbarung").await;
    assert!(page.contains("data-testid=\"no-agreement\""), "{page}");

    // No agreement yet: expenses only.
    let (status, _, bytes) = node
        .raw(Method::GET, "/api/exports/reimbursement.csv", None, "")
        .await;
    assert_eq!(status, StatusCode::OK);
    let table = lines(bytes);
    assert!(
        table[0].starts_with("Anfragendes Mitglied (zahlt);"),
        "{}",
        table[0]
    );
    assert_eq!(table.len(), 2, "{table:?}");
    assert!(
        table[1].ends_with(";1;0;10;6;0,00;0,00;120,00;120,00"),
        "{}",
        table[1]
    );

    // Both members agree the example agreement (85 €/h, 25 €/device-day).
    let key_a = KeyPair::from_seed([1; 32]);
    let key_b = KeyPair::from_seed([2; 32]);
    let proposal = Proposal::SetAgreement {
        agreement: Box::new(example_agreement(&[me, b])),
        previous: None,
    };
    let entry = node
        .core
        .lock()
        .replica()
        .membership()
        .propose(&key_a, proposal, now);
    let hash = entry.hash();
    assert!(node.core.lock().receive_entries(vec![entry], "test"));
    let approval = node
        .core
        .lock()
        .replica()
        .membership()
        .approve(&key_b, hash, now);
    assert!(node.core.lock().receive_entries(vec![approval], "test"));
    assert!(
        node.core
            .lock()
            .replica()
            .membership()
            .state()
            .agreement()
            .is_some()
    );

    // The Pakt's agreement page shows the terms and who agreed them.
    let page = node.page(&session, "/pakt/vereinbarung").await;
    assert!(page.contains("data-testid=\"agreement\""), "{page}");
    assert!(page.contains("In Kraft"), "{page}");
    assert!(page.contains("85,00 EUR je Stunde"), "{page}");
    assert!(
        page.contains("Kreis Bergstraße, Stadt Darmstadt")
            || page.contains("Stadt Darmstadt, Kreis Bergstraße"),
        "{page}"
    );

    let (_, _, bytes) = node
        .raw(Method::GET, "/api/exports/reimbursement.csv", None, "")
        .await;
    let table = lines(bytes);
    // 10 h × 85 € = 850 €; 3 laptops × 2 days × 25 € = 150 €; + 120 €.
    assert!(
        table[1].ends_with(";1;0;10;6;850,00;150,00;120,00;1120,00"),
        "{}",
        table[1]
    );
}
