//! Redis through a gateway Redis cluster (Higress `RedisClient`).
//!
//! Queries go out as RESP arrays of bulk strings; replies come back as raw
//! RESP and are parsed into a [`Value`]. Every command returns at once;
//! its callback gets `Result<Value, RedisError>` later, with the
//! originating request current again. An error reply (`-ERR ...`) arrives
//! as [`RedisError::Server`].

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::http_client::Cluster;
use crate::{HttpContext, Status, host, runtime};

/// A parsed RESP reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `+OK`.
    SimpleString(String),
    /// `-ERR ...` (inside arrays; a top-level error is a [`RedisError`]).
    Error(String),
    /// `:42`.
    Integer(i64),
    /// `$3\r\nfoo`.
    Bulk(Vec<u8>),
    /// `$-1` or `*-1`.
    Null,
    /// `*2\r\n...`.
    Array(Vec<Value>),
}

impl Value {
    /// The integer of an integer reply, or of a string reply that holds one.
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Value::Integer(i) => Some(*i),
            Value::SimpleString(s) => s.parse().ok(),
            Value::Bulk(b) => std::str::from_utf8(b).ok()?.parse().ok(),
            _ => None,
        }
    }

    /// The text of a string reply (simple or bulk, UTF-8).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::SimpleString(s) => Some(s),
            Value::Bulk(b) => std::str::from_utf8(b).ok(),
            _ => None,
        }
    }

    /// The bytes of a string reply.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::SimpleString(s) => Some(s.as_bytes()),
            Value::Bulk(b) => Some(b),
            _ => None,
        }
    }

    /// The elements of an array reply.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Whether the reply is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value rendered as text, as Higress's `resp.Value.String()`:
    /// integers in decimal, null and arrays as empty text.
    pub fn to_string_lossy(&self) -> String {
        match self {
            Value::SimpleString(s) | Value::Error(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            Value::Null | Value::Array(_) => String::new(),
        }
    }
}

/// Why a Redis command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisError {
    /// `init` failed or was never called; the message says why.
    Init(String),
    /// The host refused to send the command.
    Dispatch(Status),
    /// The host reported a failed call (connection failed, timed out) with
    /// this non-zero status.
    CallFailed(u32),
    /// The reply is not valid RESP.
    Parse(String),
    /// Redis answered with an error reply.
    Server(String),
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisError::Init(m) => write!(f, "redis init failed: {m}"),
            RedisError::Dispatch(s) => write!(f, "redis call not sent: {s}"),
            RedisError::CallFailed(s) => write!(
                f,
                "cannot connect to the redis cluster: the host reports {} (status {s})",
                host_status_name(*s)
            ),
            RedisError::Parse(m) => write!(f, "invalid redis reply: {m}"),
            RedisError::Server(m) => write!(f, "redis error reply: {m}"),
        }
    }
}

impl std::error::Error for RedisError {}

/// The proxy-wasm name of a host status code (what Envoy's Redis filter
/// reports for a failed call: 10 internal failure, 11 broken connection).
fn host_status_name(code: u32) -> &'static str {
    const NAMES: [&str; 13] = [
        "ok",
        "not found",
        "bad argument",
        "serialization failure",
        "parse failure",
        "bad expression",
        "invalid memory access",
        "empty",
        "cas mismatch",
        "result mismatch",
        "internal failure",
        "broken connection",
        "unimplemented",
    ];
    NAMES
        .get(code as usize)
        .copied()
        .unwrap_or("an unknown status")
}

/// Message for hosts without Redis support.
pub const UNSUPPORTED_MESSAGE: &str = "redis is not supported by this host (stock proxy-wasm \
     hosts such as Envoy have no redis hostcalls; run the plugin on a Higress gateway or \
     the gatewit host shim)";

// ----- RESP encoding -----

/// A value that can be a Redis command argument.
pub trait ToArg {
    /// The argument's bytes.
    fn to_arg(&self) -> Vec<u8>;
}

impl ToArg for str {
    fn to_arg(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}
impl ToArg for String {
    fn to_arg(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}
impl ToArg for [u8] {
    fn to_arg(&self) -> Vec<u8> {
        self.to_vec()
    }
}
impl ToArg for Vec<u8> {
    fn to_arg(&self) -> Vec<u8> {
        self.clone()
    }
}
impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Vec<u8> {
        (**self).to_arg()
    }
}
macro_rules! to_arg_display {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> Vec<u8> {
                self.to_string().into_bytes()
            }
        }
    )*};
}
to_arg_display!(
    i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64, bool
);

