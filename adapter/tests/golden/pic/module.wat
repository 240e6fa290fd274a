;; Code built as position-independent, as Rust's wasm32-wasip2 std and
;; CPython are: statics reached through `__memory_base`, function pointers
;; through `__table_base` (immutable globals with constant initializers).
;; The adapter folds each such `global.get` with the `i32.const`/`i32.add`
;; pairs after it into one constant; a mutable global stays a read.
;; Response headers of request `ctx`: the sum of the first `ctx` bytes of
;; the table at `__memory_base + 16` (a loop the step budget counts) goes
;; to 700, what the function at `__table_base + 1` answers to 704, the
;; i64 constant global times `ctx` to 712, and the mutable `$heap` to 720.
;; on-plugin-start rejects a config starting with `x`.
(module
  (import "gatewit:plugin/http@0.1.0" "get-header" (func $get-header (param i32 i32 i32 i32)))
  (import "gatewit:plugin/http@0.1.0" "add-header" (func $add-header (param i32 i32 i32 i32 i32 i32)))
  (import "gatewit:plugin/log@0.1.0" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (global $__memory_base i32 (i32.const 1024))
  (global $__table_base i32 (i32.const 1))
  (global $scale i64 (i64.const 1000000007))
  (table 3 funcref)
  (elem (i32.const 1) $one $seven)
  (data (i32.const 64) "bad config")
  (data (i32.const 1040) "\01\02\03\04\05\06\07\08\09\0a")

  (func $one (result i32) (i32.const 1))
  (func $seven (result i32) (i32.const 7))

  ;; bump allocator; realloc copies
  (func $realloc (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.const 1)))))
    (if (local.get $old) (then (memory.copy (local.get $p) (local.get $old) (local.get $old_size))))
    (local.get $p))

  (func (export "gatewit:plugin/guest@0.1.0#on-plugin-start") (param $p i32) (param $l i32) (result i32)
    (i32.store8 (i32.const 512) (i32.const 0))
    (if (i32.and (i32.ne (local.get $l) (i32.const 0)) (i32.eq (i32.load8_u (local.get $p)) (i32.const 120)))
      (then
        (i32.store8 (i32.const 512) (i32.const 1))
        (i32.store (i32.const 516) (i32.const 64))
        (i32.store (i32.const 520) (i32.const 10))))
    (i32.const 512))
  (func (export "gatewit:plugin/guest@0.1.0#on-context-create") (param i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-headers") (param $ctx i32) (param i32 i32) (result i32)
    (local $i i32) (local $sum i32)
    (if (local.get $ctx)
      (then
        (loop $byte
          (local.set $sum (i32.add (local.get $sum)
            (i32.load8_u (i32.add (i32.add (global.get $__memory_base) (i32.const 16)) (local.get $i)))))
          (br_if $byte (i32.ne (local.get $ctx) (local.tee $i (i32.add (local.get $i) (i32.const 1))))))))
    (i32.store (i32.const 700) (local.get $sum))
    (i32.store (i32.const 704)
      (call_indirect (result i32) (i32.add (i32.add (global.get $__table_base) (i32.const 1)) (i32.const 0))))
    (i64.store (i32.const 712) (i64.mul (global.get $scale) (i64.extend_i32_u (local.get $ctx))))
    (i32.store (i32.const 720) (global.get $heap))
    (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-done") (param i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-tick"))
  (func (export "gatewit:plugin/guest@0.1.0#on-http-call-response") (param i32 i32 i32 i32 i32 i32 i32 i32 i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-redis-call-response") (param i32 i32 i32 i32 i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-queue-ready") (param i32))
)
