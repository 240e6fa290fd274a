//! A blocking HTTP/1.1 client: [`send`] uses one fresh TCP connection per
//! request, [`Connection`] sends request after request on one keep-alive
//! connection.

use crate::wire::{self, Until, Wire};
use anyhow::{Context as _, Result, bail};
use gatewit_test_kit::exchange::{ClientResponse, HttpRequest};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The pause between body chunks of a chunked request, so Envoy is likely to
/// read (and hand the plugin) each chunk separately, as the other tiers do.
const CHUNK_GAP: Duration = Duration::from_millis(10);

/// Sends `request` to `addr` and reads the whole response, within `timeout`.
/// A body of several chunks is sent with chunked transfer encoding.
pub fn send(addr: SocketAddr, request: &HttpRequest, timeout: Duration) -> Result<ClientResponse> {
    let deadline = Instant::now() + timeout;
    Connection::open(addr, timeout)?.exchange(request, deadline)
}

/// One keep-alive connection: each [`Connection::send`] writes a request and
/// reads its response before the next one starts (no pipelining). The
/// benchmark's instruction counts use it so that every measured request
/// costs Envoy the same work, without connection setup.
pub struct Connection {
    wire: Wire,
    timeout: Duration,
}

impl Connection {
    /// Connects to `addr`; `timeout` bounds the connect and then each
    /// [`Connection::send`] from its start to the end of the response.
    pub fn open(addr: SocketAddr, timeout: Duration) -> Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, timeout)
            .with_context(|| format!("connecting to {addr}"))?;
        let _ = stream.set_nodelay(true);
        stream
            .set_write_timeout(Some(timeout))
            .context("setting a write timeout")?;
        let wire = Wire::new(stream, Until::Deadline(Instant::now() + timeout))?;
        Ok(Self { wire, timeout })
    }

    /// Sends `request` and reads the whole response. A body of several
    /// chunks is sent with chunked transfer encoding. The request's headers
    /// go out as given, so a `connection: close` among them ends the
    /// connection after this response.
    pub fn send(&mut self, request: &HttpRequest) -> Result<ClientResponse> {
        self.exchange(request, Instant::now() + self.timeout)
    }

    fn exchange(&mut self, request: &HttpRequest, deadline: Instant) -> Result<ClientResponse> {
        self.wire.set_until(Until::Deadline(deadline));
        let stream = self.wire.stream_mut();
        let mut headers = vec![("host".to_owned(), request.authority.clone())];
        headers.extend(
            request
                .headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("host"))
                .cloned(),
        );
        let start = format!("{} {} HTTP/1.1", request.method, request.path);
        // A request without body chunks carries no framing headers at all, the
        // way curl sends a GET; `write_message` would add `content-length: 0`.
        if request.body_chunks.is_empty() {
            let mut head = format!("{start}\r\n");
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            std::io::Write::write_all(stream, head.as_bytes()).context("writing the request")?;
        } else if let Err(e) = wire::write_message(
            stream,
            &start,
            &headers,
            &request.body_chunks,
            CHUNK_GAP,
            true,
        ) {
            // A server may answer before the body is in (Envoy's 413 for a
            // body over its buffer limit) and close: that answer is the
            // exchange's result; without one, the write error is.
            return match wire::read_head(&mut self.wire) {
                Ok(Some(head)) => Ok(ClientResponse {
                    status: parse_status(&head.start)?,
                    headers: head.headers,
                    body: Vec::new(),
                }),
                _ => Err(e.context("writing the request")),
            };
        }
        loop {
            let head = wire::read_head(&mut self.wire)?
                .context("the server closed the connection without answering")?;
            let status = parse_status(&head.start)?;
            // Interim responses (100 Continue) carry no body; the final one follows.
            if (100..200).contains(&status) {
                continue;
            }
            let body_allowed = request.method != "HEAD" && status != 204 && status != 304;
            let body = if body_allowed {
                wire::read_body(&mut self.wire, &head, true)?
            } else {
                Vec::new()
            };
            return Ok(ClientResponse {
                status,
                headers: head.headers,
                body,
            });
        }
    }
}

/// A `GET` of `path` at `addr` (e.g. Envoy's admin endpoint): status and body.
pub fn get(addr: SocketAddr, path: &str, timeout: Duration) -> Result<(u16, String)> {
    let request = HttpRequest::get(&addr.to_string(), path);
    let response = send(addr, &request, timeout)?;
    Ok((
        response.status,
        String::from_utf8_lossy(&response.body).into_owned(),
    ))
}

fn parse_status(line: &str) -> Result<u16> {
    let mut parts = line.split(' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") {
        bail!("not an HTTP/1 status line: `{line}`");
    }
    parts
        .next()
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no status code in `{line}`"))
}
