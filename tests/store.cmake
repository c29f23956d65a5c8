# The SQLite store (src/store/): write path, events virtual table, schema
# creation and upgrade, bounded memory, readers beside a writer, and
# `ojo query`. Needs the ojo tool; store_readers and store_writers also run under
# TSan.
if(TARGET ojo_tool)
  ojo_test_programs(ojo_tool store_roundtrip store_schema store_memory
    store_readers store_cli store_rollup store_writers)
  add_test(NAME store_roundtrip COMMAND store_roundtrip)
  add_test(NAME store_schema COMMAND store_schema)
  # connection rows carry their streams' totals (schema v3)
  add_test(NAME store_rollup COMMAND store_rollup)
  # one 8M-event transaction; fewer under the sanitizers (slow, and their
  # shadow memory makes the RSS bound meaningless: only printed there)
  if(OJO_SANITIZE STREQUAL "")
    add_test(NAME store_memory COMMAND store_memory 8000000)
  else()
    add_test(NAME store_memory COMMAND store_memory 1000000)
  endif()
  add_test(NAME store_readers COMMAND store_readers)
  # several writers at once: first opens, the same files (also TSan)
  add_test(NAME store_writers COMMAND store_writers)
  set_tests_properties(store_readers store_writers PROPERTIES
    LABELS "concurrency")
  # `ojo query` through the real binary
  add_test(NAME store_cli COMMAND store_cli $<TARGET_FILE:ojo>)
endif()
