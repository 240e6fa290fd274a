//! An in-memory Redis stand-in: enough commands for plugin tests.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use crate::backend::decode_command;

/// An in-memory Redis. Keys expire on the host's clock: the harness passes
/// its (advanceable) time with every command, so a test that advances the
/// clock past a TTL sees the key gone, as a rate-limit window would roll
/// over in a real Redis.
#[derive(Debug)]
pub struct FakeRedis {
    data: HashMap<Vec<u8>, Vec<u8>>,
    expires: HashMap<Vec<u8>, SystemTime>,
    /// The clock as of the last command.
    now: SystemTime,
    /// When set, every command fails with this RESP error (e.g. `ERR down`).
    pub fail_with: Option<String>,
}

impl Default for FakeRedis {
    fn default() -> Self {
        Self {
            data: HashMap::new(),
            expires: HashMap::new(),
            now: SystemTime::now(),
            fail_with: None,
        }
    }
}

fn bulk(v: &[u8]) -> Vec<u8> {
    let mut out = format!("${}\r\n", v.len()).into_bytes();
    out.extend_from_slice(v);
    out.extend_from_slice(b"\r\n");
    out
}

fn int(n: i64) -> Vec<u8> {
    format!(":{n}\r\n").into_bytes()
}

fn err(msg: &str) -> Vec<u8> {
    format!("-{msg}\r\n").into_bytes()
}

