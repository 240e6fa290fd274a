//! Rule-based configuration, as Higress's `ParseOverrideConfig`.
//!
//! A plugin configuration is a JSON object. Its top-level keys (other than
//! `_rules_` and `_plugin_id_`) form the *global* config. `_rules_` is a list
//! of objects; each has one or more matchers (`_match_route_`,
//! `_match_route_prefix_`, `_match_domain_`, `_match_service_`) and config
//! keys that override the global ones. For a request the first rule whose
//! matchers all match wins; with no match the global config applies; with no
//! global config (only rules) the plugin is skipped for that request.

use std::rc::Rc;

use serde_json::{Map, Value};

pub(crate) const RULES_KEY: &str = "_rules_";
pub(crate) const PLUGIN_ID_KEY: &str = "_plugin_id_";
const MATCH_ROUTE: &str = "_match_route_";
const MATCH_ROUTE_PREFIX: &str = "_match_route_prefix_";
const MATCH_DOMAIN: &str = "_match_domain_";
const MATCH_SERVICE: &str = "_match_service_";

/// The request attributes rules match on. Lazy, because each one costs a
/// host call and most rule sets only look at one of them.
pub(crate) trait MatchInputs {
    /// `:authority` of the request, port included (it is stripped here).
    fn authority(&mut self) -> &str;
    /// Property `route_name`.
    fn route_name(&mut self) -> &str;
    /// Property `cluster_name` (`outbound|port|subset|fqdn`).
    fn cluster_name(&mut self) -> &str;
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DomainPattern {
    Suffix(String),
    Prefix(String),
    Exact(String),
}

impl DomainPattern {
    /// `*x` matches a suffix, `x*` a prefix, anything else exactly;
    /// case-sensitive, as Go's matcher.
    fn parse(s: &str) -> DomainPattern {
        if let Some(rest) = s.strip_prefix('*') {
            DomainPattern::Suffix(rest.to_string())
        } else if let Some(rest) = s.strip_suffix('*') {
            DomainPattern::Prefix(rest.to_string())
        } else {
            DomainPattern::Exact(s.to_string())
        }
    }

    fn matches(&self, host: &str) -> bool {
        match self {
            DomainPattern::Suffix(p) => host.ends_with(p.as_str()),
            DomainPattern::Prefix(p) => host.starts_with(p.as_str()),
            DomainPattern::Exact(p) => host == p,
        }
    }
}

/// What one rule matches on. A rule listing several match keys is put in
/// one category by Go's precedence (`rule_matcher.go`): route (and service
/// too, when both are listed), else domain, else service, else route
/// prefix; the other keys are ignored. Higress's control plane emits
/// route+domain and domain+service rules.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Matcher {
    Route {
        routes: Vec<String>,
        services: Vec<String>,
    },
    Domain(Vec<DomainPattern>),
    Service(Vec<String>),
    RoutePrefix(Vec<String>),
}

impl Matcher {
    fn matches(&self, inputs: &mut dyn MatchInputs) -> bool {
        match self {
            Matcher::Route { routes, services } => {
                let route = inputs.route_name();
                if !routes.iter().any(|r| r == route) {
                    return false;
                }
                if services.is_empty() {
                    return true;
                }
                let cluster = inputs.cluster_name();
                services.iter().any(|s| service_matches(s, cluster))
            }
            Matcher::Domain(domains) => {
                let host = strip_port(inputs.authority()).to_string();
                domains.iter().any(|d| d.matches(&host))
            }
            Matcher::Service(services) => {
                let cluster = inputs.cluster_name();
                services.iter().any(|s| service_matches(s, cluster))
            }
            Matcher::RoutePrefix(prefixes) => {
                let route = inputs.route_name();
                prefixes.iter().any(|p| route.starts_with(p.as_str()))
            }
        }
    }
}

/// `host:port` → `host`, as Go's matcher (after Envoy's header utility):
/// cut at the last `:` unless it is inside an IPv6 literal's brackets.
pub(crate) fn strip_port(authority: &str) -> &str {
    match (authority.rfind(':'), authority.rfind(']')) {
        (Some(colon), Some(bracket)) if bracket > colon => authority,
        (Some(colon), _) => &authority[..colon],
        (None, _) => authority,
    }
}

