//! The real-backend module of the host shim (`gatewit_host_shim::backend`),
//! which other tiers reuse: HTTP/1.1 framing, timeouts, Redis replies.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use anyhow::Result;
use gatewit_host_shim::backend::{
    CallFailure, HttpCallRequest, HttpCallResponse, RedisConnection, RedisFailure, encode_command,
    http_call,
};
use gatewit_tests::http_server::{Reply, TestServer};
use gatewit_tests::redis_server::RedisServer;

fn request(method: &str, path: &str, body: &[u8]) -> HttpCallRequest {
    HttpCallRequest {
        headers: vec![
            (":method".into(), method.into()),
            (":path".into(), path.into()),
            (":authority".into(), "svc.local".into()),
            ("x-test".into(), "1".into()),
        ],
        body: body.to_vec(),
        trailers: Vec::new(),
    }
}

/// A one-shot server that answers the first connection with `raw` bytes
/// (then closes), so framing edge cases can be scripted exactly.
fn raw_server(raw: &'static [u8]) -> Result<SocketAddr> {
    raw_server_holding(raw, Duration::ZERO)
}

/// A server that answers `raw` and keeps the connection open for `hold`.
fn raw_server_holding(raw: &'static [u8], hold: Duration) -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let _ = conn.set_read_timeout(Some(Duration::from_millis(500)));
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(raw);
            std::thread::sleep(hold);
        }
    });
    Ok(addr)
}

#[test]
fn http_call_sends_the_request_and_reads_the_answer() -> Result<()> {
    let server = TestServer::always(Reply::new(201, "created").header("x-answer", "42"))?;
    let resp = http_call(
        server.addr(),
        &request("POST", "/items?q=1", b"payload"),
        Duration::from_secs(2),
    )
    .map_err(|f| anyhow::anyhow!("{f:?}"))?;
    assert_eq!(resp.status(), Some(201));
    assert_eq!(resp.body, b"created");
    assert!(resp.headers.contains(&("x-answer".into(), "42".into())));
    let seen = server.requests();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("POST", "/items?q=1")
    );
    assert_eq!(seen[0].header("host"), Some("svc.local"));
    assert_eq!(seen[0].header("x-test"), Some("1"));
    assert_eq!(seen[0].body, b"payload");
    Ok(())
}

