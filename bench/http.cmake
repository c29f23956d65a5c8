# Latency of `ojo serve` on a >= 10M-event database (bench_serve.c).
if(TARGET ojo_tool AND TARGET http_mkdb)
  add_executable(bench_serve ${CMAKE_CURRENT_LIST_DIR}/bench_serve.c)
  target_compile_definitions(bench_serve PRIVATE
    OJO_BIN="$<TARGET_FILE:ojo>" OJO_MKDB="$<TARGET_FILE:http_mkdb>")
  add_dependencies(bench_serve ojo http_mkdb)
  add_dependencies(benches bench_serve)
endif()