/// Encode a command as a RESP array of bulk strings.
pub fn encode_command<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(16 + args.iter().map(|a| a.as_ref().len() + 16).sum::<usize>());
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        let a = a.as_ref();
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

// ----- RESP parsing -----

const MAX_DEPTH: usize = 64;

/// Parse one complete RESP reply. A top-level error reply becomes
/// [`RedisError::Server`].
pub fn parse_reply(bytes: &[u8]) -> Result<Value, RedisError> {
    let (value, used) = parse_value(bytes, 0).map_err(RedisError::Parse)?;
    if used != bytes.len() {
        return Err(RedisError::Parse(format!(
            "{} trailing bytes after the reply",
            bytes.len() - used
        )));
    }
    match value {
        Value::Error(m) => Err(RedisError::Server(m)),
        v => Ok(v),
    }
}

/// Parse one RESP value from the start of `bytes`; returns it and the
/// number of bytes used.
pub fn parse_value(bytes: &[u8], depth: usize) -> Result<(Value, usize), String> {
    if depth > MAX_DEPTH {
        return Err("reply nested too deeply".into());
    }
    let (&kind, _) = bytes.split_first().ok_or("empty reply")?;
    let (line, after_line) = read_line(&bytes[1..]).ok_or("missing `\\r\\n`")?;
    let header_len = 1 + after_line;
    let text = || std::str::from_utf8(line).map_err(|_| "line is not UTF-8".to_string());
    let int = || -> Result<i64, String> {
        let t = text()?;
        t.parse::<i64>()
            .map_err(|_| format!("`{t}` is not an integer"))
    };
    match kind {
        b'+' => Ok((Value::SimpleString(text()?.to_string()), header_len)),
        b'-' => Ok((Value::Error(text()?.to_string()), header_len)),
        b':' => Ok((Value::Integer(int()?), header_len)),
        b'$' => {
            let n = int()?;
            if n < 0 {
                return Ok((Value::Null, header_len));
            }
            let n = usize::try_from(n).map_err(|_| "bulk length too large")?;
            let rest = &bytes[header_len..];
            if rest.len() < n.saturating_add(2) || &rest[n..n + 2] != b"\r\n" {
                return Err("bulk string shorter than its length".into());
            }
            Ok((Value::Bulk(rest[..n].to_vec()), header_len + n + 2))
        }
        b'*' => {
            let n = int()?;
            if n < 0 {
                return Ok((Value::Null, header_len));
            }
            let n = usize::try_from(n).map_err(|_| "array length too large")?;
            // Each element takes at least 3 bytes; refuse absurd lengths
            // before allocating.
            if n > bytes.len() / 3 + 1 {
                return Err("array longer than the reply".into());
            }
            let mut items = Vec::with_capacity(n);
            let mut used = header_len;
            for _ in 0..n {
                let (v, len) = parse_value(&bytes[used..], depth + 1)?;
                items.push(v);
                used += len;
            }
            Ok((Value::Array(items), used))
        }
        b'_' => Ok((Value::Null, header_len)),
        other => Err(format!("unknown reply type `{}`", other as char)),
    }
}

/// The line before the first `\r\n` and the number of bytes up to and
/// including it.
fn read_line(bytes: &[u8]) -> Option<(&[u8], usize)> {
    let i = bytes.windows(2).position(|w| w == b"\r\n")?;
    Some((&bytes[..i], i + 2))
}

// ----- client -----

/// Options of [`RedisClient::init`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedisOptions {
    /// Database index selected after connecting.
    pub database: u32,
    /// Flush buffered commands after this many milliseconds (`None`: 3,
    /// what Higress's Go SDK always asks for).
    pub buffer_flush_timeout_ms: Option<u32>,
    /// Flush once this many bytes are waiting (`None`: 1024, Go's value).
    pub max_buffer_size: Option<u32>,
    /// Send every command at once instead of buffering.
    pub disable_buffer: bool,
}

#[derive(Debug, Clone)]
enum InitState {
    NotInitialized,
    Ready,
    Failed(String),
}

/// A Redis client bound to one cluster. Cheap to clone; clones share the
/// init state.
#[derive(Clone)]
pub struct RedisClient {
    cluster: Rc<str>,
    state: Rc<RefCell<InitState>>,
    /// What `init` was called with, to re-init on `NOAUTH`.
    options: Rc<RefCell<Option<host::WitRedisOptions>>>,
}

