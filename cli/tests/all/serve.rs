//! `gatewit serve` as a user drives it: start it with a config file, send
//! requests through the real Envoy it runs (the built-in echo upstream
//! shows what arrived), edit the config, break it, swap the plugin, then
//! Ctrl-C — and nothing it started is left running.

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use gatewit_test_programs::{COMPONENT_TARGET, build};

struct Serve {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Serve {
    fn start(plugin: &Path, config: &Path, listen: SocketAddr, shim: bool, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gatewit"))
            .args(["serve"])
            .args(shim.then_some("--shim"))
            .args(extra)
            .arg(plugin)
            .arg("--config")
            .arg(format!("@{}", config.display()))
            .args(["--listen", &listen.to_string()])
            // A crate is built as its author would: with the workspace's
            // target directory (its dependencies are built there already),
            // not through the suite's lint wrapper.
            .env("CARGO_TARGET_DIR", gatewit_test_programs::target_dir())
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove("CLIPPY_ARGS")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("gatewit serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits until each of `texts` has been printed, in any order: gatewit's
    /// own lines and the Envoy log lines it relays race each other.
    fn wait_for_each(&mut self, texts: &[&str]) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut missing: Vec<&str> = texts.to_vec();
        while !missing.is_empty() && Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                missing.retain(|text| !line.contains(text));
                self.seen.push(line);
            }
        }
        assert!(
            missing.is_empty(),
            "{missing:?} never printed; output so far:\n{}",
            self.seen.join("\n")
        );
    }

    /// Waits for a line containing `text`; returns it.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                self.seen.push(line.clone());
                if line.contains(text) {
                    return line;
                }
            }
        }
        panic!(
            "`{text}` never printed; output so far:\n{}",
            self.seen.join("\n")
        );
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

fn get(listen: SocketAddr) -> (u16, String) {
    gatewit_envoy_harness::client::get(listen, "/get", Duration::from_secs(10))
        .expect("a response through envoy")
}

/// Replaces `path`'s content so a watcher polling modification times sees
/// it even within the same second as the last write.
fn rewrite(path: &Path, bytes: &[u8]) {
    let next = path.with_extension("next");
    std::fs::write(&next, bytes).unwrap();
    std::fs::rename(&next, path).unwrap();
    let later = std::time::SystemTime::now() + Duration::from_secs(1);
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(later).unwrap();
}

fn stop(serve: &mut Serve) {
    let status = Command::new("kill")
        .args(["-INT", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = serve.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "gatewit serve ignored Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit}");
}

fn echoed_header(body: &str, name: &str) -> Option<String> {
    let echoed: serde_json::Value = serde_json::from_str(body).expect("the echo is JSON");
    echoed["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0] == name)
        .and_then(|h| h[1].as_str().map(str::to_owned))
}

fn alive(pid: u32) -> bool {
    // A zombie is gone for our purpose; /proc/<pid>/stat's third field says.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.rsplit_once(") ")
                .is_some_and(|(_, rest)| !rest.starts_with('Z'))
        })
        .unwrap_or(false)
}

#[test]
fn serve_reloads_config_and_plugin_and_stops_cleanly() {
    edit_loop(false);
}

#[test]
fn serve_shim_reloads_config_and_plugin_and_stops_cleanly() {
    edit_loop(true);
}

