//! Strangers against a node over real libp2p (TCP + noise + yamux, or
//! QUIC, on loopback): fresh peer ids that dial the node, hold their connections
//! and flood its stream protocols with what a peer outside the pact can
//! send: the largest sync request the codec takes, sync requests that
//! inflate to the cap ("zip bombs"), truncated frames, bytes that are no
//! protocol at all, and introductions that are garbage. Shared by the
//! stranger-flood test on the real binary (`node/tests/stranger_flood.rs`)
//! and the benchmark row (`bench::strangers`).
//!
//! The streams are written by hand (multistream-select's lazy form: the
//! header, the protocol and the payload in one go) so that a stranger is
//! as cheap for the test as it is for an attacker, and sends what no
//! honest libp2p stack would.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use amtshilfe_protocol::sync::MESSAGE_BYTES_MAX;
use futures::AsyncWriteExt;
use libp2p::core::muxing::{StreamMuxerBox, StreamMuxerExt, SubstreamBox};
use libp2p::core::transport::{DialOpts, PortUse};
use libp2p::core::upgrade::Version;
use libp2p::core::{Endpoint, Transport};
use libp2p::{Multiaddr, identity, noise, tcp, yamux};

/// The sync protocol's name, as the node's codec registers it.
pub const SYNC: &str = "/amtshilfe/sync/1";
/// The introduction protocol's name.
pub const INTRODUCE: &str = "/amtshilfe/introduce/1";
/// How long one dial or one stream write may take before the stranger
/// gives up on it (a loaded machine is slow, never stuck).
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// One connection from a fresh peer id. A task drives the connection
/// (yamux needs polling to move bytes) and drops every stream the node
/// opens; the connection closes when the stranger is dropped.
pub struct Stranger {
    muxer: Arc<Mutex<StreamMuxerBox>>,
    driver: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Stranger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stranger")
            .field("open", &self.is_open())
            .finish()
    }
}

impl Stranger {
    /// Dials `address` (without `/p2p/`) as a fresh peer id; `None` if the
    /// handshake did not complete (the node refused or dropped it).
    pub async fn dial(address: Multiaddr) -> Option<Self> {
        Self::dial_as(address, identity::Keypair::generate_ed25519()).await
    }

    /// Dials `address` with `key` (a member's device key, to check what a
    /// member may do on a connection the same way).
    pub async fn dial_as(address: Multiaddr, key: identity::Keypair) -> Option<Self> {
        let muxer = handshake(address, &key).await?;
        let muxer = Arc::new(Mutex::new(muxer));
        let driver = tokio::spawn(drive(muxer.clone()));
        Some(Self { muxer, driver })
    }

    /// Dials `address` (a `/udp/…/quic-v1` address without `/p2p/`) over
    /// QUIC as a fresh peer id.
    pub async fn dial_quic(address: Multiaddr) -> Option<Self> {
        let muxer = handshake_quic(address, &identity::Keypair::generate_ed25519()).await?;
        let muxer = Arc::new(Mutex::new(muxer));
        let driver = tokio::spawn(drive(muxer.clone()));
        Some(Self { muxer, driver })
    }

    /// Whether the node still holds the connection.
    pub fn is_open(&self) -> bool {
        !self.driver.is_finished()
    }

    /// Opens a stream and writes `head` (a multistream-select proposal or
    /// anything else) and `payload` to it, closing it if `close`. `None` if
    /// no stream opened or `head` did not go out; else the stream (to hold)
    /// if the node took the whole payload, `Some(None)` if it refused the
    /// stream part way, which a gate does to a stranger: a request sent all
    /// the same.
    async fn send(&self, head: &[u8], payload: &[u8], close: bool) -> Option<Option<SubstreamBox>> {
        let work = async {
            let mut stream =
                futures::future::poll_fn(|cx| lock(&self.muxer).poll_outbound_unpin(cx))
                    .await
                    .ok()?;
            stream.write_all(head).await.ok()?;
            let rest = async {
                stream.write_all(payload).await?;
                if close {
                    stream.close().await
                } else {
                    stream.flush().await
                }
            };
            Some(rest.await.ok().map(|()| stream))
        };
        tokio::time::timeout(STEP_TIMEOUT, work).await.ok()?
    }