impl fmt::Debug for RedisClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisClient")
            .field("cluster", &self.cluster)
            .field("state", &*self.state.borrow())
            .finish()
    }
}

/// The callback of a Redis command.
pub trait RedisCallback: FnOnce(&mut HttpContext, Result<Value, RedisError>) + 'static {}
impl<F: FnOnce(&mut HttpContext, Result<Value, RedisError>) + 'static> RedisCallback for F {}

impl RedisClient {
    /// A client for `cluster`; call [`Self::init`] before any command.
    pub fn new(cluster: impl Cluster) -> Self {
        RedisClient {
            cluster: Rc::from(cluster.cluster_name()),
            state: Rc::new(RefCell::new(InitState::NotInitialized)),
            options: Rc::new(RefCell::new(None)),
        }
    }

    /// The Envoy cluster name commands go to.
    pub fn cluster_name(&self) -> &str {
        &self.cluster
    }

    /// Connect: credentials, per-command timeout and options. Call it from
    /// configuration parsing or plugin start. On failure the error is
    /// returned, and, as Higress's Go SDK does, every later command tries
    /// `init` again first (the Redis cluster may not be known to the
    /// gateway yet at configuration time), failing with the error while it
    /// still fails.
    pub fn init(
        &self,
        username: &str,
        password: &str,
        timeout_ms: u32,
        options: RedisOptions,
    ) -> Result<(), RedisError> {
        let wit = host::WitRedisOptions {
            username: username.to_string(),
            password: password.to_string(),
            timeout_ms,
            database: options.database,
            // Go's defaults (3 ms, 1024 B) unless set; `disable_buffer`
            // wins over both.
            buffer_flush_timeout_ms: Some(options.buffer_flush_timeout_ms.unwrap_or(3)),
            max_buffer_size: Some(options.max_buffer_size.unwrap_or(1024)),
            disable_buffer: options.disable_buffer,
        };
        let result = self.init_with(&wit);
        *self.options.borrow_mut() = Some(wit);
        result.map_err(RedisError::Init)
    }

    fn init_with(&self, wit: &host::WitRedisOptions) -> Result<(), String> {
        let result = match host::redis_init(&self.cluster, wit) {
            Ok(()) => Ok(()),
            Err(host::RedisInitError::Unsupported) => Err(UNSUPPORTED_MESSAGE.to_string()),
            Err(host::RedisInitError::Failed(s)) => Err(format!(
                "host rejected redis cluster `{}`: {}",
                self.cluster,
                Status::from(s)
            )),
        };
        *self.state.borrow_mut() = match &result {
            Ok(()) => InitState::Ready,
            Err(m) => InitState::Failed(m.clone()),
        };
        result
    }

    /// Whether `init` succeeded.
    pub fn ready(&self) -> bool {
        matches!(*self.state.borrow(), InitState::Ready)
    }

    /// Send a raw command (`args[0]` is the command name).
    pub fn command<A: AsRef<[u8]>>(
        &self,
        args: &[A],
        callback: impl RedisCallback,
    ) -> Result<(), RedisError> {
        let state = self.state.borrow().clone();
        match state {
            InitState::Ready => {}
            InitState::NotInitialized => {
                return Err(RedisError::Init(format!(
                    "redis client for `{}` is not initialized: call `init` first",
                    self.cluster
                )));
            }
            InitState::Failed(why) => {
                // Retry, as Go does before every command.
                let options = self.options.borrow().clone();
                match options {
                    Some(options) => self.init_with(&options).map_err(RedisError::Init)?,
                    None => return Err(RedisError::Init(why)),
                }
            }
        }
        self.dispatch(encode_command(args), Box::new(callback), true)
    }

    /// Send `query`; with `retry`, a `NOAUTH` reply (the server restarted
    /// with a password, or lost the session) re-inits the client and sends
    /// the query once more, as Higress does.
    fn dispatch(
        &self,
        query: Vec<u8>,
        callback: runtime::RedisCallback,
        retry: bool,
    ) -> Result<(), RedisError> {
        let call = host::redis_call(&self.cluster, &query).map_err(RedisError::Dispatch)?;
        let callback: runtime::RedisCallback = if retry {
            let client = self.clone();
            Box::new(move |ctx, result| match result {
                Err(RedisError::Server(m)) if m.starts_with("NOAUTH") => {
                    client.retry_after_noauth(ctx, m, query, callback)
                }
                other => callback(ctx, other),
            })
        } else {
            callback
        };
        runtime::register_redis_callback(call, callback);
        Ok(())
    }

