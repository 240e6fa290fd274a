//! Test helpers: the fixture plugins (built once per run), a loopback HTTP
//! server, and a real `redis-server` on a free loopback port.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const FIXTURES: &[&str] = &[
    "headers",
    "http-call",
    "local-reply",
    "body",
    "looping",
    "redis-raw",
];

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds every fixture plugin for `wasm32-wasip1` once per test run (in its
/// own target directory, so it never waits on the workspace's build lock).
fn build_fixtures() -> Result<PathBuf, String> {
    let root = workspace_root();
    let target_dir = root.join("target").join("proxy-emulator-fixtures");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--target", "wasm32-wasip1", "--target-dir"])
        .arg(&target_dir);
    for f in FIXTURES {
        cmd.args(["-p", &format!("gatewit-emu-fixture-{f}")]);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run cargo to build the fixtures: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "building the fixture plugins failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(target_dir.join("wasm32-wasip1").join("debug"))
}

/// The bytes of fixture plugin `name` (a directory under `tests/plugins`).
pub fn fixture(name: &str) -> Vec<u8> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let dir = match BUILT.get_or_init(build_fixtures) {
        Ok(dir) => dir,
        Err(e) => panic!("{e}"),
    };
    let file = dir.join(format!(
        "gatewit_emu_fixture_{}.wasm",
        name.replace('-', "_")
    ));
    std::fs::read(&file).unwrap_or_else(|e| panic!("cannot read fixture `{}`: {e}", file.display()))
}

/// A request a [`HttpServer`] received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A loopback HTTP/1.1 server answering every request with `status` and
/// `body` after `delay`, recording what it got. Serves at most 1000
/// connections, then its thread ends.
pub struct HttpServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl HttpServer {
    pub fn start(status: u16, body: &'static str, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().take(1000) {
                let Ok(mut conn) = conn else { continue };
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                    if let Some(req) = read_request(&mut conn) {
                        log.lock().expect("lock").push(req);
                    }
                    std::thread::sleep(delay);
                    let reply = format!(
                        "HTTP/1.1 {status} OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = conn.write_all(reply.as_bytes());
                });
            }
        });
        Self { addr, seen }
    }
}

fn read_request(conn: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 || buf.len() > 1 << 20 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = conn.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        path,
        headers,
        body,
    })
}

/// A `redis-server` on a free loopback port, killed on drop.
pub struct RedisServer {
    pub addr: SocketAddr,
    child: Child,
}

impl RedisServer {
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start `redis-server` ({e}); install it with `scripts/install-deps.sh`"
                )
            });
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {addr} within 10s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { addr, child }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback address nothing listens on.
pub fn dead_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    addr
}
