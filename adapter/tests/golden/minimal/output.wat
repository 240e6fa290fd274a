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
  (type (;11;) (func (param i32 i32 i32) (result i32)))
  (type (;12;) (func (param i32 i32 i32 i32)))
  (type (;13;) (func (param i32 i32 i32 i32 i32 i32)))
  (type (;14;) (func (param i32 i32 i32)))
  (type (;15;) (func (result i32)))
  (type (;16;) (func (param i32) (result i32)))
  (type (;17;) (func (param i32)))
  (type (;18;) (func (param i32 i32)))
  (type (;19;) (func))
  (type (;20;) (func (param i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func (;0;) (type 10) (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func (;1;) (type 10) (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_log" (func (;2;) (type 11) (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func (;3;) (type 10) (param i32 i32 i32 i32 i32) (result i32)))
  (memory (;0;) 1)
  (global (;0;) (mut i32) i32.const 4096)
  (global (;1;) (mut i32) i32.const 0)
  (export "memory" (memory 0))
  (export "malloc" (func 21))
  (export "proxy_on_memory_allocate" (func 21))
  (export "_initialize" (func 24))
  (export "proxy_abi_version_0_2_1" (func 25))
  (export "proxy_on_configure" (func 26))
  (export "proxy_on_context_create" (func 27))
  (export "proxy_on_request_headers" (func 28))
  (export "proxy_on_request_body" (func 29))
  (export "proxy_on_request_trailers" (func 30))
  (export "proxy_on_response_headers" (func 31))
  (export "proxy_on_response_body" (func 32))
  (export "proxy_on_response_trailers" (func 33))
  (export "proxy_on_log" (func 34))
  (func (;4;) (type 3) (param i32 i32 i32 i32) (result i32)
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
    call 17
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
      call 18
    end
    i32.const 2
    i32.const 48
    i32.const 5
    call 19
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
  (func (;17;) (type 12) (param i32 i32 i32 i32)
    (local i32 i32 i32)
    call 20
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
  (func (;18;) (type 13) (param i32 i32 i32 i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    local.get 3
    local.get 4
    call 1
    local.get 5
    call 23
  )
  (func (;19;) (type 14) (param i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    call 2
    drop
  )
  (func (;20;) (type 15) (result i32)
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
      call 4
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
  (func (;21;) (type 16) (param i32) (result i32)
    (local i32)
    call 20
    local.set 1
    local.get 1
    i32.load offset=8
    if ;; label = @1
      local.get 0
      call 22
      local.get 1
      i32.load
      return
    end
    i32.const 0
    i32.const 0
    i32.const 1
    local.get 0
    call 4
  )
  (func (;22;) (type 17) (param i32)
    (local i32 i32 i32)
    call 20
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
      call 4
      i32.store
      local.get 1
      local.get 3
      i32.store offset=4
    end
  )
  (func (;23;) (type 18) (param i32 i32)
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
  (func (;24;) (type 19))
  (func (;25;) (type 19))
  (func (;26;) (type 20) (param i32 i32) (result i32)
    (local i32 i32 i32 i32 i32 i32)
    call 20
    local.set 2
    call 20
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
      call 3
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
      call 2
      drop
    end
    local.get 6
  )
  (func (;27;) (type 18) (param i32 i32)
    (local i32)
    local.get 1
    if ;; label = @1
      call 20
      local.set 2
      local.get 2
      local.get 0
      i32.store offset=12
      local.get 0
      call 6
    end
  )
  (func (;28;) (type 11) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call 20
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
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
  (func (;29;) (type 11) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call 20
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
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
  (func (;30;) (type 20) (param i32 i32) (result i32)
    (local i32 i32)
    call 20
    local.set 2
    local.get 2
    local.get 0
    i32.store offset=12
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
  (func (;31;) (type 11) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call 20
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
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
  (func (;32;) (type 11) (param i32 i32 i32) (result i32)
    (local i32 i32)
    call 20
    local.set 3
    local.get 3
    local.get 0
    i32.store offset=12
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
  (func (;33;) (type 20) (param i32 i32) (result i32)
    (local i32 i32)
    call 20
    local.set 2
    local.get 2
    local.get 0
    i32.store offset=12
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
  (func (;34;) (type 17) (param i32)
    (local i32)
    call 20
    local.set 1
    local.get 1
    local.get 0
    i32.store offset=12
    local.get 0
    call 13
  )
  (data (;0;) (i32.const 16) "x-name")
  (data (;1;) (i32.const 32) "x-hello")
  (data (;2;) (i32.const 48) "hello")
  (data (;3;) (i32.const 64) "bad config")
)