    /// One round of a light stranger: more sync requests than the node
    /// allows at once, each a zip bomb; a truncated one; one stream that
    /// is no protocol at all; more introductions than allowed, all
    /// garbage. Returns how many requests it sent.
    pub async fn light_round(&self, payloads: &Payloads, streams_allowed: usize) -> usize {
        let sync = proposal(SYNC);
        let introduce = proposal(INTRODUCE);
        let truncated = &payloads.bomb[..payloads.bomb.len() / 2];
        let mut sends = Vec::new();
        for _ in 0..streams_allowed + 2 {
            sends.push(self.send(&sync, &payloads.bomb, true));
        }
        sends.push(self.send(&sync, truncated, true));
        sends.push(self.send(&payloads.garbage, &payloads.garbage, true));
        for _ in 0..3 {
            sends.push(self.send(&introduce, &payloads.garbage, true));
        }
        let sent = futures::future::join_all(sends).await;
        sent.iter().filter(|stream| stream.is_some()).count()
    }

    /// One round of a heavy stranger: as many sync streams as the node
    /// allows, each negotiated as an honest libp2p stack would (the
    /// proposal, then the node's answer) and, where the node took the
    /// protocol, carrying the largest request the codec takes, held open
    /// (never finished) for `hold` so that whatever the node buffers stays
    /// buffered; then reset. Returns how many requests it proposed and
    /// how many of them the node took.
    pub async fn heavy_round(
        &self,
        payloads: &Payloads,
        streams_allowed: usize,
        hold: Duration,
    ) -> (usize, usize) {
        let sends = (0..streams_allowed).map(|_| async {
            let (accepted, mut stream) = self.negotiate(SYNC).await?;
            if accepted {
                let write = stream.write_all(&payloads.largest);
                let _ = tokio::time::timeout(STEP_TIMEOUT, write).await;
                let _ = stream.flush().await;
            }
            Some((accepted, stream))
        });
        let sent: Vec<_> = futures::future::join_all(sends)
            .await
            .into_iter()
            .flatten()
            .collect();
        tokio::time::sleep(hold).await;
        let taken = sent.iter().filter(|(accepted, _)| *accepted).count();
        (sent.len(), taken)
    }
}

impl Stranger {
    /// Proposes `protocol` on a new stream and waits for the node's
    /// answer: `Some(true)` if the node accepted it, `Some(false)` if it
    /// refused it, `None` if it did not answer in time.
    pub async fn proposes(&self, protocol: &str) -> Option<bool> {
        self.negotiate(protocol).await.map(|(accepted, _)| accepted)
    }

    /// Proposes `protocol` on a new stream; whether the node took it, and
    /// the stream.
    async fn negotiate(&self, protocol: &str) -> Option<(bool, SubstreamBox)> {
        use futures::AsyncReadExt;
        let work = async {
            let mut stream =
                futures::future::poll_fn(|cx| lock(&self.muxer).poll_outbound_unpin(cx))
                    .await
                    .ok()?;
            stream.write_all(&proposal(protocol)).await.ok()?;
            stream.flush().await.ok()?;
            // The node echoes the header, then echoes the protocol or says
            // "na"; each message is a length byte and the text.
            let mut answers = Vec::new();
            for _ in 0..2 {
                let mut length = [0u8; 1];
                stream.read_exact(&mut length).await.ok()?;
                let mut text = vec![0u8; usize::from(length[0])];
                stream.read_exact(&mut text).await.ok()?;
                answers.push(text);
            }
            let accepted = answers[1] == format!("{protocol}\n").into_bytes();
            Some((accepted, stream))
        };
        tokio::time::timeout(STEP_TIMEOUT, work).await.ok()?
    }
}

