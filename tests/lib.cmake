# libojo: recording, flushing, failure handling (lib/*.c), and the stress
# tests that also run under ThreadSanitizer (LABELS concurrency).
ojo_test_programs(ojo_static lib_stress lib_live_reader lib_api lib_faults
  lib_nosyscall)

# Millions of events per thread in the normal build; sanitizers slow the
# writers down a lot on 2 cores, so they get fewer.
if(OJO_SANITIZE STREQUAL "")
  set(_n 2000000)
  set(_n8 1000000)
else()
  set(_n 1000000)
  set(_n8 400000)
endif()
# THREADS EVENTS_PER_THREAD RING_BYTES PRIVATE_RINGS; the last case has
# fewer private rings than threads, so five threads share one ring.
add_test(NAME lib_stress_2 COMMAND lib_stress 2 ${_n} 65536 16)
add_test(NAME lib_stress_4 COMMAND lib_stress 4 ${_n} 65536 16)
add_test(NAME lib_stress_8_shared COMMAND lib_stress 8 ${_n8} 16384 3)
add_test(NAME lib_live_reader COMMAND lib_live_reader ${_n})
set_tests_properties(lib_stress_2 lib_stress_4 lib_stress_8_shared
  lib_live_reader PROPERTIES LABELS "concurrency" TIMEOUT 300)

add_test(NAME lib_api COMMAND lib_api)
add_test(NAME lib_faults COMMAND lib_faults)
set_tests_properties(lib_api lib_faults PROPERTIES LABELS "concurrency")

# The hot path under strict seccomp. Sanitizer runtimes make system calls
# of their own inside instrumented code, so only the plain build runs it.
if(OJO_SANITIZE STREQUAL "")
  add_test(NAME lib_nosyscall COMMAND lib_nosyscall)
endif()

# ojo_record_now() under a BPF seccomp filter (sanitizer runtimes make
# system calls of their own, so only the plain build runs it).
if(OJO_SANITIZE STREQUAL "")
  ojo_test_programs(ojo_static lib_nosyscall_now)
  add_test(NAME lib_nosyscall_now COMMAND lib_nosyscall_now)
  set_tests_properties(lib_nosyscall_now PROPERTIES PASS_REGULAR_EXPRESSION "ok: ")
endif()