/// Does the configured service (`fqdn` or `fqdn:port`) name the Envoy
/// cluster `outbound|port|subset|fqdn`?
pub(crate) fn service_matches(configured: &str, cluster_name: &str) -> bool {
    let parts: Vec<&str> = cluster_name.split('|').collect();
    if parts.len() != 4 {
        return false;
    }
    let (port, fqdn) = (parts[1], parts[3]);
    match configured.rfind(':') {
        Some(i) => &configured[..i] == fqdn && &configured[i + 1..] == port,
        None => configured == fqdn,
    }
}

struct Rule<C> {
    matcher: Matcher,
    config: Rc<C>,
}

/// A parsed plugin configuration: global config plus rules.
pub(crate) struct RuleSet<C> {
    global: Option<Rc<C>>,
    rules: Vec<Rule<C>>,
    plugin_id: String,
    warnings: Vec<String>,
}

impl<C> RuleSet<C> {
    /// Parse `raw` (JSON; empty means `{}`), calling `parse` for the global
    /// config and `parse_rule(global, merged, rule_only)` for each rule.
    pub(crate) fn parse(
        raw: &[u8],
        parse: &mut dyn FnMut(&Value) -> Result<C, String>,
        parse_rule: &mut RuleParser<'_, C>,
    ) -> Result<RuleSet<C>, String> {
        let mut root = parse_root(raw)?;
        let plugin_id = match root.remove(PLUGIN_ID_KEY) {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => json_text(&other),
        };
        let rules_value = root.remove(RULES_KEY);
        let has_rules_key = rules_value.is_some();
        let global_json = root;

        let rule_values = match rules_value {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list,
            // Go's gjson reads a lone object as a list of one.
            Some(rule @ Value::Object(_)) => vec![rule],
            Some(_) => return Err(format!("`{RULES_KEY}` must be a list")),
        };

        // Higress: a configuration made of rules only has no global config,
        // and requests no rule matches skip the plugin.
        let has_global = !has_rules_key || !global_json.is_empty();
        let mut warnings = Vec::new();
        let global = if has_global {
            match parse(&Value::Object(global_json.clone())) {
                Ok(c) => Some(Rc::new(c)),
                // Go tolerates a global config that fails to parse when
                // rules exist: there is then no global config.
                Err(e) if has_rules_key => {
                    warnings.push(format!("the global config is ignored: {e}"));
                    None
                }
                Err(e) => return Err(e),
            }
        } else {
            None
        };

        let mut errors = Vec::new();
        let mut rules = Vec::with_capacity(rule_values.len());
        for (index, rule) in rule_values.into_iter().enumerate() {
            match parse_one_rule(&global_json, global.as_deref(), rule, parse_rule) {
                Ok(rule) => rules.push(rule),
                Err(e) => errors.push(format!("rule {index} of `{RULES_KEY}`: {e}")),
            }
        }
        if !errors.is_empty() {
            return Err(errors.join("; "));
        }
        if global.is_none() && rules.is_empty() {
            // Go: `no valid rules`; the plugin would skip every request.
            let mut message =
                format!("no valid rules: `{RULES_KEY}` is empty and there is no global config");
            for w in &warnings {
                message.push_str("; ");
                message.push_str(w);
            }
            return Err(message);
        }
        Ok(RuleSet {
            global,
            rules,
            plugin_id,
            warnings,
        })
    }

    /// What parsing tolerated, for the log.
    pub(crate) fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The `_plugin_id_` of the configuration (empty if none).
    pub(crate) fn plugin_id(&self) -> &str {
        &self.plugin_id
    }

    /// The global config, if there is one.
    pub(crate) fn global(&self) -> Option<&Rc<C>> {
        self.global.as_ref()
    }

    /// The config for a request: first matching rule, else global, else
    /// `None` (skip the plugin).
    pub(crate) fn lookup(&self, inputs: &mut dyn MatchInputs) -> Option<Rc<C>> {
        self.rules
            .iter()
            .find(|r| r.matcher.matches(inputs))
            .map(|r| r.config.clone())
            .or_else(|| self.global.clone())
    }
}

