//! A minimal HTTP/1.1 wire codec shared by the client and the recording
//! upstream: just enough framing (content-length, chunked, read-to-close) to
//! talk to Envoy over loopback without pulling an HTTP stack into the tests.

use anyhow::{Context as _, Result, bail};
use gatewit_test_kit::exchange::HeaderList;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The longest head (start line plus headers) accepted, so a broken peer
/// cannot make a reader grow without bound.
const MAX_HEAD: usize = 64 * 1024;

/// The largest body accepted from a peer.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// How a blocked read ends: at a deadline (client side) or when a stop flag
/// is raised (server side, so connection threads exit after the server is
/// dropped).
#[derive(Clone)]
pub(crate) enum Until {
    Deadline(Instant),
    Stopped(Arc<AtomicBool>),
}

/// A buffered reader over a socket whose reads poll with a short timeout,
/// so a deadline or stop flag is honoured even while the peer is silent.
pub(crate) struct Wire {
    stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    until: Until,
}

impl Wire {
    pub(crate) fn new(stream: TcpStream, until: Until) -> Result<Self> {
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .context("setting a read timeout")?;
        Ok(Self {
            stream,
            buf: Vec::new(),
            pos: 0,
            until,
        })
    }

    /// Moves the point at which blocked reads give up (a connection that
    /// serves several requests gives each its own deadline).
    pub(crate) fn set_until(&mut self, until: Until) {
        self.until = until;
    }

    /// The socket, for writing.
    pub(crate) fn stream_mut(&mut self) -> &mut TcpStream {
        &mut self.stream
    }

    /// Reads more bytes into the buffer; `Ok(false)` at end of stream.
    fn fill(&mut self) -> Result<bool> {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match &self.until {
                Until::Deadline(at) if Instant::now() >= *at => {
                    bail!("timed out waiting for the peer")
                }
                Until::Stopped(flag) if flag.load(Ordering::Relaxed) => bail!("server stopped"),
                _ => {}
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e).context("reading from the socket"),
            }
        }
    }

    /// One line without its CRLF; `None` at end of stream before any byte.
    fn read_line(&mut self) -> Result<Option<String>> {
        loop {
            if let Some(i) = self.buf[self.pos..].iter().position(|&b| b == b'\n') {
                let line = &self.buf[self.pos..self.pos + i];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let text = String::from_utf8_lossy(line).into_owned();
                self.pos += i + 1;
                return Ok(Some(text));
            }
            if self.buf.len() - self.pos > MAX_HEAD {
                bail!("line longer than {MAX_HEAD} bytes");
            }
            if !self.fill()? {
                if self.pos == self.buf.len() {
                    return Ok(None);
                }
                bail!("connection closed in the middle of a line");
            }
        }
    }

    fn read_exact(&mut self, n: usize) -> Result<Vec<u8>> {
        while self.buf.len() - self.pos < n {
            if !self.fill()? {
                bail!(
                    "connection closed after {} of {n} body bytes",
                    self.buf.len() - self.pos
                );
            }
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(out)
    }

    fn read_to_end(&mut self) -> Result<Vec<u8>> {
        while self.fill()? {
            if self.buf.len() - self.pos > MAX_BODY {
                bail!("body larger than {MAX_BODY} bytes");
            }
        }
        let out = self.buf[self.pos..].to_vec();
        self.pos = self.buf.len();
        Ok(out)
    }
}

/// A message head: the start line and the headers (names lowercased).
pub(crate) struct Head {
    pub(crate) start: String,
    pub(crate) headers: HeaderList,
}

impl Head {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a head; `None` when the peer closed the connection cleanly first.
pub(crate) fn read_head(wire: &mut Wire) -> Result<Option<Head>> {
    let start = loop {
        match wire.read_line()? {
            None => return Ok(None),
            // Tolerate stray CRLFs between messages (RFC 9112 §2.2).
            Some(line) if line.is_empty() => continue,
            Some(line) => break line,
        }
    };
    let mut headers = Vec::new();
    let mut size = start.len();
    loop {
        let line = wire
            .read_line()?
            .context("connection closed inside the headers")?;
        if line.is_empty() {
            break;
        }
        size += line.len();
        if size > MAX_HEAD {
            bail!("head larger than {MAX_HEAD} bytes");
        }
        let (name, value) = line
            .split_once(':')
            .with_context(|| format!("malformed header line `{line}`"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    Ok(Some(Head { start, headers }))
}

/// Reads the body `head` announces. `to_close` says a body without framing
/// runs to the end of the connection (responses) rather than being empty
/// (requests).
pub(crate) fn read_body(wire: &mut Wire, head: &Head, to_close: bool) -> Result<Vec<u8>> {
    if head
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"))
    {
        let mut body = Vec::new();
        loop {
            let line = wire
                .read_line()?
                .context("connection closed before a chunk size")?;
            let size_text = line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16)
                .with_context(|| format!("bad chunk size `{line}`"))?;
            if size == 0 {
                // Trailers (ignored) up to the empty line.
                while !wire
                    .read_line()?
                    .context("connection closed inside trailers")?
                    .is_empty()
                {}
                return Ok(body);
            }
            if body.len() + size > MAX_BODY {
                bail!("body larger than {MAX_BODY} bytes");
            }
            body.extend(wire.read_exact(size)?);
            wire.read_line()?
                .context("connection closed after a chunk")?;
        }
    }
    if let Some(len) = head.header("content-length") {
        let len: usize = len
            .parse()
            .with_context(|| format!("bad content-length `{len}`"))?;
        if len > MAX_BODY {
            bail!("body larger than {MAX_BODY} bytes");
        }
        return wire.read_exact(len);
    }
    if to_close {
        wire.read_to_end()
    } else {
        Ok(Vec::new())
    }
}

/// Writes a message: `start` line, `headers` (framing headers among them are
/// dropped and replaced), then the body. Several chunks go out with chunked
/// transfer encoding, one write and flush per chunk with `gap` between them,
/// so the peer has a chance to see them as separate reads; one chunk (or
/// none) goes out with a content-length.
pub(crate) fn write_message(
    stream: &mut TcpStream,
    start: &str,
    headers: &HeaderList,
    chunks: &[Vec<u8>],
    gap: Duration,
    body_allowed: bool,
) -> Result<()> {
    let mut head = format!("{start}\r\n");
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            continue;
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let chunked = chunks.len() > 1;
    if !body_allowed {
        head.push_str("\r\n");
        return stream
            .write_all(head.as_bytes())
            .context("writing a message head");
    }
    if chunked {
        head.push_str("transfer-encoding: chunked\r\n\r\n");
    } else {
        let len = chunks.first().map_or(0, Vec::len);
        head.push_str(&format!("content-length: {len}\r\n\r\n"));
    }
    stream
        .write_all(head.as_bytes())
        .context("writing a message head")?;
    if !chunked {
        if let Some(body) = chunks.first() {
            stream.write_all(body).context("writing a body")?;
        }
        return stream.flush().context("flushing a message");
    }
    for chunk in chunks.iter().filter(|c| !c.is_empty()) {
        stream.flush().context("flushing a chunk")?;
        std::thread::sleep(gap);
        let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
        frame.extend_from_slice(chunk);
        frame.extend_from_slice(b"\r\n");
        stream.write_all(&frame).context("writing a body chunk")?;
    }
    stream
        .write_all(b"0\r\n\r\n")
        .context("writing the last chunk")?;
    stream.flush().context("flushing a message")
}