    fn cmd(&self, args: Vec<Vec<u8>>, callback: impl RedisCallback) -> Result<(), RedisError> {
        self.command(&args, callback)
    }

    fn retry_after_noauth(
        &self,
        ctx: &mut HttpContext,
        noauth: String,
        query: Vec<u8>,
        callback: runtime::RedisCallback,
    ) {
        crate::log_warn!("redis answered `{noauth}`: re-initializing and retrying once");
        let options = self.options.borrow().clone();
        let Some(options) = options else {
            return callback(ctx, Err(RedisError::Server(noauth)));
        };
        if let Err(e) = self.init_with(&options) {
            return callback(ctx, Err(RedisError::Init(e)));
        }
        // The callback goes with the retry, or gets the error now if the
        // retry cannot be sent.
        let slot = Rc::new(RefCell::new(Some(callback)));
        let forward_slot = slot.clone();
        let forward: runtime::RedisCallback = Box::new(move |ctx, r| {
            let cb = forward_slot.borrow_mut().take();
            if let Some(cb) = cb {
                cb(ctx, r)
            }
        });
        if let Err(e) = self.dispatch(query, forward, false) {
            let cb = slot.borrow_mut().take();
            if let Some(cb) = cb {
                cb(ctx, Err(e))
            }
        }
    }

    /// `EVAL script numkeys keys... args...`.
    pub fn eval<K: ToArg, A: ToArg>(
        &self,
        script: &str,
        numkeys: usize,
        keys: &[K],
        args: &[A],
        callback: impl RedisCallback,
    ) -> Result<(), RedisError> {
        let mut v = vec![b"EVAL".to_vec(), script.to_arg(), numkeys.to_arg()];
        v.extend(keys.iter().map(ToArg::to_arg));
        v.extend(args.iter().map(ToArg::to_arg));
        self.cmd(v, callback)
    }
}

/// Builds the argument vector of a command.
fn args(name: &str, first: &[&dyn ToArg], rest: impl IntoIterator<Item = Vec<u8>>) -> Vec<Vec<u8>> {
    let mut v = vec![name.as_bytes().to_vec()];
    v.extend(first.iter().map(|a| a.to_arg()));
    v.extend(rest);
    v
}

fn list<T: ToArg>(items: &[T]) -> impl Iterator<Item = Vec<u8>> + '_ {
    items.iter().map(ToArg::to_arg)
}

fn pairs<A: ToArg, B: ToArg>(items: &[(A, B)]) -> impl Iterator<Item = Vec<u8>> + '_ {
    items.iter().flat_map(|(a, b)| [a.to_arg(), b.to_arg()])
}