impl Stranger {
    /// One round of a window stranger: `stalled` streams whose
    /// negotiation it stalls (a proposal cut short, so the node waits for
    /// the rest), then `filled` streams, each carrying a yamux window of
    /// bytes the node has not asked for, all held for `hold`. The node
    /// reads a filled stream only once it takes it into negotiation, which
    /// the stalled ones keep it from. Returns how many streams opened.
    pub async fn window_round(
        &self,
        payloads: &Payloads,
        stalled: usize,
        filled: usize,
        hold: Duration,
    ) -> usize {
        // A header and a proposal said to be 100 bytes long, of which one
        // arrives.
        let mut stall = proposal(SYNC);
        stall.truncate(20);
        stall.extend_from_slice(&[100, b'/']);
        let stalls = (0..stalled).map(|_| self.send(&stall, &[], false));
        let mut held: Vec<_> = futures::future::join_all(stalls)
            .await
            .into_iter()
            .flatten()
            .collect();
        let fills = (0..filled).map(|_| self.send(&[], &payloads.window, false));
        held.extend(futures::future::join_all(fills).await.into_iter().flatten());
        tokio::time::sleep(hold).await;
        held.len()
    }
}

impl Stranger {
    /// How many bytes the node lets this stranger send without reading
    /// them: first `stalled` streams whose proposal is cut short (so the
    /// node waits for the rest and its negotiation slots stay taken), then
    /// `filled` streams each written with up to `per_stream` bytes, every
    /// write given up after `wait`. The node does not read a stream before
    /// it takes it into negotiation, and the transport's flow control
    /// stops the writes once the node's windows are full, so the sum is
    /// what the node buffers for the stranger.
    pub async fn unread_bytes(
        &self,
        stalled: usize,
        filled: usize,
        per_stream: usize,
        wait: Duration,
    ) -> usize {
        let mut stall = proposal(SYNC);
        stall.truncate(20);
        stall.extend_from_slice(&[100, b'/']);
        let stalls = (0..stalled).map(|_| self.send(&stall, &[], false));
        let _held: Vec<_> = futures::future::join_all(stalls).await;
        let chunk = vec![0x5a_u8; 64 * 1024];
        let fills = (0..filled).map(|_| async {
            let open = futures::future::poll_fn(|cx| lock(&self.muxer).poll_outbound_unpin(cx));
            let Ok(Ok(mut stream)) = tokio::time::timeout(wait, open).await else {
                return (0, None);
            };
            let mut sent = 0;
            while sent < per_stream {
                let write = async {
                    stream.write_all(&chunk).await?;
                    stream.flush().await
                };
                match tokio::time::timeout(wait, write).await {
                    Ok(Ok(())) => sent += chunk.len(),
                    _ => break,
                }
            }
            (sent, Some(stream))
        });
        let filled = futures::future::join_all(fills).await;
        filled.iter().map(|(sent, _)| sent).sum()
    }
}