/// Parses `raw` as the runtime does (rules and all, JSON values as the
/// config), and looks one request up; the error as the gateway's log would
/// show it. For the fuzz targets.
pub fn parse_for_fuzzing(raw: &[u8]) -> Result<usize, String> {
    struct Fixed;
    impl MatchInputs for Fixed {
        fn authority(&mut self) -> &str {
            "example.com:8080"
        }
        fn route_name(&mut self) -> &str {
            "route-a"
        }
        fn cluster_name(&mut self) -> &str {
            "outbound|80||svc.ns.svc.cluster.local"
        }
    }
    let set = RuleSet::<Value>::parse(raw, &mut |v| Ok(v.clone()), &mut |_, merged, _| {
        Ok(merged.clone())
    })
    .map_err(|e| crate::redact::config_error(e, raw))?;
    let _ = set.lookup(&mut Fixed);
    Ok(set.rules.len())
}

/// A rule config parser for [`match_for_parity`]: `(global config, merged
/// JSON, the rule's own JSON)` as [`Plugin::parse_rule_config`](crate::Plugin::parse_rule_config) gets them.
pub type ParityRuleParser<'a> =
    dyn FnMut(Option<&Value>, &Value, &Value) -> Result<Value, String> + 'a;

/// Parses `raw` as the runtime does, with `parse` for the global config
/// and `parse_rule` for each rule's, and looks up one request; `Ok(None)`:
/// the plugin is skipped. For the parity suite (`guest-sdk/tests/parity`),
/// which holds Go's test vectors as data.
pub fn match_for_parity(
    raw: &[u8],
    parse: &mut dyn FnMut(&Value) -> Result<Value, String>,
    parse_rule: &mut ParityRuleParser<'_>,
    authority: &str,
    route: &str,
    cluster: &str,
) -> Result<Option<Value>, String> {
    struct Request<'a>(&'a str, &'a str, &'a str);
    impl MatchInputs for Request<'_> {
        fn authority(&mut self) -> &str {
            self.0
        }
        fn route_name(&mut self) -> &str {
            self.1
        }
        fn cluster_name(&mut self) -> &str {
            self.2
        }
    }
    let set = RuleSet::<Value>::parse(raw, parse, parse_rule)?;
    Ok(set
        .lookup(&mut Request(authority, route, cluster))
        .map(|c| (*c).clone()))
}

fn parse_root(raw: &[u8]) -> Result<Map<String, Value>, String> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err("plugin config must be a JSON object".to_string()),
        Err(e) => Err(format!("plugin config is not valid JSON: {e}")),
    }
}

/// A value's compact JSON text. Not `Value`'s `Display`: that carries the
/// pretty printer too, and every byte of a plugin's code is compiled by the
/// gateway at start-up.
fn json_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A match key's values as Go's gjson `.String()` reads them: a lone value
/// is a list of one; numbers and booleans become their text, other values
/// their JSON. `""` is dropped unless `keep_empty` (Go keeps it for domains
/// only).
fn string_list(value: Value, keep_empty: bool) -> Vec<String> {
    let text = |v: Value| match v {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => json_text(&other),
    };
    let items = match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.into_iter().map(text).collect(),
        other => vec![text(other)],
    };
    items
        .into_iter()
        .filter(|s| keep_empty || !s.is_empty())
        .collect()
}

/// Builds one rule's config from `(global config, merged JSON, rule JSON)`.
pub(crate) type RuleParser<'a, C> = dyn FnMut(Option<&C>, &Value, &Value) -> Result<C, String> + 'a;

fn parse_one_rule<C>(
    global_json: &Map<String, Value>,
    global: Option<&C>,
    rule: Value,
    parse: &mut RuleParser<'_, C>,
) -> Result<Rule<C>, String> {
    let Value::Object(mut rule) = rule else {
        return Err("a rule must be a JSON object".to_string());
    };
    let mut take = |key: &str, keep_empty: bool| {
        rule.remove(key)
            .map(|v| string_list(v, keep_empty))
            .unwrap_or_default()
    };
    let routes = take(MATCH_ROUTE, false);
    let route_prefixes = take(MATCH_ROUTE_PREFIX, false);
    let domains = take(MATCH_DOMAIN, true);
    let services = take(MATCH_SERVICE, false);
    let matcher = if !routes.is_empty() {
        Matcher::Route { routes, services }
    } else if !domains.is_empty() {
        Matcher::Domain(domains.iter().map(|d| DomainPattern::parse(d)).collect())
    } else if !services.is_empty() {
        Matcher::Service(services)
    } else if !route_prefixes.is_empty() {
        Matcher::RoutePrefix(route_prefixes)
    } else {
        return Err(format!(
            "at least one of `{MATCH_ROUTE}`, `{MATCH_DOMAIN}`, `{MATCH_SERVICE}` or \
             `{MATCH_ROUTE_PREFIX}` must list a value"
        ));
    };
    rule.remove(PLUGIN_ID_KEY);
    let rule_only = Value::Object(rule.clone());
    let merged = merge_override(global_json, rule);
    let config = parse(global, &merged, &rule_only)?;
    Ok(Rule {
        matcher,
        config: Rc::new(config),
    })
}

