//! The libp2p behaviours a node runs: identify and ping, introduction (the
//! membership entries both sides exchange when a connection opens, before
//! anything else is shared), one gossipsub topic per pact for
//! announcements, request-response for sync and for peer exchange, and
//! optional mDNS. Who is admitted is decided in `admission.rs`.

use std::time::Duration;

use amtshilfe_protocol::identity::sha256;
use libp2p::swarm::{NetworkBehaviour, behaviour::toggle::Toggle};
use libp2p::{
    allow_block_list, connection_limits, gossipsub, identify, identity::Keypair, mdns, ping,
    request_response,
};

use super::announce::ANNOUNCEMENT_BYTES_MAX;
use super::codec::{
    INTRODUCE_PROTOCOL, IntroduceCodec, PEERS_PROTOCOL, PeersCodec, SYNC_PROTOCOL, SyncCodec,
};
use super::gate::{AdmittedOnly, AllowedPeers};

/// The gossip score of a connected peer that is not an admitted member:
/// far below gossipsub's graylist threshold.
pub const UNADMITTED_SCORE: f64 = -1_000_000.0;
/// The gossip score of an admitted member.
pub const ADMITTED_SCORE: f64 = 0.0;

/// identify's protocol version: peers of other protocols are told apart.
pub const PROTOCOL_VERSION: &str = "/amtshilfe/1.0.0";
/// How long a sync request may take before it fails.
pub const SYNC_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Most sync streams open at once per connection.
pub const SYNC_STREAMS_MAX: usize = 16;
/// Most introduction streams open at once per connection: an introduction
/// is one request each way, and it is all an unadmitted peer may send.
pub const INTRODUCE_STREAMS_MAX: usize = 2;
/// Most peer-exchange streams open at once per connection.
pub const PEERS_STREAMS_MAX: usize = 4;
/// Most established connections, in and out (a pact may have hundreds of
/// members; each node needs one connection to each it talks to).
pub const CONNECTIONS_MAX: u32 = 1_024;
/// Most established incoming connections: the rest stays for our own dials.
pub const CONNECTIONS_INCOMING_MAX: u32 = 768;
/// Most incoming connections still in their handshake.
pub const PENDING_INCOMING_MAX: u32 = 64;
/// Most outgoing dials in progress.
pub const PENDING_OUTGOING_MAX: u32 = 128;
/// Most established connections to one peer (TCP and QUIC, and a dial
/// each way at the same moment).
pub const CONNECTIONS_PER_PEER_MAX: u32 = 3;

/// Most yamux streams open at once on one connection, both ways. yamux
/// lets the other side fill each stream it opens with a 256 KiB window
/// before the node reads any of it (the window cannot be made smaller), so
/// this is what a connection can make the node hold: 32 × 256 KiB = 8 MiB
/// (yamux's default, 512, allowed 128 MiB, of which a stranger that
/// stalled its streams' negotiation made the node hold ~33 MiB per
/// connection, `node/tests/stranger_flood.rs`). An admitted peer needs at
/// most the request-response streams (2 + 16 + 4), identify, ping and
/// gossipsub (two each): 28.
pub const YAMUX_STREAMS_MAX: usize = 32;
/// Most incoming streams in protocol negotiation at once on one
/// connection (libp2p's default is 128). A stranger can stall a
/// negotiation until its timeout; the streams behind wait unread.
pub const NEGOTIATING_STREAMS_MAX: usize = 16;

/// yamux with [`YAMUX_STREAMS_MAX`].
pub fn yamux_config() -> libp2p::yamux::Config {
    let mut config = libp2p::yamux::Config::default();
    config.set_max_num_streams(YAMUX_STREAMS_MAX);
    config
}

/// Most bytes a QUIC peer may send on one connection before the node
/// reads them, in bytes: the same 8 MiB a TCP connection's yamux windows
/// allow ([`YAMUX_STREAMS_MAX`] × 256 KiB), instead of QUIC's default
/// 15 MB per connection and 10 MB per stream.
pub const QUIC_CONNECTION_DATA_MAX: u32 = 8 * 1024 * 1024;
/// Most bytes a QUIC peer may send on one stream before the node reads
/// them, in bytes (a sync page streams through it in turns).
pub const QUIC_STREAM_DATA_MAX: u32 = 1024 * 1024;

/// QUIC with the same stream count and unread-data bound as TCP + yamux,
/// so that a stranger dialling over UDP holds no more of the node's memory
/// than one dialling over TCP.
pub fn quic_config(mut config: libp2p::quic::Config) -> libp2p::quic::Config {
    config.max_concurrent_stream_limit = YAMUX_STREAMS_MAX as u32;
    config.max_connection_data = QUIC_CONNECTION_DATA_MAX;
    config.max_stream_data = QUIC_STREAM_DATA_MAX;
    config
}

