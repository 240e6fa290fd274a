;; The limits the adapter builds in: request 7 loops forever in request
;; headers (the step budget stops it); request body grows memory by the
;; body size in pages (the memory cap refuses past it); response headers
;; run a counted loop of 1000 x the context id iterations, each adding one
;; to the word at 704 (charged to the budget before it starts); response
;; body runs `ctx` scans, each bounded by 1,000,000 but stopping after
;; `size` iterations, each adding one to the word at 708 (charged the
;; bound at entry, refunded what was left at the exit); response trailers
;; run `ctx` scans tested at the top as serde_json's escape scan is, each
;; bounded by 1,000,000 and stopping at the byte 1 put at 8192 + `size`,
;; each iteration adding one to the word at 712.
;; on-plugin-start rejects a config starting with `x`.
(module
  (import "gatewit:plugin/http@0.1.0" "get-header" (func $get-header (param i32 i32 i32 i32)))
  (import "gatewit:plugin/http@0.1.0" "add-header" (func $add-header (param i32 i32 i32 i32 i32 i32)))
  (import "gatewit:plugin/log@0.1.0" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 16) "x-name")
  (data (i32.const 32) "x-hello")
  (data (i32.const 48) "hello")
  (data (i32.const 64) "bad config")

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
  ;; request 7 spins forever; so does request 6, around a bounded scan
  ;; that stops at once (refunded all but its one iteration); the others
  ;; pass
  (func (export "gatewit:plugin/guest@0.1.0#on-request-headers") (param $ctx i32) (param i32 i32) (result i32)
    (local $i i32) (local $end i32)
    (if (i32.eq (local.get $ctx) (i32.const 7))
      (then (loop $spin (br $spin))))
    (if (i32.eq (local.get $ctx) (i32.const 6))
      (then
        (local.set $end (i32.const 1000))
        (loop $spin
          (local.set $i (i32.const 0))
          (block $found
            (loop $byte
              (br_if $found (i32.eqz (local.get $i)))
              (br_if $byte (i32.ne (local.get $end) (local.tee $i (i32.add (local.get $i) (i32.const 1)))))))
          (br $spin))))
    (i32.const 0))
  ;; grows memory by `size` pages; the result of memory.grow lands at 700
  (func (export "gatewit:plugin/guest@0.1.0#on-request-body") (param i32) (param $size i32) (param i32) (result i32)
    (i32.store (i32.const 700) (memory.grow (local.get $size)))
    (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-headers") (param $ctx i32) (param i32 i32) (result i32)
    (local $n i32)
    (local.set $n (i32.mul (local.get $ctx) (i32.const 1000)))
    (if (local.get $n)
      (then
        (loop $count
          (i32.store (i32.const 704) (i32.add (i32.load (i32.const 704)) (i32.const 1)))
          (br_if $count (local.tee $n (i32.add (local.get $n) (i32.const -1)))))))
    (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-body") (param $ctx i32) (param $size i32) (param i32) (result i32)
    (local $scans i32) (local $i i32) (local $end i32)
    (local.set $scans (local.get $ctx))
    (local.set $end (i32.const 1000000))
    (if (local.get $scans)
      (then
        (loop $scan
          (local.set $i (i32.const 0))
          (block $found
            (loop $byte
              (br_if $found (i32.eq (local.get $i) (local.get $size)))
              (i32.store (i32.const 708) (i32.add (i32.load (i32.const 708)) (i32.const 1)))
              (br_if $byte (i32.ne (local.get $end) (local.tee $i (i32.add (local.get $i) (i32.const 1)))))))
          (br_if $scan (local.tee $scans (i32.add (local.get $scans) (i32.const -1)))))))
    (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-trailers") (param $ctx i32) (param $size i32) (result i32)
    (local $scans i32) (local $i i32) (local $c i32) (local $end i32)
    (i32.store8 (i32.add (i32.const 8192) (local.get $size)) (i32.const 1))
    (local.set $scans (local.get $ctx))
    (local.set $end (i32.const 1000000))
    (if (local.get $scans)
      (then
        (loop $scan
          (local.set $i (i32.const 0))
          loop $byte
            block
              local.get $end
              local.get $i
              local.tee $c
              i32.ne
              br_if 0
              i32.const 0
              return
            end
            local.get $c
            i32.const 1
            i32.add
            local.set $i
            (i32.store (i32.const 712) (i32.add (i32.load (i32.const 712)) (i32.const 1)))
            (i32.add (i32.const 8192) (local.get $c))
            i32.load8_u
            i32.eqz
            br_if 0
          end
          (br_if $scan (local.tee $scans (i32.add (local.get $scans) (i32.const -1)))))))
    (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-done") (param i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-tick"))
  (func (export "gatewit:plugin/guest@0.1.0#on-http-call-response") (param i32 i32 i32 i32 i32 i32 i32 i32 i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-redis-call-response") (param i32 i32 i32 i32 i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-queue-ready") (param i32))
)
