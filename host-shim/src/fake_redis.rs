//! An in-memory Redis stand-in: enough commands for plugin tests.

use std::collections::HashMap;

use crate::backend::decode_command;

/// An in-memory Redis. Keys never expire by themselves; `EXPIRE` records the
/// TTL so tests can assert on it.
#[derive(Debug, Default)]
pub struct FakeRedis {
    data: HashMap<Vec<u8>, Vec<u8>>,
    ttls: HashMap<Vec<u8>, i64>,
    /// When set, every command fails with this RESP error (e.g. `ERR down`).
    pub fail_with: Option<String>,
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

impl FakeRedis {
    /// An empty fake.
    pub fn new() -> Self {
        Self::default()
    }

    /// The stored value of `key`.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.data.get(key.as_bytes()).map(Vec::as_slice)
    }

    /// Stores `value` at `key`.
    pub fn set(&mut self, key: &str, value: impl Into<Vec<u8>>) {
        self.data.insert(key.as_bytes().to_vec(), value.into());
    }

    /// The TTL last set with `EXPIRE` on `key`.
    pub fn ttl(&self, key: &str) -> Option<i64> {
        self.ttls.get(key.as_bytes()).copied()
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

    /// Runs one RESP query and returns the RESP reply.
    pub fn execute(&mut self, query: &[u8]) -> Vec<u8> {
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
                self.data.insert(args[0].clone(), args[1].clone());
                b"+OK\r\n".to_vec()
            }
            "DEL" if !args.is_empty() => {
                let n = args
                    .iter()
                    .filter(|k| self.data.remove(*k).is_some())
                    .count();
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
                if self.data.contains_key(&args[0]) {
                    self.ttls.insert(args[0].clone(), secs);
                    int(1)
                } else {
                    int(0)
                }
            }
            "TTL" if arity(1) => int(
                match (self.data.contains_key(&args[0]), self.ttls.get(&args[0])) {
                    (false, _) => -2,
                    (true, None) => -1,
                    (true, Some(t)) => *t,
                },
            ),
            _ => err(&format!(
                "ERR unknown command or wrong arguments for '{}'",
                name.to_lowercase()
            )),
        }
    }
}
