//! The parity suite: Higress's Go behaviour as data (`tests/parity/*.json`,
//! each file naming its Go source), run against the SDK's own logic — rule
//! matching, cluster names, RESP commands, access-log attributes. A case
//! is the fact (input → what Go gives); no Go code is involved.

use std::path::Path;

use gatewit_sdk::__private::{access_log_value, match_for_parity};

use serde_json::Value;

fn cases(file: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/parity")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let cases = doc["cases"].as_array().cloned().unwrap_or_default();
    assert!(!cases.is_empty(), "{file} has no cases");
    cases
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// Runs every case, collecting failures so one run shows them all.
fn check_all(file: &str, mut one: impl FnMut(&Value) -> Result<(), String>) {
    let failures: Vec<String> = cases(file)
        .iter()
        .filter_map(|case| {
            one(case)
                .err()
                .map(|e| format!("`{}`: {e}", text(case, "name")))
        })
        .collect();
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
}

/// Go's rule-matcher tests read a config as `{name, age}` (gjson's
/// `String()` and `Int()`: `""` and `0` when missing).
fn name_age(v: &Value) -> Value {
    let name = match v.get("name") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let age = match v.get("age") {
        Some(Value::Number(n)) => n
            .as_i64()
            .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        Some(Value::Bool(b)) => i64::from(*b),
        _ => 0,
    };
    serde_json::json!({"name": name, "age": age})
}

/// Go's override tests: the global config holds `consumers`, a rule adds
/// its own `allow` to a copy of the global one; both at one level is an
/// error.
fn consumers_allow(own: &Value, base: Option<&Value>) -> Result<Value, String> {
    if own.get("consumers").is_some() && own.get("allow").is_some() {
        return Err("consumers and allow should not be configured at the same level".into());
    }
    let list = |v: Option<&Value>| v.cloned().unwrap_or(Value::Array(Vec::new()));
    Ok(match base {
        None => serde_json::json!({"consumers": list(own.get("consumers")), "allow": []}),
        Some(global) => {
            serde_json::json!({"consumers": list(global.get("consumers")), "allow": list(own.get("allow"))})
        }
    })
}

/// The rule set of `raw` looked up for one request, parsed as the case's
/// Go test parses it.
fn lookup(raw: &str, override_rules: bool, r: &Value) -> Result<Option<Value>, String> {
    let (authority, route, cluster) = (text(r, "authority"), text(r, "route"), text(r, "cluster"));
    if override_rules {
        match_for_parity(
            raw.as_bytes(),
            &mut |v| consumers_allow(v, None),
            &mut |global, _merged, rule| {
                let empty = serde_json::json!({"consumers": [], "allow": []});
                consumers_allow(rule, Some(global.unwrap_or(&empty)))
            },
            authority,
            route,
            cluster,
        )
    } else {
        match_for_parity(
            raw.as_bytes(),
            &mut |v| Ok(name_age(v)),
            &mut |_, _, rule| Ok(name_age(rule)),
            authority,
            route,
            cluster,
        )
    }
}

#[test]
fn rule_matching_as_go() {
    check_all("rule_matcher.json", |case| {
        let raw = case["config"].to_string();
        let override_rules = case["override"].as_bool().unwrap_or(false);
        let requests = case["requests"].as_array().cloned().unwrap_or_default();
        if let Some(want) = case["error"].as_str() {
            let got = lookup(&raw, override_rules, &Value::Null);
            return match got {
                Err(e) if e.to_lowercase().contains(&want.to_lowercase()) => Ok(()),
                other => Err(format!(
                    "expected an error containing {want:?}, got {other:?}"
                )),
            };
        }
        for r in &requests {
            let got = lookup(&raw, override_rules, r)?;
            let want = &r["expect"];
            let ok = match (want.as_str(), &got) {
                (Some("skip"), None) => true,
                (_, Some(config)) => config == want,
                _ => false,
            };
            if !ok {
                return Err(format!("request {r}: expected {want}, got {got:?}"));
            }
        }
        Ok(())
    });
}

/// A Go struct field name as the Rust field (`NamespaceID` → `namespace_id`).
fn field<'a>(fields: &'a Value, rust: &str) -> &'a Value {
    let map = fields.as_object().expect("fields is an object");
    map.iter()
        .find(|(go, _)| go.to_lowercase() == rust.replace('_', ""))
        .map_or(&Value::Null, |(_, v)| v)
}

fn cluster_of(kind: &str, f: &Value) -> Result<Box<dyn gatewit_sdk::Cluster>, String> {
    use gatewit_sdk::http_client::*;
    let s = |name: &str| field(f, name).as_str().unwrap_or_default().to_string();
    let port = field(f, "port").as_u64().unwrap_or(0) as u16;
    Ok(match kind {
        "K8sCluster" => Box::new(K8sCluster {
            service_name: s("service_name"),
            namespace: s("namespace"),
            port,
            version: s("version"),
            host: s("host"),
        }),
        "NacosCluster" => Box::new(NacosCluster {
            service_name: s("service_name"),
            group: s("group"),
            namespace_id: s("namespace_id"),
            port,
            is_ext_registry: field(f, "is_ext_registry").as_bool().unwrap_or(false),
            version: s("version"),
            host: s("host"),
        }),
        "StaticIpCluster" => Box::new(StaticIpCluster {
            service_name: s("service_name"),
            port,
            host: s("host"),
        }),
        "DnsCluster" => Box::new(DnsCluster {
            service_name: s("service_name"),
            domain: s("domain"),
            port,
        }),
        "ConsulCluster" => Box::new(ConsulCluster {
            service_name: s("service_name"),
            datacenter: s("datacenter"),
            port,
            host: s("host"),
        }),
        "FQDNCluster" => Box::new(FqdnCluster {
            fqdn: s("fqdn"),
            host: s("host"),
            port,
        }),
        "TargetCluster" => Box::new(TargetCluster {
            host: s("host"),
            cluster: s("cluster"),
        }),
        other => return Err(format!("no Rust counterpart for `{other}`")),
    })
}

#[test]
fn cluster_names_as_go() {
    check_all("clusters.json", |case| {
        let cluster = cluster_of(text(case, "kind"), &case["fields"])?;
        let got = (cluster.cluster_name(), cluster.host_name());
        let want = (
            text(case, "cluster_name").to_string(),
            text(case, "host_name").to_string(),
        );
        if got == want {
            Ok(())
        } else {
            Err(format!("expected {want:?}, got {got:?}"))
        }
    });
}

#[test]
fn redis_commands_as_go() {
    check_all("resp.json", |case| {
        let args: Vec<&str> = case["args"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let got = gatewit_sdk::redis::encode_command(&args);
        let want = text(case, "resp").as_bytes();
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "expected {:?}, got {:?}",
                text(case, "resp"),
                String::from_utf8_lossy(&got)
            ))
        }
    });
}

#[test]
fn access_log_attributes_as_go() {
    check_all("access_log.json", |case| {
        let attributes = case["attributes"].as_object().cloned().unwrap_or_default();
        let got = access_log_value(text(case, "previous").as_bytes(), &attributes);
        match (case["error"].as_bool().unwrap_or(false), got) {
            (true, Err(_)) => Ok(()),
            (false, Ok(value)) if value == text(case, "value") => Ok(()),
            (_, other) => Err(format!("expected {:?}, got {other:?}", case.get("value"))),
        }
    });
}
