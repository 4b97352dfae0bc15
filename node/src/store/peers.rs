//! Learned peer addresses, so a node that has met its peers once needs no
//! bootstrap address again. Bounded in peers, addresses per peer and bytes.
//! Never parses or dials an address; the network layer does that.

use redb::{ReadableTable, ReadableTableMetadata};

use super::schema::{PEERS, PeerRecord};
use super::{Store, StoreError};

/// Most peers whose addresses are kept; the least recently seen go first.
pub const PEERS_MAX: usize = 1_024;
/// Most addresses kept per peer; the most recently learned are kept.
pub const PEER_ADDRESSES_MAX: usize = 16;
/// Longest peer id accepted, in bytes.
pub const PEER_ID_BYTES_MAX: usize = 128;
/// Longest address accepted, in bytes.
pub const PEER_ADDRESS_BYTES_MAX: usize = 512;

const REMEMBERING: &str = "remembering peer addresses";
const READING: &str = "reading peer addresses";

/// What is known about reaching one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAddresses {
    /// The libp2p peer id, as text.
    pub peer: String,
    /// Multiaddrs, most recently learned first.
    pub addresses: Vec<String>,
    /// When the peer was last seen, ms since the epoch.
    pub last_seen_ms: i64,
}

impl Store {
    /// Adds `addresses` for `peer`, seen at `seen_at_ms`, in front of the
    /// ones already known (duplicates merged, at most
    /// [`PEER_ADDRESSES_MAX`] kept). When more than [`PEERS_MAX`] peers
    /// are known, the least recently seen is forgotten.
    pub fn remember_peer_addresses(
        &self,
        peer: &str,
        addresses: &[String],
        seen_at_ms: i64,
    ) -> Result<(), StoreError> {
        check_peer_input(peer, addresses)?;
        let failed = || StoreError::database::<redb::StorageError>(&self.path, REMEMBERING);
        let txn = self.begin_durable(REMEMBERING)?;
        {
            let mut table = txn
                .open_table(PEERS)
                .map_err(StoreError::database(&self.path, REMEMBERING))?;
            let previous = match table.get(peer).map_err(failed())? {
                Some(bytes) => Some(self.decode_peer(peer, bytes.value())?),
                None => None,
            };
            let record = merge(previous, addresses, seen_at_ms);
            let bytes = postcard::to_stdvec(&record).map_err(|error| StoreError::Refused {
                what: "peer addresses",
                detail: error.to_string(),
            })?;
            table.insert(peer, bytes.as_slice()).map_err(failed())?;
            if table.len().map_err(failed())? > PEERS_MAX as u64 {
                let mut oldest: Option<(String, i64)> = None;
                for row in table.iter().map_err(failed())? {
                    let (key, value) = row.map_err(failed())?;
                    let seen = self.decode_peer(key.value(), value.value())?.last_seen_ms;
                    if oldest
                        .as_ref()
                        .is_none_or(|(_, oldest_ms)| seen < *oldest_ms)
                    {
                        oldest = Some((key.value().to_owned(), seen));
                    }
                }
                if let Some((forgotten, _)) = oldest {
                    table.remove(forgotten.as_str()).map_err(failed())?;
                }
            }
        }
        txn.commit()
            .map_err(StoreError::database(&self.path, REMEMBERING))
    }

    /// Every remembered peer, most recently seen first.
    pub fn peer_addresses(&self) -> Result<Vec<PeerAddresses>, StoreError> {
        let failed = || StoreError::database::<redb::StorageError>(&self.path, READING);
        let txn = self.read_txn(READING)?;
        let table = txn
            .open_table(PEERS)
            .map_err(StoreError::database(&self.path, READING))?;
        let mut peers = Vec::new();
        for row in table.iter().map_err(failed())? {
            let (key, value) = row.map_err(failed())?;
            let record = self.decode_peer(key.value(), value.value())?;
            peers.push(PeerAddresses {
                peer: key.value().to_owned(),
                addresses: record.addresses,
                last_seen_ms: record.last_seen_ms,
            });
        }
        peers.sort_by(|a, b| {
            b.last_seen_ms
                .cmp(&a.last_seen_ms)
                .then_with(|| a.peer.cmp(&b.peer))
        });
        Ok(peers)
    }

    fn decode_peer(&self, peer: &str, bytes: &[u8]) -> Result<PeerRecord, StoreError> {
        postcard::from_bytes(bytes).map_err(|error| {
            self.damaged(format!(
                "the addresses of peer {peer} do not decode: {error}"
            ))
        })
    }
}

fn check_peer_input(peer: &str, addresses: &[String]) -> Result<(), StoreError> {
    let refuse = |detail: String| StoreError::Refused {
        what: "peer addresses",
        detail,
    };
    if peer.is_empty() || peer.len() > PEER_ID_BYTES_MAX {
        return Err(refuse(format!(
            "a peer id must be 1 to {PEER_ID_BYTES_MAX} bytes, got {}",
            peer.len()
        )));
    }
    if let Some(long) = addresses
        .iter()
        .find(|address| address.is_empty() || address.len() > PEER_ADDRESS_BYTES_MAX)
    {
        return Err(refuse(format!(
            "an address must be 1 to {PEER_ADDRESS_BYTES_MAX} bytes, got {}",
            long.len()
        )));
    }
    Ok(())
}

/// New addresses first, then the old ones not repeated, capped.
fn merge(previous: Option<PeerRecord>, addresses: &[String], seen_at_ms: i64) -> PeerRecord {
    let (old, old_seen_ms) = previous
        .map(|record| (record.addresses, record.last_seen_ms))
        .unwrap_or((Vec::new(), i64::MIN));
    let mut merged: Vec<String> = Vec::with_capacity(PEER_ADDRESSES_MAX);
    for address in addresses.iter().chain(old.iter()) {
        if merged.len() == PEER_ADDRESSES_MAX {
            break;
        }
        if !merged.contains(address) {
            merged.push(address.clone());
        }
    }
    PeerRecord {
        addresses: merged,
        last_seen_ms: seen_at_ms.max(old_seen_ms),
    }
}
