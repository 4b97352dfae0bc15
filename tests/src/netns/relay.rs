//! A user-space TCP relay that adds a fixed delay each way, since this
//! kernel has no netem. It listens in one namespace and connects onwards
//! from the same namespace; every chunk read is written out `delay` later,
//! in order. Packet loss is not its business: that is an nftables rule on
//! the veths either side (`Bed::set_loss`), so TCP's own retransmissions
//! pay the loss as they would on a real link.
//!
//! It never changes the bytes, and never holds more than
//! [`CHUNKS_IN_FLIGHT_MAX`] chunks per direction (a full queue stalls the
//! reader, which is TCP back-pressure, not loss).

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// Chunks queued per direction of one relayed connection.
const CHUNKS_IN_FLIGHT_MAX: usize = 4_096;
/// Bytes read at once.
const CHUNK_BYTES_MAX: usize = 16 * 1024;
/// How often the accept loop looks at the stop flag.
const ACCEPT_POLL: Duration = Duration::from_millis(20);
/// Connections one relay carries over its life; more are refused (a
/// benchmark opens a handful).
const CONNECTIONS_MAX: usize = 256;
/// Timeout of the onward connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What went through a relay.
#[derive(Debug, Default)]
pub struct RelayStats {
    pub connections: AtomicU64,
    pub bytes: AtomicU64,
}

/// A running relay; stops and closes its connections when dropped.
#[derive(Debug)]
pub struct Relay {
    pub address: SocketAddr,
    pub stats: Arc<RelayStats>,
    stop: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    /// Listens on `listen` in `namespace` and relays each connection to
    /// `target` (also from `namespace`) with `delay` added each way.
    pub fn start(
        namespace: &str,
        listen: SocketAddr,
        target: SocketAddr,
        delay: Duration,
    ) -> std::io::Result<Self> {
        let listener = super::listen_in(namespace, listen)?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let stats = Arc::new(RelayStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let namespace = namespace.to_string();
        let accept = {
            let (stats, stop, open) = (stats.clone(), stop.clone(), open.clone());
            std::thread::spawn(move || {
                accept_loop(&listener, &namespace, target, delay, &stats, &stop, &open);
            })
        };
        Ok(Self {
            address,
            stats,
            stop,
            open,
            accept: Some(accept),
        })
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Ok(open) = self.open.lock() {
            for stream in open.iter() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn accept_loop(
    listener: &TcpListener,
    namespace: &str,
    target: SocketAddr,
    delay: Duration,
    stats: &Arc<RelayStats>,
    stop: &AtomicBool,
    open: &Mutex<Vec<TcpStream>>,
) {
    while !stop.load(Ordering::Relaxed) {
        let inbound = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(ACCEPT_POLL);
                continue;
            }
            Err(_) => return,
        };
        if open
            .lock()
            .map_or(true, |open| open.len() >= 2 * CONNECTIONS_MAX)
        {
            continue;
        }
        let Ok(outbound) = super::connect_in(namespace, target, CONNECT_TIMEOUT) else {
            continue;
        };
        stats.connections.fetch_add(1, Ordering::Relaxed);
        let _ = inbound.set_nonblocking(false);
        let _ = inbound.set_nodelay(true);
        let _ = outbound.set_nodelay(true);
        let clones = (
            inbound.try_clone(),
            outbound.try_clone(),
            inbound.try_clone(),
            outbound.try_clone(),
        );
        let (Ok(in_write), Ok(out_read), Ok(in_keep), Ok(out_keep)) = clones else {
            continue;
        };
        if let Ok(mut open) = open.lock() {
            open.push(in_keep);
            open.push(out_keep);
        }
        pump(inbound, outbound, delay, stats.clone());
        pump(out_read, in_write, delay, stats.clone());
    }
}

/// Copies `from` to `to`, each chunk `delay` after it was read.
fn pump(mut from: TcpStream, mut to: TcpStream, delay: Duration, stats: Arc<RelayStats>) {
    let (tx, rx) = mpsc::sync_channel::<(Instant, Vec<u8>)>(CHUNKS_IN_FLIGHT_MAX);
    std::thread::spawn(move || {
        let mut buffer = vec![0u8; CHUNK_BYTES_MAX];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx
                        .send((Instant::now() + delay, buffer[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        // Dropping `tx` ends the writer once the queue is drained.
    });
    std::thread::spawn(move || {
        while let Ok((due, chunk)) = rx.recv() {
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            if to.write_all(&chunk).is_err() {
                break;
            }
            stats.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
