(module
  (type (;0;) (func (param i32 i32 i32 i32)))
  (type (;1;) (func (param i32 i32)))
  (type (;2;) (func (param i32 i32 i32 i32 i32 i32)))
  (type (;3;) (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (type (;4;) (func (param i32)))
  (type (;5;) (func (param i32 i32 i32)))
  (type (;6;) (func (param i32 i32 i32 i32 i32)))
  (type (;7;) (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (type (;8;) (func (result i32)))
  (type (;9;) (func (param i32 i64 i32)))
  (type (;10;) (func (result i64)))
  (type (;11;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;12;) (func (param i32 i32) (result i32)))
  (type (;13;) (func (param i32 i32 i32) (result i32)))
  (type (;14;) (func))
  (type (;15;) (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (type (;16;) (func (param i32 i32 i32 i32 i32) (result i32)))
  (type (;17;) (func (param i32 i32 i32) (result i32)))
  (type (;18;) (func (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (type (;19;) (func (param i32) (result i32)))
  (type (;20;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;21;) (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (type (;22;) (func (param i32 i64) (result i32)))
  (type (;23;) (func (param i32 i32) (result i32)))
  (type (;24;) (func (param i32 i32 i32 i32)))
  (type (;25;) (func (param i32 i32)))
  (type (;26;) (func (param i32 i32 i32 i32 i32 i32)))
  (type (;27;) (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (type (;28;) (func (param i32)))
  (type (;29;) (func (param i32 i32 i32)))
  (type (;30;) (func (param i32 i32 i32 i32 i32)))
  (type (;31;) (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (type (;32;) (func (result i32)))
  (type (;33;) (func (param i32 i64 i32)))
  (type (;34;) (func (result i64)))
  (type (;35;) (func))
  (import "env" "proxy_get_header_map_value" (func (;0;) (type 16) (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_header_map_pairs" (func (;1;) (type 17) (param i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func (;2;) (type 16) (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value" (func (;3;) (type 16) (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_remove_header_map_value" (func (;4;) (type 17) (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func (;5;) (type 16) (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_buffer_bytes" (func (;6;) (type 16) (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_send_local_response" (func (;7;) (type 18) (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_continue_stream" (func (;8;) (type 19) (param i32) (result i32)))
  (import "env" "proxy_get_property" (func (;9;) (type 20) (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_property" (func (;10;) (type 20) (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_http_call" (func (;11;) (type 21) (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_log" (func (;12;) (type 17) (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_log_level" (func (;13;) (type 19) (param i32) (result i32)))
  (import "env" "proxy_define_metric" (func (;14;) (type 20) (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_increment_metric" (func (;15;) (type 22) (param i32 i64) (result i32)))
  (import "env" "proxy_record_metric" (func (;16;) (type 22) (param i32 i64) (result i32)))
  (import "env" "proxy_get_metric" (func (;17;) (type 23) (param i32 i32) (result i32)))
  (import "env" "proxy_get_shared_data" (func (;18;) (type 16) (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_shared_data" (func (;19;) (type 16) (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_tick_period_milliseconds" (func (;20;) (type 19) (param i32) (result i32)))
  (import "env" "proxy_get_header_map_pairs" (func (;21;) (type 17) (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_current_time_nanoseconds" (func (;22;) (type 19) (param i32) (result i32)))
  (import "env" "proxy_set_effective_context" (func (;23;) (type 19) (param i32) (result i32)))
  (memory (;0;) 1)
  (global (;0;) (mut i32) i32.const 4096)
  (global (;1;) (mut i32) i32.const 0)
  (export "memory" (memory 0))
  (export "malloc" (func 66))
  (export "proxy_on_memory_allocate" (func 66))
  (export "_initialize" (func 77))
  (export "proxy_abi_version_0_2_1" (func 78))
  (export "proxy_on_configure" (func 79))
  (export "proxy_on_context_create" (func 80))
  (export "proxy_on_request_headers" (func 81))
  (export "proxy_on_request_body" (func 82))
  (export "proxy_on_request_trailers" (func 83))
  (export "proxy_on_response_headers" (func 84))
  (export "proxy_on_response_body" (func 85))
  (export "proxy_on_response_trailers" (func 86))
  (export "proxy_on_log" (func 87))
  (export "proxy_on_tick" (func 88))
  (export "proxy_on_http_call_response" (func 89))
  (func (;24;) (type 11) (param i32 i32 i32 i32) (result i32)
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
  (func (;25;) (type 12) (param i32 i32) (result i32)
    i32.const 16
    i32.const 5
    i32.const 1
    i32.const 0
    i32.const 1
    i32.const 0
    i32.const 1000
    i32.const 2
    i32.const 0
    i32.const 0
    i32.const 1
    i32.const 1024
    i32.const 0
    i32.const 600
    call 53
    i32.const 1000
    call 64
    i32.const 512
    i32.const 0
    i32.store8
    i32.const 512
  )
  (func (;26;) (type 4) (param i32))
  (func (;27;) (type 13) (param i32 i32 i32) (result i32)
    i32.const 32
    i32.const 7
    i32.const 128
    i32.const 1
    i32.const 0
    i32.const 0
    i32.const 8
    i32.const 0
    i32.const 500
    i32.const 640
    call 52
    i32.const 16
    i32.const 5
    i32.const 48
    i32.const 14
    i32.const 656
    call 54
    i32.const 3
  )
  (func (;28;) (type 13) (param i32 i32 i32) (result i32)
    i32.const 3
  )
  (func (;29;) (type 12) (param i32 i32) (result i32)
    i32.const 0
  )
  (func (;30;) (type 13) (param i32 i32 i32) (result i32)
    i32.const 2
  )
  (func (;31;) (type 13) (param i32 i32 i32) (result i32)
    i32.const 0
  )
  (func (;32;) (type 12) (param i32 i32) (result i32)
    i32.const 0
  )
  (func (;33;) (type 4) (param i32))
  (func (;34;) (type 14))
  (func (;35;) (type 15) (param i32 i32 i32 i32 i32 i32 i32 i32 i32)
    local.get 2
    if ;; label = @1
      i32.const 4
      i32.const 80
      i32.const 11
      call 55
    else
      i32.const 2
      local.get 5
      local.get 6
      call 55
      local.get 4
      if ;; label = @2
        i32.const 2
        local.get 3
        i32.load offset=8
        local.get 3
        i32.load offset=12
        call 55
      end
    end
  )
  (func (;36;) (type 6) (param i32 i32 i32 i32 i32)
    local.get 2
    if ;; label = @1
      i32.const 4
      i32.const 96
      i32.const 12
      call 55
    else
      i32.const 2
      local.get 3
      local.get 4
      call 55
    end
  )
  (func (;37;) (type 24) (param i32 i32 i32 i32)
    (local i32 i32 i32)
    call 65
    local.set 4
    local.get 0
    local.get 1
    local.get 2
    local.get 4
    i32.const 16
    i32.add
    local.get 4
    i32.const 20
    i32.add
    call 0
    i32.eqz
    if ;; label = @1
      local.get 4
      i32.load offset=16
      local.set 5
      local.get 4
      i32.load offset=20
      local.set 6
      local.get 3
      i32.const 1
      i32.store8
      local.get 3
      local.get 5
      i32.const 1
      local.get 6
      select
      i32.store offset=4
      local.get 3
      local.get 6
      i32.store offset=8
    else
      local.get 3
      i32.const 0
      i32.store8
    end
  )
  (func (;38;) (type 25) (param i32 i32)
    (local i32)
    call 65
    local.set 2
    local.get 1
    local.get 0
    call 70
    i32.store
    local.get 1
    local.get 2
    i32.load offset=28
    i32.store offset=4
  )
  (func (;39;) (type 24) (param i32 i32 i32 i32)
    (local i32 i32)
    call 65
    local.set 4
    local.get 1
    local.get 2
    i32.const 0
    call 68
    local.set 5
    local.get 0
    local.get 4
    i32.load
    local.get 5
    call 1
    local.get 3
    call 72
  )
  (func (;40;) (type 26) (param i32 i32 i32 i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    call 2
    local.get 5
    call 72
  )
  (func (;41;) (type 26) (param i32 i32 i32 i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    call 3
    local.get 5
    call 72
  )
  (func (;42;) (type 24) (param i32 i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    call 4
    local.get 3
    call 72
  )
  (func (;43;) (type 24) (param i32 i32 i32 i32)
    (local i32 i32 i32)
    call 65
    local.set 4
    i32.const 0
    local.set 6
    local.get 0
    local.get 1
    local.get 2
    local.get 4
    i32.const 16
    i32.add
    local.get 4
    i32.const 20
    i32.add
    call 5
    i32.eqz
    if ;; label = @1
      local.get 4
      i32.load offset=16
      local.set 5
      local.get 4
      i32.load offset=20
      local.set 6
    end
    local.get 3
    local.get 5
    i32.const 1
    local.get 6
    select
    i32.store
    local.get 3
    local.get 6
    i32.store offset=4
  )
  (func (;44;) (type 24) (param i32 i32 i32 i32)
    local.get 0
    i32.const 0
    i32.const 2147483647
    local.get 1
    local.get 2
    call 6
    local.get 3
    call 72
  )
  (func (;45;) (type 24) (param i32 i32 i32 i32)
    local.get 0
    i32.const 2147483647
    i32.const 0
    local.get 1
    local.get 2
    call 6
    local.get 3
    call 72
  )
  (func (;46;) (type 24) (param i32 i32 i32 i32)
    local.get 0
    i32.const 0
    i32.const 0
    local.get 1
    local.get 2
    call 6
    local.get 3
    call 72
  )
  (func (;47;) (type 27) (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (local i32 i32)
    call 65
    local.set 10
    local.get 1
    local.get 2
    i32.const 0
    call 68
    local.set 11
    local.get 0
    local.get 7
    local.get 8
    local.get 3
    local.get 4
    local.get 10
    i32.load
    local.get 11
    local.get 6
    i32.const -1
    local.get 5
    select
    call 7
    local.get 9
    call 72
  )
  (func (;48;) (type 28) (param i32)
    i32.const 0
    call 8
    local.get 0
    call 72
  )
  (func (;49;) (type 28) (param i32)
    i32.const 1
    call 8
    local.get 0
    call 72
  )
  (func (;50;) (type 29) (param i32 i32 i32)
    (local i32 i32 i32 i32)
    call 65
    local.set 3
    local.get 0
    local.get 1
    call 76
    local.set 4
    local.get 3
    i32.load
    local.get 4
    local.get 3
    i32.const 16
    i32.add
    local.get 3
    i32.const 20
    i32.add
    call 9
    i32.eqz
    if ;; label = @1
      local.get 3
      i32.load offset=16
      local.set 5
      local.get 3
      i32.load offset=20
      local.set 6
      local.get 2
      i32.const 1
      i32.store8
      local.get 2
      local.get 5
      i32.const 1
      local.get 6
      select
      i32.store offset=4
      local.get 2
      local.get 6
      i32.store offset=8
    else
      local.get 2
      i32.const 0
      i32.store8
    end
  )
  (func (;51;) (type 30) (param i32 i32 i32 i32 i32)
    (local i32 i32)
    call 65
    local.set 5
    local.get 0
    local.get 1
    call 76
    local.set 6
    local.get 5
    i32.load
    local.get 6
    local.get 2
    local.get 3
    call 10
    local.get 4
    call 72
  )
  (func (;52;) (type 27) (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    (local i32 i32 i32 i32 i32)
    call 65
    local.set 10
    local.get 2
    local.get 3
    i32.const 0
    call 68
    local.set 11
    local.get 6
    local.get 7
    local.get 11
    call 68
    local.set 12
    local.get 10
    i32.load
    local.set 13
    local.get 0
    local.get 1
    local.get 13
    local.get 11
    local.get 4
    local.get 5
    local.get 13
    local.get 11
    i32.add
    local.get 12
    local.get 11
    i32.sub
    local.get 8
    local.get 10
    i32.const 16
    i32.add
    call 11
    local.tee 14
    i32.eqz
    if ;; label = @1
      local.get 10
      i32.load offset=16
      local.get 10
      i32.load offset=12
      i32.const 1
      local.get 8
      call 74
      local.get 9
      i32.const 0
      i32.store8
      local.get 9
      local.get 10
      i32.load offset=16
      i32.store offset=4
    else
      local.get 9
      i32.const 1
      i32.store8
      local.get 9
      local.get 14
      i32.const 1
      i32.sub
      i32.store8 offset=4
    end
  )
  (func (;53;) (type 31) (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
    local.get 13
    i32.const 1
    i32.store8
    local.get 13
    i32.const 0
    i32.store8 offset=1
  )
  (func (;54;) (type 30) (param i32 i32 i32 i32 i32)
    local.get 4
    i32.const 1
    i32.store8
    local.get 4
    i32.const 11
    i32.store8 offset=4
  )
  (func (;55;) (type 29) (param i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    call 12
    drop
  )
  (func (;56;) (type 32) (result i32)
    (local i32)
    call 65
    local.set 0
    local.get 0
    i32.const 16
    i32.add
    call 13
    i32.eqz
    if ;; label = @1
      local.get 0
      i32.load offset=16
      return
    end
    i32.const 2
  )
  (func (;57;) (type 24) (param i32 i32 i32 i32)
    (local i32 i32)
    call 65
    local.set 4
    local.get 0
    local.get 1
    local.get 2
    local.get 4
    i32.const 16
    i32.add
    call 14
    local.tee 5
    i32.eqz
    if ;; label = @1
      local.get 3
      i32.const 0
      i32.store8
      local.get 3
      local.get 4
      i32.load offset=16
      i32.store offset=4
    else
      local.get 3
      i32.const 1
      i32.store8
      local.get 3
      local.get 5
      i32.const 1
      i32.sub
      i32.store8 offset=4
    end
  )
  (func (;58;) (type 33) (param i32 i64 i32)
    local.get 0
    local.get 1
    call 15
    local.get 2
    call 72
  )
  (func (;59;) (type 33) (param i32 i64 i32)
    local.get 0
    local.get 1
    call 16
    local.get 2
    call 72
  )
  (func (;60;) (type 25) (param i32 i32)
    (local i32 i32)
    call 65
    local.set 2
    local.get 0
    local.get 2
    i32.const 32
    i32.add
    call 17
    local.tee 3
    i32.eqz
    if ;; label = @1
      local.get 1
      i32.const 0
      i32.store8
      local.get 1
      local.get 2
      i64.load offset=32
      i64.store offset=8
    else
      local.get 1
      i32.const 1
      i32.store8
      local.get 1
      local.get 3
      i32.const 1
      i32.sub
      i32.store8 offset=8
    end
  )
  (func (;61;) (type 29) (param i32 i32 i32)
    (local i32 i32 i32)
    call 65
    local.set 3
    local.get 0
    local.get 1
    local.get 3
    i32.const 16
    i32.add
    local.get 3
    i32.const 20
    i32.add
    local.get 3
    i32.const 24
    i32.add
    call 18
    i32.eqz
    if ;; label = @1
      local.get 3
      i32.load offset=16
      local.set 4
      local.get 3
      i32.load offset=20
      local.set 5
      local.get 2
      i32.const 1
      i32.store8
      local.get 2
      local.get 4
      i32.const 1
      local.get 5
      select
      i32.store offset=4
      local.get 2
      local.get 5
      i32.store offset=8
      local.get 2
      local.get 3
      i32.load offset=24
      i32.store offset=12
    else
      local.get 2
      i32.const 0
      i32.store8
    end
  )
  (func (;62;) (type 26) (param i32 i32 i32 i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    call 19
    local.get 5
    call 72
  )
  (func (;63;) (type 34) (result i64)
    call 73
  )
  (func (;64;) (type 28) (param i32)
    local.get 0
    call 20
    drop
  )
  (func (;65;) (type 32) (result i32)
    (local i32)
    global.get 1
    local.tee 0
    i32.eqz
    if ;; label = @1
      i32.const 64
      local.set 0
      i32.const 0
      i32.const 0
      i32.const 8
      local.get 0
      call 24
      local.set 0
      local.get 0
      i32.const 0
      i32.const 64
      memory.fill
      local.get 0
      global.set 1
    end
    local.get 0
  )
  (func (;66;) (type 19) (param i32) (result i32)
    (local i32)
    call 65
    local.set 1
    local.get 1
    i32.load offset=8
    if ;; label = @1
      local.get 0
      call 67
      local.get 1
      i32.load
      return
    end
    i32.const 0
    i32.const 0
    i32.const 1
    local.get 0
    call 24
  )
  (func (;67;) (type 28) (param i32)
    (local i32 i32 i32)
    call 65
    local.set 1
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
      call 24
      i32.store
      local.get 1
      local.get 3
      i32.store offset=4
    end
  )
  (func (;68;) (type 17) (param i32 i32 i32) (result i32)
    (local i32 i32 i32 i32 i32 i32 i32)
    call 65
    local.set 3
    local.get 1
    i32.const 8
    i32.mul
    i32.const 4
    i32.add
    local.set 4
    i32.const 0
    local.set 5
    block ;; label = @1
      loop ;; label = @2
        local.get 5
        local.get 1
        i32.ge_u
        br_if 1 (;@1;)
        local.get 0
        local.get 5
        i32.const 16
        i32.mul
        i32.add
        local.set 6
        local.get 4
        local.get 6
        i32.load offset=4
        i32.add
        local.get 6
        i32.load offset=12
        i32.add
        i32.const 2
        i32.add
        local.set 4
        local.get 5
        i32.const 1
        i32.add
        local.set 5
        br 0 (;@2;)
      end
    end
    local.get 2
    local.get 4
    i32.add
    call 67
    local.get 3
    i32.load
    local.get 2
    i32.add
    local.set 7
    local.get 7
    local.get 1
    i32.store
    local.get 7
    i32.const 4
    i32.add
    local.get 1
    i32.const 8
    i32.mul
    i32.add
    local.set 8
    i32.const 0
    local.set 5
    block ;; label = @1
      loop ;; label = @2
        local.get 5
        local.get 1
        i32.ge_u
        br_if 1 (;@1;)
        local.get 0
        local.get 5
        i32.const 16
        i32.mul
        i32.add
        local.set 6
        local.get 6
        i32.load offset=4
        local.set 9
        local.get 7
        local.get 5
        i32.const 8
        i32.mul
        i32.add
        local.get 9
        i32.store offset=4
        local.get 8
        local.get 6
        i32.load
        local.get 9
        memory.copy
        local.get 8
        local.get 9
        i32.add
        local.tee 8
        i32.const 0
        i32.store8
        local.get 8
        i32.const 1
        i32.add
        local.set 8
        local.get 6
        i32.load offset=12
        local.set 9
        local.get 7
        local.get 5
        i32.const 8
        i32.mul
        i32.add
        local.get 9
        i32.store offset=8
        local.get 8
        local.get 6
        i32.load offset=8
        local.get 9
        memory.copy
        local.get 8
        local.get 9
        i32.add
        local.tee 8
        i32.const 0
        i32.store8
        local.get 8
        i32.const 1
        i32.add
        local.set 8
        local.get 5
        i32.const 1
        i32.add
        local.set 5
        br 0 (;@2;)
      end
    end
    local.get 2
    local.get 4
    i32.add
  )
  (func (;69;) (type 23) (param i32 i32) (result i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32)
    call 65
    local.set 2
    i32.const 0
    local.set 3
    local.get 1
    i32.const 4
    i32.ge_u
    if ;; label = @1
      local.get 0
      i32.load
      local.set 3
    end
    local.get 2
    local.get 3
    i32.store offset=28
    local.get 3
    i32.eqz
    if ;; label = @1
      i32.const 4
      return
    end
    local.get 3
    i32.const 16
    i32.mul
    local.set 9
    i32.const 0
    i32.const 0
    i32.const 4
    local.get 9
    call 24
    local.set 4
    local.get 0
    i32.const 4
    i32.add
    local.get 3
    i32.const 8
    i32.mul
    i32.add
    local.set 7
    i32.const 0
    local.set 5
    block ;; label = @1
      loop ;; label = @2
        local.get 5
        local.get 3
        i32.ge_u
        br_if 1 (;@1;)
        local.get 4
        local.get 5
        i32.const 16
        i32.mul
        i32.add
        local.set 6
        local.get 0
        local.get 5
        i32.const 8
        i32.mul
        i32.add
        i32.load offset=4
        local.set 8
        local.get 6
        local.get 7
        local.get 8
        call 71
        i32.store
        local.get 6
        local.get 8
        i32.store offset=4
        local.get 7
        local.get 8
        i32.add
        i32.const 1
        i32.add
        local.set 7
        local.get 0
        local.get 5
        i32.const 8
        i32.mul
        i32.add
        i32.load offset=8
        local.set 8
        local.get 6
        local.get 7
        local.get 8
        call 71
        i32.store offset=8
        local.get 6
        local.get 8
        i32.store offset=12
        local.get 7
        local.get 8
        i32.add
        i32.const 1
        i32.add
        local.set 7
        local.get 5
        i32.const 1
        i32.add
        local.set 5
        br 0 (;@2;)
      end
    end
    local.get 4
  )
  (func (;70;) (type 19) (param i32) (result i32)
    (local i32 i32)
    call 65
    local.set 1
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
    call 21
    local.set 2
    local.get 1
    i32.const 0
    i32.store offset=8
    local.get 2
    if ;; label = @1
      local.get 1
      i32.const 0
      i32.store offset=28
      i32.const 4
      return
    end
    local.get 1
    i32.load offset=16
    local.get 1
    i32.load offset=20
    call 69
  )
  (func (;71;) (type 23) (param i32 i32) (result i32)
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
    call 24
    local.tee 2
    local.get 0
    local.get 1
    memory.copy
    local.get 2
  )
  (func (;72;) (type 25) (param i32 i32)
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
  (func (;73;) (type 34) (result i64)
    (local i32)
    call 65
    local.set 0
    local.get 0
    i32.const 32
    i32.add
    call 22
    drop
    local.get 0
    i64.load offset=32
  )
  (func (;74;) (type 24) (param i32 i32 i32 i32)
    (local i32 i32 i32 i32 i32 i32)
    call 65
    local.set 4
    local.get 4
    i32.load offset=40
    local.set 5
    local.get 4
    i32.load offset=44
    local.set 6
    i32.const 0
    local.set 7
    block ;; label = @1
      block ;; label = @2
        loop ;; label = @3
          local.get 7
          local.get 6
          i32.ge_u
          br_if 1 (;@2;)
          local.get 5
          local.get 7
          i32.const 24
          i32.mul
          i32.add
          local.tee 8
          i32.load offset=12
          i32.eqz
          br_if 2 (;@1;)
          local.get 7
          i32.const 1
          i32.add
          local.set 7
          br 0 (;@3;)
        end
      end
      i32.const 8
      local.get 6
      i32.const 1
      i32.shl
      local.get 6
      select
      local.set 9
      local.get 5
      local.get 6
      i32.const 24
      i32.mul
      i32.const 8
      local.get 9
      i32.const 24
      i32.mul
      call 24
      local.set 5
      local.get 5
      local.get 6
      i32.const 24
      i32.mul
      i32.add
      local.tee 8
      i32.const 0
      local.get 9
      local.get 6
      i32.sub
      i32.const 24
      i32.mul
      memory.fill
      local.get 4
      local.get 5
      i32.store offset=40
      local.get 4
      local.get 9
      i32.store offset=44
    end
    local.get 8
    local.get 0
    i32.store
    local.get 8
    local.get 1
    i32.store offset=4
    local.get 8
    local.get 3
    i32.store offset=8
    local.get 8
    local.get 2
    i32.store offset=12
    local.get 8
    call 73
    i64.store offset=16
  )
  (func (;75;) (type 23) (param i32 i32) (result i32)
    (local i32 i32 i32 i32)
    call 65
    local.set 2
    local.get 2
    i32.load offset=44
    local.set 5
    i32.const 0
    local.set 3
    local.get 2
    i32.const 0
    i32.store offset=56
    block ;; label = @1
      loop ;; label = @2
        local.get 3
        local.get 5
        i32.ge_u
        br_if 1 (;@1;)
        local.get 2
        i32.load offset=40
        local.get 3
        i32.const 24
        i32.mul
        i32.add
        local.set 4
        local.get 4
        i32.load offset=12
        local.get 1
        i32.eq
        local.get 4
        i32.load
        local.get 0
        i32.eq
        i32.and
        if ;; label = @3
          local.get 4
          i32.const 0
          i32.store offset=12
          local.get 2
          local.get 4
          i64.load offset=16
          i64.store offset=48
          local.get 2
          local.get 4
          i32.load offset=8
          i32.store offset=56
          local.get 4
          i32.load offset=4
          return
        end
        local.get 3
        i32.const 1
        i32.add
        local.set 3
        br 0 (;@2;)
      end
    end
    i32.const 0
  )
  (func (;76;) (type 23) (param i32 i32) (result i32)
    (local i32 i32 i32 i32 i32 i32)
    call 65
    local.set 2
    i32.const 0
    local.set 3
    i32.const 0
    local.set 4
    block ;; label = @1
      loop ;; label = @2
        local.get 4
        local.get 1
        i32.ge_u
        br_if 1 (;@1;)
        local.get 0
        local.get 4
        i32.const 8
        i32.mul
        i32.add
        local.set 5
        local.get 3
        local.get 5
        i32.load offset=4
        i32.add
        i32.const 1
        i32.add
        local.set 3
        local.get 4
        i32.const 1
        i32.add
        local.set 4
        br 0 (;@2;)
      end
    end
    local.get 3
    call 67
    local.get 2
    i32.load
    local.set 6
    i32.const 0
    local.set 4
    block ;; label = @1
      loop ;; label = @2
        local.get 4
        local.get 1
        i32.ge_u
        br_if 1 (;@1;)
        local.get 0
        local.get 4
        i32.const 8
        i32.mul
        i32.add
        local.set 5
        local.get 5
        i32.load offset=4
        local.set 7
        local.get 6
        local.get 5
        i32.load
        local.get 7
        memory.copy
        local.get 6
        local.get 7
        i32.add
        local.tee 6
        i32.const 0
        i32.store8
        local.get 6
        i32.const 1
        i32.add
        local.set 6
        local.get 4
        i32.const 1
        i32.add
        local.set 4
        br 0 (;@2;)
      end
    end
    local.get 3
    local.get 3
    i32.const 0
    i32.ne
    i32.sub
  )
  (func (;77;) (type 35))
  (func (;78;) (type 35))
  (func (;79;) (type 23) (param i32 i32) (result i32)
    (local i32 i32 i32 i32 i32 i32)
    call 65
    local.set 2
    call 65
    local.set 7
    local.get 7
    i32.const 0
    i32.store offset=12
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
      call 5
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
    call 25
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
      call 12
      drop
    end
    local.get 6
  )
  (func (;80;) (type 25) (param i32 i32)
    (local i32)
    local.get 1
    if ;; label = @1
      call 65
      local.set 2
      local.get 2
      local.get 0
      i32.store offset=12
      local.get 0
      call 26
    end
  )
  (func (;81;) (type 17) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call 65
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
    local.get 0
    local.get 1
    local.get 2
    call 27
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
  (func (;82;) (type 17) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call 65
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
    local.get 0
    local.get 1
    local.get 2
    call 28
    local.set 4
    local.get 4
    i32.const 1
    local.get 4
    i32.const 2
    i32.lt_u
    select
  )
  (func (;83;) (type 23) (param i32 i32) (result i32)
    (local i32 i32)
    call 65
    local.set 2
    local.get 2
    local.get 0
    i32.store offset=12
    local.get 0
    local.get 1
    call 29
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
  (func (;84;) (type 17) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call 65
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
    local.get 0
    local.get 1
    local.get 2
    call 30
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
  (func (;85;) (type 17) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call 65
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
    local.get 0
    local.get 1
    local.get 2
    call 31
    local.set 4
    local.get 4
    i32.const 1
    local.get 4
    i32.const 2
    i32.lt_u
    select
  )
  (func (;86;) (type 23) (param i32 i32) (result i32)
    (local i32 i32)
    call 65
    local.set 2
    local.get 2
    local.get 0
    i32.store offset=12
    local.get 0
    local.get 1
    call 32
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
  (func (;87;) (type 28) (param i32)
    (local i32)
    call 65
    local.set 1
    local.get 1
    local.get 0
    i32.store offset=12
    local.get 0
    call 33
  )
  (func (;88;) (type 28) (param i32)
    (local i32)
    call 65
    local.set 1
    local.get 1
    i32.const 0
    i32.store offset=12
    call 34
  )
  (func (;89;) (type 30) (param i32 i32 i32 i32 i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32)
    call 65
    local.set 5
    local.get 1
    i32.const 1
    call 75
    local.set 6
    local.get 6
    if ;; label = @1
      local.get 6
      call 23
      drop
    end
    call 65
    local.set 13
    local.get 13
    local.get 6
    i32.store offset=12
    local.get 2
    i32.eqz
    if ;; label = @1
      local.get 6
      local.get 1
      i32.const 1
      i32.const 0
      i32.const 1
      call 73
      local.get 5
      i64.load offset=48
      i64.sub
      local.get 5
      i32.load offset=56
      i64.extend_i32_u
      i64.const 1000000
      i64.mul
      i64.ge_u
      local.get 5
      i32.load offset=56
      i32.const 0
      i32.ne
      i32.and
      select
      i32.const 0
      i32.const 0
      i32.const 0
      i32.const 0
      i32.const 0
      call 35
      return
    end
    i32.const 6
    call 70
    local.set 7
    local.get 5
    i32.load offset=28
    local.set 8
    i32.const 0
    local.set 10
    local.get 3
    if ;; label = @1
      i32.const 4
      i32.const 0
      local.get 3
      local.get 5
      i32.const 16
      i32.add
      local.get 5
      i32.const 20
      i32.add
      call 5
      i32.eqz
      if ;; label = @2
        local.get 5
        i32.load offset=16
        local.set 9
        local.get 5
        i32.load offset=20
        local.set 10
      end
    end
    i32.const 4
    local.set 11
    i32.const 0
    local.set 12
    local.get 4
    if ;; label = @1
      i32.const 7
      call 70
      local.set 11
      local.get 5
      i32.load offset=28
      local.set 12
    end
    local.get 6
    local.get 1
    i32.const 0
    local.get 7
    local.get 8
    local.get 9
    i32.const 1
    local.get 10
    select
    local.get 10
    local.get 11
    local.get 12
    call 35
  )
  (data (;0;) (i32.const 16) "redis")
  (data (;1;) (i32.const 32) "backend")
  (data (;2;) (i32.const 48) "*1\0d\0a$4\0d\0aPING\0d\0a")
  (data (;3;) (i32.const 80) "call failed")
  (data (;4;) (i32.const 96) "redis failed")
  (data (;5;) (i32.const 128) "\c0\00\00\00\05\00\00\00\c8\00\00\00\01\00\00\00")
  (data (;6;) (i32.const 192) ":path")
  (data (;7;) (i32.const 200) "/")
)
