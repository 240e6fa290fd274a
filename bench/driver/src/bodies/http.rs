//! HTTP/1.1 on loopback for bodies up to hundreds of megabytes, streamed:
//! the harness's codec (`gatewit_envoy_harness::client`) holds a whole body
//! in memory and stops at 64 MiB, which is right for tests and wrong for a
//! 100 MB throughput run, where the client and the upstream must cost the
//! same for every variant and never hold a body.
//!
//! - [`BulkUpstream`]: `GET /bytes/N` answers `N` bytes of lowercase text
//!   (`content-length` framed); any other request has its body read and
//!   dropped, and is answered `200 ok` with `x-received: <bytes>`.
//! - [`exchange`]: one request on a keep-alive connection, its body
//!   generated while it is written, the answer's body checked while it is
//!   read.

use anyhow::{Context as _, Result, bail, ensure};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Bytes per write.
const PIECE: usize = 64 * 1024;
/// The longest head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// What the upstream's bodies repeat.
const TEXT: &[u8] = b"the quick brown fox jumps over the lazy dog\n";

/// Bytes `at..at + len` of `pattern` repeated without end (`len` at most
/// [`PIECE`]).
pub fn repeated(pattern: &[u8], at: u64, len: usize) -> Vec<u8> {
    let start = (at % pattern.len() as u64) as usize;
    let mut out = Vec::with_capacity(len + pattern.len());
    out.extend_from_slice(&pattern[start..]);
    while out.len() < len {
        out.extend_from_slice(pattern);
    }
    out.truncate(len);
    out
}

/// A message head: the start line and lowercase header names.
struct Head {
    start: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `None` when the peer closed before a new message.
fn read_head(reader: &mut impl BufRead) -> Result<Option<Head>> {
    let mut lines = Vec::new();
    let mut size = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).context("reading a head")? == 0 {
            if lines.is_empty() {
                return Ok(None);
            }
            bail!("connection closed inside a head");
        }
        size += line.len();
        ensure!(size <= MAX_HEAD, "head larger than {MAX_HEAD} bytes");
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            if lines.is_empty() {
                continue;
            }
            break;
        }
        lines.push(line);
    }
    let start = lines.remove(0);
    let headers = lines
        .iter()
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap_or((l, ""));
            (k.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    Ok(Some(Head { start, headers }))
}

/// Reads the body `head` frames, handing each piece to `sink`; returns
/// its length. A response without framing runs to the connection's end.
fn read_body(
    reader: &mut impl BufRead,
    head: &Head,
    response: bool,
    sink: &mut dyn FnMut(&[u8]),
) -> Result<u64> {
    let mut buf = vec![0; PIECE];
    let mut copy = |reader: &mut dyn BufRead, mut left: u64| -> Result<u64> {
        let mut total = 0;
        while left > 0 {
            let want = left.min(PIECE as u64) as usize;
            let n = reader.read(&mut buf[..want]).context("reading a body")?;
            ensure!(n > 0, "connection closed inside a body");
            sink(&buf[..n]);
            left -= n as u64;
            total += n as u64;
        }
        Ok(total)
    };
    if head
        .header("transfer-encoding")
        .is_some_and(|te| te.contains("chunked"))
    {
        let mut total = 0;
        loop {
            let mut line = String::new();
            reader
                .read_line(&mut line)
                .context("reading a chunk size")?;
            let size = u64::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .with_context(|| format!("bad chunk size `{}`", line.trim()))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    line.clear();
                    reader.read_line(&mut line).context("reading trailers")?;
                    if line.trim().is_empty() {
                        return Ok(total);
                    }
                }
            }
            total += copy(reader, size)?;
            line.clear();
            reader
                .read_line(&mut line)
                .context("reading a chunk's end")?;
        }
    }
    match head.header("content-length") {
        Some(len) => copy(reader, len.parse().context("bad content-length")?),
        None if response => copy(reader, u64::MAX),
        None => Ok(0),
    }
}

