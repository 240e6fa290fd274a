use super::*;
use serde_json::json;

fn ip(s: &str) -> IpAddr {
    client(s.parse().unwrap())
}

#[test]
fn networks_parse_as_go_parses_them() {
    assert_eq!(Net::parse("10.1.2.3/8"), Some(Net::V4(0x0a00_0000, 8)));
    assert_eq!(Net::parse("192.168.1.66"), Some(Net::V4(0xc0a8_0142, 32)));
    assert_eq!(Net::parse("::ffff:1.2.3.4"), Some(Net::V4(0x0102_0304, 32)));
    assert!(matches!(Net::parse("2001:db8::/32"), Some(Net::V6(_, 32))));
    for bad in [
        "10.0.0.0/33",
        "10.0.0.0/+8",
        "10.0.0.0/",
        "nope",
        "1.2.3.4:80",
        "::1/129",
    ] {
        assert_eq!(Net::parse(bad), None, "{bad}");
    }
    let everything = Net::parse("0.0.0.0/0").unwrap();
    assert!(everything.contains(ip("255.1.2.3")));
    assert!(!Net::parse("::/0").unwrap().contains(ip("127.0.0.1")));
    assert!(
        Net::parse("127.0.0.0/8")
            .unwrap()
            .contains(ip("::ffff:127.0.0.9"))
    );
}

#[test]
fn deny_wins_then_the_allow_list_must_match() {
    let config = AclConfig::parse(&json!({"consumers": {"alice": {
        "allowedCidrs": ["192.168.1.0/24"], "deniedCidrs": [" 192.168.1.66 "]}}}))
    .unwrap();
    let acl = config.lookup("alice").unwrap();
    assert_eq!(acl.refuses("192.168.1.5"), None);
    assert_eq!(
        acl.refuses("192.168.1.66").as_deref(),
        Some("Client IP denied for this API key")
    );
    assert_eq!(
        acl.refuses("10.0.0.1").as_deref(),
        Some("Client IP not in API key whitelist")
    );
    assert_eq!(
        acl.refuses("not-an-ip").as_deref(),
        Some("Invalid client IP: not-an-ip")
    );
}

#[test]
fn exact_names_win_then_wildcards_in_document_order() {
    let config = AclConfig::parse(&json!({"consumers": {
        "zed-ci": {"deniedCidrs": ["1.1.1.1"]},
        "*-ci": {"deniedCidrs": ["2.2.2.2"]},
        "gpustack-*": {"deniedCidrs": ["3.3.3.3"]},
        "*": {"deniedCidrs": ["4.4.4.4"]},
        "a*b": {"deniedCidrs": ["5.5.5.5"]},
    }}))
    .unwrap();
    let denied = |who: &str| config.lookup(who).map(|a| a.denied.clone());
    assert_eq!(denied("zed-ci"), Some(vec![Net::V4(0x0101_0101, 32)]));
    assert_eq!(denied("gpustack-ci"), Some(vec![Net::V4(0x0202_0202, 32)]));
    assert_eq!(denied("gpustack-x"), Some(vec![Net::V4(0x0303_0303, 32)]));
    assert_eq!(denied("anyone"), Some(vec![Net::V4(0x0404_0404, 32)]));
    // Two `*`s or one in the middle: an exact name.
    assert_eq!(denied("a*b"), Some(vec![Net::V4(0x0505_0505, 32)]));
}

#[test]
fn broken_configurations_are_errors_that_name_the_cause() {
    for (config, why) in [
        (json!([]), "config must be a JSON object"),
        (json!({"consumers": []}), "consumers must be a JSON object"),
        (
            json!({"consumers": {"a": "x"}}),
            "consumers.a must be a JSON object",
        ),
        (
            json!({"consumers": {"a": {"allowedCidr": []}}}),
            "unknown field \"allowedCidr\"",
        ),
        (
            json!({"consumers": {"a": {"allowedCidrs": "10.0.0.0/8"}}}),
            "must be a JSON array",
        ),
        (
            json!({"consumers": {"a": {"deniedCidrs": [""]}}}),
            "must not be empty",
        ),
        (
            json!({"consumers": {"a": {"deniedCidrs": [7]}}}),
            "got Number",
        ),
        (
            json!({"consumers": {"a": {"deniedCidrs": ["10.0.0.0/99"]}}}),
            "invalid CIDR '10.0.0.0/99'",
        ),
    ] {
        let err = AclConfig::parse(&config).unwrap_err();
        assert!(err.contains(why), "{config}: {err}");
    }
    assert!(AclConfig::parse(&Value::Null).unwrap().is_empty());
    assert!(AclConfig::parse(&json!({})).unwrap().is_empty());
}

#[test]
fn a_rule_overrides_per_consumer_and_its_new_wildcards_go_first() {
    let global = AclConfig::parse(&json!({"realIPHeader": "X-Real-IP", "consumers": {
        "alice": {"deniedCidrs": ["1.1.1.1"]},
        "*": {"deniedCidrs": ["0.0.0.0/0"]},
        "*-ci": {"deniedCidrs": ["2.2.2.2"]},
    }}))
    .unwrap();
    assert_eq!(global.real_ip_header, "x-real-ip");
    let rule = AclConfig::parse_override(
        &json!({"consumers": {"alice": {}, "bob-*": {}, "*-ci": {"deniedCidrs": ["3.3.3.3"]}}}),
        &global,
    )
    .unwrap();
    assert_eq!(rule.real_ip_header, "x-real-ip");
    assert_eq!(rule.lookup("alice"), Some(&Acl::default()));
    // `bob-*` is new: ahead of the inherited catch-all.
    assert_eq!(rule.lookup("bob-1"), Some(&Acl::default()));
    // `*-ci` replaced in its place, still behind `*`.
    assert_eq!(rule.patterns.len(), 3);
    assert_eq!(rule.patterns[2].acl.denied, vec![Net::V4(0x0303_0303, 32)]);
    // The global one is untouched.
    assert_eq!(global.lookup("alice").unwrap().denied.len(), 1);
}

#[test]
fn client_addresses_from_headers_and_the_connection() {
    assert_eq!(forwarded_ip("203.0.113.7, 10.0.0.1"), Some("203.0.113.7"));
    assert_eq!(
        forwarded_ip(" 203.0.113.7:5678 ;proto=http"),
        Some("203.0.113.7")
    );
    assert_eq!(forwarded_ip("[2001:db8::1]:443"), Some("2001:db8::1"));
    assert_eq!(forwarded_ip("[2001:db8::1]"), Some("2001:db8::1"));
    assert_eq!(forwarded_ip("2001:db8::1"), Some("2001:db8::1"));
    assert_eq!(forwarded_ip(" , 1.2.3.4"), None);
    assert_eq!(forwarded_ip("garbage"), Some("garbage"));
    assert_eq!(source_ip("127.0.0.1:40000"), "127.0.0.1");
    assert_eq!(source_ip("[::1]:40000"), "::1");
    assert_eq!(source_ip("[::1]"), "::1");
}
