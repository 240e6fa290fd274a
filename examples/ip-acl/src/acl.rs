//! The configuration and the decision, apart from the gateway: networks,
//! consumer rules, and how a client's address is read from a header or the
//! connection. Unit-tested on the host.

use serde_json::{Map, Value};
use std::net::IpAddr;

/// One network of a list: an address with a prefix length, masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Net {
    /// IPv4.
    V4(u32, u8),
    /// IPv6 (IPv4-mapped addresses among them stay IPv6 networks).
    V6(u128, u8),
}

impl Net {
    /// A CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a bare address (a /32 or
    /// /128); `None` when it is neither.
    pub fn parse(entry: &str) -> Option<Net> {
        match entry.split_once('/') {
            Some((addr, bits)) => {
                if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let bits: u32 = bits.parse().ok()?;
                match addr.parse::<IpAddr>().ok()? {
                    IpAddr::V4(a) if bits <= 32 => {
                        Some(Net::V4(u32::from(a) & mask32(bits), bits as u8))
                    }
                    IpAddr::V6(a) if bits <= 128 => {
                        Some(Net::V6(u128::from(a) & mask128(bits), bits as u8))
                    }
                    _ => None,
                }
            }
            None => Some(match client(entry.parse().ok()?) {
                IpAddr::V4(a) => Net::V4(u32::from(a), 32),
                IpAddr::V6(a) => Net::V6(u128::from(a), 128),
            }),
        }
    }

    /// Whether `ip` (as [`client`] normalises it) is in this network; an
    /// IPv4 address is never in an IPv6 network, nor the other way round.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (*self, ip) {
            (Net::V4(net, bits), IpAddr::V4(a)) => u32::from(a) & mask32(u32::from(bits)) == net,
            (Net::V6(net, bits), IpAddr::V6(a)) => u128::from(a) & mask128(u32::from(bits)) == net,
            _ => false,
        }
    }
}

fn mask32(bits: u32) -> u32 {
    u32::MAX.checked_shl(32 - bits).unwrap_or(0)
}

fn mask128(bits: u32) -> u128 {
    u128::MAX.checked_shl(128 - bits).unwrap_or(0)
}

/// An IPv4-mapped IPv6 address as the IPv4 address it maps.
pub fn client(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(a) => a.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One consumer's rule: deny first, then a non-empty allow list must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Acl {
    /// `allowedCidrs`.
    pub allowed: Vec<Net>,
    /// `deniedCidrs`.
    pub denied: Vec<Net>,
}

impl Acl {
    /// Why `ip` is refused, or `None` when it may pass.
    pub fn refuses(&self, ip: &str) -> Option<String> {
        let Ok(ip) = ip.parse::<IpAddr>() else {
            return Some(format!("Invalid client IP: {ip}"));
        };
        let ip = client(ip);
        if self.denied.iter().any(|n| n.contains(ip)) {
            return Some("Client IP denied for this API key".into());
        }
        if !self.allowed.is_empty() && !self.allowed.iter().any(|n| n.contains(ip)) {
            return Some("Client IP not in API key whitelist".into());
        }
        None
    }
}

/// A consumer key with one `*`: `p*` matches by prefix, `*s` by suffix,
/// `*` everyone.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The key without its `*`.
    pub text: String,
    /// Prefix (`p*`, `*`) or suffix (`*s`) match.
    pub prefix: bool,
    /// The rule.
    pub acl: Acl,
}

/// The plugin's configuration, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AclConfig {
    /// Consumers named exactly.
    pub exact: Vec<(String, Acl)>,
    /// Wildcard consumers, in priority order (document order; a rule's new
    /// ones first).
    pub patterns: Vec<Pattern>,
    /// The header holding the client's address (lowercase), or empty: the
    /// connection's address.
    pub real_ip_header: String,
}

impl AclConfig {
    /// The fail-closed configuration a broken one is replaced by: every
    /// consumer denied from everywhere.
    pub fn deny_all() -> AclConfig {
        AclConfig {
            patterns: vec![Pattern {
                text: String::new(),
                prefix: true,
                acl: Acl {
                    allowed: Vec::new(),
                    denied: vec![Net::V4(0, 0), Net::V6(0, 0)],
                },
            }],
            ..AclConfig::default()
        }
    }