/// Writes `len` bytes made by `piece(offset, size)`, `PIECE` at a time.
fn write_body(
    stream: &mut impl Write,
    len: u64,
    piece: &mut dyn FnMut(u64, usize) -> Vec<u8>,
) -> Result<()> {
    let mut at = 0;
    while at < len {
        let n = (len - at).min(PIECE as u64) as usize;
        stream.write_all(&piece(at, n)).context("writing a body")?;
        at += n as u64;
    }
    Ok(())
}

/// The upstream; serves until dropped.
pub struct BulkUpstream {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl BulkUpstream {
    /// Listens on a free loopback port.
    pub fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding the bulk upstream")?;
        let addr = listener
            .local_addr()
            .context("the bulk upstream's address")?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(stream) = stream {
                    std::thread::spawn(move || {
                        // A broken connection only ends that connection;
                        // the client's checks report what it missed.
                        let _ = serve(stream);
                    });
                }
            }
        });
        Ok(Self { addr, stop })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for BulkUpstream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// One connection's requests, until it closes.
fn serve(stream: TcpStream) -> Result<()> {
    stream.set_nodelay(true)?;
    // One write per answer where it fits: a head and a small body in two
    // segments would wait on the peer's delayed ACK.
    let mut writer = BufWriter::with_capacity(PIECE, stream.try_clone()?);
    let mut reader = BufReader::with_capacity(PIECE, stream);
    while let Some(head) = read_head(&mut reader)? {
        let received = read_body(&mut reader, &head, false, &mut |_| {})?;
        let path = head.start.split(' ').nth(1).unwrap_or("/");
        match path.strip_prefix("/bytes/").map(str::parse::<u64>) {
            Some(Ok(len)) => {
                write!(
                    writer,
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {len}\r\n\r\n"
                )?;
                write_body(&mut writer, len, &mut |at, n| repeated(TEXT, at, n))?;
            }
            _ => write!(
                writer,
                "HTTP/1.1 200 OK\r\nx-received: {received}\r\ncontent-length: 2\r\n\r\nok"
            )?,
        }
        writer.flush()?;
    }
    let _ = writer.get_ref().shutdown(Shutdown::Both);
    Ok(())
}

/// What one exchange saw.
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The response headers (names lowercase).
    pub headers: Vec<(String, String)>,
    /// Bytes of response body.
    pub body_len: u64,
    /// Whether any byte of the response body was a lowercase ASCII letter.
    pub lowercase: bool,
}

impl Answer {
    /// A response header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A keep-alive client connection.
pub struct Client {
    writer: BufWriter<TcpStream>,
    reader: BufReader<TcpStream>,
}

impl Client {
    /// Connects; each read or write may block at most `timeout`.
    pub fn connect(addr: SocketAddr, timeout: Duration) -> Result<Self> {
        let stream = TcpStream::connect(addr).with_context(|| format!("connecting to {addr}"))?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            writer: BufWriter::with_capacity(PIECE, stream.try_clone()?),
            reader: BufReader::with_capacity(PIECE, stream),
        })
    }

    /// Sends `method path` with a `body_len`-byte body made by `body`
    /// (none when 0), then reads the answer.
    pub fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body_len: u64,
        body: &mut dyn FnMut(u64, usize) -> Vec<u8>,
    ) -> Result<Answer> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nhost: bench\r\n");
        if body_len > 0 {
            head.push_str(&format!(
                "content-type: application/json\r\ncontent-length: {body_len}\r\n"
            ));
        }
        head.push_str("\r\n");
        self.writer
            .write_all(head.as_bytes())
            .context("writing a request head")?;
        write_body(&mut self.writer, body_len, body)?;
        self.writer.flush().context("sending a request")?;
        let head = read_head(&mut self.reader)?.context("envoy closed the connection")?;
        let status = head
            .start
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line `{}`", head.start))?;
        let mut lowercase = false;
        let body_len = read_body(&mut self.reader, &head, true, &mut |piece| {
            lowercase |= piece.iter().any(u8::is_ascii_lowercase);
        })?;
        Ok(Answer {
            status,
            headers: head.headers,
            body_len,
            lowercase,
        })
    }
}