/// Typed commands, named after Redis's (Higress's `Del`, `Incr`, ...).
impl RedisClient {
    // keys
    /// `DEL key`.
    pub fn del(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("DEL", &[&key], []), cb)
    }
    /// `EXISTS key`.
    pub fn exists(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("EXISTS", &[&key], []), cb)
    }
    /// `EXPIRE key ttl` (seconds).
    pub fn expire(
        &self,
        key: &str,
        ttl_seconds: u64,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("EXPIRE", &[&key, &ttl_seconds], []), cb)
    }
    /// `PERSIST key`.
    pub fn persist(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("PERSIST", &[&key], []), cb)
    }

    // strings
    /// `GET key`.
    pub fn get(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("GET", &[&key], []), cb)
    }
    /// `SET key value`.
    pub fn set(
        &self,
        key: &str,
        value: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("SET", &[&key, &value], []), cb)
    }
    /// `SET key value EX ttl` (Higress `SetEx`).
    pub fn set_ex(
        &self,
        key: &str,
        value: impl ToArg,
        ttl_seconds: u64,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("SET", &[&key, &value, &"EX", &ttl_seconds], []), cb)
    }
    /// `SET key value NX`, with `EX ttl_seconds` when it is not 0 (Higress
    /// `SetNX(key, value, expiration)`: replay protection sets a TTL).
    pub fn set_nx(
        &self,
        key: &str,
        value: impl ToArg,
        ttl_seconds: u32,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        if ttl_seconds == 0 {
            self.cmd(args("SET", &[&key, &value, &"NX"], []), cb)
        } else {
            self.cmd(
                args("SET", &[&key, &value, &"NX", &"EX", &ttl_seconds], []),
                cb,
            )
        }
    }
    /// `MGET keys...`.
    pub fn mget<K: ToArg>(&self, keys: &[K], cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("MGET", &[], list(keys)), cb)
    }
    /// `MSET key value ...`.
    pub fn mset<K: ToArg, V: ToArg>(
        &self,
        kvs: &[(K, V)],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("MSET", &[], pairs(kvs)), cb)
    }
    /// `INCR key`.
    pub fn incr(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("INCR", &[&key], []), cb)
    }
    /// `DECR key`.
    pub fn decr(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("DECR", &[&key], []), cb)
    }
    /// `INCRBY key delta`.
    pub fn incr_by(&self, key: &str, delta: i64, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("INCRBY", &[&key, &delta], []), cb)
    }
    /// `DECRBY key delta`.
    pub fn decr_by(&self, key: &str, delta: i64, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("DECRBY", &[&key, &delta], []), cb)
    }

    // lists
    /// `LLEN key`.
    pub fn llen(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("LLEN", &[&key], []), cb)
    }
    /// `RPUSH key values...`.
    pub fn rpush<V: ToArg>(
        &self,
        key: &str,
        values: &[V],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("RPUSH", &[&key], list(values)), cb)
    }
    /// `RPOP key`.
    pub fn rpop(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("RPOP", &[&key], []), cb)
    }
    /// `LPUSH key values...`.
    pub fn lpush<V: ToArg>(
        &self,
        key: &str,
        values: &[V],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("LPUSH", &[&key], list(values)), cb)
    }
    /// `LPOP key`.
    pub fn lpop(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("LPOP", &[&key], []), cb)
    }
    /// `LINDEX key index`.
    pub fn lindex(&self, key: &str, index: i64, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("LINDEX", &[&key, &index], []), cb)
    }
    /// `LRANGE key start stop`.
    pub fn lrange(
        &self,
        key: &str,
        start: i64,
        stop: i64,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("LRANGE", &[&key, &start, &stop], []), cb)
    }
    /// `LREM key count value`.
    pub fn lrem(
        &self,
        key: &str,
        count: i64,
        value: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("LREM", &[&key, &count, &value], []), cb)
    }
    /// `LINSERT key BEFORE pivot value`.
    pub fn linsert_before(
        &self,
        key: &str,
        pivot: impl ToArg,
        value: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("LINSERT", &[&key, &"BEFORE", &pivot, &value], []), cb)
    }
    /// `LINSERT key AFTER pivot value`.
    pub fn linsert_after(
        &self,
        key: &str,
        pivot: impl ToArg,
        value: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("LINSERT", &[&key, &"AFTER", &pivot, &value], []), cb)
    }

    // hashes
    /// `HEXISTS key field`.
    pub fn hexists(
        &self,
        key: &str,
        field: &str,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("HEXISTS", &[&key, &field], []), cb)
    }
    /// `HDEL key fields...`.
    pub fn hdel<F: ToArg>(
        &self,
        key: &str,
        fields: &[F],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("HDEL", &[&key], list(fields)), cb)
    }
    /// `HLEN key`.
    pub fn hlen(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("HLEN", &[&key], []), cb)
    }
    /// `HGET key field`.
    pub fn hget(&self, key: &str, field: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("HGET", &[&key, &field], []), cb)
    }
    /// `HSET key field value`.
    pub fn hset(
        &self,
        key: &str,
        field: &str,
        value: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("HSET", &[&key, &field, &value], []), cb)
    }
    /// `HMGET key fields...`.
    pub fn hmget<F: ToArg>(
        &self,
        key: &str,
        fields: &[F],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("HMGET", &[&key], list(fields)), cb)
    }
    /// `HMSET key field value ...`.
    pub fn hmset<F: ToArg, V: ToArg>(
        &self,
        key: &str,
        fields: &[(F, V)],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("HMSET", &[&key], pairs(fields)), cb)
    }
    /// `HKEYS key`.
    pub fn hkeys(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("HKEYS", &[&key], []), cb)
    }
    /// `HVALS key`.
    pub fn hvals(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("HVALS", &[&key], []), cb)
    }
    /// `HGETALL key`.
    pub fn hgetall(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("HGETALL", &[&key], []), cb)
    }
    /// `HINCRBY key field delta`.
    pub fn hincr_by(
        &self,
        key: &str,
        field: &str,
        delta: i64,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("HINCRBY", &[&key, &field, &delta], []), cb)
    }
    /// `HINCRBYFLOAT key field delta`.
    pub fn hincr_by_float(
        &self,
        key: &str,
        field: &str,
        delta: f64,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("HINCRBYFLOAT", &[&key, &field, &delta], []), cb)
    }

    // sets
    /// `SCARD key`.
    pub fn scard(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("SCARD", &[&key], []), cb)
    }
    /// `SADD key members...`.
    pub fn sadd<M: ToArg>(
        &self,
        key: &str,
        members: &[M],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("SADD", &[&key], list(members)), cb)
    }
    /// `SREM key members...`.
    pub fn srem<M: ToArg>(
        &self,
        key: &str,
        members: &[M],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("SREM", &[&key], list(members)), cb)
    }
    /// `SISMEMBER key member`.
    pub fn sismember(
        &self,
        key: &str,
        member: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("SISMEMBER", &[&key, &member], []), cb)
    }
    /// `SMEMBERS key`.
    pub fn smembers(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("SMEMBERS", &[&key], []), cb)
    }
    /// `SDIFF key1 key2`.
    pub fn sdiff(&self, key1: &str, key2: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("SDIFF", &[&key1, &key2], []), cb)
    }
    /// `SDIFFSTORE destination key1 key2`.
    pub fn sdiff_store(
        &self,
        destination: &str,
        key1: &str,
        key2: &str,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("SDIFFSTORE", &[&destination, &key1, &key2], []), cb)
    }
    /// `SINTER key1 key2`.
    pub fn sinter(&self, key1: &str, key2: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("SINTER", &[&key1, &key2], []), cb)
    }
    /// `SINTERSTORE destination key1 key2`.
    pub fn sinter_store(
        &self,
        destination: &str,
        key1: &str,
        key2: &str,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("SINTERSTORE", &[&destination, &key1, &key2], []), cb)
    }
    /// `SUNION key1 key2`.
    pub fn sunion(&self, key1: &str, key2: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("SUNION", &[&key1, &key2], []), cb)
    }
    /// `SUNIONSTORE destination key1 key2`.
    pub fn sunion_store(
        &self,
        destination: &str,
        key1: &str,
        key2: &str,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("SUNIONSTORE", &[&destination, &key1, &key2], []), cb)
    }

    // sorted sets
    /// `ZCARD key`.
    pub fn zcard(&self, key: &str, cb: impl RedisCallback) -> Result<(), RedisError> {
        self.cmd(args("ZCARD", &[&key], []), cb)
    }
    /// `ZADD key score member ...` (`(score, member)` pairs).
    pub fn zadd<M: ToArg>(
        &self,
        key: &str,
        members: &[(f64, M)],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("ZADD", &[&key], pairs(members)), cb)
    }
    /// `ZCOUNT key min max` (`min`/`max` as Redis takes them, e.g. `-inf`, `(1`).
    pub fn zcount(
        &self,
        key: &str,
        min: impl ToArg,
        max: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("ZCOUNT", &[&key, &min, &max], []), cb)
    }
    /// `ZINCRBY key delta member`.
    pub fn zincr_by(
        &self,
        key: &str,
        member: impl ToArg,
        delta: f64,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("ZINCRBY", &[&key, &delta, &member], []), cb)
    }
    /// `ZSCORE key member`.
    pub fn zscore(
        &self,
        key: &str,
        member: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("ZSCORE", &[&key, &member], []), cb)
    }
    /// `ZRANK key member`.
    pub fn zrank(
        &self,
        key: &str,
        member: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("ZRANK", &[&key, &member], []), cb)
    }
    /// `ZREVRANK key member`.
    pub fn zrev_rank(
        &self,
        key: &str,
        member: impl ToArg,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("ZREVRANK", &[&key, &member], []), cb)
    }
    /// `ZREM key members...`.
    pub fn zrem<M: ToArg>(
        &self,
        key: &str,
        members: &[M],
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("ZREM", &[&key], list(members)), cb)
    }
    /// `ZRANGE key start stop`.
    pub fn zrange(
        &self,
        key: &str,
        start: i64,
        stop: i64,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("ZRANGE", &[&key, &start, &stop], []), cb)
    }
    /// `ZREVRANGE key start stop`.
    pub fn zrev_range(
        &self,
        key: &str,
        start: i64,
        stop: i64,
        cb: impl RedisCallback,
    ) -> Result<(), RedisError> {
        self.cmd(args("ZREVRANGE", &[&key, &start, &stop], []), cb)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn failed_calls_name_the_host_status() {
        let e = RedisError::CallFailed(11).to_string();
        assert_eq!(
            e,
            "cannot connect to the redis cluster: the host reports broken connection (status 11)"
        );
        assert!(
            RedisError::CallFailed(99)
                .to_string()
                .contains("an unknown status (status 99)")
        );
    }

    use super::*;

    #[test]
    fn encodes_bulk_string_arrays() {
        assert_eq!(
            encode_command(&["INCR", "k"]),
            b"*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n".to_vec()
        );
        assert_eq!(encode_command::<&str>(&[]), b"*0\r\n".to_vec());
        let v = args("SET", &[&"k", &5i64, &"EX", &60u64], []);
        assert_eq!(
            encode_command(&v),
            b"*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n5\r\n$2\r\nEX\r\n$2\r\n60\r\n".to_vec()
        );
        let bin: &[u8] = b"a\r\nb";
        assert_eq!(
            encode_command(&[b"GET".as_slice(), bin]),
            b"*2\r\n$3\r\nGET\r\n$4\r\na\r\nb\r\n".to_vec()
        );
        let v = args("ZADD", &[&"z"], pairs(&[(1.5, "m")]));
        assert_eq!(
            v,
            vec![
                b"ZADD".to_vec(),
                b"z".to_vec(),
                b"1.5".to_vec(),
                b"m".to_vec()
            ]
        );
    }

    #[test]
    fn parses_replies() {
        assert_eq!(
            parse_reply(b"+OK\r\n"),
            Ok(Value::SimpleString("OK".into()))
        );
        assert_eq!(parse_reply(b":42\r\n"), Ok(Value::Integer(42)));
        assert_eq!(parse_reply(b":-1\r\n"), Ok(Value::Integer(-1)));
        assert_eq!(
            parse_reply(b"$3\r\nfoo\r\n"),
            Ok(Value::Bulk(b"foo".to_vec()))
        );
        assert_eq!(parse_reply(b"$0\r\n\r\n"), Ok(Value::Bulk(vec![])));
        assert_eq!(parse_reply(b"$-1\r\n"), Ok(Value::Null));
        assert_eq!(parse_reply(b"*-1\r\n"), Ok(Value::Null));
        assert_eq!(parse_reply(b"_\r\n"), Ok(Value::Null));
        assert_eq!(
            parse_reply(b"*3\r\n:1\r\n$1\r\na\r\n*1\r\n-ERR x\r\n"),
            Ok(Value::Array(vec![
                Value::Integer(1),
                Value::Bulk(b"a".to_vec()),
                Value::Array(vec![Value::Error("ERR x".into())]),
            ]))
        );
        assert_eq!(
            parse_reply(b"-ERR unknown command\r\n"),
            Err(RedisError::Server("ERR unknown command".into()))
        );
    }

    #[test]
    fn rejects_bad_replies() {
        for bad in [
            &b""[..],
            b"+OK",
            b":x\r\n",
            b"$5\r\nab\r\n",
            b"*2\r\n:1\r\n",
            b"?\r\n",
            b"+OK\r\nextra",
            b"*99999999999\r\n",
        ] {
            assert!(
                matches!(parse_reply(bad), Err(RedisError::Parse(_))),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = "*1\r\n".repeat(100) + ":1\r\n";
        assert!(parse_reply(deep.as_bytes()).is_err());
    }

    #[test]
    fn value_accessors() {
        assert_eq!(Value::Integer(3).as_integer(), Some(3));
        assert_eq!(Value::Bulk(b"7".to_vec()).as_integer(), Some(7));
        assert_eq!(Value::Bulk(b"x".to_vec()).as_str(), Some("x"));
        assert_eq!(Value::Integer(3).to_string_lossy(), "3");
        assert!(Value::Null.is_null());
    }

    #[test]
    fn unsupported_message_is_clear() {
        assert!(UNSUPPORTED_MESSAGE.starts_with("redis is not supported by this host"));
    }
}