    /// Whether any consumer is restricted at all.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.patterns.is_empty()
    }

    /// The rule of `consumer`: an exact name first, then the first
    /// wildcard that matches.
    pub fn lookup(&self, consumer: &str) -> Option<&Acl> {
        if let Some((_, acl)) = self.exact.iter().find(|(name, _)| name == consumer) {
            return Some(acl);
        }
        self.patterns
            .iter()
            .find(|p| {
                if p.prefix {
                    consumer.starts_with(&p.text)
                } else {
                    consumer.ends_with(&p.text)
                }
            })
            .map(|p| &p.acl)
    }

    fn set_exact(&mut self, name: &str, acl: Acl) {
        match self.exact.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = acl,
            None => self.exact.push((name.to_owned(), acl)),
        }
    }

    /// The global configuration.
    pub fn parse(json: &Value) -> Result<AclConfig, String> {
        let root = object_or_absent(json, "config")?;
        let mut config = AclConfig {
            real_ip_header: text(root.and_then(|r| r.get("realIPHeader"))),
            ..AclConfig::default()
        };
        for (name, rule) in consumers(root)? {
            let acl = consumer_acl(name, rule)?;
            match wildcard(name) {
                Some((text, prefix)) => config.patterns.push(Pattern { text, prefix, acl }),
                None => config.set_exact(name, acl),
            }
        }
        Ok(config)
    }

    /// A rule's configuration over the global one: `realIPHeader` when the
    /// rule sets it; each consumer the rule names replaces the global one of
    /// the same key (a wildcard in its place), new wildcards go first.
    pub fn parse_override(json: &Value, global: &AclConfig) -> Result<AclConfig, String> {
        let root = object_or_absent(json, "rule config")?;
        let mut config = global.clone();
        let header = text(root.and_then(|r| r.get("realIPHeader")));
        if !header.is_empty() {
            config.real_ip_header = header;
        }
        let mut new = Vec::new();
        for (name, rule) in consumers(root)? {
            let acl = consumer_acl(name, rule)?;
            match wildcard(name) {
                Some((text, prefix)) => {
                    match config
                        .patterns
                        .iter_mut()
                        .find(|p| p.text == text && p.prefix == prefix)
                    {
                        Some(p) => p.acl = acl,
                        None => new.push(Pattern { text, prefix, acl }),
                    }
                }
                None => config.set_exact(name, acl),
            }
        }
        new.append(&mut config.patterns);
        config.patterns = new;
        Ok(config)
    }
}

/// The root as an object; `None` when absent (no configuration).
fn object_or_absent<'v>(
    json: &'v Value,
    what: &str,
) -> Result<Option<&'v Map<String, Value>>, String> {
    match json {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        _ => Err(format!("{what} must be a JSON object")),
    }
}

/// A string setting as gjson's `String()` reads any value: a string as
/// is, `null` or absent as empty, anything else as its JSON text. Header
/// names are case-insensitive; the gateway looks them up lowercase.
fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.to_ascii_lowercase(),
        Some(other) => other.to_string(),
    }
}

/// The `consumers` object's entries in document order.
fn consumers(root: Option<&Map<String, Value>>) -> Result<Vec<(&str, &Value)>, String> {
    match root.and_then(|r| r.get("consumers")) {
        None => Ok(Vec::new()),
        Some(Value::Object(map)) => Ok(map.iter().map(|(k, v)| (k.as_str(), v)).collect()),
        Some(_) => Err("consumers must be a JSON object".into()),
    }
}

/// `Some((text, prefix))` for a key with exactly one `*` at an end.
fn wildcard(key: &str) -> Option<(String, bool)> {
    if key.matches('*').count() != 1 {
        return None;
    }
    if let Some(rest) = key.strip_suffix('*') {
        return Some((rest.to_owned(), true));
    }
    key.strip_prefix('*').map(|rest| (rest.to_owned(), false))
}

fn consumer_acl(name: &str, rule: &Value) -> Result<Acl, String> {
    let Value::Object(rule) = rule else {
        return Err(format!("consumers.{name} must be a JSON object"));
    };
    if let Some(key) = rule
        .keys()
        .find(|k| *k != "allowedCidrs" && *k != "deniedCidrs")
    {
        return Err(format!(
            "consumers.{name}: unknown field \"{key}\" (expected allowedCidrs/deniedCidrs)"
        ));
    }
    let list = |key: &str| -> Result<Vec<Net>, String> {
        cidr_list(rule.get(key)).map_err(|e| format!("consumers.{name}.{key}: {e}"))
    };
    Ok(Acl {
        allowed: list("allowedCidrs")?,
        denied: list("deniedCidrs")?,
    })
}

fn cidr_list(value: Option<&Value>) -> Result<Vec<Net>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = value else {
        return Err("must be a JSON array of CIDR strings".into());
    };
    items
        .iter()
        .map(|item| {
            let Value::String(entry) = item else {
                return Err(format!(
                    "CIDR entries must be strings, got {}",
                    json_type(item)
                ));
            };
            let entry = entry.trim();
            if entry.is_empty() {
                return Err("CIDR entries must not be empty".into());
            }
            Net::parse(entry).ok_or_else(|| format!("invalid CIDR '{entry}'"))
        })
        .collect()
}

/// gjson's type names.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(false) => "False",
        Value::Bool(true) => "True",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) | Value::Object(_) => "JSON",
    }
}

/// Go's `net.SplitHostPort`, host only: `1.2.3.4:80` and `[::1]:443` have
/// one; `1.2.3.4` and `::1` do not.
pub fn split_host(text: &str) -> Option<&str> {
    let colon = text.rfind(':')?;
    if let Some(rest) = text.strip_prefix('[') {
        let close = rest.find(']')?;
        // `]` must come right before the port's colon.
        return (close + 2 == colon).then(|| &rest[..close]);
    }
    let host = &text[..colon];
    (!host.contains(':') && !host.contains('[') && !host.contains(']')).then_some(host)
}

/// The client address in a forwarded-style header value: the first entry
/// of a list, without `;` parameters or a port; `None` when that is empty.
pub fn forwarded_ip(value: &str) -> Option<&str> {
    let first = value.split(',').next().unwrap_or("").trim();
    let ip = first.split(';').next().unwrap_or("").trim();
    if ip.is_empty() {
        return None;
    }
    Some(split_host(ip).unwrap_or_else(|| unbracket(ip)))
}

/// The host of a `source.address` property (`ip:port`).
pub fn source_ip(address: &str) -> &str {
    unbracket(split_host(address).unwrap_or(address))
}

fn unbracket(text: &str) -> &str {
    text.strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests;
