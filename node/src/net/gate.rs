//! Protocols a peer may open only once it is admitted. Wrapped around a
//! behaviour (the sync protocol's), the gate offers the behaviour's
//! protocols on a connection's incoming streams only while the peer at the
//! other end is in [`AllowedPeers`]; a stranger's stream is refused at protocol
//! negotiation, before the behaviour reads a byte of it. Without it, every
//! connection of a stranger could make the node read
//! `SYNC_STREAMS_MAX` requests of up to `MESSAGE_BYTES_MAX` into memory
//! before the request reached the admission check (16 × 1.25 MiB per
//! connection, 768 connections: 15 GiB), measured by
//! `node/tests/stranger_flood.rs`.
//!
//! Outgoing streams and everything else pass through unchanged: the node
//! only opens sync streams to admitted peers anyway.

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};

use either::Either;
use libp2p::PeerId;
use libp2p::core::transport::PortUse;
use libp2p::core::upgrade::DeniedUpgrade;
use libp2p::core::{Endpoint, Multiaddr};
use libp2p::swarm::handler::{
    ConnectionEvent, ConnectionHandlerEvent, FullyNegotiatedInbound, ListenUpgradeError,
    SendWrapper, SubstreamProtocol,
};
use libp2p::swarm::{
    ConnectionDenied, ConnectionHandler, ConnectionId, FromSwarm, NetworkBehaviour, THandler,
    THandlerInEvent, THandlerOutEvent, ToSwarm,
};

/// The peers the node admits: the devices of current members, as of the
/// network task's last gate refresh (its `allowed` set, which admission
/// draws from: a peer is admitted only if it is in it, and expelled when
/// it leaves it). Shared between the network task, which replaces it at
/// each refresh, and every connection's gate, which reads it for each
/// incoming stream. Mirroring `allowed` rather than the admitted peers
/// opens the gate before a member's connection is even handled, so its
/// first sync request does not race the network task's admission.
#[derive(Debug, Clone, Default)]
pub struct AllowedPeers(Arc<RwLock<HashSet<PeerId>>>);

impl AllowedPeers {
    /// Makes `peers` the allowed ones.
    pub fn replace(&self, peers: impl IntoIterator<Item = PeerId>) {
        let peers: HashSet<PeerId> = peers.into_iter().collect();
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = peers;
    }

    /// Whether `peer` may open the gated protocols.
    pub fn contains(&self, peer: &PeerId) -> bool {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(peer)
    }
}

/// `inner`, with its incoming streams open to the peers the node admits
/// only.
#[allow(missing_debug_implementations)]
pub struct AdmittedOnly<B> {
    inner: B,
    allowed: AllowedPeers,
}

impl<B> AdmittedOnly<B> {
    /// Gates `inner` by `allowed`.
    pub fn new(inner: B, allowed: AllowedPeers) -> Self {
        Self { inner, allowed }
    }

    /// The peers the gate lets in.
    pub fn allowed(&self) -> &AllowedPeers {
        &self.allowed
    }
}

impl<B> std::ops::Deref for AdmittedOnly<B> {
    type Target = B;
    fn deref(&self) -> &B {
        &self.inner
    }
}

impl<B> std::ops::DerefMut for AdmittedOnly<B> {
    fn deref_mut(&mut self) -> &mut B {
        &mut self.inner
    }
}

impl<B: NetworkBehaviour> NetworkBehaviour for AdmittedOnly<B> {
    type ConnectionHandler = GatedHandler<B::ConnectionHandler>;
    type ToSwarm = B::ToSwarm;

    fn handle_pending_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        local_addr: &Multiaddr,
        remote_addr: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        self.inner
            .handle_pending_inbound_connection(connection_id, local_addr, remote_addr)
    }

    fn handle_established_inbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        local_addr: &Multiaddr,
        remote_addr: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        let inner = self.inner.handle_established_inbound_connection(
            connection_id,
            peer,
            local_addr,
            remote_addr,
        )?;
        Ok(GatedHandler::new(inner, peer, self.allowed.clone()))
    }

    fn handle_pending_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        maybe_peer: Option<PeerId>,
        addresses: &[Multiaddr],
        effective_role: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        self.inner.handle_pending_outbound_connection(
            connection_id,
            maybe_peer,
            addresses,
            effective_role,
        )
    }

    fn handle_established_outbound_connection(
        &mut self,
        connection_id: ConnectionId,
        peer: PeerId,
        addr: &Multiaddr,
        role_override: Endpoint,
        port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        let inner = self.inner.handle_established_outbound_connection(
            connection_id,
            peer,
            addr,
            role_override,
            port_use,
        )?;
        Ok(GatedHandler::new(inner, peer, self.allowed.clone()))
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        self.inner.on_swarm_event(event);
    }

    fn on_connection_handler_event(
        &mut self,
        peer_id: PeerId,
        connection_id: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        self.inner
            .on_connection_handler_event(peer_id, connection_id, event);
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<ToSwarm<Self::ToSwarm, THandlerInEvent<Self>>> {
        self.inner.poll(cx)
    }
}

