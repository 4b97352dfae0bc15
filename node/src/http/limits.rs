//! Bounds of the HTTP server against strangers and floods: which host
//! names it answers for (against DNS rebinding), how long a request may
//! take, how many connections it holds (in all and per client address),
//! how long a connection may sit idle, and how many event streams are
//! open. Each is a named constant or a configuration option. Never looks
//! at who is logged in: `auth.rs` does.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

use super::auth::refuse;
use super::{ApiError, ApiState};

/// Most HTTP connections open at a time; further ones are closed at once.
pub const HTTP_CONNECTIONS_MAX: usize = 256;
/// Most HTTP connections from one client address. Trusted proxies and
/// this machine's own addresses are not limited by it (behind a local
/// reverse proxy every browser comes from 127.0.0.1); the total cap still
/// holds for them.
pub const HTTP_CONNECTIONS_PER_ADDRESS_MAX: usize = 32;
/// A connection that neither sends nor receives a byte for this long is
/// closed, in seconds (event streams send a keep-alive every 15 s).
pub const HTTP_IDLE_SECS: u64 = 60;
// An open event stream must never look idle between its keep-alives.
const _: () = assert!(HTTP_IDLE_SECS > 2 * crate::api::events::EVENTS_KEEP_ALIVE_SECS);
/// Longest a client may take to send a request's headers, from its first
/// byte (or from connecting) to the blank line that ends them, in seconds.
/// The idle limit counts any byte, so without this a client trickling a
/// header byte now and then would keep a connection for ever (slowloris).
pub const HTTP_HEADER_SECS: u64 = 10;
/// Longest a request may take from its headers to its answer's headers,
/// in seconds (event streams excepted: their answer starts at once).
pub const HTTP_REQUEST_SECS: u64 = 30;
/// Most event streams (`GET /events`) open at a time.
pub const EVENT_STREAMS_MAX: usize = 64;
/// Most extra host names in the configuration.
pub const ALLOWED_HOSTS_MAX: usize = 16;
/// Host names always answered for: this machine's.
pub const LOCAL_HOSTS: [&str; 4] = ["localhost", "127.0.0.1", "::1", "[::1]"];

/// The host names a node answers for: [`LOCAL_HOSTS`], the address it is
/// bound to (also 0.0.0.0, which `amtshilfe status` then connects to), and
/// the configured ones; all lower case, without port. A rebinding page
/// always sends a name of its own, never an address.
pub fn allowed_hosts(bind: Option<SocketAddr>, configured: &[String]) -> Vec<String> {
    let mut hosts: Vec<String> = LOCAL_HOSTS.iter().map(|h| (*h).to_owned()).collect();
    if let Some(bind) = bind {
        hosts.push(match bind.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        });
    }
    hosts.extend(configured.iter().map(|h| h.to_ascii_lowercase()));
    hosts
}

/// The host name of a `Host` header value, without port, lower case.
fn host_name(value: &str) -> String {
    let value = value.trim();
    let name = if value.starts_with('[') {
        // [v6]:port
        value.split_inclusive(']').next().unwrap_or(value)
    } else {
        value.rsplit_once(':').map_or(value, |(name, _)| name)
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Refuses a request whose `Host` names a host not in
/// [`ApiState::allowed_hosts`] with 421. A request without `Host` (HTTP/1.0
/// scripts) passes: browsers always send one, and DNS rebinding works only
/// through a browser.
pub(crate) async fn check_host(
    State(state): State<ApiState>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|value| value.to_str().map(host_name).unwrap_or_default())
        .or_else(|| request.uri().host().map(host_name));
    match host {
        Some(host) if !state.allowed_hosts.contains(&host) => {
            let path = request.uri().path().to_owned();
            refuse(&path, ApiError::HostNotAllowed(host))
        }
        _ => next.run(request).await,
    }
}

/// Ends a request that takes longer than [`HTTP_REQUEST_SECS`] with 503.
/// A write that was already handed to the store still completes (the
/// store's work runs on its own thread); its answer is lost.
pub(crate) async fn time_limit(request: Request, next: Next) -> Response {
    limit_time(request, next, Duration::from_secs(HTTP_REQUEST_SECS)).await
}

/// [`time_limit`] with another limit (tests).
pub(crate) async fn limit_time(request: Request, next: Next, limit: Duration) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/events" {
        return next.run(request).await;
    }
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => refuse(&path, ApiError::TimedOut),
    }
}

