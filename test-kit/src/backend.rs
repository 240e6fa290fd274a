//! Real backends: an HTTP/1.1 client and a Redis connection over loopback TCP.
//!
//! Blocking and dependency-free on purpose: every tier that talks to a real
//! server (the host shim, the proxy-wasm emulator) reuses this module, and a
//! call always ends within its timeout — a slow or dead backend becomes a
//! [`CallFailure`] / [`RedisFailure`] (or, for an HTTP call that fails
//! before its answer's headers, the answer Envoy gives itself), never a
//! hang.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub use crate::exchange::HeaderList;

/// An outbound HTTP call as the plugin made it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpCallRequest {
    /// Headers, including the pseudo-headers `:method`, `:path`, `:authority`.
    pub headers: HeaderList,
    /// The request body.
    pub body: Vec<u8>,
    /// Request trailers (sent as plain HTTP/1.1 can't: ignored on the wire).
    pub trailers: HeaderList,
}

impl HttpCallRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }
}

/// The answer to an outbound HTTP call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpCallResponse {
    /// Headers, including `:status`.
    pub headers: HeaderList,
    /// The response body.
    pub body: Vec<u8>,
    /// Response trailers (from a chunked body, if any).
    pub trailers: HeaderList,
}

impl HttpCallResponse {
    /// A response with `status`, `headers` (no `:status`) and `body`.
    pub fn new(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Self {
        let mut all = vec![(":status".to_string(), status.to_string())];
        all.extend(
            headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())),
        );
        Self {
            headers: all,
            body: body.into(),
            trailers: Vec::new(),
        }
    }

    /// The `:status` pseudo-header as a number, if present and valid.
    pub fn status(&self) -> Option<u16> {
        header_value(&self.headers, ":status").and_then(|s| s.parse().ok())
    }

    /// What Envoy's async client answers a call that ran out of time
    /// before the answer's headers arrived: a `504` of its own (the router
    /// filter's local reply), so the plugin gets an answer, not a failure.
    pub fn upstream_timeout() -> Self {
        Self::local_reply(504, "upstream request timeout")
    }

    /// What Envoy's async client answers a call whose connection failed or
    /// ended before the answer's headers: a `503` naming Envoy's reset
    /// reason (`remote connection failure` when the connection is refused,
    /// `connection termination` when the server closes, `protocol error`
    /// for an answer that is not HTTP).
    pub fn upstream_reset(reason: &str) -> Self {
        Self::local_reply(
            503,
            &format!(
                "upstream connect error or disconnect/reset before headers. reset reason: {reason}"
            ),
        )
    }

    fn local_reply(status: u16, body: &str) -> Self {
        let length = body.len().to_string();
        Self::new(
            status,
            &[("content-length", &length), ("content-type", "text/plain")],
            body,
        )
    }
}

/// Why an outbound HTTP call produced no answer (mirrors the WIT
/// `call-failure`). Envoy resets a call, and the plugin sees a failure,
/// only once the answer's headers arrived; before them its async client
/// answers itself ([`HttpCallResponse::upstream_timeout`],
/// [`HttpCallResponse::upstream_reset`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFailure {
    /// The call's time ran out.
    Timeout,
    /// The connection failed, was refused or reset, or the answer was not
    /// valid HTTP/1.1.
    Reset,
}

fn header_value<'a>(headers: &'a HeaderList, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}

/// A TCP stream whose every read and write respects one overall deadline.
struct Deadlined {
    stream: TcpStream,
    deadline: Instant,
}

impl Deadlined {
    fn connect(addr: SocketAddr, timeout: Duration) -> std::io::Result<Self> {
        let deadline = Instant::now() + timeout;
        let stream = TcpStream::connect_timeout(&addr, timeout.max(Duration::from_millis(1)))?;
        stream.set_nodelay(true)?;
        Ok(Self { stream, deadline })
    }

    fn remaining(&self) -> std::io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "deadline passed",
            ));
        }
        Ok(left)
    }

    fn set_deadline(&mut self, timeout: Duration) {
        self.deadline = Instant::now() + timeout;
    }

    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        let left = self.remaining()?;
        self.stream.set_write_timeout(Some(left))?;
        self.stream.write_all(data)
    }

    /// Reads some bytes into `buf`; `Ok(0)` at end of stream.
    fn read_some(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        let left = self.remaining()?;
        self.stream.set_read_timeout(Some(left))?;
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk)?;
        buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }
}

