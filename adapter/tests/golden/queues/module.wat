;; Shared queues, with a `gatewit:hooks` section: bits 0, 2 and 12 (configure,
;; request headers, queue ready). on-plugin-start registers queue `q` and
;; tries to resolve `q` of VM `other-vm`; on-request-headers enqueues `item-1`
;; and an empty item; on-queue-ready dequeues until the queue is empty,
;; logging each item, then `empty` (or `dequeue failed` on an error).
(module
  (@custom "gatewit:hooks" "\05\10\00\00")
  (import "gatewit:plugin/shared-data@0.1.0" "register-shared-queue" (func $register (param i32 i32 i32)))
  (import "gatewit:plugin/shared-data@0.1.0" "resolve-shared-queue" (func $resolve (param i32 i32 i32 i32 i32)))
  (import "gatewit:plugin/shared-data@0.1.0" "enqueue-shared-queue" (func $enqueue (param i32 i32 i32 i32)))
  (import "gatewit:plugin/shared-data@0.1.0" "dequeue-shared-queue" (func $dequeue (param i32 i32)))
  (import "gatewit:plugin/log@0.1.0" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (global $queue (mut i32) (i32.const 0))
  (data (i32.const 16) "q")
  (data (i32.const 24) "other-vm")
  (data (i32.const 40) "item-1")
  (data (i32.const 48) "resolve: not-found")
  (data (i32.const 72) "dequeue failed")
  (data (i32.const 96) "registered")
  (data (i32.const 112) "empty")
  (data (i32.const 120) "enqueue failed")

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

  (func (export "gatewit:plugin/guest@0.1.0#on-plugin-start") (param i32 i32) (result i32)
    ;; register-shared-queue("q") -> result<queue-id, status-error> at 520
    (call $register (i32.const 16) (i32.const 1) (i32.const 520))
    (if (i32.eqz (i32.load8_u (i32.const 520)))
      (then
        (global.set $queue (i32.load (i32.const 524)))
        (call $log (i32.const 2) (i32.const 96) (i32.const 10))))
    ;; resolve-shared-queue("other-vm", "q"): err(not-found) expected
    (call $resolve (i32.const 24) (i32.const 8) (i32.const 16) (i32.const 1) (i32.const 528))
    (if (i32.and (i32.load8_u (i32.const 528)) (i32.eqz (i32.load8_u (i32.const 532))))
      (then (call $log (i32.const 3) (i32.const 48) (i32.const 18))))
    (i32.store8 (i32.const 512) (i32.const 0))
    (i32.const 512))
  (func (export "gatewit:plugin/guest@0.1.0#on-context-create") (param i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-headers") (param i32 i32 i32) (result i32)
    ;; enqueue-shared-queue -> result<_, status-error> at 536
    (call $enqueue (global.get $queue) (i32.const 40) (i32.const 6) (i32.const 536))
    (call $enqueue (global.get $queue) (i32.const 40) (i32.const 0) (i32.const 538))
    (if (i32.or (i32.load8_u (i32.const 536)) (i32.load8_u (i32.const 538)))
      (then (call $log (i32.const 4) (i32.const 120) (i32.const 14))))
    (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-done") (param i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-tick"))
  (func (export "gatewit:plugin/guest@0.1.0#on-http-call-response") (param i32 i32 i32 i32 i32 i32 i32 i32 i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-redis-call-response") (param i32 i32 i32 i32 i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-queue-ready") (param $q i32)
    ;; dequeue-shared-queue -> result<option<list<u8>>, status-error> at 544:
    ;; result tag 544, option tag / error code 548, list 552 + 556
    (block $done
      (loop $next
        (call $dequeue (local.get $q) (i32.const 544))
        (if (i32.load8_u (i32.const 544))
          (then
            (call $log (i32.const 4) (i32.const 72) (i32.const 14))
            (br $done)))
        (if (i32.eqz (i32.load8_u (i32.const 548)))
          (then
            (call $log (i32.const 2) (i32.const 112) (i32.const 5))
            (br $done)))
        (call $log (i32.const 2) (i32.load (i32.const 552)) (i32.load (i32.const 556)))
        (br $next))))
)
