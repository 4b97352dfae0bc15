//! One request to the running node's HTTP API with the command line's
//! token (`cli.token`), for the commands that work against a running node
//! (`member`, `bundle`). Plain HTTP/1.1 to the configured address, which
//! is the node's own machine.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::Context;

use crate::config::Config;

/// What a request sends and how long and how much of the answer it takes.
pub(super) struct Call<'a> {
    /// `GET`, `POST`, ….
    pub method: &'a str,
    /// The path, e.g. `/api/pact`.
    pub path: &'a str,
    /// The body's media type.
    pub content_type: &'a str,
    /// The body (empty for none).
    pub body: &'a [u8],
    /// How long the node may take to answer.
    pub read_timeout: Duration,
    /// Largest answer read, in bytes (head included).
    pub answer_bytes_max: u64,
}

/// Sends `call` to the node of `config`; the answer's status and body.
pub(super) fn request(config: &Config, call: &Call<'_>) -> anyhow::Result<(u16, Vec<u8>)> {
    let token = crate::accounts::bootstrap::read_cli_token(&config.data_dir)
        .context("there is no API token in the data directory (cli.token)")?;
    let mut stream = TcpStream::connect_timeout(&config.http_bind, Duration::from_secs(5))
        .with_context(|| {
            format!(
                "the node does not answer on http://{}; start it",
                config.http_bind
            )
        })?;
    stream.set_read_timeout(Some(call.read_timeout))?;
    let head = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        call.method,
        call.path,
        config.http_bind,
        call.content_type,
        call.body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(call.body)?;
    let mut response = Vec::new();
    stream
        .take(call.answer_bytes_max)
        .read_to_end(&mut response)?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("the node's answer has no header end")?;
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("the node's answer has no status")?;
    response.drain(..split + 4);
    Ok((status, response))
}
