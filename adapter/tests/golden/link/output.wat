(module
  (type (;0;) (func (result i64)))
  (type (;1;) (func (param i32)))
  (type (;2;) (func (result i32)))
  (type (;3;) (func))
  (type (;4;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;5;) (func (param i32) (result i32)))
  (type (;6;) (func (param i32 i32 i32) (result i32)))
  (import "env" "proxy_set_tick_period_milliseconds" (func $env.proxy_set_tick_period_milliseconds (;0;) (type 5)))
  (import "env" "proxy_get_current_time_nanoseconds" (func $env.proxy_get_current_time_nanoseconds (;1;) (type 5)))
  (import "env" "proxy_log" (func $env.proxy_log (;2;) (type 6)))
  (table (;0;) 4 funcref)
  (memory (;0;) 1)
  (tag (;0;) (type 3))
  (global (;0;) (mut i32) i32.const 65536)
  (global (;1;) i32 i32.const 1024)
  (global (;2;) i32 i32.const 2)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut i32) i32.const 1000000000)
  (global (;5;) (mut i32) i32.const 0)
  (export "memory" (memory 0))
  (export "malloc" (func $gatewit-glue:Malloc))
  (export "proxy_on_memory_allocate" (func $gatewit-glue:Malloc))
  (export "_initialize" (func $gatewit-glue:_initialize))
  (export "proxy_abi_version_0_2_1" (func $gatewit-glue:proxy_abi_version_0_2_1))
  (export "proxy_on_tick" (func $gatewit-glue:proxy_on_tick))
  (elem (;0;) (i32.const 2) func $record)
  (func $record (;3;) (type 2) (result i32)
    i32.const 1024
    call $gatewit:plugin/time@0.1.0#now-nanos
    i64.store offset=4
    i32.const 1024
  )
  (func $init (;4;) (type 3)
    i32.const 1000
    call $gatewit:plugin/time@0.1.0#set-tick-period
  )
  (func (;5;) (type 2) (result i32)
    call $record
  )
  (func (;6;) (type 3)
    call 5
    i32.const 2
    call_indirect (type 2)
    i32.ne
    if ;; label = @1
      throw 0
    end
  )
  (func (;7;) (type 4) (param i32 i32 i32 i32) (result i32)
    i32.const 2048
  )
  (func (;8;) (type 3)
    call $init
  )
  (func $gatewit:plugin/time@0.1.0#now-nanos (;9;) (type 0) (result i64)
    call $gatewit-glue:Now
  )
  (func $gatewit:plugin/time@0.1.0#set-tick-period (;10;) (type 1) (param i32)
    local.get 0
    call $env.proxy_set_tick_period_milliseconds
    drop
  )
  (func $gatewit-glue:State (;11;) (type 2) (result i32)
    (local i32)
    global.get 3
    local.tee 0
    i32.eqz
    if ;; label = @1
      i32.const 104
      local.set 0
      i32.const 0
      i32.const 0
      i32.const 8
      local.get 0
      call 7
      local.set 0
      local.get 0
      i32.const 0
      i32.const 104
      memory.fill
      local.get 0
      global.set 3
    end
    local.get 0
  )
  (func $gatewit-glue:Malloc (;12;) (type 5) (param i32) (result i32)
    (local i32)
    global.get 3
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
    call 7
  )
  (func $gatewit-glue:EnsureScratch (;13;) (type 1) (param i32)
    (local i32 i32 i32)
    global.get 3
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
      call 7
      i32.store
      local.get 1
      local.get 3
      i32.store offset=4
    end
  )
  (func $gatewit-glue:Now (;14;) (type 0) (result i64)
    (local i32)
    global.get 3
    local.tee 0
    i32.eqz
    if ;; label = @1
      call $gatewit-glue:State
      local.set 0
    end
    local.get 0
    i32.const 32
    i32.add
    call $env.proxy_get_current_time_nanoseconds
    drop
    local.get 0
    i64.load offset=32
  )
  (func $gatewit-glue:StepsExhausted (;15;) (type 3)
    (local i32 i32 i32)
    i32.const 2147483647
    global.set 4
    global.get 3
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
  (func $gatewit-glue:Grow (;16;) (type 5) (param i32) (result i32)
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
  (func $gatewit-glue:Panicked (;17;) (type 3)
    (local i32 i32 i32)
    global.get 3
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
    global.get 5
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
  (func $gatewit-glue:_initialize (;18;) (type 3)
    i32.const 1000000000
    global.set 4
    i32.const 0
    global.set 5
    call 8
  )
  (func $gatewit-glue:proxy_abi_version_0_2_1 (;19;) (type 3))
  (func $gatewit-glue:proxy_on_tick (;20;) (type 1) (param i32)
    (local i32 i32)
    i32.const 1000000000
    global.set 4
    i32.const 10
    global.set 5
    global.get 0
    local.set 2
    try ;; label = @1
      global.get 3
      local.tee 1
      i32.eqz
      if ;; label = @2
        call $gatewit-glue:State
        local.set 1
      end
      local.get 1
      i32.const 0
      i32.store offset=12
      local.get 1
      i32.const 0
      i32.store offset=88
      call 6
    catch 0
      local.get 2
      global.set 0
      call $gatewit-glue:Panicked
    end
  )
  (data (;0;) (i32.const 1024) "tick")
)