/// Sends `req` as an HTTP/1.1 request to `addr` and reads the whole answer.
/// The whole call (connect, write, read) must finish within `timeout`. As
/// in Envoy, a call that fails before the answer's headers gets the
/// gateway's own answer (see [`CallFailure`]).
pub fn http_call(
    addr: SocketAddr,
    req: &HttpCallRequest,
    timeout: Duration,
) -> Result<HttpCallResponse, CallFailure> {
    let mut buf = Vec::new();
    let mut connected = false;
    let outcome = exchange(addr, req, timeout, &mut buf, &mut connected);
    match (outcome, parse_head(&buf)) {
        (Err(failure), Some(Ok(_))) => Err(failure),
        (Err(CallFailure::Timeout), _) => Ok(HttpCallResponse::upstream_timeout()),
        (Err(CallFailure::Reset), head) => Ok(HttpCallResponse::upstream_reset(match head {
            _ if !connected => "remote connection failure",
            Some(Err(())) => "protocol error",
            _ => "connection termination",
        })),
        (answer, _) => answer,
    }
}

/// [`http_call`]'s exchange: the bytes read so far are left in `buf`, and
/// `connected` says whether the connection was made.
fn exchange(
    addr: SocketAddr,
    req: &HttpCallRequest,
    timeout: Duration,
    buf: &mut Vec<u8>,
    connected: &mut bool,
) -> Result<HttpCallResponse, CallFailure> {
    let map = |e: std::io::Error| {
        if is_timeout(&e) {
            CallFailure::Timeout
        } else {
            CallFailure::Reset
        }
    };
    let mut conn = Deadlined::connect(addr, timeout).map_err(map)?;
    *connected = true;
    conn.write_all(&encode_request(req)).map_err(map)?;
    loop {
        match parse_response(buf) {
            Parse::Done(resp) => return Ok(resp),
            Parse::Invalid => return Err(CallFailure::Reset),
            Parse::NeedMore { eof_completes } => {
                let n = conn.read_some(buf).map_err(map)?;
                if n == 0 {
                    // The server closed: a body delimited by the connection
                    // end is complete, anything else was cut short.
                    return match (eof_completes, parse_head(buf)) {
                        (true, Some(Ok((head, body_start)))) => Ok(HttpCallResponse {
                            headers: head.headers,
                            body: buf[body_start..].to_vec(),
                            trailers: Vec::new(),
                        }),
                        _ => Err(CallFailure::Reset),
                    };
                }
            }
        }
    }
}