/// A permit for one event stream, if fewer than [`EVENT_STREAMS_MAX`] are open.
pub(crate) fn event_stream_permit(state: &ApiState) -> Result<OwnedSemaphorePermit, ApiError> {
    state
        .event_streams
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::Busy("event streams"))
}

/// Connections open per client address.
#[derive(Debug, Default)]
struct PerAddress {
    open: HashMap<IpAddr, usize>,
}

/// A TCP listener that holds at most [`HTTP_CONNECTIONS_MAX`] connections
/// (and [`HTTP_CONNECTIONS_PER_ADDRESS_MAX`] per address), closing further
/// ones at once rather than queueing them, and closes idle ones.
#[derive(Debug)]
pub struct CappedListener {
    inner: TcpListener,
    permits: Arc<Semaphore>,
    per_address: Arc<Mutex<PerAddress>>,
    trusted_proxies: Arc<[IpAddr]>,
    idle: Duration,
    header_time: Duration,
    exempt_loopback: bool,
}

impl CappedListener {
    /// Wraps `inner`; connections from `trusted_proxies` are not capped
    /// per address.
    pub fn new(inner: TcpListener, trusted_proxies: Arc<[IpAddr]>) -> Self {
        Self {
            inner,
            permits: Arc::new(Semaphore::new(HTTP_CONNECTIONS_MAX)),
            per_address: Arc::default(),
            trusted_proxies,
            idle: Duration::from_secs(HTTP_IDLE_SECS),
            header_time: Duration::from_secs(HTTP_HEADER_SECS),
            exempt_loopback: true,
        }
    }

    /// The same with loopback clients capped per address too (tests).
    pub fn capping_loopback(mut self) -> Self {
        self.exempt_loopback = false;
        self
    }

    fn capped(&self, peer: IpAddr) -> bool {
        let exempt =
            self.trusted_proxies.contains(&peer) || (self.exempt_loopback && peer.is_loopback());
        !exempt
    }

    /// The same with another idle time (tests).
    pub fn with_idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// The same with another time for a request's headers (tests).
    pub fn with_header_time(mut self, header_time: Duration) -> Self {
        self.header_time = header_time;
        self
    }

    fn admit(&self, peer: IpAddr) -> Option<Admitted> {
        let permit = self.permits.clone().try_acquire_owned().ok()?;
        let counted = self.capped(peer);
        if counted {
            let mut per_address = lock(&self.per_address);
            let open = per_address.open.entry(peer).or_default();
            if *open >= HTTP_CONNECTIONS_PER_ADDRESS_MAX {
                return None;
            }
            *open += 1;
        }
        Some(Admitted {
            _permit: permit,
            peer,
            per_address: self.per_address.clone(),
            counted,
        })
    }
}

fn lock(per_address: &Mutex<PerAddress>) -> std::sync::MutexGuard<'_, PerAddress> {
    per_address
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a connection holds while it is open.
#[derive(Debug)]
struct Admitted {
    _permit: OwnedSemaphorePermit,
    peer: IpAddr,
    per_address: Arc<Mutex<PerAddress>>,
    counted: bool,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        if !self.counted {
            return;
        }
        let mut per_address = lock(&self.per_address);
        if let Some(open) = per_address.open.get_mut(&self.peer) {
            *open -= 1;
            if *open == 0 {
                per_address.open.remove(&self.peer);
            }
        }
    }
}