#[test]
fn serve_forwards_to_the_upstream_url_given() {
    let dir = std::env::temp_dir().join(format!("gatewit-serve-upstream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.json");
    std::fs::write(&config, r#"{"mockEnable": false}"#).unwrap();
    let plugin = build("my-plugin", COMPONENT_TARGET).unwrap();
    let upstream = gatewit_envoy_harness::RecordingUpstream::start().unwrap();
    upstream.set_reply(gatewit_host_shim::exchange::UpstreamResponse {
        status: 201,
        headers: vec![("x-from".into(), "my-upstream".into())],
        body_chunks: vec![b"mine".to_vec()],
    });
    let url = format!("http://{}/", upstream.addr());
    let listen = free_port();
    let mut serve = Serve::start(&plugin, &config, listen, false, &["--upstream", &url]);
    let banner = serve.wait_for("serving `");
    assert!(
        banner.contains(&format!("upstream {}", upstream.addr())),
        "{banner}"
    );
    assert_eq!(get(listen), (201, "mine".to_string()));
    let got = upstream.requests();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0]
            .headers
            .iter()
            .any(|(k, v)| k == "hello" && v == "world"),
        "{:?}",
        got[0].headers
    );
    stop(&mut serve);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same session with Envoy or through the host shim (`--shim`).
fn edit_loop(shim: bool) {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("gatewit-serve-test-{}-{shim}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let my_plugin = build("my-plugin", COMPONENT_TARGET).unwrap();
    let hello_world = build("hello-world", COMPONENT_TARGET).unwrap();
    let plugin = dir.join("plugin.wasm");
    let config = dir.join("config.json");
    std::fs::copy(&my_plugin, &plugin).unwrap();
    std::fs::write(&config, r#"{"mockEnable": false}"#).unwrap();
    let listen = free_port();

    let mut serve = Serve::start(&plugin, &config, listen, shim, &[]);
    let envoy_pid: Option<u32> = (!shim).then(|| {
        serve
            .wait_for("starting envoy (pid ")
            .split("pid ")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .and_then(|p| p.parse().ok())
            .expect("the envoy pid")
    });
    serve.wait_for("serving `");

    // The echo upstream answers with what it got: the plugin's header. A
    // connection that sends nothing (a browser's pre-connection) is open
    // meanwhile and holds nobody up.
    let _idle = std::net::TcpStream::connect(listen).unwrap();
    let (status, body) = get(listen);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        echoed_header(&body, "hello").as_deref(),
        Some("world"),
        "{body}"
    );

    // Saving the config reloads it.
    rewrite(&config, br#"{"mockEnable": true}"#);
    serve.wait_for("reloaded: new connections use generation 2");
    assert_eq!(get(listen), (200, "hello world".to_string()));

    // A config the plugin rejects: the previous one keeps serving, and the
    // plugin's reason is shown.
    rewrite(&config, br#"{"mockEnable": 3}"#);
    if shim {
        let line = serve.wait_for("not reloaded, the previous plugin keeps serving");
        assert!(line.contains("invalid value for `mockEnable`"), "{line}");
    } else {
        serve.wait_for_each(&[
            "[plugin error] invalid value for `mockEnable`",
            "envoy rejected generation 3",
        ]);
    }
    assert_eq!(get(listen), (200, "hello world".to_string()));

    // Back to forwarding, then another plugin in the same file.
    rewrite(&config, b"{}");
    serve.wait_for("reloaded: new connections use generation 4");
    let (_, body) = get(listen);
    assert!(body.contains("\"method\": \"GET\""), "{body}");
    rewrite(&plugin, &std::fs::read(&hello_world).unwrap());
    serve.wait_for("reloaded: new connections use generation 5");
    assert_eq!(get(listen), (200, "hello world".to_string()));

    // Ctrl-C: gatewit stops Envoy, removes its files and exits 0.
    stop(&mut serve);
    if let Some(pid) = envoy_pid {
        assert!(!alive(pid), "envoy {pid} outlived gatewit serve");
    }
    let work = std::env::temp_dir().join(format!("gatewit-serve-{}", serve.child.id()));
    assert!(!work.exists(), "`{}` was left behind", work.display());
    assert!(
        std::net::TcpStream::connect_timeout(&listen, Duration::from_millis(500)).is_err(),
        "the listener is still open"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_rebuilds_a_crate_when_its_sources_change() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gatewit-serve-crate");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let crate_dir = dir.join("edit-loop");
    let out = Command::new(env!("CARGO_BIN_EXE_gatewit"))
        .arg("new")
        .arg(&crate_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The workspace's lock: the same dependency versions, already built.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();
    let config = dir.join("config.json");
    std::fs::write(&config, "{}").unwrap();
    let listen = free_port();

    let mut serve = Serve::start(&crate_dir, &config, listen, false, &[]);
    serve.wait_for("serving `");
    let (_, body) = get(listen);
    assert_eq!(
        echoed_header(&body, "x-edit-loop").as_deref(),
        Some("on"),
        "{body}"
    );

    // The author edits the source: gatewit rebuilds, adapts and reloads.
    let lib = crate_dir.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    assert!(
        source.contains("\"on\".into()"),
        "the template's default value"
    );
    rewrite(
        &lib,
        source
            .replace("\"on\".into()", "\"edited\".into()")
            .as_bytes(),
    );
    serve.wait_for("building `");
    serve.wait_for("reloaded: new connections use generation 2");
    let (_, body) = get(listen);
    assert_eq!(
        echoed_header(&body, "x-edit-loop").as_deref(),
        Some("edited"),
        "{body}"
    );

    // A source that does not compile: the old plugin keeps serving.
    rewrite(&lib, b"this is not rust");
    serve.wait_for("not reloaded, the previous plugin keeps serving");
    let (_, body) = get(listen);
    assert_eq!(
        echoed_header(&body, "x-edit-loop").as_deref(),
        Some("edited"),
        "{body}"
    );
    stop(&mut serve);
    let _ = std::fs::remove_dir_all(&dir);
}