fn encode_request(req: &HttpCallRequest) -> Vec<u8> {
    let method = req.header(":method").unwrap_or("GET");
    let path = req.header(":path").unwrap_or("/");
    let authority = req.header(":authority").unwrap_or("unknownhost");
    let mut out = format!("{method} {path} HTTP/1.1\r\nhost: {authority}\r\n").into_bytes();
    for (name, value) in &req.headers {
        // Pseudo-headers became the request line; framing is ours to decide.
        if name.starts_with(':')
            || name.eq_ignore_ascii_case("host")
            || name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
            || name.eq_ignore_ascii_case("connection")
        {
            continue;
        }
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    let has_body =
        !req.body.is_empty() || !matches!(method, "GET" | "HEAD" | "DELETE" | "OPTIONS" | "TRACE");
    if has_body {
        out.extend_from_slice(format!("content-length: {}\r\n", req.body.len()).as_bytes());
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out.extend_from_slice(&req.body);
    out
}

struct Head {
    headers: HeaderList,
    status: u16,
}

enum Parse {
    Done(HttpCallResponse),
    NeedMore { eof_completes: bool },
    Invalid,
}

/// Parses the status line and headers: `None` if incomplete, `Some(Err)` if
/// malformed, else the head and where the body starts.
fn parse_head(buf: &[u8]) -> Option<Result<(Head, usize), ()>> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let Ok(text) = std::str::from_utf8(&buf[..end]) else {
        return Some(Err(()));
    };
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let Some(status) = parts.next().and_then(|s| s.parse::<u16>().ok()) else {
        return Some(Err(()));
    };
    if !version.starts_with("HTTP/1.") {
        return Some(Err(()));
    }
    let mut headers = vec![(":status".to_string(), status.to_string())];
    for line in lines {
        let Some((k, v)) = line.split_once(':') else {
            return Some(Err(()));
        };
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    Some(Ok((Head { headers, status }, end + 4)))
}

fn parse_response(buf: &[u8]) -> Parse {
    let (head, start) = match parse_head(buf) {
        None => {
            return Parse::NeedMore {
                eof_completes: false,
            };
        }
        Some(Err(())) => return Parse::Invalid,
        Some(Ok(h)) => h,
    };
    let body = &buf[start..];
    let no_body = head.status / 100 == 1 || head.status == 204 || head.status == 304;
    if no_body {
        return Parse::Done(HttpCallResponse {
            headers: head.headers,
            body: Vec::new(),
            trailers: Vec::new(),
        });
    }
    let chunked = header_value(&head.headers, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        return match parse_chunked(body) {
            None => Parse::NeedMore {
                eof_completes: false,
            },
            Some(Err(())) => Parse::Invalid,
            Some(Ok((data, trailers))) => Parse::Done(HttpCallResponse {
                headers: head.headers,
                body: data,
                trailers,
            }),
        };
    }
    if let Some(len) = header_value(&head.headers, "content-length") {
        let Ok(len) = len.parse::<usize>() else {
            return Parse::Invalid;
        };
        if body.len() >= len {
            return Parse::Done(HttpCallResponse {
                headers: head.headers,
                body: body[..len].to_vec(),
                trailers: Vec::new(),
            });
        }
        return Parse::NeedMore {
            eof_completes: false,
        };
    }
    Parse::NeedMore {
        eof_completes: true,
    }
}

type ChunkedBody = (Vec<u8>, HeaderList);

fn parse_chunked(mut buf: &[u8]) -> Option<Result<ChunkedBody, ()>> {
    let mut data = Vec::new();
    loop {
        let line_end = buf.windows(2).position(|w| w == b"\r\n")?;
        let Ok(line) = std::str::from_utf8(&buf[..line_end]) else {
            return Some(Err(()));
        };
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            return Some(Err(()));
        };
        buf = &buf[line_end + 2..];
        if size == 0 {
            let mut trailers = Vec::new();
            loop {
                let end = buf.windows(2).position(|w| w == b"\r\n")?;
                if end == 0 {
                    return Some(Ok((data, trailers)));
                }
                let Ok(line) = std::str::from_utf8(&buf[..end]) else {
                    return Some(Err(()));
                };
                if let Some((k, v)) = line.split_once(':') {
                    trailers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
                buf = &buf[end + 2..];
            }
        }
        if buf.len() < size + 2 {
            return None;
        }
        data.extend_from_slice(&buf[..size]);
        buf = &buf[size + 2..];
    }
}

/// Why a Redis call produced no reply. The numeric [`RedisFailure::status`]
/// is what the host hands to `on-redis-call-response` as `err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisFailure {
    /// No complete reply within the timeout.
    Timeout,
    /// The connection is closed, refused or broken, or the reply is not RESP.
    Broken,
}

impl RedisFailure {
    /// The proxy-wasm status the failure maps to (`Timeout` is not a
    /// proxy-wasm status; hosts report both as a non-zero status).
    pub fn status(self) -> u32 {
        match self {
            // proxy-wasm `InternalFailure`.
            RedisFailure::Timeout => 10,
            // proxy-wasm `BrokenConnection`.
            RedisFailure::Broken => 11,
        }
    }
}

/// One connection to a real Redis server.
#[derive(Debug)]
pub struct RedisConnection {
    stream: Option<TcpStream>,
    addr: SocketAddr,
}

impl RedisConnection {
    /// Connects to `addr`, authenticates (`AUTH [username] password` when a
    /// password is given) and selects `database` (when not 0).
    pub fn connect(
        addr: SocketAddr,
        username: &str,
        password: &str,
        database: u32,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, timeout.max(Duration::from_millis(1)))
            .with_context(|| format!("cannot connect to redis at `{addr}`"))?;
        stream
            .set_nodelay(true)
            .context("cannot configure the redis socket")?;
        let mut conn = Self {
            stream: Some(stream),
            addr,
        };
        if !password.is_empty() {
            let mut args: Vec<&[u8]> = vec![b"AUTH"];
            if !username.is_empty() {
                args.push(username.as_bytes());
            }
            args.push(password.as_bytes());
            conn.expect_ok(&encode_command(&args), timeout, "AUTH")?;
        }
        if database != 0 {
            let db = database.to_string();
            conn.expect_ok(
                &encode_command(&[b"SELECT", db.as_bytes()]),
                timeout,
                "SELECT",
            )?;
        }
        Ok(conn)
    }

    fn expect_ok(&mut self, query: &[u8], timeout: Duration, what: &str) -> anyhow::Result<()> {
        let reply = self
            .call(query, timeout)
            .map_err(|f| anyhow::anyhow!("redis `{what}` failed: {f:?}"))?;
        if reply.first() == Some(&b'-') {
            bail!(
                "redis `{what}` failed at `{}`: {}",
                self.addr,
                String::from_utf8_lossy(&reply[1..]).trim_end()
            );
        }
        Ok(())
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Writes `query` (RESP) and reads one full RESP reply, raw. On a failure
    /// the connection is dropped (a late reply would desynchronise it); the
    /// next call fails with [`RedisFailure::Broken`] until reconnected.
    pub fn call(&mut self, query: &[u8], timeout: Duration) -> Result<Vec<u8>, RedisFailure> {
        let Some(stream) = self.stream.take() else {
            return Err(RedisFailure::Broken);
        };
        let mut conn = Deadlined {
            stream,
            deadline: Instant::now(),
        };
        conn.set_deadline(timeout);
        let map = |e: std::io::Error| {
            if is_timeout(&e) {
                RedisFailure::Timeout
            } else {
                RedisFailure::Broken
            }
        };
        conn.write_all(query).map_err(map)?;
        let mut buf = Vec::new();
        loop {
            match resp_len(&buf, 0) {
                Some(Ok(len)) if len == buf.len() => break,
                // More than one reply: the connection is out of step.
                Some(Ok(_)) | Some(Err(())) => return Err(RedisFailure::Broken),
                None => {
                    if conn.read_some(&mut buf).map_err(map)? == 0 {
                        return Err(RedisFailure::Broken);
                    }
                }
            }
        }
        self.stream = Some(conn.stream);
        Ok(buf)
    }
}

/// Encodes `args` as a RESP array of bulk strings.
pub fn encode_command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Decodes a RESP array of bulk strings (a command) into its arguments.
pub fn decode_command(query: &[u8]) -> Option<Vec<Vec<u8>>> {
    let (count, mut pos) = resp_line(query, 0)?;
    let count: usize = std::str::from_utf8(count.strip_prefix(b"*")?)
        .ok()?
        .parse()
        .ok()?;
    let mut args = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        let (len, next) = resp_line(query, pos)?;
        let len: usize = std::str::from_utf8(len.strip_prefix(b"$")?)
            .ok()?
            .parse()
            .ok()?;
        let data = query.get(next..next + len)?;
        args.push(data.to_vec());
        pos = next + len + 2;
    }
    (pos == query.len()).then_some(args)
}

