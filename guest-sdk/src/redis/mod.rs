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

mod commands;
mod resp;

pub use resp::{ToArg, encode_command, parse_reply, parse_value};

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
    options: Rc<RefCell<Option<InitArgs>>>,
}

/// The arguments of [`RedisClient::init`], kept.
#[derive(Clone)]
struct InitArgs {
    username: String,
    password: String,
    timeout_ms: u32,
    options: RedisOptions,
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
        let args = InitArgs {
            username: username.to_string(),
            password: password.to_string(),
            timeout_ms,
            options,
        };
        let result = self.init_with(&args);
        *self.options.borrow_mut() = Some(args);
        result.map_err(RedisError::Init)
    }

    fn init_with(&self, args: &InitArgs) -> Result<(), String> {
        let options = &args.options;
        let wit = host::WitRedisOptions {
            username: &args.username,
            password: &args.password,
            timeout_ms: args.timeout_ms,
            database: options.database,
            // Go's defaults (3 ms, 1024 B) unless set; `disable_buffer`
            // wins over both.
            buffer_flush_timeout_ms: Some(options.buffer_flush_timeout_ms.unwrap_or(3)),
            max_buffer_size: Some(options.max_buffer_size.unwrap_or(1024)),
            disable_buffer: options.disable_buffer,
        };
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

    use super::commands::{args, pairs};
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
