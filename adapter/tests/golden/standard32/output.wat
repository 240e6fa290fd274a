(module
  (type (;0;) (func (param i32 i32 i32 i32)))
  (type (;1;) (func (param i32 i32 i32 i32 i32 i32)))
  (type (;2;) (func (param i32 i32 i32)))
  (type (;3;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;4;) (func (param i32 i32) (result i32)))
  (type (;5;) (func (param i32)))
  (type (;6;) (func (param i32 i32 i32) (result i32)))
  (type (;7;) (func))
  (type (;8;) (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (type (;9;) (func (param i32 i32 i32 i32 i32)))
  (type (;10;) (func (param i32 i32 i32 i32 i32) (result i32)))
  (type (;11;) (func (result i32)))
  (type (;12;) (func (param i32) (result i32)))
  (type (;13;) (func (param i32 i32)))
  (import "env" "proxy_add_header_map_value" (func $env.proxy_add_header_map_value (;0;) (type 10)))
  (import "env" "proxy_log" (func $env.proxy_log (;1;) (type 6)))
  (import "env" "proxy_get_header_map_pairs" (func $env.proxy_get_header_map_pairs (;2;) (type 6)))
  (import "env" "proxy_get_buffer_bytes" (func $env.proxy_get_buffer_bytes (;3;) (type 10)))
  (memory (;0;) 1)
  (global (;0;) (mut i32) i32.const 4096)
  (global (;1;) (mut i32) i32.const 0)
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
  (func $realloc (;4;) (type 3) (param i32 i32 i32 i32) (result i32)
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
      memory.grow
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
  (func (;5;) (type 4) (param i32 i32) (result i32)
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
  (func (;6;) (type 5) (param i32))
  (func (;7;) (type 6) (param i32 i32 i32) (result i32)
    i32.const 0
    i32.const 16
    i32.const 6
    i32.const 256
    call $get-header
    i32.const 256
    i32.load8_u
    if ;; label = @1
      i32.const 0
      i32.const 32
      i32.const 7
      i32.const 260
      i32.load
      i32.const 264
      i32.load
      i32.const 272
      call $add-header
    end
    i32.const 2
    i32.const 48
    i32.const 5
    call $log
    i32.const 0
  )
  (func (;8;) (type 6) (param i32 i32 i32) (result i32)
    i32.const 0
  )
  (func (;9;) (type 4) (param i32 i32) (result i32)
    i32.const 0
  )
  (func (;10;) (type 6) (param i32 i32 i32) (result i32)
    i32.const 0
  )
  (func (;11;) (type 6) (param i32 i32 i32) (result i32)
    i32.const 0
  )
  (func (;12;) (type 4) (param i32 i32) (result i32)
    i32.const 0
  )
  (func (;13;) (type 5) (param i32))
  (func (;14;) (type 7))
  (func (;15;) (type 8) (param i32 i32 i32 i32 i32 i32 i32 i32 i32))
  (func (;16;) (type 9) (param i32 i32 i32 i32 i32))
  (func (;17;) (type 5) (param i32))
  (func $get-header (;18;) (type 0) (param i32 i32 i32 i32)
    (local i32 i32 i32 i32 i32 i32 i32)
    call $gatewit-glue:State
    local.set 4
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
    local.get 6
    i32.const 8
    i32.mul
    i32.add
    local.set 7
    i32.const 0
    local.set 8
    block ;; label = @1
      loop ;; label = @2
        local.get 8
        local.get 6
        i32.ge_u
        br_if 1 (;@1;)
        local.get 5
        local.get 8
        i32.const 8
        i32.mul
        i32.add
        i32.load offset=4
        local.set 9
        local.get 5
        local.get 8
        i32.const 8
        i32.mul
        i32.add
        i32.load offset=8
        local.set 10
        local.get 9
        local.get 2
        i32.eq
        if ;; label = @3
          local.get 7
          local.get 1
          local.get 2
          call $gatewit-glue:KeyEq
          if ;; label = @4
            local.get 3
            i32.const 1
            i32.store8
            local.get 3
            local.get 7
            local.get 9
            i32.add
            i32.const 1
            i32.add
            local.get 10
            call $gatewit-glue:CopyOut
            i32.store offset=4
            local.get 3
            local.get 10
            i32.store offset=8
            return
          end
        end
        local.get 7
        local.get 9
        i32.add
        local.get 10
        i32.add
        i32.const 2
        i32.add
        local.set 7
        local.get 8
        i32.const 1
        i32.add
        local.set 8
        br 0 (;@2;)
      end
    end
  )
  (func $add-header (;19;) (type 1) (param i32 i32 i32 i32 i32 i32)
    (local i32)
    call $gatewit-glue:State
    local.set 6
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
  (func $log (;20;) (type 2) (param i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    call $env.proxy_log
    drop
  )
  (func $gatewit-glue:State (;21;) (type 11) (result i32)
    (local i32)
    global.get 1
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
      global.set 1
    end
    local.get 0
  )
  (func $gatewit-glue:Malloc (;22;) (type 12) (param i32) (result i32)
    (local i32)
    call $gatewit-glue:State
    local.set 1
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
  (func $gatewit-glue:EnsureScratch (;23;) (type 5) (param i32)
    (local i32 i32 i32)
    call $gatewit-glue:State
    local.set 1
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
  (func $gatewit-glue:FetchMap (;24;) (type 12) (param i32) (result i32)
    (local i32 i32)
    call $gatewit-glue:State
    local.set 1
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
  (func $gatewit-glue:KeyEq (;25;) (type 6) (param i32 i32 i32) (result i32)
    (local i32 i32 i32)
    i32.const 0
    local.set 3
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
  (func $gatewit-glue:CopyOut (;26;) (type 4) (param i32 i32) (result i32)
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
  )
  (func $gatewit-glue:StatusResult (;27;) (type 13) (param i32 i32)
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
  (func $gatewit-glue:_initialize (;28;) (type 7))
  (func $gatewit-glue:proxy_abi_version_0_2_1 (;29;) (type 7))
  (func $gatewit-glue:proxy_on_configure (;30;) (type 4) (param i32 i32) (result i32)
    (local i32 i32 i32 i32 i32 i32)
    call $gatewit-glue:State
    local.set 2
    call $gatewit-glue:State
    local.set 7
    local.get 7
    i32.const 0
    i32.store offset=12
    local.get 7
    i32.const 0
    i32.store offset=88
    i32.const 0
    local.set 4
    local.get 1
    if ;; label = @1
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
      if ;; label = @2
        local.get 2
        i32.load offset=16
        local.set 3
        local.get 2
        i32.load offset=20
        local.set 4
      end
    end
    local.get 3
    i32.const 1
    local.get 4
    select
    local.get 4
    call 5
    local.tee 5
    i32.load8_u
    i32.eqz
    local.set 6
    local.get 6
    i32.eqz
    if ;; label = @1
      i32.const 4
      local.get 5
      i32.load offset=4
      local.get 5
      i32.load offset=8
      call $env.proxy_log
      drop
    end
    local.get 6
  )
  (func $gatewit-glue:proxy_on_context_create (;31;) (type 13) (param i32 i32)
    (local i32)
    local.get 1
    if ;; label = @1
      call $gatewit-glue:State
      local.set 2
      local.get 2
      local.get 0
      i32.store offset=12
      local.get 2
      i32.const 0
      i32.store offset=88
      local.get 0
      call 6
    end
  )
  (func $gatewit-glue:proxy_on_request_headers (;32;) (type 6) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call $gatewit-glue:State
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
    local.get 3
    i32.const 0
    i32.store offset=88
    local.get 0
    local.get 1
    local.get 2
    call 7
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
  )
  (func $gatewit-glue:proxy_on_request_body (;33;) (type 6) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call $gatewit-glue:State
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
    local.get 3
    i32.const 0
    i32.store offset=88
    local.get 0
    local.get 1
    local.get 2
    call 8
    local.set 4
    local.get 4
    i32.const 1
    local.get 4
    i32.const 2
    i32.lt_u
    select
  )
  (func $gatewit-glue:proxy_on_request_trailers (;34;) (type 4) (param i32 i32) (result i32)
    (local i32 i32)
    call $gatewit-glue:State
    local.set 2
    local.get 2
    local.get 0
    i32.store offset=12
    local.get 2
    i32.const 0
    i32.store offset=88
    local.get 0
    local.get 1
    call 9
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
  )
  (func $gatewit-glue:proxy_on_response_headers (;35;) (type 6) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call $gatewit-glue:State
    local.set 3
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
  )
  (func $gatewit-glue:proxy_on_response_body (;36;) (type 6) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call $gatewit-glue:State
    local.set 3
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
    i32.const 2
    i32.lt_u
    select
  )
  (func $gatewit-glue:proxy_on_response_trailers (;37;) (type 4) (param i32 i32) (result i32)
    (local i32 i32)
    call $gatewit-glue:State
    local.set 2
    local.get 2
    local.get 0
    i32.store offset=12
    local.get 2
    i32.const 0
    i32.store offset=88
    local.get 0
    local.get 1
    call 12
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
  )
  (func $gatewit-glue:proxy_on_log (;38;) (type 5) (param i32)
    (local i32)
    call $gatewit-glue:State
    local.set 1
    local.get 1
    local.get 0
    i32.store offset=12
    local.get 1
    i32.const 0
    i32.store offset=88
    local.get 0
    call 13
  )
  (data (;0;) (i32.const 16) "x-name")
  (data (;1;) (i32.const 32) "x-hello")
  (data (;2;) (i32.const 48) "hello")
  (data (;3;) (i32.const 64) "bad config")
)
