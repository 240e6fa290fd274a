//! RESP, the Redis wire format: commands out as arrays of bulk strings,
//! replies parsed into a [`Value`].

use super::{RedisError, Value};

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
