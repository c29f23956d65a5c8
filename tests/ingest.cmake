# Ingestion (src/ingest, `ojo watch`): needs the ojo tool. ingest_race
# (`ojo import` beside a running watcher, one process) is also run under
# TSan (`make test-tsan`).
if(TARGET ojo_tool)
  ojo_test_programs(ojo_tool ingest_exact ingest_corrupt ingest_memory
    ingest_race ingest_tool)
  add_test(NAME ingest_exact COMMAND ingest_exact)
  add_test(NAME ingest_corrupt COMMAND ingest_corrupt)
  add_test(NAME ingest_race COMMAND ingest_race)
  set_tests_properties(ingest_race PROPERTIES LABELS "concurrency")
  # a 240 MB file may raise the peak RSS by 96 MB at most (ASan: smaller
  # file, its shadow memory needs a larger allowance)
  if(OJO_SANITIZE STREQUAL "")
    add_test(NAME ingest_memory COMMAND ingest_memory 10000000 96)
  else()
    add_test(NAME ingest_memory COMMAND ingest_memory 4000000 160)
  endif()
  # writers that keep their file open and pause past the settle time
  add_test(NAME ingest_inplace COMMAND ${CMAKE_CURRENT_LIST_DIR}/ingest_inplace.sh
    $<TARGET_FILE:ojo> $<TARGET_FILE:ingest_tool>
    ${OJO_QLOG_CORPUS})
  add_test(NAME ingest_watch COMMAND ${CMAKE_CURRENT_LIST_DIR}/ingest_watch.sh
    $<TARGET_FILE:ojo> $<TARGET_FILE:ingest_tool>
    ${OJO_QLOG_CORPUS})
  # 200 files, 2M events, 10 kills; smaller under the sanitizers.
  if(OJO_SANITIZE STREQUAL "")
    set(_per 10000)
  else()
    set(_per 1000)
  endif()
  add_test(NAME ingest_kill COMMAND ${CMAKE_CURRENT_LIST_DIR}/ingest_kill.sh
    $<TARGET_FILE:ojo> $<TARGET_FILE:ingest_tool> 200 ${_per} 10)
  # SIGINT in the middle of a large file's transaction
  add_executable(ingest_signal ${CMAKE_CURRENT_LIST_DIR}/ingest_signal.c)
  target_link_libraries(ingest_signal PRIVATE ojo_tool)
  target_include_directories(ingest_signal PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  add_test(NAME ingest_signal COMMAND ingest_signal $<TARGET_FILE:ojo>)
  set_tests_properties(ingest_exact ingest_corrupt ingest_memory ingest_race
    ingest_inplace ingest_watch ingest_kill ingest_signal
    PROPERTIES TIMEOUT 300)
endif()