impl Drop for Stranger {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// The bytes strangers send, made once and shared.
#[derive(Debug, Clone)]
pub struct Payloads {
    /// The largest request the sync codec takes: `MESSAGE_BYTES_MAX`
    /// bytes that do not compress.
    pub largest: Arc<Vec<u8>>,
    /// About a kilobyte that inflates to exactly `MESSAGE_BYTES_MAX`.
    pub bomb: Arc<Vec<u8>>,
    /// Bytes that are no protocol and no message (not even a length).
    pub garbage: Arc<Vec<u8>>,
    /// One yamux window (256 KiB) of bytes.
    pub window: Arc<Vec<u8>>,
}

impl Payloads {
    /// Makes the payloads.
    pub fn new() -> Self {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let largest = (0..MESSAGE_BYTES_MAX)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing into a Vec cannot fail.
        let _ = encoder.write_all(&vec![0u8; MESSAGE_BYTES_MAX]);
        let bomb = encoder.finish().unwrap_or_default();
        Self {
            largest: Arc::new(largest),
            bomb: Arc::new(bomb),
            garbage: Arc::new(vec![0xff; 512]),
            window: Arc::new(vec![0xff; 256 * 1024]),
        }
    }
}

impl Default for Payloads {
    fn default() -> Self {
        Self::new()
    }
}

/// What a flood sent, counted while it runs.
#[derive(Debug, Default)]
pub struct FloodCount {
    /// Connections whose handshake completed.
    pub connections: AtomicUsize,
    /// Requests (streams with a proposal and a payload) sent.
    pub requests: AtomicUsize,
    /// Bytes of request payloads sent on streams the node took (a zip
    /// bomb counts as its wire size).
    pub bytes: AtomicUsize,
    /// Connections open now, as the strangers see them (a connection the
    /// node closed counts until its stranger notices: never fewer than the
    /// node holds).
    pub open: AtomicUsize,
    /// The most connections open at once.
    pub open_max: AtomicUsize,
}

impl FloodCount {
    /// The connections so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }
    /// The requests so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
    /// The most connections open at once so far.
    pub fn open_max(&self) -> usize {
        self.open_max.load(Ordering::Relaxed)
    }
    fn opened(&self) {
        let open = self.open.fetch_add(1, Ordering::Relaxed) + 1;
        self.open_max.fetch_max(open, Ordering::Relaxed);
    }
    fn closed(&self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }
    /// The payload bytes so far, in MiB.
    pub fn mib(&self) -> f64 {
        self.bytes.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0)
    }
}

/// How one stranger floods.
#[derive(Debug, Clone)]
pub struct FloodPlan {
    /// The node's address, without `/p2p/`.
    pub address: Multiaddr,
    /// Heavy rounds (the largest requests, held) or light ones.
    pub heavy: bool,
    /// Sync streams the node allows per connection.
    pub streams_allowed: usize,
    /// How long a heavy round holds its streams.
    pub hold: Duration,
    /// When to stop, once the stranger has connected at least once (so
    /// that every stranger connects even on a slow machine).
    pub until: tokio::time::Instant,
}

/// How long after [`FloodPlan::until`] a stranger that has not connected
/// yet keeps trying.
pub const LATE_DIALS: Duration = Duration::from_secs(60);

/// Dials as a fresh peer id (taking a permit of `dials`, so that only so
/// many handshakes run at once) and floods with `plan` until its end (and
/// at least until it has connected once, for at most [`LATE_DIALS`] more),
/// dialling again with a fresh id whenever the node drops the connection
/// or refuses it (as an attacker would come back), counting into `count`.
pub async fn flood(
    plan: FloodPlan,
    payloads: Payloads,
    dials: Arc<tokio::sync::Semaphore>,
    count: Arc<FloodCount>,
) {
    let mut stranger: Option<Stranger> = None;
    let mut connected = false;
    loop {
        let now = tokio::time::Instant::now();
        if now >= plan.until + LATE_DIALS || (now >= plan.until && connected) {
            break;
        }
        let open = stranger.as_ref().filter(|s| s.is_open());
        let Some(open) = open else {
            if stranger.take().is_some() {
                count.closed();
            }
            let dialled = match dials.acquire().await {
                Ok(_permit) => Stranger::dial(plan.address.clone()).await,
                Err(_) => return,
            };
            match dialled {
                Some(fresh) => {
                    count.connections.fetch_add(1, Ordering::Relaxed);
                    count.opened();
                    connected = true;
                    stranger = Some(fresh);
                }
                // Refused (the node is full): try again later, not at once.
                None => tokio::time::sleep(Duration::from_secs(1)).await,
            }
            continue;
        };
        let (sent, bytes) = if plan.heavy {
            let (sent, taken) = open
                .heavy_round(&payloads, plan.streams_allowed, plan.hold)
                .await;
            (sent, taken * payloads.largest.len())
        } else {
            let sent = open.light_round(&payloads, plan.streams_allowed).await;
            (sent, sent * payloads.bomb.len())
        };
        count.requests.fetch_add(sent, Ordering::Relaxed);
        count.bytes.fetch_add(bytes, Ordering::Relaxed);
        // A light round is cheap for the stranger; a pause keeps a thousand
        // of them from taking the machine the node shares with the test.
        tokio::time::sleep(Duration::from_millis(if plan.heavy { 10 } else { 500 })).await;
    }
    if stranger.is_some() {
        count.closed();
    }
}

