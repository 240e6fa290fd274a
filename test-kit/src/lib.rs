//! What every test tier shares, with no engine behind it: the tier
//! vocabulary ([`exchange`]: requests, upstream answers, exchanges, the
//! [`exchange::Gateway`] trait each tier implements) and the real backends a
//! plugin's calls reach ([`backend`]: a blocking HTTP/1.1 client and a Redis
//! connection over loopback, each call bounded by its timeout). The host
//! shim, the emulator and the Envoy harness build on it; none of them needs
//! another's engine for it.
#![deny(missing_docs)]

pub mod backend;
pub mod exchange;
