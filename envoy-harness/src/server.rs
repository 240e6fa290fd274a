//! The server side of one HTTP/1.1 exchange on a connection someone else
//! accepted: what `gatewit serve --shim` answers clients with, on the same
//! parser and writer as the recording upstream.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use gatewit_test_kit::exchange::{ClientResponse, HttpRequest};

use crate::wire::{self, Until, Wire};

/// Reads one request from `stream` (waiting at most `timeout`); `None`
/// when the client closed the connection without sending one.
pub fn read_request(stream: &TcpStream, timeout: Duration) -> Result<Option<HttpRequest>> {
    let stream = stream
        .try_clone()
        .context("cloning the client connection")?;
    let mut wire = Wire::new(stream, Until::Deadline(Instant::now() + timeout))?;
    let Some(head) = wire::read_head(&mut wire)? else {
        return Ok(None);
    };
    let body = wire::read_body(&mut wire, &head, false)?;
    let mut parts = head.start.splitn(3, ' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let authority = head.header("host").unwrap_or_default().to_owned();
    let headers = head
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
        .cloned()
        .collect();
    Ok(Some(HttpRequest {
        method,
        path,
        authority,
        headers,
        body_chunks: if body.is_empty() {
            Vec::new()
        } else {
            vec![body]
        },
    }))
}

/// Writes `response` (one body chunk, `content-length` set) and closes
/// the connection's write side.
pub fn write_response(stream: &mut TcpStream, response: &ClientResponse) -> Result<()> {
    let mut headers = response.headers.clone();
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case("connection"));
    headers.push(("connection".into(), "close".into()));
    wire::write_message(
        stream,
        &format!(
            "HTTP/1.1 {} {}",
            response.status,
            gatewit_test_kit::http_server::reason(response.status)
        ),
        &headers,
        std::slice::from_ref(&response.body),
        Duration::ZERO,
        true,
    )?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}