/// A multistream-select proposal of `protocol`, in its lazy form: the
/// header and the protocol, each length-prefixed, sent without waiting for
/// the node's echo.
fn proposal(protocol: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    for line in ["/multistream/1.0.0", protocol] {
        // Both lines are shorter than 128 bytes: their length is one byte.
        bytes.push((line.len() + 1) as u8);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    bytes
}

fn lock(muxer: &Mutex<StreamMuxerBox>) -> std::sync::MutexGuard<'_, StreamMuxerBox> {
    muxer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Moves the connection's bytes until it fails or closes, dropping every
/// stream the node opens (its introduction and identify get no answer).
async fn drive(muxer: Arc<Mutex<StreamMuxerBox>>) {
    futures::future::poll_fn(|cx| {
        let mut muxer = lock(&muxer);
        loop {
            match muxer.poll_inbound_unpin(cx) {
                Poll::Ready(Ok(stream)) => drop(stream),
                Poll::Ready(Err(_)) => return Poll::Ready(()),
                Poll::Pending => break,
            }
        }
        loop {
            match muxer.poll_unpin(cx) {
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(()),
                Poll::Pending => return Poll::Pending,
            }
        }
    })
    .await;
}

/// `VmRSS` and `VmHWM` (peak) of process `pid`, in MiB.
pub fn memory_mib(pid: u32) -> std::io::Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
            .ok_or_else(|| std::io::Error::other(format!("no {name} in /proc/{pid}/status")))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// A QUIC connection to `address` as `key`'s peer id (libp2p's defaults),
/// if the handshake completes within [`STEP_TIMEOUT`].
pub async fn handshake_quic(address: Multiaddr, key: &identity::Keypair) -> Option<StreamMuxerBox> {
    let transport = libp2p::quic::tokio::Transport::new(libp2p::quic::Config::new(key))
        .map(|(_, connection), _| StreamMuxerBox::new(connection))
        .boxed();
    dial(transport, address).await
}

/// A connection to `address` as `key`'s peer id over TCP, noise and yamux
/// (libp2p's defaults, as an ordinary peer would dial), if the handshake
/// completes within [`STEP_TIMEOUT`].
pub async fn handshake(address: Multiaddr, key: &identity::Keypair) -> Option<StreamMuxerBox> {
    let transport = tcp::tokio::Transport::new(tcp::Config::default())
        .upgrade(Version::V1)
        .authenticate(noise::Config::new(key).ok()?)
        .multiplex(yamux::Config::default())
        .map(|(_, muxer), _| StreamMuxerBox::new(muxer))
        .boxed();
    dial(transport, address).await
}

/// Dials `address` on `transport`; the muxer once the handshake completed
/// within [`STEP_TIMEOUT`].
async fn dial(
    mut transport: libp2p::core::transport::Boxed<StreamMuxerBox>,
    address: Multiaddr,
) -> Option<StreamMuxerBox> {
    let dial = transport
        .dial(
            address,
            DialOpts {
                role: Endpoint::Dialer,
                port_use: PortUse::New,
            },
        )
        .ok()?;
    tokio::time::timeout(STEP_TIMEOUT, dial).await.ok()?.ok()
}
