;; The `compose` case adapted with `check-bounds=on`: each of the plugin's
;; accesses to its memory (loads and stores of each value type, SIMD,
;; `memory.fill`/`copy`/`init`) first calls a generated check of its end
;; against the plugin's page count, which traps past it. The library's
;; accesses are not checked: its addresses are offsets from its region's
;; base and cannot reach the plugin's region.
(component
  (import "gatewit:plugin/log@0.1.0" (instance $host-log
    (type $level (enum "trace" "debug" "info" "warn" "error" "critical"))
    (export "log-level" (type $lt (eq $level)))
    (export "log" (func (param "level" $lt) (param "message" string)))
  ))
  (import "gatewit:plugin/time@0.1.0" (instance $host-time
    (export "set-tick-period" (func (param "period-ms" u32)))))

  (component $library
    (import "gatewit:plugin/log@0.1.0" (instance $log
      (type $level (enum "trace" "debug" "info" "warn" "error" "critical"))
      (export "log-level" (type $lt (eq $level)))
      (export "log" (func (param "level" $lt) (param "message" string)))
    ))
    (core module $mem
      (memory (export "memory") 1)
      (global $heap (mut i32) (i32.const 1024))
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
        global.get $heap
        global.get $heap
        local.get 3
        i32.add
        global.set $heap))
    (core instance $m (instantiate $mem))
    (alias core export $m "memory" (core memory $memory))
    (alias core export $m "cabi_realloc" (core func $realloc))
    (core func $log (canon lower (func $log "log") (memory $memory)))
    (core instance $log-core (export "log" (func $log)))
    (core module $main
      (import "m" "memory" (memory 1))
      (import "m" "cabi_realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
      (import "log" "log" (func $log (param i32 i32 i32)))
      (data (i32.const 16) " & ")
      ;; names[0] & names[1], as a new string in the result area at 512.
      (func (export "example:lib/names@0.1.0#greet") (param $names i32) (param $n i32) (result i32)
        (local $len0 i32) (local $len1 i32) (local $out i32)
        ;; a page more, zeroed: memory.grow, memory.size and memory.fill
        (drop (memory.grow (i32.const 1)))
        (memory.fill (i32.mul (i32.sub (memory.size) (i32.const 1)) (i32.const 65536))
                     (i32.const 0) (i32.const 65536))
        (local.set $len0 (i32.load offset=4 (local.get $names)))
        (local.set $len1 (i32.load offset=12 (local.get $names)))
        (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)
          (i32.add (i32.add (local.get $len0) (local.get $len1)) (i32.const 3))))
        (memory.copy (local.get $out) (i32.load (local.get $names)) (local.get $len0))
        (memory.copy (i32.add (local.get $out) (local.get $len0)) (i32.const 16) (i32.const 3))
        (memory.copy (i32.add (i32.add (local.get $out) (local.get $len0)) (i32.const 3))
                     (i32.load offset=8 (local.get $names)) (local.get $len1))
        (i32.store8 (i32.const 512) (i32.const 0))
        (i32.store offset=4 (i32.const 512) (local.get $out))
        (i32.store offset=8 (i32.const 512) (i32.add (i32.add (local.get $len0) (local.get $len1)) (i32.const 3)))
        (call $log (i32.const 2) (local.get $out) (i32.load offset=8 (i32.const 512)))
        (i32.const 512))
      (func (export "cabi_post_example:lib/names@0.1.0#greet") (param i32)))
    (core instance $main (instantiate $main
      (with "m" (instance $m))
      (with "log" (instance $log-core))))
    (type $greet-ty (func (param "names" (list string)) (result (result string (error (list string))))))
    (func $greet (type $greet-ty)
      (canon lift (core func $main "example:lib/names@0.1.0#greet")
        (memory $memory) (realloc $realloc)
        (post-return (core func $main "cabi_post_example:lib/names@0.1.0#greet"))))
    (instance $names (export "greet" (func $greet)))
    (export "example:lib/names@0.1.0" (instance $names)))

  (component $plugin
    (import "gatewit:plugin/time@0.1.0" (instance $time
      (export "set-tick-period" (func (param "period-ms" u32)))))
    (import "example:lib/names@0.1.0" (instance $names
      (export "greet" (func (param "names" (list string)) (result (result string (error (list string))))))))
    (core module $mem
      (memory (export "memory") 1)
      (global $heap (mut i32) (i32.const 40000))
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
        global.get $heap
        global.get $heap
        local.get 3
        i32.add
        global.set $heap))
    (core instance $m (instantiate $mem))
    (alias core export $m "memory" (core memory $memory))
    (alias core export $m "cabi_realloc" (core func $realloc))
    (core func $greet (canon lower (func $names "greet") (memory $memory) (realloc $realloc)))
    (core instance $names-core (export "greet" (func $greet)))
    (core func $period (canon lower (func $time "set-tick-period")))
    (core instance $time-core (export "set-tick-period" (func $period)))
    (core module $main
      (import "m" "memory" (memory 1))
      (import "m" "cabi_realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
      (import "names" "greet" (func $greet (param i32 i32 i32)))
      (import "time" "set-tick-period" (func $period (param i32)))
      (export "cabi_realloc" (func $realloc))
      (data (i32.const 1024) "annbob")
      ;; list<string> ["ann", "bob"]
      (data (i32.const 2048) "\00\04\00\00\03\00\00\00\03\04\00\00\03\00\00\00")
      (func (export "gatewit:plugin/guest@0.1.0#on-tick")
        (call $period (i32.const 1000))
        (call $greet (i32.const 2048) (i32.const 2) (i32.const 4096))
        ;; ok("ann & bob"): tag 0, then 9 bytes
        (if (i32.load8_u (i32.const 4096)) (then unreachable))
        (if (i32.ne (i32.load offset=8 (i32.const 4096)) (i32.const 9)) (then unreachable))
        (i64.store offset=16 (i32.const 8192) (i64.const 1))
        (f32.store (i32.const 8200) (f32.const 1))
        (f64.store (i32.const 8208) (f64.load (i32.const 8192)))
        (v128.store (i32.const 8224) (v128.load8_lane 0 (i32.const 8192) (v128.load (i32.const 8224))))
        (i32.store8 (i32.const 8240) (i32.load16_u (i32.const 8192)))
        (memory.fill (i32.const 8256) (i32.const 0) (i32.const 16))
        (memory.copy (i32.const 8272) (i32.const 1024) (i32.const 6))
        (memory.init $names (i32.const 8288) (i32.const 0) (i32.const 6)))
      (data $names "annbob"))
    (core instance $main (instantiate $main
      (with "m" (instance $m))
      (with "names" (instance $names-core))
      (with "time" (instance $time-core))))
    (func $on-tick (canon lift (core func $main "gatewit:plugin/guest@0.1.0#on-tick")))
    (instance $guest (export "on-tick" (func $on-tick)))
    (export "gatewit:plugin/guest@0.1.0" (instance $guest)))

  (instance $library (instantiate $library
    (with "gatewit:plugin/log@0.1.0" (instance $host-log))))
  (alias export $library "example:lib/names@0.1.0" (instance $names))
  (instance $plugin (instantiate $plugin
    (with "gatewit:plugin/time@0.1.0" (instance $host-time))
    (with "example:lib/names@0.1.0" (instance $names))))
  (alias export $plugin "gatewit:plugin/guest@0.1.0" (instance $guest))
  (export "gatewit:plugin/guest@0.1.0" (instance $guest))
)
