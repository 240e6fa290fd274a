//! A real `redis-server` on a free 127.0.0.1 port, for the duration of a
//! test. Missing `redis-server` is a test failure, never a skip.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::backend::{RedisConnection, encode_command};
use anyhow::{Context, bail};

/// How long a fresh server may take to answer `PING`.
const STARTUP: Duration = Duration::from_secs(10);

/// A running `redis-server`; killed when dropped.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    addr: SocketAddr,
    password: Option<String>,
}

impl RedisServer {
    /// Starts a server without authentication.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(None)
    }

    /// Starts a server that requires `password` (`requirepass`).
    pub fn start_with_password(password: &str) -> anyhow::Result<Self> {
        Self::start_with(Some(password))
    }

    fn start_with(password: Option<&str>) -> anyhow::Result<Self> {
        let port = {
            let probe =
                TcpListener::bind("127.0.0.1:0").context("cannot find a free port for redis")?;
            probe
                .local_addr()
                .context("cannot read the probe address")?
                .port()
        };
        let mut cmd = Command::new("redis-server");
        cmd.args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]);
        if let Some(pw) = password {
            cmd.args(["--requirepass", pw]);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                bail!(
                    "`redis-server` is not installed (not found on PATH): run `scripts/install-deps.sh`"
                )
            }
            Err(e) => return Err(e).context("cannot start `redis-server`"),
        };
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut server = Self {
            child: Some(child),
            addr,
            password: password.map(str::to_owned),
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + STARTUP;
        let pw = self.password.clone().unwrap_or_default();
        loop {
            if let Some(child) = &mut self.child
                && let Ok(Some(status)) = child.try_wait()
            {
                bail!(
                    "`redis-server` on port {} exited at startup ({status}); is the port taken?",
                    self.addr.port()
                );
            }
            if let Ok(mut conn) =
                RedisConnection::connect(self.addr, "", &pw, 0, Duration::from_millis(200))
                && conn
                    .call(&encode_command(&[b"PING"]), Duration::from_millis(500))
                    .is_ok_and(|r| r.starts_with(b"+PONG"))
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "`redis-server` on {} did not answer PING within {STARTUP:?}",
                    self.addr
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Runs one command on the server (for test setup and assertions);
    /// returns the raw RESP reply.
    pub fn command(&self, args: &[&str]) -> anyhow::Result<Vec<u8>> {
        let pw = self.password.clone().unwrap_or_default();
        let mut conn = RedisConnection::connect(self.addr, "", &pw, 0, Duration::from_secs(2))?;
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        conn.call(&encode_command(&args), Duration::from_secs(2))
            .map_err(|f| anyhow::anyhow!("redis command failed at `{}`: {f:?}", self.addr))
    }

    /// Freezes the server (SIGSTOP): connections are still accepted by the
    /// kernel and commands queue, but nothing is answered until
    /// [`resume`](Self::resume) — a Redis too slow for any timeout, whose
    /// late replies then arrive on connections the client may have given up.
    pub fn pause(&self) -> anyhow::Result<()> {
        self.signal("-STOP")
    }

    /// Lets a [`pause`](Self::pause)d server run on (SIGCONT).
    pub fn resume(&self) -> anyhow::Result<()> {
        self.signal("-CONT")
    }

    fn signal(&self, signal: &str) -> anyhow::Result<()> {
        let child = self
            .child
            .as_ref()
            .context("`redis-server` is already stopped")?;
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .context("cannot run `kill`")?;
        anyhow::ensure!(
            status.success(),
            "`kill {signal}` of `redis-server` failed: {status}"
        );
        Ok(())
    }

    /// Stops the server (SIGKILL) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
