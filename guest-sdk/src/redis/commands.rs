//! Typed commands, named after Redis's (Higress's `Del`, `Incr`, ...):
//! a table, each line a method on [`RedisClient`] that sends one command.

use super::{RedisCallback, RedisClient, RedisError, ToArg};

/// Builds the argument vector of a command.
pub(super) fn args(
    name: &str,
    first: &[&dyn ToArg],
    rest: impl IntoIterator<Item = Vec<u8>>,
) -> Vec<Vec<u8>> {
    let mut v = vec![name.as_bytes().to_vec()];
    v.extend(first.iter().map(|a| a.to_arg()));
    v.extend(rest);
    v
}

fn list<T: ToArg>(items: &[T]) -> impl Iterator<Item = Vec<u8>> + '_ {
    items.iter().map(ToArg::to_arg)
}

pub(super) fn pairs<A: ToArg, B: ToArg>(items: &[(A, B)]) -> impl Iterator<Item = Vec<u8>> + '_ {
    items.iter().flat_map(|(a, b)| [a.to_arg(), b.to_arg()])
}

/// `name<generics>(params) => "COMMAND" [arguments] + more;` becomes
/// `pub fn name<generics>(&self, params, cb) -> Result<(), RedisError>`
/// sending `COMMAND arguments... more...` (`more`: an iterator of
/// arguments, such as `list(values)` or `pairs(kvs)`).
macro_rules! commands {
    ($(
        $(#[$doc:meta])*
        $name:ident $(<$($g:ident: $bound:path),*>)? ($($arg:ident: $ty:ty),*)
            => $cmd:literal [$($fixed:expr),*] $(+ $rest:expr)?;
    )*) => {
        impl RedisClient {$(
            $(#[$doc])*
            pub fn $name $(<$($g: $bound),*>)? (
                &self,
                $($arg: $ty,)*
                cb: impl RedisCallback,
            ) -> Result<(), RedisError> {
                self.cmd(args($cmd, &[$(&$fixed),*], commands!(@rest $($rest)?)), cb)
            }
        )*}
    };
    (@rest) => { [] };
    (@rest $rest:expr) => { $rest };
}

commands! {
    // keys
    /// `DEL key`.
    del(key: &str) => "DEL" [key];
    /// `EXISTS key`.
    exists(key: &str) => "EXISTS" [key];
    /// `EXPIRE key ttl` (seconds).
    expire(key: &str, ttl_seconds: u64) => "EXPIRE" [key, ttl_seconds];
    /// `PERSIST key`.
    persist(key: &str) => "PERSIST" [key];

    // strings
    /// `GET key`.
    get(key: &str) => "GET" [key];
    /// `SET key value`.
    set(key: &str, value: impl ToArg) => "SET" [key, value];
    /// `SET key value EX ttl` (Higress `SetEx`).
    set_ex(key: &str, value: impl ToArg, ttl_seconds: u64) => "SET" [key, value, "EX", ttl_seconds];
    /// `MGET keys...`.
    mget<K: ToArg>(keys: &[K]) => "MGET" [] + list(keys);
    /// `MSET key value ...`.
    mset<K: ToArg, V: ToArg>(kvs: &[(K, V)]) => "MSET" [] + pairs(kvs);
    /// `INCR key`.
    incr(key: &str) => "INCR" [key];
    /// `DECR key`.
    decr(key: &str) => "DECR" [key];
    /// `INCRBY key delta`.
    incr_by(key: &str, delta: i64) => "INCRBY" [key, delta];
    /// `DECRBY key delta`.
    decr_by(key: &str, delta: i64) => "DECRBY" [key, delta];

    // lists
    /// `LLEN key`.
    llen(key: &str) => "LLEN" [key];
    /// `RPUSH key values...`.
    rpush<V: ToArg>(key: &str, values: &[V]) => "RPUSH" [key] + list(values);
    /// `RPOP key`.
    rpop(key: &str) => "RPOP" [key];
    /// `LPUSH key values...`.
    lpush<V: ToArg>(key: &str, values: &[V]) => "LPUSH" [key] + list(values);
    /// `LPOP key`.
    lpop(key: &str) => "LPOP" [key];
    /// `LINDEX key index`.
    lindex(key: &str, index: i64) => "LINDEX" [key, index];
    /// `LRANGE key start stop`.
    lrange(key: &str, start: i64, stop: i64) => "LRANGE" [key, start, stop];
    /// `LREM key count value`.
    lrem(key: &str, count: i64, value: impl ToArg) => "LREM" [key, count, value];
    /// `LINSERT key BEFORE pivot value`.
    linsert_before(key: &str, pivot: impl ToArg, value: impl ToArg) => "LINSERT" [key, "BEFORE", pivot, value];
    /// `LINSERT key AFTER pivot value`.
    linsert_after(key: &str, pivot: impl ToArg, value: impl ToArg) => "LINSERT" [key, "AFTER", pivot, value];

    // hashes
    /// `HEXISTS key field`.
    hexists(key: &str, field: &str) => "HEXISTS" [key, field];
    /// `HDEL key fields...`.
    hdel<F: ToArg>(key: &str, fields: &[F]) => "HDEL" [key] + list(fields);
    /// `HLEN key`.
    hlen(key: &str) => "HLEN" [key];
    /// `HGET key field`.
    hget(key: &str, field: &str) => "HGET" [key, field];
    /// `HSET key field value`.
    hset(key: &str, field: &str, value: impl ToArg) => "HSET" [key, field, value];
    /// `HMGET key fields...`.
    hmget<F: ToArg>(key: &str, fields: &[F]) => "HMGET" [key] + list(fields);
    /// `HMSET key field value ...`.
    hmset<F: ToArg, V: ToArg>(key: &str, fields: &[(F, V)]) => "HMSET" [key] + pairs(fields);
    /// `HKEYS key`.
    hkeys(key: &str) => "HKEYS" [key];
    /// `HVALS key`.
    hvals(key: &str) => "HVALS" [key];
    /// `HGETALL key`.
    hgetall(key: &str) => "HGETALL" [key];
    /// `HINCRBY key field delta`.
    hincr_by(key: &str, field: &str, delta: i64) => "HINCRBY" [key, field, delta];
    /// `HINCRBYFLOAT key field delta`.
    hincr_by_float(key: &str, field: &str, delta: f64) => "HINCRBYFLOAT" [key, field, delta];

    // sets
    /// `SCARD key`.
    scard(key: &str) => "SCARD" [key];
    /// `SADD key members...`.
    sadd<M: ToArg>(key: &str, members: &[M]) => "SADD" [key] + list(members);
    /// `SREM key members...`.
    srem<M: ToArg>(key: &str, members: &[M]) => "SREM" [key] + list(members);
    /// `SISMEMBER key member`.
    sismember(key: &str, member: impl ToArg) => "SISMEMBER" [key, member];
    /// `SMEMBERS key`.
    smembers(key: &str) => "SMEMBERS" [key];
    /// `SDIFF key1 key2`.
    sdiff(key1: &str, key2: &str) => "SDIFF" [key1, key2];
    /// `SDIFFSTORE destination key1 key2`.
    sdiff_store(destination: &str, key1: &str, key2: &str) => "SDIFFSTORE" [destination, key1, key2];
    /// `SINTER key1 key2`.
    sinter(key1: &str, key2: &str) => "SINTER" [key1, key2];
    /// `SINTERSTORE destination key1 key2`.
    sinter_store(destination: &str, key1: &str, key2: &str) => "SINTERSTORE" [destination, key1, key2];
    /// `SUNION key1 key2`.
    sunion(key1: &str, key2: &str) => "SUNION" [key1, key2];
    /// `SUNIONSTORE destination key1 key2`.
    sunion_store(destination: &str, key1: &str, key2: &str) => "SUNIONSTORE" [destination, key1, key2];

    // sorted sets
    /// `ZCARD key`.
    zcard(key: &str) => "ZCARD" [key];
    /// `ZADD key score member ...` (`(score, member)` pairs).
    zadd<M: ToArg>(key: &str, members: &[(f64, M)]) => "ZADD" [key] + pairs(members);
    /// `ZCOUNT key min max` (`min`/`max` as Redis takes them, e.g. `-inf`, `(1`).
    zcount(key: &str, min: impl ToArg, max: impl ToArg) => "ZCOUNT" [key, min, max];
    /// `ZINCRBY key delta member`.
    zincr_by(key: &str, member: impl ToArg, delta: f64) => "ZINCRBY" [key, delta, member];
    /// `ZSCORE key member`.
    zscore(key: &str, member: impl ToArg) => "ZSCORE" [key, member];
    /// `ZRANK key member`.
    zrank(key: &str, member: impl ToArg) => "ZRANK" [key, member];
    /// `ZREVRANK key member`.
    zrev_rank(key: &str, member: impl ToArg) => "ZREVRANK" [key, member];
    /// `ZREM key members...`.
    zrem<M: ToArg>(key: &str, members: &[M]) => "ZREM" [key] + list(members);
    /// `ZRANGE key start stop`.
    zrange(key: &str, start: i64, stop: i64) => "ZRANGE" [key, start, stop];
    /// `ZREVRANGE key start stop`.
    zrev_range(key: &str, start: i64, stop: i64) => "ZREVRANGE" [key, start, stop];
}

impl RedisClient {
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
}