/// The line starting at `pos` (without CRLF) and where the next one starts.
fn resp_line(buf: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let rest = buf.get(pos..)?;
    let end = rest.windows(2).position(|w| w == b"\r\n")?;
    Some((&rest[..end], pos + end + 2))
}

/// The end offset of the RESP value starting at `pos`: `None` if incomplete,
/// `Some(Err)` if malformed.
pub fn resp_len(buf: &[u8], pos: usize) -> Option<Result<usize, ()>> {
    let (line, next) = resp_line(buf, pos)?;
    let Some((&kind, rest)) = line.split_first() else {
        return Some(Err(()));
    };
    let number = || {
        std::str::from_utf8(rest)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
    };
    match kind {
        b'+' | b'-' | b':' | b',' | b'#' | b'_' | b'(' => Some(Ok(next)),
        b'$' | b'=' | b'!' => {
            let Some(n) = number() else {
                return Some(Err(()));
            };
            if n < 0 {
                return Some(Ok(next));
            }
            let end = next + n as usize + 2;
            if buf.len() < end { None } else { Some(Ok(end)) }
        }
        b'*' | b'%' | b'~' | b'>' => {
            let Some(n) = number() else {
                return Some(Err(()));
            };
            let items = if kind == b'%' { n.max(0) * 2 } else { n.max(0) };
            let mut at = next;
            for _ in 0..items {
                at = match resp_len(buf, at)? {
                    Ok(end) => end,
                    Err(()) => return Some(Err(())),
                };
            }
            Some(Ok(at))
        }
        _ => Some(Err(())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp_lengths() {
        assert_eq!(resp_len(b":1\r\n", 0), Some(Ok(4)));
        assert_eq!(resp_len(b"$3\r\nfoo\r\n", 0), Some(Ok(9)));
        assert_eq!(resp_len(b"$3\r\nfo", 0), None);
        assert_eq!(resp_len(b"*2\r\n:1\r\n$-1\r\n", 0), Some(Ok(13)));
        assert_eq!(resp_len(b"?\r\n", 0), Some(Err(())));
    }

    #[test]
    fn command_roundtrip() {
        let q = encode_command(&[b"INCR", b"k"]);
        assert_eq!(
            decode_command(&q),
            Some(vec![b"INCR".to_vec(), b"k".to_vec()])
        );
    }

    #[test]
    fn parses_chunked_and_length() {
        let r =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n";
        let Parse::Done(resp) = parse_response(r) else {
            panic!("incomplete")
        };
        assert_eq!(resp.body, b"abc");
        assert_eq!(resp.trailers, vec![("x-t".into(), "1".into())]);
        let r = b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";
        let Parse::Done(resp) = parse_response(r) else {
            panic!("incomplete")
        };
        assert_eq!(resp.status(), Some(404));
    }
}
