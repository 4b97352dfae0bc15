//! Real receivers on loopback for the notification tests: a tiny SMTP
//! server (EHLO/HELO, MAIL, RCPT, DATA, QUIT) that keeps every message,
//! and an HTTP webhook receiver (axum) that can be told to fail its first
//! calls.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message the SMTP sink received.
#[derive(Debug, Clone)]
pub(crate) struct Mail {
    /// The RCPT TO addresses.
    pub(crate) to: Vec<String>,
    /// Everything between DATA and the final dot.
    pub(crate) data: String,
}

/// The SMTP sink: its address and what it received.
#[derive(Debug, Clone)]
pub(crate) struct SmtpSink {
    pub(crate) address: SocketAddr,
    pub(crate) mails: Arc<Mutex<Vec<Mail>>>,
    /// Every AUTH command received, as sent.
    pub(crate) logins: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let logins = Arc::new(Mutex::new(Vec::new()));
        let (kept, kept_logins) = (mails.clone(), logins.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (kept, kept_logins) = (kept.clone(), kept_logins.clone());
                tokio::spawn(async move {
                    let _ = session(stream, kept, kept_logins).await;
                });
            }
        });
        Self {
            address,
            mails,
            logins,
        }
    }

    pub(crate) fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

async fn session(
    stream: tokio::net::TcpStream,
    mails: Arc<Mutex<Vec<Mail>>>,
    logins: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let mut to = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write
                .write_all(b"250-sink.test\r\n250 AUTH PLAIN\r\n")
                .await?;
        } else if upper.starts_with("HELO") {
            write.write_all(b"250 sink.test\r\n").await?;
        } else if upper.starts_with("AUTH ") {
            logins.lock().unwrap().push(line.clone());
            write.write_all(b"235 accepted\r\n").await?;
        } else if upper.starts_with("MAIL FROM") {
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO") {
            let address = line[8..]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>');
            to.push(address.to_owned());
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            while let Some(line) = lines.next_line().await? {
                if line == "." {
                    break;
                }
                data.push_str(&line);
                data.push('\n');
            }
            mails.lock().unwrap().push(Mail {
                to: std::mem::take(&mut to),
                data,
            });
            write.write_all(b"250 queued\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else {
            write.write_all(b"502 not here\r\n").await?;
        }
    }
    Ok(())
}

/// The webhook receiver: URL, JSON bodies it accepted, calls it refused.
#[derive(Debug, Clone)]
pub(crate) struct WebhookSink {
    pub(crate) url: String,
    inner: Arc<HookState>,
}

#[derive(Debug, Default)]
struct HookState {
    bodies: Mutex<Vec<serde_json::Value>>,
    fail_next: AtomicUsize,
    calls: AtomicUsize,
}

impl WebhookSink {
    /// A receiver that answers 500 to its first `failures` calls.
    pub(crate) async fn start(failures: usize) -> Self {
        let inner = Arc::new(HookState::default());
        inner.fail_next.store(failures, Ordering::SeqCst);
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(inner.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{address}/hook"),
            inner,
        }
    }

    pub(crate) fn bodies(&self) -> Vec<serde_json::Value> {
        self.inner.bodies.lock().unwrap().clone()
    }

    pub(crate) fn calls(&self) -> usize {
        self.inner.calls.load(Ordering::SeqCst)
    }
}

async fn receive(State(state): State<Arc<HookState>>, body: String) -> StatusCode {
    state.calls.fetch_add(1, Ordering::SeqCst);
    let failing = state
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    state
        .bodies
        .lock()
        .unwrap()
        .push(serde_json::from_str(&body).unwrap());
    StatusCode::OK
}
