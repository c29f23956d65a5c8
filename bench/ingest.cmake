# Latency from a file's rename into output/ to its events being queryable
# through a running `ojo watch` (see bench_watch_latency.c).
if(TARGET ojo_tool)
  add_executable(bench_watch_latency ${CMAKE_CURRENT_LIST_DIR}/bench_watch_latency.c)
  target_link_libraries(bench_watch_latency PRIVATE ojo_tool)
  target_compile_definitions(bench_watch_latency PRIVATE OJO_BIN="$<TARGET_FILE:ojo>")
  add_dependencies(bench_watch_latency ojo)
  add_dependencies(benches bench_watch_latency)
endif()
