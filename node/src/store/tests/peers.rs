use super::*;
use crate::store::{PEER_ADDRESSES_MAX, PEERS_MAX, PeerAddresses, StoreError};

fn addr(n: usize) -> String {
    format!("/ip4/192.0.2.{}/tcp/4100", n % 250)
}

#[test]
fn addresses_merge_newest_first_and_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let store = Pact::new().create_store(&dir);
    store
        .remember_peer_addresses("peer-a", &[addr(1), addr(2)], T0_MS)
        .unwrap();
    store
        .remember_peer_addresses("peer-a", &[addr(3), addr(1)], T0_MS - 5)
        .unwrap();
    assert_eq!(
        store.peer_addresses().unwrap(),
        vec![PeerAddresses {
            peer: "peer-a".into(),
            addresses: vec![addr(3), addr(1), addr(2)],
            last_seen_ms: T0_MS,
        }]
    );
    let many: Vec<String> = (10..10 + 2 * PEER_ADDRESSES_MAX).map(addr).collect();
    store
        .remember_peer_addresses("peer-a", &many, T0_MS + 1)
        .unwrap();
    let peers = store.peer_addresses().unwrap();
    assert_eq!(peers[0].addresses, many[..PEER_ADDRESSES_MAX].to_vec());
    assert_eq!(peers[0].last_seen_ms, T0_MS + 1);
}

#[test]
fn the_least_recently_seen_peer_is_forgotten_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = Pact::new().create_store(&dir);
    for n in 0..PEERS_MAX {
        // peer-0 is seen last of all, peer-1 first.
        let seen = if n == 0 {
            T0_MS + 10_000
        } else {
            T0_MS + n as i64
        };
        store
            .remember_peer_addresses(&format!("peer-{n}"), &[addr(n)], seen)
            .unwrap();
    }
    store
        .remember_peer_addresses("peer-new", &[addr(7)], T0_MS + 20_000)
        .unwrap();
    let peers = store.peer_addresses().unwrap();
    assert_eq!(peers.len(), PEERS_MAX);
    assert_eq!(peers[0].peer, "peer-new");
    assert_eq!(peers[1].peer, "peer-0");
    assert!(peers.iter().all(|p| p.peer != "peer-1"));
}

#[test]
fn oversized_peer_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Pact::new().create_store(&dir);
    let long_id = "p".repeat(crate::store::PEER_ID_BYTES_MAX + 1);
    assert!(matches!(
        store.remember_peer_addresses(&long_id, &[addr(1)], T0_MS),
        Err(StoreError::Refused { .. })
    ));
    let long_addr = format!("/dns4/{}", "a".repeat(crate::store::PEER_ADDRESS_BYTES_MAX));
    assert!(matches!(
        store.remember_peer_addresses("peer-a", &[long_addr], T0_MS),
        Err(StoreError::Refused { .. })
    ));
    assert!(store.peer_addresses().unwrap().is_empty());
}
