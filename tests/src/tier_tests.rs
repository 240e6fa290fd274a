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
///
/// Each scenario is named once here, as its test's name: the scenario's
/// name is the test's with `_` read as `-`.
#[macro_export]
macro_rules! scenario_tests {
    ($run:path) => {
        $crate::scenario_tests!(@list $run; all);
    };
    ($run:path, stock_envoy) => {
        $crate::scenario_tests!(@list $run; stock_envoy);
    };
    (@list $run:path; $which:ident) => {
        $crate::scenario_tests!(@tests $run; $which;
            plain: [
                sdk_fixture_phase_in_callback, sdk_fixture_call_timeout, sdk_fixture_call_refused,
                sdk_fixture_foreign_functions,
                sdk_fixture_leader, sdk_fixture_reset, sdk_fixture_helpers,
                sdk_fixture_property_map, sdk_fixture_header_case, sdk_fixture_late_read, hello_world_get,
                my_plugin_adds_header, my_plugin_mock,
                my_plugin_js_adds_header, my_plugin_js_mock,
                my_plugin_py_adds_header, my_plugin_py_mock,
                my_plugin_composed_adds_header, my_plugin_composed_mock,
                http_call_k8s, http_call_nacos, http_call_ip, http_call_dns,
                http_call_token_service_fails, http_call_token_service_slow,
                body_rewrite_json_and_uppercase, body_rewrite_streamed_replace,
                body_rewrite_rejects_non_json, body_rewrite_skips_binary_bodies,
                raw_fixture_header_reads,
                raw_fixture_local_in_response, route_call_reroutes_and_answers,
                route_call_headers_only_answers, route_call_errors,
                queue_counter_counts_hits,
            ];
            // Scenarios that need Higress's hostcalls.
            higress: [
                sdk_fixture_upstream_hosts, sdk_fixture_inject,
                redis_demo_rate_limit, redis_demo_redis_down,
            ];
        );
    };
    (@tests $run:path; all; plain: [$($plain:ident),* $(,)?]; higress: [$($higress:ident),* $(,)?];) => {
        $(
            #[test]
            fn $plain() -> ::anyhow::Result<()> {
                $run(&$crate::tier_tests::scenario_name(stringify!($plain)))
            }
        )*
        $(
            #[test]
            fn $higress() -> ::anyhow::Result<()> {
                $run(&$crate::tier_tests::scenario_name(stringify!($higress)))
            }
        )*
        #[test]
        fn every_scenario_of_the_table_runs_on_this_tier() {
            $crate::tier_tests::assert_covered(&[$(stringify!($plain),)* $(stringify!($higress),)*]);
        }
    };
    (@tests $run:path; stock_envoy; plain: [$($plain:ident),* $(,)?]; higress: [$($higress:ident),* $(,)?];) => {
        $(
            #[test]
            fn $plain() -> ::anyhow::Result<()> {
                $run(&$crate::tier_tests::scenario_name(stringify!($plain)))
            }
        )*
        #[test]
        fn every_scenario_but_higress_ones_runs_on_this_tier() {
            $crate::tier_tests::assert_covered(&[
                $(stringify!($plain),)*
                // Listed, not run: stock Envoy tests their errors instead.
                $(stringify!($higress),)*
            ]);
        }
    };
}

/// A scenario's name from its test's: `_` read as `-`.
pub fn scenario_name(test: &str) -> String {
    test.replace('_', "-")
}

/// Panics unless `listed` (the test names the macro generates) and the
/// table's scenarios are the same set.
pub fn assert_covered(listed: &[&str]) {
    let listed: Vec<String> = listed.iter().map(|t| scenario_name(t)).collect();
    let table: Vec<&str> = crate::scenarios::all().iter().map(|s| s.name).collect();
    for name in &table {
        assert!(
            listed.iter().any(|l| l == name),
            "scenario `{name}` is missing from `scenario_tests!`"
        );
    }
    for name in &listed {
        assert!(
            table.contains(&name.as_str()),
            "`scenario_tests!` names `{name}`, which is not in the table"
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
