//! The bridge between amtshilfe keys and libp2p identities: a node's
//! libp2p identity is its device key, so a peer id names a device, and the
//! connection gate can ask the membership log about it.

use amtshilfe_protocol::identity::KeyPair;
use amtshilfe_protocol::ids::PublicKey;
use libp2p::PeerId;
use libp2p::identity::{self, Keypair};

/// The libp2p keypair of a device key.
pub fn libp2p_keypair(device: &KeyPair) -> Result<Keypair, identity::DecodingError> {
    let mut seed = device.seed();
    Keypair::ed25519_from_bytes(&mut seed)
}

/// The peer id of a device key.
pub fn peer_id_of(key: &PublicKey) -> Option<PeerId> {
    let public = identity::ed25519::PublicKey::try_from_bytes(&key.0).ok()?;
    Some(PeerId::from_public_key(&identity::PublicKey::from(public)))
}

/// `addresses` of the node whose device key is `device`, each with its
/// peer id (`/p2p/…`) added where none is named, so that a dialler can
/// check whom it reaches. `None`: the key is no valid peer id.
pub fn with_peer_id(addresses: &[String], device: &PublicKey) -> Option<Vec<String>> {
    let peer = peer_id_of(device)?;
    Some(
        addresses
            .iter()
            .map(|a| {
                if a.contains("/p2p/") {
                    a.clone()
                } else {
                    format!("{a}/p2p/{peer}")
                }
            })
            .collect(),
    )
}

/// The device key inside a peer id (ed25519 peer ids inline their key).
pub fn key_of_peer(peer: &PeerId) -> Option<PublicKey> {
    let multihash = peer.as_ref();
    // Code 0x00 is the identity multihash: the digest is the protobuf-encoded key.
    if multihash.code() != 0x00 {
        return None;
    }
    let public = identity::PublicKey::try_decode_protobuf(multihash.digest()).ok()?;
    let ed25519 = public.try_into_ed25519().ok()?;
    Some(PublicKey(ed25519.to_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_keys_and_peer_ids_round_trip() {
        let device = KeyPair::from_seed([7; 32]);
        let keypair = libp2p_keypair(&device).unwrap();
        let peer = keypair.public().to_peer_id();
        assert_eq!(peer_id_of(&device.public()), Some(peer));
        assert_eq!(key_of_peer(&peer), Some(device.public()));
    }

    #[test]
    fn an_address_gets_the_peer_id_unless_it_names_one() {
        let device = KeyPair::from_seed([7; 32]).public();
        let peer = peer_id_of(&device).unwrap();
        let named = "/ip4/10.0.0.2/tcp/4100/p2p/12D3KooWother".to_owned();
        let addresses = with_peer_id(
            &["/ip4/10.0.0.1/tcp/4100".to_owned(), named.clone()],
            &device,
        );
        assert_eq!(
            addresses,
            Some(vec![format!("/ip4/10.0.0.1/tcp/4100/p2p/{peer}"), named])
        );
    }
}
