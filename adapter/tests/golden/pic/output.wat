(module
  (type (;0;) (func (param i32 i32 i32 i32)))
  (type (;1;) (func (param i32 i32 i32 i32 i32 i32)))
  (type (;2;) (func (param i32 i32 i32)))
  (type (;3;) (func (result i32)))
  (type (;4;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;5;) (func (param i32 i32) (result i32)))
  (type (;6;) (func (param i32)))
  (type (;7;) (func (param i32 i32 i32) (result i32)))
  (type (;8;) (func))
  (type (;9;) (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (type (;10;) (func (param i32 i32 i32 i32 i32)))
  (type (;11;) (func (param i32 i32 i32 i32 i32) (result i32)))
  (type (;12;) (func (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (type (;13;) (func (param i32) (result i32)))
  (type (;14;) (func (param i32 i32)))
  (import "env" "proxy_add_header_map_value" (func $env.proxy_add_header_map_value (;0;) (type 11)))
  (import "env" "proxy_log" (func $env.proxy_log (;1;) (type 7)))
  (import "env" "proxy_get_header_map_pairs" (func $env.proxy_get_header_map_pairs (;2;) (type 7)))
  (import "env" "proxy_send_local_response" (func $env.proxy_send_local_response (;3;) (type 12)))
  (import "env" "proxy_get_buffer_bytes" (func $env.proxy_get_buffer_bytes (;4;) (type 11)))
  (table (;0;) 3 funcref)
  (memory (;0;) 1)
  (tag (;0;) (type 8))
  (global (;0;) (mut i32) i32.const 4096)
  (global (;1;) i32 i32.const 1024)
  (global (;2;) i32 i32.const 1)
  (global (;3;) i64 i64.const 1000000007)
  (global (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut i32) i32.const 1000000000)
  (global (;6;) (mut i32) i32.const 0)
  (export "memory" (memory 0))
  (export "malloc" (func $gatewit-glue:Malloc))
  (export "proxy_on_memory_allocate" (func $gatewit-glue:Malloc))
  (export "_initialize" (func $gatewit-glue:_initialize))
  (export "proxy_abi_version_0_2_1" (func $gatewit-glue:proxy_abi_version_0_2_1))
  (export "proxy_on_configure" (func $gatewit-glue:proxy_on_configure))
  (export "proxy_on_context_create" (func $gatewit-glue:proxy_on_context_create))
  (export "proxy_on_request_headers" (func $gatewit-glue:proxy_on_request_headers))
  (export "proxy_on_request_body" (func $gatewit-glue:proxy_on_request_body))
  (export "proxy_on_request_trailers" (func $gatewit-glue:proxy_on_request_trailers))
  (export "proxy_on_response_headers" (func $gatewit-glue:proxy_on_response_headers))
  (export "proxy_on_response_body" (func $gatewit-glue:proxy_on_response_body))
  (export "proxy_on_response_trailers" (func $gatewit-glue:proxy_on_response_trailers))
  (export "proxy_on_log" (func $gatewit-glue:proxy_on_log))
  (elem (;0;) (i32.const 1) func $one $seven)
  (func $one (;5;) (type 3) (result i32)
    i32.const 1
  )
  (func $seven (;6;) (type 3) (result i32)
    i32.const 7
  )
  (func $realloc (;7;) (type 4) (param i32 i32 i32 i32) (result i32)
    (local i32)
    global.get 0
    local.get 2
    i32.const 1
    i32.sub
    i32.add
    i32.const 0
    local.get 2
    i32.sub
    i32.and
    local.set 4
    local.get 4
    local.get 3
    i32.add
    global.set 0
    global.get 0
    memory.size
    i32.const 65536
    i32.mul
    i32.gt_u
    if ;; label = @1
      i32.const 1
      call $gatewit-glue:Grow
      drop
    end
    local.get 0
    if ;; label = @1
      local.get 4
      local.get 0
      local.get 1
      memory.copy
    end
    local.get 4
  )
  (func (;8;) (type 5) (param i32 i32) (result i32)
    i32.const 512
    i32.const 0
    i32.store8
    local.get 1
    i32.const 0
    i32.ne
    local.get 0
    i32.load8_u
    i32.const 120
    i32.eq
    i32.and
    if ;; label = @1
      i32.const 512
      i32.const 1
      i32.store8
      i32.const 516
      i32.const 64
      i32.store
      i32.const 520
      i32.const 10
      i32.store
    end
    i32.const 512
  )
  (func (;9;) (type 6) (param i32))
  (func (;10;) (type 7) (param i32 i32 i32) (result i32)
    i32.const 0
  )
  (func (;11;) (type 7) (param i32 i32 i32) (result i32)
    (local i32 i32 i32 i32)
    local.get 0
    if ;; label = @1
      local.get 0
      local.get 3
      i32.sub
      local.tee 6
      i32.const 1
      i32.sub
      global.get 5
      i32.ge_u
      if ;; label = @2
        call $gatewit-glue:StepsExhausted
      end
      global.get 5
      local.get 6
      i32.sub
      global.set 5
      loop ;; label = @2
        local.get 4
        i32.const 1040
        local.get 3
        i32.add
        i32.load8_u
        i32.add
        local.set 4
        local.get 0
        local.get 3
        i32.const 1
        i32.add
        local.tee 3
        i32.ne
        br_if 0 (;@2;)
      end
    end
    i32.const 700
    local.get 4
    i32.store
    i32.const 704
    i32.const 2
    call_indirect (type 3)
    i32.store
    i32.const 712
    i64.const 1000000007
    local.get 0
    i64.extend_i32_u
    i64.mul
    i64.store
    i32.const 720
    global.get 0
    i32.store
    i32.const 0
  )
  (func (;12;) (type 7) (param i32 i32 i32) (result i32)
    i32.const 0
  )
  (func (;13;) (type 5) (param i32 i32) (result i32)
    i32.const 0
  )
  (func (;14;) (type 7) (param i32 i32 i32) (result i32)
    i32.const 0
  )
  (func (;15;) (type 5) (param i32 i32) (result i32)
    i32.const 0
  )
  (func (;16;) (type 6) (param i32))
  (func $get-header (;17;) (type 0) (param i32 i32 i32 i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32)
    global.get 4
    local.tee 4
    i32.eqz
    if ;; label = @1
      call $gatewit-glue:State
      local.set 4
    end
    local.get 3
    i32.const 0
    i32.store8
    local.get 0
    call $gatewit-glue:FetchMap
    if ;; label = @1
      return
    end
    local.get 4
    i32.load offset=92
    local.set 5
    i32.const 0
    local.set 6
    local.get 4
    i32.load offset=96
    i32.const 4
    i32.ge_u
    if ;; label = @1
      local.get 5
      i32.load
      local.set 6
    end
    local.get 5
    i32.const 4
    i32.add
    local.set 7
    local.get 7
    local.get 6
    i32.const 8
    i32.mul
    i32.add
    local.set 8
    local.get 8
    local.set 9
    block ;; label = @1
      loop ;; label = @2
        local.get 7
        local.get 8
        i32.ge_u
        br_if 1 (;@1;)
        local.get 7
        i32.load
        local.set 10
        local.get 7
        i32.load offset=4
        local.set 11
        local.get 10
        local.get 2
        i32.eq
        if ;; label = @3
          local.get 2
          i32.eqz
          local.get 9
          i32.load8_u
          local.get 1
          i32.load8_u
          i32.xor
          i32.const 223
          i32.and
          i32.eqz
          i32.or
          if ;; label = @4
            local.get 9
            local.get 1
            local.get 2
            call $gatewit-glue:KeyEq
            if ;; label = @5
              local.get 3
              i32.const 1
              i32.store8
              local.get 3
              local.get 9
              local.get 10
              i32.add
              i32.const 1
              i32.add
              local.get 11
              call $gatewit-glue:CopyOut
              i32.store offset=4
              local.get 3
              local.get 11
              i32.store offset=8
              return
            end
          end
        end
        local.get 9
        local.get 10
        i32.add
        local.get 11
        i32.add
        i32.const 2
        i32.add
        local.set 9
        local.get 7
        i32.const 8
        i32.add
        local.set 7
        br 0 (;@2;)
      end
    end
  )
  (func $add-header (;18;) (type 1) (param i32 i32 i32 i32 i32 i32)
    (local i32)
    global.get 4
    local.tee 6
    i32.eqz
    if ;; label = @1
      call $gatewit-glue:State
      local.set 6
    end
    local.get 6
    i32.const 0
    i32.store offset=88
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    call $env.proxy_add_header_map_value
    local.get 5
    call $gatewit-glue:StatusResult
  )
  (func $log (;19;) (type 2) (param i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    call $env.proxy_log
    drop
  )
  (func $gatewit-glue:State (;20;) (type 3) (result i32)
    (local i32)
    global.get 4
    local.tee 0
    i32.eqz
    if ;; label = @1
      i32.const 104
      local.set 0
      i32.const 0
      i32.const 0
      i32.const 8
      local.get 0
      call $realloc
      local.set 0
      local.get 0
      i32.const 0
      i32.const 104
      memory.fill
      local.get 0
      global.set 4
    end
    local.get 0
  )
  (func $gatewit-glue:Malloc (;21;) (type 13) (param i32) (result i32)
    (local i32)
    global.get 4
    local.tee 1
    i32.eqz
    if ;; label = @1
      call $gatewit-glue:State
      local.set 1
    end
    local.get 1
    i32.load offset=8
    if ;; label = @1
      local.get 0
      call $gatewit-glue:EnsureScratch
      local.get 1
      i32.load
      return
    end
    i32.const 0
    i32.const 0
    i32.const 1
    local.get 0
    call $realloc
  )
  (func $gatewit-glue:EnsureScratch (;22;) (type 6) (param i32)
    (local i32 i32 i32)
    global.get 4
    local.tee 1
    i32.eqz
    if ;; label = @1
      call $gatewit-glue:State
      local.set 1
    end
    local.get 1
    i32.const 0
    i32.store offset=88
    local.get 1
    i32.load offset=4
    local.tee 2
    local.get 0
    i32.lt_u
    if ;; label = @1
      local.get 2
      i32.const 1
      i32.shl
      local.set 3
      local.get 3
      i32.const 256
      local.get 3
      i32.const 256
      i32.gt_u
      select
      local.set 3
      local.get 3
      local.get 0
      local.get 3
      local.get 0
      i32.gt_u
      select
      local.set 3
      local.get 1
      local.get 1
      i32.load
      local.get 2
      i32.const 8
      local.get 3
      call $realloc
      i32.store
      local.get 1
      local.get 3
      i32.store offset=4
    end
  )
  (func $gatewit-glue:FetchMap (;23;) (type 13) (param i32) (result i32)
    (local i32 i32)
    global.get 4
    local.tee 1
    i32.eqz
    if ;; label = @1
      call $gatewit-glue:State
      local.set 1
    end
    local.get 1
    i32.load offset=88
    local.get 0
    i32.const 1
    i32.add
    i32.eq
    if ;; label = @1
      i32.const 0
      return
    end
    local.get 1
    i32.const 1
    i32.store offset=8
    local.get 0
    local.get 1
    i32.const 16
    i32.add
    local.get 1
    i32.const 20
    i32.add
    call $env.proxy_get_header_map_pairs
    local.set 2
    local.get 1
    i32.const 0
    i32.store offset=8
    local.get 2
    if ;; label = @1
      local.get 2
      return
    end
    local.get 1
    local.get 1
    i32.load offset=16
    i32.store offset=92
    local.get 1
    local.get 1
    i32.load offset=20
    i32.store offset=96
    local.get 1
    local.get 0
    i32.const 1
    i32.add
    i32.store offset=88
    i32.const 0
  )
  (func $gatewit-glue:KeyEq (;24;) (type 7) (param i32 i32 i32) (result i32)
    (local i32 i32 i32)
    i32.const 0
    local.set 3
    block ;; label = @1
      loop ;; label = @2
        local.get 3
        i32.const 4
        i32.add
        local.get 2
        i32.gt_u
        br_if 1 (;@1;)
        local.get 0
        local.get 3
        i32.add
        i32.load align=1
        local.get 1
        local.get 3
        i32.add
        i32.load align=1
        i32.ne
        br_if 1 (;@1;)
        local.get 3
        i32.const 4
        i32.add
        local.set 3
        br 0 (;@2;)
      end
    end
    block ;; label = @1
      loop ;; label = @2
        local.get 3
        local.get 2
        i32.ge_u
        br_if 1 (;@1;)
        local.get 0
        local.get 3
        i32.add
        i32.load8_u
        local.set 4
        local.get 1
        local.get 3
        i32.add
        i32.load8_u
        local.set 5
        local.get 4
        local.get 4
        i32.const 65
        i32.sub
        i32.const 26
        i32.lt_u
        i32.const 5
        i32.shl
        i32.add
        local.set 4
        local.get 5
        local.get 5
        i32.const 65
        i32.sub
        i32.const 26
        i32.lt_u
        i32.const 5
        i32.shl
        i32.add
        local.set 5
        local.get 4
        local.get 5
        i32.ne
        if ;; label = @3
          i32.const 0
          return
        end
        local.get 3
        i32.const 1
        i32.add
        local.set 3
        br 0 (;@2;)
      end
    end
    i32.const 1
  )
  (func $gatewit-glue:CopyOut (;25;) (type 5) (param i32 i32) (result i32)
    (local i32)
    local.get 1
    i32.eqz
    if ;; label = @1
      i32.const 1
      return
    end
    i32.const 0
    i32.const 0
    i32.const 1
    local.get 1
    call $realloc
    local.tee 2
    local.get 0
    local.get 1
    memory.copy
    local.get 2
    local.get 1
    call $gatewit-glue:Utf8Check
    local.get 2
  )
  (func $gatewit-glue:StatusResult (;26;) (type 14) (param i32 i32)
    local.get 1
    local.get 0
    i32.const 0
    i32.ne
    i32.store8
    local.get 0
    if ;; label = @1
      local.get 1
      local.get 0
      i32.const 1
      i32.sub
      i32.store8 offset=1
    end
  )
  (func $gatewit-glue:StepsExhausted (;27;) (type 8)
    (local i32 i32 i32)
    i32.const 2147483647
    global.set 5
    global.get 4
    local.tee 0
    i32.eqz
    if ;; label = @1
      call $gatewit-glue:State
      local.set 0
    end
    i32.const 144
    call $gatewit-glue:EnsureScratch
    local.get 0
    i32.load
    local.set 1
    i32.const 0
    local.set 2
    local.get 1
    local.get 2
    i32.add
    i64.const 4212107513022407015
    i64.store align=1
    local.get 1
    local.get 2
    i32.add
    i32.const 32
    i32.store8 offset=8
    local.get 1
    local.get 2
    i32.add
    i32.const 96
    i32.store8 offset=9
    local.get 2
    i32.const 10
    i32.add
    local.set 2
    global.get 6
    i32.const 0
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7809639177543117151
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 105
      i32.store8 offset=8
      local.get 1
      local.get 2
      i32.add
      i32.const 122
      i32.store8 offset=9
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=10
      local.get 2
      i32.const 11
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 1
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8459846313699140447
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 114
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=17
      local.get 2
      i32.const 18
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 2
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8392569456348324703
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 99
      i32.store8 offset=17
      local.get 1
      local.get 2
      i32.add
      i32.const 114
      i32.store8 offset=18
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=19
      local.get 1
      local.get 2
      i32.add
      i32.const 97
      i32.store8 offset=20
      local.get 1
      local.get 2
      i32.add
      i32.const 116
      i32.store8 offset=21
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=22
      local.get 2
      i32.const 23
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 3
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8391162085809418847
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8318822943511898207
      i64.store offset=16 align=1
      local.get 2
      i32.const 24
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 4
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8391162085809418847
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 98
      i32.store8 offset=17
      local.get 1
      local.get 2
      i32.add
      i32.const 111
      i32.store8 offset=18
      local.get 1
      local.get 2
      i32.add
      i32.const 100
      i32.store8 offset=19
      local.get 1
      local.get 2
      i32.add
      i32.const 121
      i32.store8 offset=20
      local.get 2
      i32.const 21
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 5
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8391162085809418847
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8243113892833817695
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=24
      local.get 2
      i32.const 25
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 6
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8317708090562933343
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8243105062447505253
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=24
      local.get 2
      i32.const 25
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 7
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8317708090562933343
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=17
      local.get 1
      local.get 2
      i32.add
      i32.const 98
      i32.store8 offset=18
      local.get 1
      local.get 2
      i32.add
      i32.const 111
      i32.store8 offset=19
      local.get 1
      local.get 2
      i32.add
      i32.const 100
      i32.store8 offset=20
      local.get 1
      local.get 2
      i32.add
      i32.const 121
      i32.store8 offset=21
      local.get 2
      i32.const 22
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 8
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8317708090562933343
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 7308332162568445797
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 114
      i32.store8 offset=24
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=25
      local.get 2
      i32.const 26
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 9
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=8
      local.get 1
      local.get 2
      i32.add
      i32.const 108
      i32.store8 offset=9
      local.get 1
      local.get 2
      i32.add
      i32.const 111
      i32.store8 offset=10
      local.get 1
      local.get 2
      i32.add
      i32.const 103
      i32.store8 offset=11
      local.get 2
      i32.const 12
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 10
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=8
      local.get 1
      local.get 2
      i32.add
      i32.const 116
      i32.store8 offset=9
      local.get 1
      local.get 2
      i32.add
      i32.const 105
      i32.store8 offset=10
      local.get 1
      local.get 2
      i32.add
      i32.const 99
      i32.store8 offset=11
      local.get 1
      local.get 2
      i32.add
      i32.const 107
      i32.store8 offset=12
      local.get 2
      i32.const 13
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 11
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 7017557580968126559
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8030045015149341804
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 110
      i32.store8 offset=24
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=25
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=26
      local.get 2
      i32.const 27
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 12
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 7160568829035508319
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8102931696471272545
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 111
      i32.store8 offset=24
      local.get 1
      local.get 2
      i32.add
      i32.const 110
      i32.store8 offset=25
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=26
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=27
      local.get 2
      i32.const 28
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 13
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8241417397999071583
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 97
      i32.store8 offset=17
      local.get 1
      local.get 2
      i32.add
      i32.const 100
      i32.store8 offset=18
      local.get 1
      local.get 2
      i32.add
      i32.const 121
      i32.store8 offset=19
      local.get 2
      i32.const 20
      i32.add
      local.set 2
    end
    local.get 1
    local.get 2
    i32.add
    i64.const 8462017883305812064
    i64.store align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 7307218077914964084
    i64.store offset=8 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2841324307989950496
    i64.store offset=16 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 7070774996019388531
    i64.store offset=24 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 7000881305037005941
    i64.store offset=32 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 8746403211678937632
    i64.store offset=40 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2317453235397291040
    i64.store offset=48 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2338319795807874657
    i64.store offset=56 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 3198793168936989811
    i64.store offset=64 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2334386829831140128
    i64.store offset=72 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2340008646826811751
    i64.store offset=80 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 7575180353157099383
    i64.store offset=88 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 8460047584473260147
    i64.store offset=96 align=1
    local.get 1
    local.get 2
    i32.add
    i32.const 110
    i32.store8 offset=104
    local.get 1
    local.get 2
    i32.add
    i32.const 103
    i32.store8 offset=105
    local.get 2
    i32.const 106
    i32.add
    local.set 2
    i32.const 4
    local.get 1
    local.get 2
    call $env.proxy_log
    drop
    unreachable
  )
  (func $gatewit-glue:Grow (;28;) (type 13) (param i32) (result i32)
    memory.size
    i64.extend_i32_u
    local.get 0
    i64.extend_i32_u
    i64.add
    i64.const 8192
    i64.gt_u
    if ;; label = @1
      i32.const -1
      return
    end
    local.get 0
    memory.grow
  )
  (func $gatewit-glue:Panicked (;29;) (type 8)
    (local i32 i32 i32)
    global.get 4
    local.tee 0
    i32.eqz
    if ;; label = @1
      call $gatewit-glue:State
      local.set 0
    end
    i32.const 148
    call $gatewit-glue:EnsureScratch
    local.get 0
    i32.load
    local.set 1
    i32.const 0
    local.set 2
    local.get 1
    local.get 2
    i32.add
    i64.const 4212107513022407015
    i64.store align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 8461261084364928032
    i64.store offset=8 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 7597116755628943719
    i64.store offset=16 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2336920844496104291
    i64.store offset=24 align=1
    local.get 1
    local.get 2
    i32.add
    i32.const 96
    i32.store8 offset=32
    local.get 2
    i32.const 33
    i32.add
    local.set 2
    global.get 6
    i32.const 0
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7809639177543117151
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 105
      i32.store8 offset=8
      local.get 1
      local.get 2
      i32.add
      i32.const 122
      i32.store8 offset=9
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=10
      local.get 2
      i32.const 11
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 1
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8459846313699140447
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 114
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=17
      local.get 2
      i32.const 18
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 2
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8392569456348324703
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 99
      i32.store8 offset=17
      local.get 1
      local.get 2
      i32.add
      i32.const 114
      i32.store8 offset=18
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=19
      local.get 1
      local.get 2
      i32.add
      i32.const 97
      i32.store8 offset=20
      local.get 1
      local.get 2
      i32.add
      i32.const 116
      i32.store8 offset=21
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=22
      local.get 2
      i32.const 23
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 3
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8391162085809418847
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8318822943511898207
      i64.store offset=16 align=1
      local.get 2
      i32.const 24
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 4
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8391162085809418847
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 98
      i32.store8 offset=17
      local.get 1
      local.get 2
      i32.add
      i32.const 111
      i32.store8 offset=18
      local.get 1
      local.get 2
      i32.add
      i32.const 100
      i32.store8 offset=19
      local.get 1
      local.get 2
      i32.add
      i32.const 121
      i32.store8 offset=20
      local.get 2
      i32.const 21
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 5
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8391162085809418847
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8243113892833817695
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=24
      local.get 2
      i32.const 25
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 6
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8317708090562933343
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8243105062447505253
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=24
      local.get 2
      i32.const 25
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 7
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8317708090562933343
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=17
      local.get 1
      local.get 2
      i32.add
      i32.const 98
      i32.store8 offset=18
      local.get 1
      local.get 2
      i32.add
      i32.const 111
      i32.store8 offset=19
      local.get 1
      local.get 2
      i32.add
      i32.const 100
      i32.store8 offset=20
      local.get 1
      local.get 2
      i32.add
      i32.const 121
      i32.store8 offset=21
      local.get 2
      i32.const 22
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 8
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8317708090562933343
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 7308332162568445797
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 114
      i32.store8 offset=24
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=25
      local.get 2
      i32.const 26
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 9
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=8
      local.get 1
      local.get 2
      i32.add
      i32.const 108
      i32.store8 offset=9
      local.get 1
      local.get 2
      i32.add
      i32.const 111
      i32.store8 offset=10
      local.get 1
      local.get 2
      i32.add
      i32.const 103
      i32.store8 offset=11
      local.get 2
      i32.const 12
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 10
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 95
      i32.store8 offset=8
      local.get 1
      local.get 2
      i32.add
      i32.const 116
      i32.store8 offset=9
      local.get 1
      local.get 2
      i32.add
      i32.const 105
      i32.store8 offset=10
      local.get 1
      local.get 2
      i32.add
      i32.const 99
      i32.store8 offset=11
      local.get 1
      local.get 2
      i32.add
      i32.const 107
      i32.store8 offset=12
      local.get 2
      i32.const 13
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 11
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 7017557580968126559
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8030045015149341804
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 110
      i32.store8 offset=24
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=25
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=26
      local.get 2
      i32.const 27
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 12
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 7160568829035508319
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8102931696471272545
      i64.store offset=16 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 111
      i32.store8 offset=24
      local.get 1
      local.get 2
      i32.add
      i32.const 110
      i32.store8 offset=25
      local.get 1
      local.get 2
      i32.add
      i32.const 115
      i32.store8 offset=26
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=27
      local.get 2
      i32.const 28
      i32.add
      local.set 2
    end
    global.get 6
    i32.const 13
    i32.eq
    if ;; label = @1
      local.get 1
      local.get 2
      i32.add
      i64.const 7957684041903207024
      i64.store align=1
      local.get 1
      local.get 2
      i32.add
      i64.const 8241417397999071583
      i64.store offset=8 align=1
      local.get 1
      local.get 2
      i32.add
      i32.const 101
      i32.store8 offset=16
      local.get 1
      local.get 2
      i32.add
      i32.const 97
      i32.store8 offset=17
      local.get 1
      local.get 2
      i32.add
      i32.const 100
      i32.store8 offset=18
      local.get 1
      local.get 2
      i32.add
      i32.const 121
      i32.store8 offset=19
      local.get 2
      i32.const 20
      i32.add
      local.set 2
    end
    local.get 1
    local.get 2
    i32.add
    i64.const 8223699863395646304
    i64.store align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2318355947161219429
    i64.store offset=8 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2318361423171839593
    i64.store offset=16 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 7311439437972403049
    i64.store offset=24 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2319406812830655858
    i64.store offset=32 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 7597116755847049000
    i64.store offset=40 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 8749491757082753635
    i64.store offset=48 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 8367798532893060137
    i64.store offset=56 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 7595168405181719912
    i64.store offset=64 align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 2338336212330946670
    i64.store offset=72 align=1
    local.get 1
    local.get 2
    i32.add
    i32.const 115
    i32.store8 offset=80
    local.get 1
    local.get 2
    i32.add
    i32.const 101
    i32.store8 offset=81
    local.get 1
    local.get 2
    i32.add
    i32.const 114
    i32.store8 offset=82
    local.get 1
    local.get 2
    i32.add
    i32.const 118
    i32.store8 offset=83
    local.get 1
    local.get 2
    i32.add
    i32.const 105
    i32.store8 offset=84
    local.get 1
    local.get 2
    i32.add
    i32.const 110
    i32.store8 offset=85
    local.get 1
    local.get 2
    i32.add
    i32.const 103
    i32.store8 offset=86
    local.get 2
    i32.const 87
    i32.add
    local.set 2
    i32.const 4
    local.get 1
    local.get 2
    call $env.proxy_log
    drop
  )
  (func $gatewit-glue:PanicReply (;30;) (type 8)
    (local i32 i32 i32)
    global.get 4
    local.tee 0
    i32.eqz
    if ;; label = @1
      call $gatewit-glue:State
      local.set 0
    end
    i32.const 27
    call $gatewit-glue:EnsureScratch
    local.get 0
    i32.load
    local.set 1
    i32.const 0
    local.set 2
    local.get 1
    local.get 2
    i32.add
    i64.const 6878238492425740647
    i64.store align=1
    local.get 1
    local.get 2
    i32.add
    i64.const 8097312054021811312
    i64.store offset=8 align=1
    local.get 1
    local.get 2
    i32.add
    i32.const 97
    i32.store8 offset=16
    local.get 1
    local.get 2
    i32.add
    i32.const 110
    i32.store8 offset=17
    local.get 1
    local.get 2
    i32.add
    i32.const 105
    i32.store8 offset=18
    local.get 1
    local.get 2
    i32.add
    i32.const 99
    i32.store8 offset=19
    local.get 1
    local.get 2
    i32.add
    i32.const 107
    i32.store8 offset=20
    local.get 1
    local.get 2
    i32.add
    i32.const 101
    i32.store8 offset=21
    local.get 1
    local.get 2
    i32.add
    i32.const 100
    i32.store8 offset=22
    local.get 2
    i32.const 23
    i32.add
    local.set 2
    local.get 1
    local.get 2
    i32.add
    i32.const 0
    i32.store
    i32.const 500
    local.get 1
    local.get 2
    i32.const 0
    i32.const 0
    local.get 1
    local.get 2
    i32.add
    i32.const 4
    i32.const -1
    call $env.proxy_send_local_response
    drop
  )
  (func $gatewit-glue:Utf8Check (;31;) (type 14) (param i32 i32)
    (local i32)
    i32.const 0
    local.set 2
    block ;; label = @1
      loop ;; label = @2
        local.get 2
        i32.const 8
        i32.add
        local.get 1
        i32.gt_u
        br_if 1 (;@1;)
        local.get 0
        local.get 2
        i32.add
        i64.load align=1
        i64.const -9187201950435737472
        i64.and
        i64.eqz
        i32.eqz
        if ;; label = @3
          local.get 0
          local.get 1
          call $gatewit-glue:Utf8Repair
          return
        end
        local.get 2
        i32.const 8
        i32.add
        local.set 2
        br 0 (;@2;)
      end
    end
    block ;; label = @1
      loop ;; label = @2
        local.get 2
        local.get 1
        i32.ge_u
        br_if 1 (;@1;)
        local.get 0
        local.get 2
        i32.add
        i32.load8_u
        i32.const 128
        i32.and
        if ;; label = @3
          local.get 0
          local.get 1
          call $gatewit-glue:Utf8Repair
          return
        end
        local.get 2
        i32.const 1
        i32.add
        local.set 2
        br 0 (;@2;)
      end
    end
  )
  (func $gatewit-glue:Utf8Repair (;32;) (type 14) (param i32 i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32)
    i32.const 0
    local.set 2
    block ;; label = @1
      loop ;; label = @2
        local.get 2
        local.get 1
        i32.ge_u
        br_if 1 (;@1;)
        local.get 0
        local.get 2
        i32.add
        i32.load8_u
        local.set 3
        local.get 3
        i32.const 128
        i32.lt_u
        if ;; label = @3
          local.get 2
          i32.const 1
          i32.add
          local.set 2
          br 1 (;@2;)
        end
        i32.const 0
        local.set 4
        i32.const 128
        local.set 5
        i32.const 191
        local.set 6
        local.get 3
        i32.const 194
        i32.ge_u
        local.get 3
        i32.const 223
        i32.le_u
        i32.and
        if ;; label = @3
          i32.const 1
          local.set 4
        end
        local.get 3
        i32.const 224
        i32.ge_u
        local.get 3
        i32.const 239
        i32.le_u
        i32.and
        if ;; label = @3
          i32.const 2
          local.set 4
        end
        local.get 3
        i32.const 240
        i32.ge_u
        local.get 3
        i32.const 244
        i32.le_u
        i32.and
        if ;; label = @3
          i32.const 3
          local.set 4
        end
        local.get 3
        i32.const 224
        i32.eq
        if ;; label = @3
          i32.const 160
          local.set 5
        end
        local.get 3
        i32.const 237
        i32.eq
        if ;; label = @3
          i32.const 159
          local.set 6
        end
        local.get 3
        i32.const 240
        i32.eq
        if ;; label = @3
          i32.const 144
          local.set 5
        end
        local.get 3
        i32.const 244
        i32.eq
        if ;; label = @3
          i32.const 143
          local.set 6
        end
        local.get 4
        i32.const 0
        i32.ne
        local.get 2
        local.get 4
        i32.add
        local.get 1
        i32.lt_u
        i32.and
        local.set 9
        i32.const 1
        local.set 7
        block ;; label = @3
          loop ;; label = @4
            local.get 9
            i32.eqz
            local.get 7
            local.get 4
            i32.gt_u
            i32.or
            br_if 1 (;@3;)
            local.get 0
            local.get 2
            i32.add
            local.get 7
            i32.add
            i32.load8_u
            local.set 8
            local.get 8
            local.get 5
            i32.ge_u
            local.get 8
            local.get 6
            i32.le_u
            i32.and
            local.set 9
            i32.const 128
            local.set 5
            i32.const 191
            local.set 6
            local.get 7
            i32.const 1
            i32.add
            local.set 7
            br 0 (;@4;)
          end
        end
        local.get 9
        if ;; label = @3
          local.get 2
          local.get 4
          i32.add
          i32.const 1
          i32.add
          local.set 2
        else
          local.get 0
          local.get 2
          i32.add
          i32.const 63
          i32.store8
          local.get 2
          i32.const 1
          i32.add
          local.set 2
        end
        br 0 (;@2;)
      end
    end
  )
  (func $gatewit-glue:_initialize (;33;) (type 8)
    i32.const 1000000000
    global.set 5
    i32.const 0
    global.set 6
  )
  (func $gatewit-glue:proxy_abi_version_0_2_1 (;34;) (type 8))
  (func $gatewit-glue:proxy_on_configure (;35;) (type 5) (param i32 i32) (result i32)
    (local i32 i32 i32 i32 i32 i32 i32)
    i32.const 1000000000
    global.set 5
    i32.const 1
    global.set 6
    global.get 0
    local.set 8
    try (result i32) ;; label = @1
      global.get 4
      local.tee 2
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 2
      end
      global.get 4
      local.tee 7
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 7
      end
      local.get 7
      i32.const 0
      i32.store offset=12
      local.get 7
      i32.const 0
      i32.store offset=88
      i32.const 0
      local.set 4
      local.get 1
      if ;; label = @2
        i32.const 7
        i32.const 0
        local.get 1
        local.get 2
        i32.const 16
        i32.add
        local.get 2
        i32.const 20
        i32.add
        call $env.proxy_get_buffer_bytes
        i32.eqz
        if ;; label = @3
          local.get 2
          i32.load offset=16
          local.set 3
          local.get 2
          i32.load offset=20
          local.set 4
        end
      end
      local.get 4
      i32.eqz
      if ;; label = @2
        i32.const 0
        i32.const 0
        i32.const 1
        i32.const 0
        call $realloc
        local.set 3
      end
      local.get 3
      local.get 4
      call 8
      local.tee 5
      i32.load8_u
      i32.eqz
      local.set 6
      local.get 6
      i32.eqz
      if ;; label = @2
        i32.const 4
        local.get 5
        i32.load offset=4
        local.get 5
        i32.load offset=8
        call $env.proxy_log
        drop
      end
      local.get 6
    catch 0
      local.get 8
      global.set 0
      call $gatewit-glue:Panicked
      i32.const 0
    end
  )
  (func $gatewit-glue:proxy_on_context_create (;36;) (type 14) (param i32 i32)
    (local i32 i32)
    i32.const 1000000000
    global.set 5
    i32.const 2
    global.set 6
    global.get 0
    local.set 3
    try ;; label = @1
      local.get 1
      if ;; label = @2
        global.get 4
        local.tee 2
        i32.eqz
        if ;; label = @3
          call $gatewit-glue:State
          local.set 2
        end
        local.get 2
        local.get 0
        i32.store offset=12
        local.get 2
        i32.const 0
        i32.store offset=88
        local.get 0
        call 9
      end
    catch 0
      local.get 3
      global.set 0
      call $gatewit-glue:Panicked
    end
  )
  (func $gatewit-glue:proxy_on_request_headers (;37;) (type 7) (param i32 i32 i32) (result i32)
    (local i32 i32 i32)
    i32.const 1000000000
    global.set 5
    i32.const 3
    global.set 6
    global.get 0
    local.set 5
    try (result i32) ;; label = @1
      global.get 4
      local.tee 3
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 3
      end
      local.get 3
      local.get 0
      i32.store offset=12
      local.get 3
      i32.const 0
      i32.store offset=88
      local.get 0
      local.get 1
      local.get 2
      call 10
      local.set 4
      local.get 4
      i32.const 1
      local.get 4
      i32.const 1
      i32.lt_u
      select
      i32.const 0
      local.get 4
      i32.const 2
      i32.ne
      select
    catch 0
      local.get 5
      global.set 0
      call $gatewit-glue:Panicked
      call $gatewit-glue:PanicReply
      i32.const 1
    end
  )
  (func $gatewit-glue:proxy_on_request_body (;38;) (type 7) (param i32 i32 i32) (result i32)
    (local i32 i32 i32)
    i32.const 1000000000
    global.set 5
    i32.const 4
    global.set 6
    global.get 0
    local.set 5
    try (result i32) ;; label = @1
      global.get 4
      local.tee 3
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 3
      end
      local.get 3
      local.get 0
      i32.store offset=12
      local.get 3
      i32.const 0
      i32.store offset=88
      local.get 0
      local.get 1
      local.get 2
      call 12
      local.set 4
      local.get 4
      i32.const 1
      local.get 4
      i32.const 2
      i32.lt_u
      select
    catch 0
      local.get 5
      global.set 0
      call $gatewit-glue:Panicked
      call $gatewit-glue:PanicReply
      i32.const 1
    end
  )
  (func $gatewit-glue:proxy_on_request_trailers (;39;) (type 5) (param i32 i32) (result i32)
    (local i32 i32 i32)
    i32.const 1000000000
    global.set 5
    i32.const 5
    global.set 6
    global.get 0
    local.set 4
    try (result i32) ;; label = @1
      global.get 4
      local.tee 2
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 2
      end
      local.get 2
      local.get 0
      i32.store offset=12
      local.get 2
      i32.const 0
      i32.store offset=88
      local.get 0
      local.get 1
      call 13
      local.set 3
      local.get 3
      i32.const 1
      local.get 3
      i32.const 1
      i32.lt_u
      select
      i32.const 0
      local.get 3
      i32.const 2
      i32.ne
      select
    catch 0
      local.get 4
      global.set 0
      call $gatewit-glue:Panicked
      call $gatewit-glue:PanicReply
      i32.const 1
    end
  )
  (func $gatewit-glue:proxy_on_response_headers (;40;) (type 7) (param i32 i32 i32) (result i32)
    (local i32 i32 i32)
    i32.const 1000000000
    global.set 5
    i32.const 6
    global.set 6
    global.get 0
    local.set 5
    try (result i32) ;; label = @1
      global.get 4
      local.tee 3
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 3
      end
      local.get 3
      local.get 0
      i32.store offset=12
      local.get 3
      i32.const 0
      i32.store offset=88
      local.get 0
      local.get 1
      local.get 2
      call 11
      local.set 4
      local.get 4
      i32.const 1
      local.get 4
      i32.const 1
      i32.lt_u
      select
      i32.const 0
      local.get 4
      i32.const 2
      i32.ne
      select
    catch 0
      local.get 5
      global.set 0
      call $gatewit-glue:Panicked
      call $gatewit-glue:PanicReply
      i32.const 1
    end
  )
  (func $gatewit-glue:proxy_on_response_body (;41;) (type 7) (param i32 i32 i32) (result i32)
    (local i32 i32 i32)
    i32.const 1000000000
    global.set 5
    i32.const 7
    global.set 6
    global.get 0
    local.set 5
    try (result i32) ;; label = @1
      global.get 4
      local.tee 3
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 3
      end
      local.get 3
      local.get 0
      i32.store offset=12
      local.get 3
      i32.const 0
      i32.store offset=88
      local.get 0
      local.get 1
      local.get 2
      call 14
      local.set 4
      local.get 4
      i32.const 1
      local.get 4
      i32.const 2
      i32.lt_u
      select
    catch 0
      local.get 5
      global.set 0
      call $gatewit-glue:Panicked
      call $gatewit-glue:PanicReply
      i32.const 1
    end
  )
  (func $gatewit-glue:proxy_on_response_trailers (;42;) (type 5) (param i32 i32) (result i32)
    (local i32 i32 i32)
    i32.const 1000000000
    global.set 5
    i32.const 8
    global.set 6
    global.get 0
    local.set 4
    try (result i32) ;; label = @1
      global.get 4
      local.tee 2
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 2
      end
      local.get 2
      local.get 0
      i32.store offset=12
      local.get 2
      i32.const 0
      i32.store offset=88
      local.get 0
      local.get 1
      call 15
      local.set 3
      local.get 3
      i32.const 1
      local.get 3
      i32.const 1
      i32.lt_u
      select
      i32.const 0
      local.get 3
      i32.const 2
      i32.ne
      select
    catch 0
      local.get 4
      global.set 0
      call $gatewit-glue:Panicked
      call $gatewit-glue:PanicReply
      i32.const 1
    end
  )
  (func $gatewit-glue:proxy_on_log (;43;) (type 6) (param i32)
    (local i32 i32)
    i32.const 1000000000
    global.set 5
    i32.const 9
    global.set 6
    global.get 0
    local.set 2
    try ;; label = @1
      global.get 4
      local.tee 1
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 1
      end
      local.get 1
      local.get 0
      i32.store offset=12
      local.get 1
      i32.const 0
      i32.store offset=88
      local.get 0
      call 16
    catch 0
      local.get 2
      global.set 0
      call $gatewit-glue:Panicked
    end
  )
  (data (;0;) (i32.const 64) "bad config")
  (data (;1;) (i32.const 1040) "\01\02\03\04\05\06\07\08\09\0a")
)
