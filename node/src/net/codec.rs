//! Request-response codecs of the node's stream protocols: sync
//! (anti-entropy), introduction (membership entries exchanged when a
//! connection opens) and peer exchange (addresses of other members). One postcard message per stream, read to the end
//! under a size cap. Raw bytes rather than CBOR, so pages cost what the
//! envelopes cost. Sync requests stay deflated bytes until the sender is
//! admitted ([`SyncRequestBytes`]).

use std::io;
use std::marker::PhantomData;

use amtshilfe_protocol::ids::PactId;
use amtshilfe_protocol::membership::{ENTRY_BYTES_MAX, SignedEntry};
use amtshilfe_protocol::sync::{MESSAGE_BYTES_MAX, SyncRequest, SyncResponse};
use futures::prelude::*;
use libp2p::StreamProtocol;
use libp2p::request_response;
use serde::{Deserialize, Serialize};

/// The sync protocol's name on the wire.
pub const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/amtshilfe/sync/1");
/// The introduction protocol's name on the wire.
pub const INTRODUCE_PROTOCOL: StreamProtocol = StreamProtocol::new("/amtshilfe/introduce/1");
/// The peer exchange protocol's name on the wire.
pub const PEERS_PROTOCOL: StreamProtocol = StreamProtocol::new("/amtshilfe/peers/1");

/// A message with a wire form and a size cap.
pub trait Wire: Sized + Send {
    /// Largest encoded message, in bytes.
    const BYTES_MAX: usize;
    /// Encodes the message.
    fn encode(&self) -> Vec<u8>;
    /// Decodes a message of at most [`Self::BYTES_MAX`] bytes.
    fn decode(bytes: &[u8]) -> Result<Self, String>;
}

/// A sync request as it came off the wire, still deflated: the codec
/// only checks its size, and the network task inflates and decodes it
/// ([`SyncRequestBytes::decode_request`]) only once the sender is
/// admitted, so a stranger's requests cost no inflation and no parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRequestBytes(Vec<u8>);

impl SyncRequestBytes {
    /// The wire form of `request`.
    pub fn of(request: &SyncRequest) -> Self {
        Self(request.to_bytes())
    }

    /// Inflates and decodes the request.
    pub fn decode_request(&self) -> Result<SyncRequest, String> {
        SyncRequest::from_bytes(&self.0).map_err(|e| e.to_string())
    }
}

impl Wire for SyncRequestBytes {
    const BYTES_MAX: usize = MESSAGE_BYTES_MAX;
    fn encode(&self) -> Vec<u8> {
        self.0.clone()
    }
    fn decode(bytes: &[u8]) -> Result<Self, String> {
        Ok(Self(bytes.to_vec()))
    }
}

impl Wire for SyncResponse {
    const BYTES_MAX: usize = MESSAGE_BYTES_MAX;
    fn encode(&self) -> Vec<u8> {
        self.to_bytes()
    }
    fn decode(bytes: &[u8]) -> Result<Self, String> {
        Self::from_bytes(bytes).map_err(|e| e.to_string())
    }
}

/// "These are the membership entries I know": sent by both sides when a
/// connection opens, so that each learns the other's device delegation
/// before deciding whether to talk to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Introduction {
    /// The pact the sender belongs to.
    pub pact: PactId,
    /// The sender's membership entries, parents first.
    pub entries: Vec<SignedEntry>,
}

/// The answer to an [`Introduction`]: whether the sender is now admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admission {
    /// True if the receiver will talk to the sender.
    pub admitted: bool,
}

/// Most delegation entries one introduction carries (a device delegated
/// again and again keeps only its latest ones in the introduction).
pub const INTRODUCTION_ENTRIES_MAX: usize = 16;

/// Largest introduction, in bytes: its entries at their largest.
pub const INTRODUCTION_BYTES_MAX: usize = INTRODUCTION_ENTRIES_MAX * ENTRY_BYTES_MAX + 1024;

impl Wire for Introduction {
    const BYTES_MAX: usize = INTRODUCTION_BYTES_MAX;
    fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }
    fn decode(bytes: &[u8]) -> Result<Self, String> {
        let introduction: Self = postcard::from_bytes(bytes).map_err(|e| e.to_string())?;
        if introduction.entries.len() > INTRODUCTION_ENTRIES_MAX {
            return Err(format!(
                "{} entries in an introduction, at most {INTRODUCTION_ENTRIES_MAX} allowed",
                introduction.entries.len()
            ));
        }
        Ok(introduction)
    }
}

impl Wire for Admission {
    const BYTES_MAX: usize = 16;
    fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }
    fn decode(bytes: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(bytes).map_err(|e| e.to_string())
    }
}

/// "Which members do you reach, and where?": asked of admitted peers, so
/// that members who only share a bootstrap node (a hub) learn each other's
/// addresses and connect directly, and keep working when the hub is down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeersRequest;

/// Most peers in one [`KnownPeers`] answer.
pub const PEERS_SHARED_MAX: usize = 64;
/// Most addresses per peer in one [`KnownPeers`] answer.
pub const ADDRESSES_SHARED_MAX: usize = 4;
/// Longest address accepted in a [`KnownPeers`] answer, in bytes.
pub const SHARED_ADDRESS_BYTES_MAX: usize = 256;

/// The answer to a [`PeersRequest`]: admitted peers of the answering node
/// with the addresses it knows for them. Noise authenticates whoever is
/// dialled, so a wrong address only costs a failed dial.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownPeers {
    /// At most [`PEERS_SHARED_MAX`] peers.
    pub peers: Vec<KnownPeer>,
}

/// One peer in a [`KnownPeers`] answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownPeer {
    /// The peer id's bytes.
    pub peer: Vec<u8>,
    /// At most [`ADDRESSES_SHARED_MAX`] multiaddrs, as bytes.
    pub addresses: Vec<Vec<u8>>,
}

