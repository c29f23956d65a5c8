# qlog import throughput against cJSON parse-only (bench_qlog.c, issue 5).
if(TARGET ojo_tool)
  add_executable(bench_qlog ${CMAKE_CURRENT_LIST_DIR}/bench_qlog.c)
  target_link_libraries(bench_qlog PRIVATE ojo_tool)
  add_dependencies(benches bench_qlog)
endif()
