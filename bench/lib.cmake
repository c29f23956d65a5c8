# ns per ojo_record next to baselines (see the comment in bench_record.c).
add_executable(bench_record ${CMAKE_CURRENT_LIST_DIR}/bench_record.c)
target_link_libraries(bench_record PRIVATE ojo_static)
add_dependencies(benches bench_record)
