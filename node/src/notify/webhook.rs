//! Sending one JSON POST to a webhook URL, over plain HTTP/1.1 or HTTPS
//! (rustls, the web PKI's roots). Deliberately small: one request, one
//! status line read, the connection closed; any 2xx is a delivery.

use std::sync::Arc;
use std::time::Duration;

use axum::http::Uri;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore, pki_types::ServerName};

/// Longest a webhook call may take.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(15);
/// Most bytes of the answer read (the status line is all that counts).
const ANSWER_BYTES_MAX: usize = 4_096;

/// POSTs `json` to `url`; `Ok` carries the status line.
pub async fn post(url: &str, json: &[u8]) -> Result<String, String> {
    tokio::time::timeout(WEBHOOK_TIMEOUT, post_unbounded(url, json))
        .await
        .map_err(|_| format!("no answer within {} s", WEBHOOK_TIMEOUT.as_secs()))?
}

async fn post_unbounded(url: &str, json: &[u8]) -> Result<String, String> {
    let uri: Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
    let tls = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("only http:// and https:// URLs".into()),
    };
    let host = uri.host().ok_or("URL without host")?;
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: amtshilfe\r\n\
         Content-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n",
        authority = uri.authority().map_or(host, |a| a.as_str()),
        len = json.len(),
    );
    let tcp = TcpStream::connect((bare_host, port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    if tls {
        let name = ServerName::try_from(bare_host.to_owned()).map_err(|e| format!("host: {e}"))?;
        let stream = connector()?
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        exchange(stream, head.as_bytes(), json).await
    } else {
        exchange(tcp, head.as_bytes(), json).await
    }
}

fn connector() -> Result<TlsConnector, String> {
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

async fn exchange(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    head: &[u8],
    json: &[u8],
) -> Result<String, String> {
    let io = |e: std::io::Error| format!("HTTP: {e}");
    stream.write_all(head).await.map_err(io)?;
    stream.write_all(json).await.map_err(io)?;
    stream.flush().await.map_err(io)?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 512];
    while !answer.contains(&b'\n') && answer.len() < ANSWER_BYTES_MAX {
        let n = stream.read(&mut buffer).await.map_err(io)?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..n]);
    }
    let text = String::from_utf8_lossy(&answer);
    let status_line = text.lines().next().unwrap_or("").trim().to_owned();
    let code: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no HTTP answer: {status_line:?}"))?;
    if (200..300).contains(&code) {
        Ok(status_line)
    } else {
        Err(status_line)
    }
}