/// The global config with the rule's keys on top (a rule key replaces the
/// global value wholesale, as Higress's per-field override does).
pub(crate) fn merge_override(global: &Map<String, Value>, rule: Map<String, Value>) -> Value {
    let mut merged = global.clone();
    for (k, v) in rule {
        merged.insert(k, v);
    }
    Value::Object(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Cfg {
        name: String,
        #[serde(default)]
        n: u32,
    }

    struct Inputs {
        authority: String,
        route: String,
        cluster: String,
        asked: Vec<&'static str>,
    }

    impl Inputs {
        fn new(authority: &str, route: &str, cluster: &str) -> Self {
            Inputs {
                authority: authority.into(),
                route: route.into(),
                cluster: cluster.into(),
                asked: Vec::new(),
            }
        }
    }

    impl MatchInputs for Inputs {
        fn authority(&mut self) -> &str {
            self.asked.push("authority");
            &self.authority
        }
        fn route_name(&mut self) -> &str {
            self.asked.push("route");
            &self.route
        }
        fn cluster_name(&mut self) -> &str {
            self.asked.push("cluster");
            &self.cluster
        }
    }

    fn parse(raw: &str) -> Result<RuleSet<Cfg>, String> {
        RuleSet::parse(
            raw.as_bytes(),
            &mut |v| serde_json::from_value(v.clone()).map_err(|e| e.to_string()),
            // The SDK's default: a rule's own JSON alone (Go's ParseConfig).
            &mut |_, _, rule| serde_json::from_value(rule.clone()).map_err(|e| e.to_string()),
        )
    }

    fn name(set: &RuleSet<Cfg>, inputs: &mut Inputs) -> Option<String> {
        set.lookup(inputs).map(|c| c.name.clone())
    }

    #[test]
    fn strips_ports() {
        assert_eq!(strip_port("example.com:8080"), "example.com");
        assert_eq!(strip_port("example.com"), "example.com");
        assert_eq!(strip_port("[::1]:80"), "[::1]");
        assert_eq!(strip_port("[::1]"), "[::1]");
        // Go cuts at the last colon whatever follows it.
        assert_eq!(strip_port("example.com:abc"), "example.com");
        assert_eq!(strip_port("example.com:"), "example.com");
    }

    #[test]
    fn domain_patterns() {
        assert!(DomainPattern::parse("*.example.com").matches("a.example.com"));
        assert!(!DomainPattern::parse("*.example.com").matches("example.com"));
        assert!(DomainPattern::parse("api.*").matches("api.example.com"));
        // Case-sensitive, as Go's matcher.
        assert!(!DomainPattern::parse("Example.com").matches("example.com"));
        assert!(DomainPattern::parse("*").matches("anything"));
        assert!(!DomainPattern::parse("example.com").matches("a.example.com"));
    }

    #[test]
    fn service_names() {
        let c = "outbound|8080||foo.default.svc.cluster.local";
        assert!(service_matches("foo.default.svc.cluster.local", c));
        assert!(service_matches("foo.default.svc.cluster.local:8080", c));
        assert!(!service_matches("foo.default.svc.cluster.local:80", c));
        assert!(!service_matches("bar.default.svc.cluster.local", c));
        assert!(!service_matches("foo", "not-a-cluster"));
    }

    #[test]
    fn global_only_and_empty() {
        let set = parse(r#"{"name":"g"}"#).unwrap();
        assert_eq!(name(&set, &mut Inputs::new("a", "r", "c")).unwrap(), "g");
        assert!(parse("").is_err(), "empty config lacks `name`");
        let set = RuleSet::<()>::parse(b"  ", &mut |_| Ok(()), &mut |_, _, _| Ok(())).unwrap();
        assert!(set.global().is_some());
    }

    #[test]
    fn rules_replace_the_global_config_and_first_match_wins() {
        let set = parse(
            r#"{"name":"g","n":1,"_plugin_id_":"pid","_rules_":[
                {"_match_route_":["r1"],"name":"route"},
                {"_match_domain_":["*.example.com"],"name":"g","n":7},
                {"_match_route_prefix_":["api-"],"name":"prefix"},
                {"_match_service_":["svc.ns.svc.cluster.local:80"],"name":"svc"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(set.plugin_id(), "pid");
        let c = set.lookup(&mut Inputs::new("x", "r1", "")).unwrap();
        assert_eq!(
            (c.name.as_str(), c.n),
            ("route", 0),
            "no global keys inherited"
        );
        let c = set
            .lookup(&mut Inputs::new("a.example.com:443", "r1", ""))
            .unwrap();
        assert_eq!(c.name, "route", "first matching rule wins");
        let c = set
            .lookup(&mut Inputs::new("a.example.com:443", "r2", ""))
            .unwrap();
        assert_eq!((c.name.as_str(), c.n), ("g", 7));
        let mut i = Inputs::new("other", "api-v1", "");
        assert_eq!(name(&set, &mut i).unwrap(), "prefix");
        let mut i = Inputs::new("other", "x", "outbound|80||svc.ns.svc.cluster.local");
        assert_eq!(name(&set, &mut i).unwrap(), "svc");
        let mut i = Inputs::new("other", "x", "outbound|81||svc.ns.svc.cluster.local");
        assert_eq!(name(&set, &mut i).unwrap(), "g");
    }

    #[test]
    fn only_rules_means_skip_when_nothing_matches() {
        let set = parse(r#"{"_rules_":[{"_match_route_":["r1"],"name":"r"}]}"#).unwrap();
        assert!(set.global().is_none());
        assert_eq!(name(&set, &mut Inputs::new("h", "r1", "")).unwrap(), "r");
        assert!(name(&set, &mut Inputs::new("h", "r2", "")).is_none());
    }

    /// Go's precedence (`rule_matcher.go`): route (AND service when both
    /// are listed), else domain, else service, else route prefix; the other
    /// keys of a rule are ignored.
    #[test]
    fn combined_match_keys_follow_go_precedence() {
        let set = parse(
            r#"{"_rules_":[
                {"_match_route_":["r1"],"_match_service_":["s"],"name":"route+service"},
                {"_match_route_":["r2"],"_match_domain_":["d.com"],"name":"route+domain"},
                {"_match_domain_":["e.com"],"_match_service_":["t"],"name":"domain+service"},
                {"_match_service_":["u"],"_match_route_prefix_":["p-"],"name":"service+prefix"}
            ]}"#,
        )
        .unwrap();
        let lookup = |authority: &str, route: &str, cluster: &str| {
            name(&set, &mut Inputs::new(authority, route, cluster))
        };
        assert_eq!(
            lookup("h", "r1", "outbound|1||t"),
            None,
            "route AND service"
        );
        assert_eq!(
            lookup("h", "r1", "outbound|1||s").as_deref(),
            Some("route+service")
        );
        assert_eq!(
            lookup("other.com", "r2", "").as_deref(),
            Some("route+domain")
        );
        assert_eq!(lookup("d.com", "r9", ""), None, "the domain is ignored");
        assert_eq!(
            lookup("e.com", "x", "outbound|1||zzz").as_deref(),
            Some("domain+service")
        );
        assert_eq!(
            lookup("f.com", "x", "outbound|1||t"),
            None,
            "the service is ignored"
        );
        assert_eq!(
            lookup("h", "x", "outbound|1||u").as_deref(),
            Some("service+prefix")
        );
        assert_eq!(
            lookup("h", "p-1", "outbound|1||v"),
            None,
            "the prefix is ignored"
        );
    }

    /// Match values as gjson reads them: numbers become text, a lone value
    /// is a list of one, `""` is dropped (kept for domains): a rule whose
    /// only values are `""` has no match key.
    #[test]
    fn match_values_as_go_reads_them() {
        let set = parse(r#"{"_rules_":[{"_match_route_":[42, ""],"name":"n"}]}"#).unwrap();
        assert_eq!(
            name(&set, &mut Inputs::new("h", "42", "")).as_deref(),
            Some("n")
        );
        assert!(name(&set, &mut Inputs::new("h", "", "")).is_none());
        let err = parse(r#"{"_rules_":[{"_match_route_":[""],"name":"n"}]}"#)
            .err()
            .unwrap();
        assert!(err.contains("must list a value"), "{err}");
        let set = parse(r#"{"_rules_":{"_match_route_":"r","name":"lone"}}"#).unwrap();
        assert_eq!(
            name(&set, &mut Inputs::new("h", "r", "")).as_deref(),
            Some("lone")
        );
    }

    /// Go tolerates a global config that fails to parse when rules exist,
    /// and refuses rules that leave nothing to apply.
    #[test]
    fn global_failures_and_empty_rules_as_go() {
        let set = parse(r#"{"n":"x","_rules_":[{"_match_route_":["r"],"name":"r"}]}"#).unwrap();
        assert!(set.global().is_none());
        assert!(
            set.warnings()[0].contains("the global config is ignored"),
            "{:?}",
            set.warnings()
        );
        assert!(
            parse(r#"{"n":"x"}"#).is_err(),
            "without rules the error stands"
        );
        let err = parse(r#"{"_rules_":[]}"#).err().unwrap();
        assert!(err.starts_with("no valid rules"), "{err}");
        let err = parse(r#"{"n":"x","_rules_":[]}"#).err().unwrap();
        assert!(
            err.contains("no valid rules") && err.contains("ignored"),
            "{err}"
        );
        assert!(parse(r#"{"name":"g","_rules_":[]}"#).is_ok());
    }

    #[test]
    fn lazy_inputs() {
        let set = parse(r#"{"_rules_":[{"_match_route_":["r1"],"name":"r"}]}"#).unwrap();
        let mut i = Inputs::new("h", "r1", "");
        set.lookup(&mut i);
        assert_eq!(i.asked, vec!["route"]);
    }

    #[test]
    fn bad_rules_are_named_by_index() {
        let err = parse(
            r#"{"name":"g","_rules_":[
                {"_match_route_":["ok"],"name":"ok"},
                {"name":"x"},
                {"_match_route_":["r"],"name":5}
            ]}"#,
        )
        .err()
        .unwrap();
        assert!(
            err.contains("rule 1 of `_rules_`: at least one of"),
            "{err}"
        );
        assert!(err.contains("rule 2 of `_rules_`: invalid type"), "{err}");
        assert!(!err.contains("rule 0"), "{err}");
        assert!(parse(r#"{"name":"g","_rules_":{}}"#).is_err());
        assert!(parse("[1]").is_err());
        assert!(parse("{nope").err().unwrap().contains("not valid JSON"));
    }

    #[test]
    fn rule_parser_sees_global_and_rule_keys() {
        let mut seen = Vec::new();
        let set = RuleSet::<String>::parse(
            br#"{"a":1,"_rules_":[{"_match_route_":["r"],"b":2}]}"#,
            &mut |v| Ok(v.to_string()),
            &mut |global, merged, rule| {
                seen.push((global.cloned(), merged.to_string(), rule.to_string()));
                Ok("rule".into())
            },
        )
        .unwrap();
        assert_eq!(
            seen,
            vec![(
                Some(r#"{"a":1}"#.to_string()),
                r#"{"a":1,"b":2}"#.to_string(),
                r#"{"b":2}"#.to_string()
            )]
        );
        assert_eq!(set.global().map(|g| g.as_str()), Some(r#"{"a":1}"#));
    }

    #[test]
    fn merge_is_shallow() {
        let g: Map<String, Value> = serde_json::from_str(r#"{"a":{"x":1},"b":2}"#).unwrap();
        let r: Map<String, Value> = serde_json::from_str(r#"{"a":{"y":1}}"#).unwrap();
        assert_eq!(
            merge_override(&g, r),
            serde_json::json!({"a":{"y":1},"b":2})
        );
    }
}
