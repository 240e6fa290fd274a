//! What every test tier shares, with no engine behind it: the tier
//! vocabulary ([`exchange`]: requests, upstream answers, exchanges, the
//! [`exchange::Gateway`] trait each tier implements) and the real backends a
//! plugin's calls reach ([`backend`]: a blocking HTTP/1.1 client and a Redis
//! connection over loopback, each call bounded by its timeout), and the
//! servers tests start ([`http_server`]: a scripted loopback HTTP server;
//! [`redis_server`]: a real `redis-server` per test), and the tiers' caches
//! ([`once`]: values computed once per key). The host shim, the
//! emulator, the Envoy harness and the tests build on it; none of them
//! needs another's engine for it, and it depends on none of them.
#![deny(missing_docs)]

pub mod backend;
pub mod exchange;
pub mod http_server;
pub mod once;
pub mod redis_server;