/// One connection's handler of a gated behaviour: the inner handler, whose
/// protocols are offered on an incoming stream only if the peer is
/// allowed when the stream arrives.
#[allow(missing_debug_implementations)]
pub struct GatedHandler<H> {
    inner: H,
    peer: PeerId,
    allowed: AllowedPeers,
}

impl<H> GatedHandler<H> {
    fn new(inner: H, peer: PeerId, allowed: AllowedPeers) -> Self {
        Self {
            inner,
            peer,
            allowed,
        }
    }
}

impl<H: ConnectionHandler> ConnectionHandler for GatedHandler<H> {
    type FromBehaviour = H::FromBehaviour;
    type ToBehaviour = H::ToBehaviour;
    type InboundProtocol = Either<SendWrapper<H::InboundProtocol>, SendWrapper<DeniedUpgrade>>;
    type OutboundProtocol = H::OutboundProtocol;
    type InboundOpenInfo = Either<H::InboundOpenInfo, ()>;
    type OutboundOpenInfo = H::OutboundOpenInfo;

    fn listen_protocol(&self) -> SubstreamProtocol<Self::InboundProtocol, Self::InboundOpenInfo> {
        if self.allowed.contains(&self.peer) {
            self.inner
                .listen_protocol()
                .map_upgrade(|upgrade| Either::Left(SendWrapper(upgrade)))
                .map_info(Either::Left)
        } else {
            SubstreamProtocol::new(Either::Right(SendWrapper(DeniedUpgrade)), Either::Right(()))
        }
    }

    fn connection_keep_alive(&self) -> bool {
        self.inner.connection_keep_alive()
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<
        ConnectionHandlerEvent<Self::OutboundProtocol, Self::OutboundOpenInfo, Self::ToBehaviour>,
    > {
        self.inner.poll(cx)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<Option<Self::ToBehaviour>> {
        self.inner.poll_close(cx)
    }

    fn on_behaviour_event(&mut self, event: Self::FromBehaviour) {
        self.inner.on_behaviour_event(event);
    }

    fn on_connection_event(
        &mut self,
        event: ConnectionEvent<
            Self::InboundProtocol,
            Self::OutboundProtocol,
            Self::InboundOpenInfo,
            Self::OutboundOpenInfo,
        >,
    ) {
        let event = match event {
            ConnectionEvent::FullyNegotiatedInbound(FullyNegotiatedInbound { protocol, info }) => {
                match (protocol, info) {
                    (futures::future::Either::Left(protocol), Either::Left(info)) => {
                        ConnectionEvent::FullyNegotiatedInbound(FullyNegotiatedInbound {
                            protocol,
                            info,
                        })
                    }
                    (futures::future::Either::Right(never), _) => match never {},
                    // The inner protocol's output with the gate's info cannot
                    // happen: both come from the same `listen_protocol`.
                    (futures::future::Either::Left(_), Either::Right(())) => return,
                }
            }
            ConnectionEvent::ListenUpgradeError(ListenUpgradeError { info, error }) => {
                match (info, error) {
                    (Either::Left(info), Either::Left(error)) => {
                        ConnectionEvent::ListenUpgradeError(ListenUpgradeError { info, error })
                    }
                    (_, Either::Right(never)) => match never {},
                    // A refused stranger's stream: nothing for the inner handler.
                    (Either::Right(()), Either::Left(_)) => return,
                }
            }
            ConnectionEvent::FullyNegotiatedOutbound(event) => {
                ConnectionEvent::FullyNegotiatedOutbound(event)
            }
            ConnectionEvent::DialUpgradeError(event) => ConnectionEvent::DialUpgradeError(event),
            ConnectionEvent::AddressChange(event) => ConnectionEvent::AddressChange(event),
            ConnectionEvent::LocalProtocolsChange(event) => {
                ConnectionEvent::LocalProtocolsChange(event)
            }
            ConnectionEvent::RemoteProtocolsChange(event) => {
                ConnectionEvent::RemoteProtocolsChange(event)
            }
            // The enum is non-exhaustive; events libp2p adds later are not
            // about incoming streams and have no inner form to pass on here.
            _ => return,
        };
        self.inner.on_connection_event(event);
    }
}
