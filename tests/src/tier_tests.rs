//! [`scenario_tests!`](crate::scenario_tests): one `#[test]` per scenario of
//! the table, for any tier, so every tier runs the same list and a scenario
//! added to the table without a test on some tier fails that tier's
//! coverage test.

/// Generates one `#[test]` per scenario, each calling `$run(name) ->
/// anyhow::Result<()>`, plus a test that every scenario of
/// [`scenarios::all`](crate::scenarios::all) is covered.
///
/// `scenario_tests!(run)` covers the whole table;
/// `scenario_tests!(run, stock_envoy)` leaves out the scenarios that need
/// Higress's hostcalls (Redis, streaming injection, upstream hosts: stock
/// Envoy has none; that tier tests the errors instead).
#[macro_export]
macro_rules! scenario_tests {
    ($run:path) => {
        $crate::scenario_tests!(@plain $run);
        $crate::scenario_tests!(@higress $run);
        #[test]
        fn every_scenario_of_the_table_runs_on_this_tier() {
            $crate::tier_tests::assert_covered(&$crate::scenario_tests!(@names));
        }
    };
    ($run:path, stock_envoy) => {
        $crate::scenario_tests!(@plain $run);
        #[test]
        fn every_scenario_but_higress_ones_runs_on_this_tier() {
            $crate::tier_tests::assert_covered(&$crate::scenario_tests!(@names));
        }
    };
    (@names) => {
        ["sdk-fixture-phase-in-callback", "sdk-fixture-foreign-functions", "sdk-fixture-leader",
        "sdk-fixture-reset",
        "sdk-fixture-helpers", "sdk-fixture-property-map",
        "sdk-fixture-upstream-hosts", "sdk-fixture-inject", "hello-world-get", "my-plugin-adds-header", "my-plugin-mock",
        "my-plugin-js-adds-header", "my-plugin-js-mock",
        "my-plugin-py-adds-header", "my-plugin-py-mock",
        "my-plugin-composed-adds-header", "my-plugin-composed-mock",
        "http-call-k8s", "http-call-nacos", "http-call-ip", "http-call-dns",
        "http-call-token-service-fails", "http-call-token-service-slow",
        "body-rewrite-json-and-uppercase", "body-rewrite-streamed-replace",
        "body-rewrite-rejects-non-json", "raw-fixture-header-reads",
        "raw-fixture-local-in-response",
        "route-call-reroutes-and-answers", "route-call-headers-only-answers",
        "route-call-errors", "queue-counter-counts-hits",
        "redis-demo-rate-limit", "redis-demo-redis-down"]
    };
    (@plain $run:path) => {
        $crate::scenario_tests!(@each $run;
            sdk_fixture_phase_in_callback => "sdk-fixture-phase-in-callback",
            sdk_fixture_foreign_functions => "sdk-fixture-foreign-functions",
            sdk_fixture_leader => "sdk-fixture-leader",
            sdk_fixture_reset => "sdk-fixture-reset",
            sdk_fixture_helpers => "sdk-fixture-helpers",
            sdk_fixture_property_map => "sdk-fixture-property-map",
            hello_world_get => "hello-world-get",
            my_plugin_adds_header => "my-plugin-adds-header",
            my_plugin_mock => "my-plugin-mock",
            my_plugin_js_adds_header => "my-plugin-js-adds-header",
            my_plugin_js_mock => "my-plugin-js-mock",
            my_plugin_py_adds_header => "my-plugin-py-adds-header",
            my_plugin_py_mock => "my-plugin-py-mock",
            my_plugin_composed_adds_header => "my-plugin-composed-adds-header",
            my_plugin_composed_mock => "my-plugin-composed-mock",
            http_call_k8s => "http-call-k8s",
            http_call_nacos => "http-call-nacos",
            http_call_ip => "http-call-ip",
            http_call_dns => "http-call-dns",
            http_call_token_service_fails => "http-call-token-service-fails",
            http_call_token_service_slow => "http-call-token-service-slow",
            body_rewrite_json_and_uppercase => "body-rewrite-json-and-uppercase",
            body_rewrite_streamed_replace => "body-rewrite-streamed-replace",
            body_rewrite_rejects_non_json => "body-rewrite-rejects-non-json",
            raw_fixture_header_reads => "raw-fixture-header-reads",
            raw_fixture_local_in_response => "raw-fixture-local-in-response",
            route_call_reroutes_and_answers => "route-call-reroutes-and-answers",
            route_call_headers_only_answers => "route-call-headers-only-answers",
            route_call_errors => "route-call-errors",
            queue_counter_counts_hits => "queue-counter-counts-hits",
        );
    };
    (@higress $run:path) => {
        $crate::scenario_tests!(@each $run;
            sdk_fixture_upstream_hosts => "sdk-fixture-upstream-hosts",
            sdk_fixture_inject => "sdk-fixture-inject",
            redis_demo_rate_limit => "redis-demo-rate-limit",
            redis_demo_redis_down => "redis-demo-redis-down",
        );
    };
    (@each $run:path; $($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() -> ::anyhow::Result<()> {
                $run($name)
            }
        )*
    };
}

/// Panics unless every scenario of the table is in `listed` (the names the
/// macro generates tests for).
pub fn assert_covered(listed: &[&str]) {
    for s in crate::scenarios::all() {
        assert!(
            listed.contains(&s.name),
            "scenario `{}` is missing from `scenario_tests!`",
            s.name
        );
    }
}

/// Checks every [`config_errors`](crate::scenarios::config_errors) case on a
/// tier: `start(case)` must fail to start the plugin with `case.config`, and
/// its error (the plugin's reason, as the tier reports it) must contain
/// `case.message_contains`.
pub fn assert_config_errors_rejected<T>(
    start: impl Fn(&crate::scenarios::ConfigError) -> anyhow::Result<T>,
) -> anyhow::Result<()> {
    for case in crate::scenarios::config_errors() {
        let err = match start(&case) {
            Ok(_) => anyhow::bail!(
                "`{}`: configuration {} was accepted",
                case.name,
                case.config
            ),
            Err(e) => format!("{e:#}"),
        };
        anyhow::ensure!(
            err.to_lowercase()
                .contains(&case.message_contains.to_lowercase()),
            "`{}`: error {err:?} does not contain {:?}",
            case.name,
            case.message_contains
        );
    }
    Ok(())
}