/// A strictly positive integer argument (TTLs).
fn positive(arg: &[u8]) -> Option<u64> {
    std::str::from_utf8(arg)
        .ok()?
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

impl FakeRedis {
    /// An empty fake.
    pub fn new() -> Self {
        Self::default()
    }

    /// The stored value of `key`.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.data.get(key.as_bytes()).map(Vec::as_slice)
    }

    /// Stores `value` at `key` (with no TTL).
    pub fn set(&mut self, key: &str, value: impl Into<Vec<u8>>) {
        self.expires.remove(key.as_bytes());
        self.data.insert(key.as_bytes().to_vec(), value.into());
    }

    /// Seconds `key` has left to live (rounded as Redis's `TTL` does) at
    /// the time of the last command; `None` when it has no TTL or is gone.
    pub fn ttl(&self, key: &str) -> Option<i64> {
        self.ttl_of(key.as_bytes())
    }

    fn ttl_of(&self, key: &[u8]) -> Option<i64> {
        let deadline = self.expires.get(key)?;
        let left = deadline.duration_since(self.now).unwrap_or_default();
        Some(((left.as_millis() + 500) / 1000) as i64)
    }

    /// Drops the keys whose deadline has passed at `now`.
    fn expire_until(&mut self, now: SystemTime) {
        self.now = now;
        let data = &mut self.data;
        self.expires.retain(|key, deadline| {
            let alive = *deadline > now;
            if !alive {
                data.remove(key);
            }
            alive
        });
    }

    /// Sets `key`'s deadline `after` from now; a key that is not there
    /// gets none.
    fn expire_in(&mut self, key: &[u8], after: Duration) -> bool {
        if !self.data.contains_key(key) {
            return false;
        }
        self.expires.insert(key.to_vec(), self.now + after);
        true
    }

    fn remove(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key);
        self.data.remove(key).is_some()
    }

    /// Every key, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .data
            .keys()
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect();
        keys.sort();
        keys
    }

    /// Runs one RESP query now (wall-clock) and returns the RESP reply.
    pub fn execute(&mut self, query: &[u8]) -> Vec<u8> {
        self.execute_at(SystemTime::now(), query)
    }

    /// Runs one RESP query at time `now` (the host's clock, which tests may
    /// have advanced) and returns the RESP reply.
    pub fn execute_at(&mut self, now: SystemTime, query: &[u8]) -> Vec<u8> {
        self.expire_until(now);
        if let Some(msg) = &self.fail_with {
            return err(msg);
        }
        let Some(args) = decode_command(query) else {
            return err("ERR protocol error: expected an array of bulk strings");
        };
        let Some((name, args)) = args.split_first() else {
            return err("ERR empty command");
        };
        let name = String::from_utf8_lossy(name).to_ascii_uppercase();
        let arity = |n: usize| args.len() == n;
        match name.as_str() {
            "PING" => b"+PONG\r\n".to_vec(),
            "GET" if arity(1) => self
                .data
                .get(&args[0])
                .map_or_else(|| b"$-1\r\n".to_vec(), |v| bulk(v)),
            "SET" if args.len() >= 2 => {
                let mut ttl = None;
                let mut options = args[2..].iter();
                while let Some(option) = options.next() {
                    let option = String::from_utf8_lossy(option).to_ascii_uppercase();
                    let unit = match option.as_str() {
                        "EX" => 1000,
                        "PX" => 1,
                        _ => return err("ERR syntax error"),
                    };
                    match options.next().and_then(|n| positive(n)) {
                        Some(n) => ttl = Some(Duration::from_millis(n * unit)),
                        None => return err("ERR invalid expire time in 'set' command"),
                    }
                }
                self.remove(&args[0]);
                self.data.insert(args[0].clone(), args[1].clone());
                if let Some(ttl) = ttl {
                    self.expire_in(&args[0], ttl);
                }
                b"+OK\r\n".to_vec()
            }
            "SETEX" if arity(3) => {
                let Some(secs) = positive(&args[1]) else {
                    return err("ERR invalid expire time in 'setex' command");
                };
                self.remove(&args[0]);
                self.data.insert(args[0].clone(), args[2].clone());
                self.expire_in(&args[0], Duration::from_secs(secs));
                b"+OK\r\n".to_vec()
            }
            "DEL" if !args.is_empty() => {
                let n = args.iter().filter(|k| self.remove(k)).count();
                int(n as i64)
            }
            "EXISTS" if !args.is_empty() => {
                int(args.iter().filter(|k| self.data.contains_key(*k)).count() as i64)
            }
            "INCR" | "DECR" | "INCRBY" | "DECRBY" => {
                let by = match (name.as_str(), args) {
                    ("INCR", [_]) => 1,
                    ("DECR", [_]) => -1,
                    ("INCRBY" | "DECRBY", [_, n]) => {
                        match String::from_utf8_lossy(n).parse::<i64>() {
                            Ok(n) if name == "INCRBY" => n,
                            Ok(n) => -n,
                            Err(_) => return err("ERR value is not an integer or out of range"),
                        }
                    }
                    _ => {
                        return err(&format!(
                            "ERR wrong number of arguments for '{}' command",
                            name.to_lowercase()
                        ));
                    }
                };
                let current = match self.data.get(&args[0]) {
                    None => 0,
                    Some(v) => match String::from_utf8_lossy(v).parse::<i64>() {
                        Ok(n) => n,
                        Err(_) => return err("ERR value is not an integer or out of range"),
                    },
                };
                let next = current + by;
                self.data
                    .insert(args[0].clone(), next.to_string().into_bytes());
                int(next)
            }
            "EXPIRE" if arity(2) => {
                let Ok(secs) = String::from_utf8_lossy(&args[1]).parse::<i64>() else {
                    return err("ERR value is not an integer or out of range");
                };
                if !self.data.contains_key(&args[0]) {
                    int(0)
                } else if secs <= 0 {
                    // Redis deletes a key given a TTL in the past.
                    self.remove(&args[0]);
                    int(1)
                } else {
                    int(i64::from(
                        self.expire_in(&args[0], Duration::from_secs(secs as u64)),
                    ))
                }
            }
            "PERSIST" if arity(1) => int(i64::from(
                self.data.contains_key(&args[0]) && self.expires.remove(&args[0]).is_some(),
            )),
            "TTL" if arity(1) => int(if self.data.contains_key(&args[0]) {
                self.ttl_of(&args[0]).unwrap_or(-1)
            } else {
                -2
            }),
            _ => err(&format!(
                "ERR unknown command or wrong arguments for '{}'",
                name.to_lowercase()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(args: &[&str]) -> Vec<u8> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend(bulk(a.as_bytes()));
        }
        out
    }

    fn at(redis: &mut FakeRedis, t0: SystemTime, secs: u64, args: &[&str]) -> String {
        let reply = redis.execute_at(t0 + Duration::from_secs(secs), &command(args));
        String::from_utf8_lossy(&reply).into_owned()
    }

    #[test]
    fn keys_expire_on_the_clock_the_host_passes() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut redis = FakeRedis::new();
        assert_eq!(at(&mut redis, t0, 0, &["INCR", "n"]), ":1\r\n");
        assert_eq!(at(&mut redis, t0, 0, &["EXPIRE", "n", "60"]), ":1\r\n");
        assert_eq!(redis.ttl("n"), Some(60));
        assert_eq!(at(&mut redis, t0, 59, &["TTL", "n"]), ":1\r\n");
        // INCR keeps the TTL, as in Redis.
        assert_eq!(at(&mut redis, t0, 59, &["INCR", "n"]), ":2\r\n");
        assert_eq!(at(&mut redis, t0, 60, &["GET", "n"]), "$-1\r\n");
        assert_eq!(at(&mut redis, t0, 60, &["TTL", "n"]), ":-2\r\n");
        assert_eq!(redis.keys(), Vec::<String>::new());
        assert_eq!(at(&mut redis, t0, 61, &["EXPIRE", "n", "5"]), ":0\r\n");
    }

    #[test]
    fn set_options_setex_persist_and_past_ttls() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut redis = FakeRedis::new();
        assert_eq!(
            at(&mut redis, t0, 0, &["SET", "a", "1", "EX", "10"]),
            "+OK\r\n"
        );
        assert_eq!(
            at(&mut redis, t0, 0, &["SET", "b", "1", "px", "1500"]),
            "+OK\r\n"
        );
        assert_eq!(at(&mut redis, t0, 0, &["SETEX", "c", "3", "v"]), "+OK\r\n");
        assert_eq!(at(&mut redis, t0, 0, &["TTL", "b"]), ":2\r\n");
        assert_eq!(at(&mut redis, t0, 2, &["EXISTS", "a", "b", "c"]), ":2\r\n");
        // A plain SET drops the TTL.
        assert_eq!(at(&mut redis, t0, 2, &["SET", "c", "w"]), "+OK\r\n");
        assert_eq!(at(&mut redis, t0, 2, &["TTL", "c"]), ":-1\r\n");
        assert_eq!(at(&mut redis, t0, 2, &["PERSIST", "a"]), ":1\r\n");
        assert_eq!(at(&mut redis, t0, 2, &["PERSIST", "a"]), ":0\r\n");
        assert_eq!(at(&mut redis, t0, 100, &["GET", "a"]), "$1\r\n1\r\n");
        assert_eq!(at(&mut redis, t0, 100, &["EXPIRE", "a", "0"]), ":1\r\n");
        assert_eq!(at(&mut redis, t0, 100, &["EXISTS", "a"]), ":0\r\n");
        assert_eq!(
            at(&mut redis, t0, 100, &["SET", "d", "1", "EX", "0"]),
            "-ERR invalid expire time in 'set' command\r\n"
        );
        assert_eq!(
            at(&mut redis, t0, 100, &["SET", "d", "1", "KEEP"]),
            "-ERR syntax error\r\n"
        );
    }
}
