;; Three core modules sharing one memory, linked the way a dynamic loader
;; would (the shape CPython's componentize-py emits, in miniature):
;; `env` defines the memory, the function table and the base globals;
;; `lib` places its data and its table entries at those bases, has a start
;; function, and lowers two `gatewit:plugin/time` imports; `guest`
;; implements the world through `lib`, calling it directly and through the
;; table. The output has one memory, `lib`'s data and element offsets
;; folded to constants, and `lib`'s start in `_initialize`.
(component
  (import "gatewit:plugin/time@0.1.0" (instance $time
    (export "now-nanos" (func (result u64)))
    (export "set-tick-period" (func (param "period-ms" u32)))
  ))
  (core module $env
    (memory (export "memory") 1)
    (table (export "__indirect_function_table") 4 funcref)
    (global (export "__stack_pointer") (mut i32) (i32.const 65536))
    (global (export "__memory_base") i32 (i32.const 1024))
    (global (export "__table_base") i32 (i32.const 2))
  )
  (core module $lib
    (import "env" "memory" (memory 0))
    (import "env" "__indirect_function_table" (table 0 funcref))
    (import "env" "__memory_base" (global $memory_base i32))
    (import "env" "__table_base" (global $table_base i32))
    (import "gatewit:plugin/time@0.1.0" "now-nanos" (func $now (result i64)))
    (import "gatewit:plugin/time@0.1.0" "set-tick-period" (func $period (param i32)))
    (data (global.get $memory_base) "tick")
    (elem (global.get $table_base) func $record)
    (func $record (result i32)
      ;; the time of the last tick, after the 4-byte tag
      global.get $memory_base
      call $now
      i64.store offset=4
      global.get $memory_base)
    (func $init (call $period (i32.const 1000)))
    (func (export "tick") (result i32) call $record)
    (start $init)
  )
  (core module $guest
    (type $thunk (func (result i32)))
    (import "env" "memory" (memory 0))
    (import "env" "__indirect_function_table" (table 0 funcref))
    (import "lib" "tick" (func $tick (result i32)))
    (func (export "gatewit:plugin/guest@0.1.0#on-tick")
      call $tick
      i32.const 2
      call_indirect (type $thunk)
      i32.ne
      if unreachable end)
    (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 2048)
  )
  (core instance $env (instantiate $env))
  (core func $now (canon lower (func $time "now-nanos")))
  (core func $period (canon lower (func $time "set-tick-period")))
  (core instance $time (export "now-nanos" (func $now)) (export "set-tick-period" (func $period)))
  (core instance $lib (instantiate $lib
    (with "env" (instance $env))
    (with "gatewit:plugin/time@0.1.0" (instance $time))))
  (core instance $guest (instantiate $guest
    (with "env" (instance $env))
    (with "lib" (instance $lib))))
  (func $on-tick (canon lift (core func $guest "gatewit:plugin/guest@0.1.0#on-tick")))
  (instance $exports (export "on-tick" (func $on-tick)))
  (export "gatewit:plugin/guest@0.1.0" (instance $exports))
)