/// The connection limits above.
pub fn connection_limits() -> connection_limits::ConnectionLimits {
    connection_limits::ConnectionLimits::default()
        .with_max_established(Some(CONNECTIONS_MAX))
        .with_max_established_incoming(Some(CONNECTIONS_INCOMING_MAX))
        .with_max_pending_incoming(Some(PENDING_INCOMING_MAX))
        .with_max_pending_outgoing(Some(PENDING_OUTGOING_MAX))
        .with_max_established_per_peer(Some(CONNECTIONS_PER_PEER_MAX))
}

/// All behaviours of a node.
// gossipsub's and mDNS's behaviours do not implement Debug.
#[allow(missing_debug_implementations)]
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    /// How many connections are held (see [`connection_limits`]).
    pub limits: connection_limits::Behaviour,
    /// Peers an operator quarantined: no connection at all.
    pub blocked: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    /// Membership entries exchanged when a connection opens.
    pub introduce: request_response::Behaviour<IntroduceCodec>,
    /// Exchange of listen addresses and protocol versions.
    pub identify: identify::Behaviour,
    /// Liveness.
    pub ping: ping::Behaviour,
    /// Announcements of new envelopes and entries.
    pub gossipsub: gossipsub::Behaviour,
    /// Anti-entropy, open to admitted peers only (`gate.rs`).
    pub sync: AdmittedOnly<request_response::Behaviour<SyncCodec>>,
    /// Addresses of other members, asked of admitted peers.
    pub peers: request_response::Behaviour<PeersCodec>,
    /// Local discovery, if configured.
    pub mdns: Toggle<mdns::tokio::Behaviour>,
}

impl Behaviour {
    /// Builds every behaviour for the node with `key`.
    pub fn new(
        key: &Keypair,
        mdns_enabled: bool,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let gossipsub_config = gossipsub::ConfigBuilder::default()
            .validation_mode(gossipsub::ValidationMode::Strict)
            .validate_messages()
            .max_transmit_size(ANNOUNCEMENT_BYTES_MAX)
            .heartbeat_interval(Duration::from_millis(500))
            // The same envelope relayed by several nodes is one message.
            .message_id_fn(|message| gossipsub::MessageId::from(sha256(&message.data).to_vec()))
            .build()?;
        let mut gossipsub = gossipsub::Behaviour::new(
            gossipsub::MessageAuthenticity::Signed(key.clone()),
            gossipsub_config,
        )?;
        // Peer scoring is how a connected peer that is not (yet) an admitted
        // member is kept out of gossip: its application score is set below
        // every threshold, so nothing is published or forwarded to it and its
        // messages are dropped, while its topic subscription is remembered for
        // when it is admitted. Every member may share one address (a
        // provider's data centre, loopback in tests), so co-location is not
        // held against anyone.
        let score_params = gossipsub::PeerScoreParams {
            app_specific_weight: 1.0,
            ip_colocation_factor_weight: 0.0,
            ..gossipsub::PeerScoreParams::default()
        };
        gossipsub.with_peer_score(score_params, gossipsub::PeerScoreThresholds::default())?;
        let introduce = request_response::Behaviour::with_codec(
            IntroduceCodec::default(),
            [(INTRODUCE_PROTOCOL, request_response::ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(SYNC_REQUEST_TIMEOUT)
                .with_max_concurrent_streams(INTRODUCE_STREAMS_MAX),
        );
        let sync = request_response::Behaviour::with_codec(
            SyncCodec::default(),
            [(SYNC_PROTOCOL, request_response::ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(SYNC_REQUEST_TIMEOUT)
                .with_max_concurrent_streams(SYNC_STREAMS_MAX),
        );
        let peers = request_response::Behaviour::with_codec(
            PeersCodec::default(),
            [(PEERS_PROTOCOL, request_response::ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(SYNC_REQUEST_TIMEOUT)
                .with_max_concurrent_streams(PEERS_STREAMS_MAX),
        );
        let mdns = if mdns_enabled {
            Some(mdns::tokio::Behaviour::new(
                mdns::Config::default(),
                key.public().to_peer_id(),
            )?)
        } else {
            None
        };
        Ok(Self {
            limits: connection_limits::Behaviour::new(connection_limits()),
            blocked: allow_block_list::Behaviour::default(),
            introduce,
            identify: identify::Behaviour::new(identify::Config::new(
                PROTOCOL_VERSION.into(),
                key.public(),
            )),
            ping: ping::Behaviour::default(),
            gossipsub,
            sync: AdmittedOnly::new(sync, AllowedPeers::default()),
            peers,
            mdns: Toggle::from(mdns),
        })
    }
}