#[test]
fn http_call_reads_chunked_and_close_delimited_bodies() -> Result<()> {
    let chunked = raw_server(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")?;
    let resp = http_call(chunked, &request("GET", "/", b""), Duration::from_secs(2))
        .map_err(|f| anyhow::anyhow!("{f:?}"))?;
    assert_eq!(resp.body, b"hello world");
    let until_close = raw_server(b"HTTP/1.1 200 OK\r\nx-a: b\r\n\r\nuntil close")?;
    let resp = http_call(
        until_close,
        &request("GET", "/", b""),
        Duration::from_secs(2),
    )
    .map_err(|f| anyhow::anyhow!("{f:?}"))?;
    assert_eq!(resp.body, b"until close");
    Ok(())
}

/// Before the answer's headers, Envoy's async client answers a failed call
/// itself (`504` out of time, `503` naming the reset reason otherwise);
/// after them, it resets the call and the plugin sees a failure.
#[test]
fn http_call_failures_are_envoys_answers_or_failures() -> Result<()> {
    let slow = TestServer::always(Reply::new(200, "late").delay(Duration::from_secs(2)))?;
    let started = Instant::now();
    let answer = http_call(
        slow.addr(),
        &request("GET", "/", b""),
        Duration::from_millis(300),
    );
    assert_eq!(answer, Ok(HttpCallResponse::upstream_timeout()));
    assert_eq!(
        answer.ok().map(|a| (a.status(), a.body)),
        Some((Some(504), b"upstream request timeout".to_vec()))
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    let stalled = raw_server_holding(
        b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort",
        Duration::from_secs(2),
    )?;
    assert_eq!(
        http_call(
            stalled,
            &request("GET", "/", b""),
            Duration::from_millis(300)
        ),
        Err(CallFailure::Timeout)
    );
    let call = |addr| http_call(addr, &request("GET", "/", b""), Duration::from_secs(1));
    let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    assert_eq!(
        call(closed),
        Ok(HttpCallResponse::upstream_reset(
            "remote connection failure"
        ))
    );
    assert_eq!(
        call(closed)
            .ok()
            .map(|a| (a.status(), String::from_utf8_lossy(&a.body).into_owned())),
        Some((
            Some(503),
            "upstream connect error or disconnect/reset before headers. \
             reset reason: remote connection failure"
                .to_string()
        ))
    );
    assert_eq!(
        call(raw_server(b"")?),
        Ok(HttpCallResponse::upstream_reset("connection termination"))
    );
    let garbage = raw_server(b"SMTP ready\r\n\r\n")?;
    assert_eq!(
        call(garbage),
        Ok(HttpCallResponse::upstream_reset("protocol error"))
    );
    let cut = raw_server(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort")?;
    assert_eq!(call(cut), Err(CallFailure::Reset));
    Ok(())
}

#[test]
fn redis_connection_reads_whole_replies() -> Result<()> {
    let server = RedisServer::start()?;
    let mut conn = RedisConnection::connect(server.addr(), "", "", 0, Duration::from_secs(1))?;
    let t = Duration::from_secs(1);
    let call = |conn: &mut RedisConnection, args: &[&str]| {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        conn.call(&encode_command(&args), t)
    };
    assert_eq!(call(&mut conn, &["SET", "k", "v"]), Ok(b"+OK\r\n".to_vec()));
    assert_eq!(
        call(&mut conn, &["MGET", "k", "missing"]),
        Ok(b"*2\r\n$1\r\nv\r\n$-1\r\n".to_vec())
    );
    assert_eq!(call(&mut conn, &["INCR", "n"]), Ok(b":1\r\n".to_vec()));
    let err = call(&mut conn, &["INCR", "k"]).map_err(|f| anyhow::anyhow!("{f:?}"))?;
    assert!(
        err.starts_with(b"-ERR"),
        "{}",
        String::from_utf8_lossy(&err)
    );
    // A big bulk string arrives in several reads.
    let big = "x".repeat(100_000);
    call(&mut conn, &["SET", "big", &big]).map_err(|f| anyhow::anyhow!("{f:?}"))?;
    let reply = call(&mut conn, &["GET", "big"]).map_err(|f| anyhow::anyhow!("{f:?}"))?;
    assert_eq!(reply.len(), big.len() + "$100000\r\n\r\n".len());
    Ok(())
}

#[test]
fn redis_connection_selects_the_database_and_fails_cleanly() -> Result<()> {
    let mut server = RedisServer::start_with_password("pw")?;
    assert!(
        RedisConnection::connect(server.addr(), "", "wrong", 0, Duration::from_secs(1)).is_err()
    );
    let mut conn = RedisConnection::connect(server.addr(), "", "pw", 3, Duration::from_secs(1))?;
    conn.call(
        &encode_command(&[b"SET", b"in-db-3", b"1"]),
        Duration::from_secs(1),
    )
    .map_err(|f| anyhow::anyhow!("{f:?}"))?;
    let db0 = server.command(&["EXISTS", "in-db-3"]);
    // `command` authenticates with the password and stays on database 0.
    assert_eq!(db0?, b":0\r\n");
    server.stop();
    let started = Instant::now();
    assert_eq!(
        conn.call(&encode_command(&[b"PING"]), Duration::from_secs(1)),
        Err(RedisFailure::Broken)
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    // Once broken, the connection stays broken until reconnected.
    assert_eq!(
        conn.call(&encode_command(&[b"PING"]), Duration::from_secs(1)),
        Err(RedisFailure::Broken)
    );
    Ok(())
}

#[test]
fn redis_connection_times_out_on_a_silent_server() -> Result<()> {
    // Accepts, then never answers.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let _keep = std::thread::spawn(move || {
        if let Ok((conn, _)) = listener.accept() {
            std::thread::sleep(Duration::from_secs(2));
            drop(conn);
        }
    });
    let mut conn = RedisConnection::connect(addr, "", "", 0, Duration::from_secs(1))?;
    let started = Instant::now();
    assert_eq!(
        conn.call(&encode_command(&[b"PING"]), Duration::from_millis(300)),
        Err(RedisFailure::Timeout)
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    Ok(())
}
