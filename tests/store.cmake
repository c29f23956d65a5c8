# The SQLite store (src/store/): write path, events virtual table, schema
# creation and upgrade, bounded memory, readers beside a writer, and
# `ojo query`. Needs the ojo tool, so not in the TSan build
# (OJO_BUILD_TOOL=OFF there).
if(TARGET ojo_tool)
  foreach(t store_roundtrip store_schema store_memory store_readers store_cli)
    add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
    target_link_libraries(${t} PRIVATE ojo_tool)
    target_include_directories(${t} PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  endforeach()
  add_test(NAME store_roundtrip COMMAND store_roundtrip)
  add_test(NAME store_schema COMMAND store_schema)
  # one 8M-event transaction; fewer under the sanitizers (slow, and their
  # shadow memory makes the RSS bound meaningless: only printed there)
  if(OJO_SANITIZE STREQUAL "")
    add_test(NAME store_memory COMMAND store_memory 8000000)
  else()
    add_test(NAME store_memory COMMAND store_memory 1000000)
  endif()
  add_test(NAME store_readers COMMAND store_readers)
  set_tests_properties(store_readers PROPERTIES LABELS "concurrency")
  # `ojo query` through the real binary
  add_test(NAME store_cli COMMAND store_cli $<TARGET_FILE:ojo>)
endif()