impl axum::serve::Listener for CappedListener {
    type Io = CappedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, peer) = match self.inner.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(%error, "HTTP accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            match self.admit(peer.ip()) {
                Some(admitted) => {
                    let idle = self.idle;
                    let header_time = self.header_time;
                    return (
                        CappedStream {
                            inner: stream,
                            _admitted: admitted,
                            idle,
                            deadline: Box::pin(tokio::time::sleep(idle)),
                            headers: HeaderClock::Awaiting {
                                deadline: Box::pin(tokio::time::sleep(header_time)),
                                tail: 0,
                            },
                            header_time,
                        },
                        peer,
                    );
                }
                None => {
                    tracing::debug!(%peer, "HTTP connection refused: too many open");
                    drop(stream);
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A connection of [`CappedListener`]: gives its slot back when dropped,
/// fails once it has been idle for [`HTTP_IDLE_SECS`], and fails when a
/// request's headers take longer than [`HTTP_HEADER_SECS`].
#[derive(Debug)]
pub struct CappedStream {
    inner: TcpStream,
    _admitted: Admitted,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    headers: HeaderClock,
    header_time: Duration,
}

/// Where a connection is in its current request, for the header limit.
#[derive(Debug)]
enum HeaderClock {
    /// Headers are expected by `deadline`; `tail` counts the bytes of the
    /// blank line (`\r\n\r\n`) seen so far.
    Awaiting { deadline: Pin<Box<Sleep>>, tail: u8 },
    /// Headers are complete; the body and the answer follow (the request
    /// limit covers them).
    Received,
    /// An answer was written: the next byte read starts a new request.
    Answered,
}

impl HeaderClock {
    /// Follows the bytes a client sent.
    fn read(&mut self, bytes: &[u8], header_time: Duration) {
        if bytes.is_empty() {
            return;
        }
        if matches!(self, HeaderClock::Answered) {
            *self = HeaderClock::Awaiting {
                deadline: Box::pin(tokio::time::sleep(header_time)),
                tail: 0,
            };
        }
        let HeaderClock::Awaiting { tail, .. } = self else {
            return;
        };
        for byte in bytes {
            let expected = if *tail % 2 == 0 { b'\r' } else { b'\n' };
            *tail = if *byte == expected {
                *tail + 1
            } else if *byte == b'\r' {
                1
            } else {
                0
            };
            if *tail == 4 {
                *self = HeaderClock::Received;
                return;
            }
        }
    }

    /// Polls the header deadline, if one is running.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        match self {
            HeaderClock::Awaiting { deadline, .. } => deadline.as_mut().poll(cx).is_ready(),
            _ => false,
        }
    }
}

impl CappedStream {
    fn progressed(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.idle);
    }

    fn check_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "HTTP connection idle too long",
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for CappedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.headers.expired(cx) {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "HTTP request headers took too long",
            )));
        }
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                self.progressed();
                let header_time = self.header_time;
                let this = &mut *self;
                this.headers.read(&buf.filled()[before..], header_time);
                // A fresh deadline registers its timer on the next poll.
                Poll::Ready(result)
            }
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }
}

impl AsyncWrite for CappedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(result) => {
                self.progressed();
                if matches!(self.headers, HeaderClock::Received) {
                    self.headers = HeaderClock::Answered;
                }
                Poll::Ready(result)
            }
            Poll::Pending => self.check_idle(cx).map(Err),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_lose_port_case_and_trailing_dot() {
        assert_eq!(host_name("LocalHost:8080"), "localhost");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_name("[::1]:8080"), "[::1]");
        assert_eq!(host_name("evil.example.:8080"), "evil.example");
        let hosts = allowed_hosts(
            Some("192.0.2.7:8080".parse().unwrap()),
            &["Amtshilfe.Kreis.example".to_owned()],
        );
        for host in ["localhost", "192.0.2.7", "amtshilfe.kreis.example"] {
            assert!(hosts.iter().any(|h| h == host), "{host}");
        }
        assert!(!hosts.iter().any(|h| h == "evil.example"));
    }
}