impl Wire for PeersRequest {
    const BYTES_MAX: usize = 16;
    fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }
    fn decode(bytes: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(bytes).map_err(|e| e.to_string())
    }
}

impl Wire for KnownPeers {
    const BYTES_MAX: usize =
        PEERS_SHARED_MAX * (128 + ADDRESSES_SHARED_MAX * (SHARED_ADDRESS_BYTES_MAX + 4));
    fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }
    fn decode(bytes: &[u8]) -> Result<Self, String> {
        let peers: Self = postcard::from_bytes(bytes).map_err(|e| e.to_string())?;
        if peers.peers.len() > PEERS_SHARED_MAX
            || peers
                .peers
                .iter()
                .any(|p| p.addresses.len() > ADDRESSES_SHARED_MAX)
        {
            return Err("too many peers or addresses".into());
        }
        Ok(peers)
    }
}

/// A codec for one request type and one response type.
#[derive(Debug)]
pub struct RawCodec<Req, Resp>(PhantomData<fn() -> (Req, Resp)>);

impl<Req, Resp> Default for RawCodec<Req, Resp> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<Req, Resp> Clone for RawCodec<Req, Resp> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// The sync codec.
pub type SyncCodec = RawCodec<SyncRequestBytes, SyncResponse>;
/// The introduction codec.
pub type IntroduceCodec = RawCodec<Introduction, Admission>;
/// The peer exchange codec.
pub type PeersCodec = RawCodec<PeersRequest, KnownPeers>;

async fn read_message<T: AsyncRead + Unpin + Send, M: Wire>(io: &mut T) -> io::Result<M> {
    let mut bytes = Vec::new();
    // One byte over the cap tells an oversized message from a full one.
    io.take(M::BYTES_MAX as u64 + 1)
        .read_to_end(&mut bytes)
        .await?;
    if bytes.len() > M::BYTES_MAX {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "message over the size cap",
        ));
    }
    M::decode(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

async fn write_bytes<T: AsyncWrite + Unpin + Send>(io: &mut T, bytes: Vec<u8>) -> io::Result<()> {
    io.write_all(&bytes).await?;
    io.close().await
}

impl<Req: Wire + 'static, Resp: Wire + 'static> request_response::Codec for RawCodec<Req, Resp> {
    type Protocol = StreamProtocol;
    type Request = Req;
    type Response = Resp;

    async fn read_request<T>(&mut self, _: &Self::Protocol, io: &mut T) -> io::Result<Req>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_message(io).await
    }

    async fn read_response<T>(&mut self, _: &Self::Protocol, io: &mut T) -> io::Result<Resp>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_message(io).await
    }

    async fn write_request<T>(
        &mut self,
        _: &Self::Protocol,
        io: &mut T,
        request: Req,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_bytes(io, request.encode()).await
    }

    async fn write_response<T>(
        &mut self,
        _: &Self::Protocol,
        io: &mut T,
        response: Resp,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_bytes(io, response.encode()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(addresses: usize) -> KnownPeer {
        KnownPeer {
            peer: vec![1; 38],
            addresses: vec![vec![4, 127, 0, 0, 1]; addresses],
        }
    }

    #[test]
    fn known_peers_round_trip_within_their_caps() {
        let full = KnownPeers {
            peers: vec![peer(ADDRESSES_SHARED_MAX); PEERS_SHARED_MAX],
        };
        let bytes = full.encode();
        assert!(bytes.len() <= KnownPeers::BYTES_MAX);
        assert_eq!(KnownPeers::decode(&bytes), Ok(full));
        assert_eq!(
            PeersRequest::decode(&PeersRequest.encode()),
            Ok(PeersRequest)
        );
    }

    #[test]
    fn an_introduction_with_more_entries_than_allowed_is_refused() {
        let key = amtshilfe_protocol::identity::KeyPair::from_seed([5; 32]);
        let charter =
            amtshilfe_protocol::membership::MembershipLog::charter("Pakt", &[(&key, "A")], 0);
        let full = Introduction {
            pact: PactId([1; 32]),
            entries: vec![charter; INTRODUCTION_ENTRIES_MAX],
        };
        assert_eq!(Introduction::decode(&full.encode()), Ok(full.clone()));
        let mut over = full;
        over.entries.push(over.entries[0].clone());
        let error = Introduction::decode(&over.encode()).expect_err("one entry too many");
        assert!(error.contains("at most 16"), "{error}");
    }

    /// Bytes that do not even inflate pass the codec untouched: nothing is
    /// inflated or parsed before the network task knows the sender.
    #[test]
    fn sync_requests_are_not_inflated_by_the_codec() {
        let garbage = vec![0xff; 1_000];
        let raw = SyncRequestBytes::decode(&garbage).expect("only the size is checked");
        assert!(raw.decode_request().is_err());
        let want = SyncRequest::Digest {
            pact: PactId([1; 32]),
            digest: amtshilfe_protocol::ids::Sha256Hash([2; 32]),
        };
        assert_eq!(
            SyncRequestBytes::decode(&SyncRequestBytes::of(&want).encode())
                .and_then(|raw| raw.decode_request()),
            Ok(want)
        );
    }

    #[test]
    fn known_peers_over_their_caps_are_refused() {
        let too_many_peers = KnownPeers {
            peers: vec![peer(1); PEERS_SHARED_MAX + 1],
        };
        assert!(KnownPeers::decode(&too_many_peers.encode()).is_err());
        let too_many_addresses = KnownPeers {
            peers: vec![peer(ADDRESSES_SHARED_MAX + 1)],
        };
        assert!(KnownPeers::decode(&too_many_addresses.encode()).is_err());
    }
}
