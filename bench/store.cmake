# Ingest throughput of the store against plain SQLite (issue 3):
#   build/bench/bench_ingest [EVENTS] [INDEX_BASELINE_EVENTS] [KEEP_DB]
if(TARGET ojo_tool)
  add_executable(bench_ingest ${CMAKE_CURRENT_LIST_DIR}/bench_ingest.c)
  target_link_libraries(bench_ingest PRIVATE ojo_tool)
  target_include_directories(bench_ingest PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  add_dependencies(benches bench_ingest)
endif()
