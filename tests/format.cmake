# The trace format and its reader (docs/FORMAT.md, lib/reader.c).
set(_format_tests format_reader format_name format_roundtrip format_catalog)
ojo_test_programs(ojo_static ${_format_tests})
foreach(t ${_format_tests})
  add_test(NAME ${t} COMMAND ${t})
endforeach()
target_compile_definitions(format_catalog PRIVATE
  OJO_FORMAT_MD="${PROJECT_SOURCE_DIR}/docs/FORMAT.md")
set_tests_properties(format_roundtrip PROPERTIES LABELS "concurrency")

# The fuzz target as a plain program: seeds and deterministic mutations, so
# every ctest run (and the ASan build) exercises it.
add_executable(fuzz_reader_replay ${CMAKE_CURRENT_LIST_DIR}/fuzz_reader.c)
target_compile_definitions(fuzz_reader_replay PRIVATE OJO_FUZZ_MAIN)
target_link_libraries(fuzz_reader_replay PRIVATE ojo_static)
add_test(NAME fuzz_reader_replay COMMAND fuzz_reader_replay)

# The real libFuzzer target, when clang and its fuzzer runtime are present:
#   cmake --build build --target fuzz_reader
#   build/tests/fuzz_reader -max_total_time=60 CORPUS_DIR
find_program(OJO_CLANG NAMES clang clang-14)
if(OJO_CLANG AND NOT DEFINED OJO_CLANG_FUZZER)
  set(_probe ${CMAKE_CURRENT_BINARY_DIR}/fuzz_probe.c)
  file(WRITE ${_probe} "#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return (int)(n & 0) + (d ? 0 : 0); }\n")
  execute_process(COMMAND ${OJO_CLANG} -fsanitize=fuzzer,address ${_probe}
                          -o ${CMAKE_CURRENT_BINARY_DIR}/fuzz_probe
                  RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
  if(_rc EQUAL 0)
    set(OJO_CLANG_FUZZER ON CACHE INTERNAL "clang can build libFuzzer targets")
  else()
    set(OJO_CLANG_FUZZER OFF CACHE INTERNAL "clang can build libFuzzer targets")
  endif()
endif()
if(OJO_CLANG_FUZZER)
  set(_fuzz_bin ${CMAKE_CURRENT_BINARY_DIR}/fuzz_reader)
  add_custom_command(OUTPUT ${_fuzz_bin}
    COMMAND ${OJO_CLANG} -std=c17 -g -O1 -D_GNU_SOURCE
            -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
            -I${PROJECT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR}/lib
            ${CMAKE_CURRENT_LIST_DIR}/fuzz_reader.c
            ${PROJECT_SOURCE_DIR}/lib/reader.c -o ${_fuzz_bin}
    DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fuzz_reader.c
            ${PROJECT_SOURCE_DIR}/lib/reader.c
            ${PROJECT_SOURCE_DIR}/include/ojo/reader.h
            ${PROJECT_SOURCE_DIR}/include/ojo/format.h
    COMMENT "Building libFuzzer target fuzz_reader with clang")
  add_custom_target(fuzz_reader ALL DEPENDS ${_fuzz_bin})
  if(OJO_SANITIZE STREQUAL "")
    # A short real fuzzing run on the seeds; crashes are kept in the build
    # directory (fuzz-reader-crash-*) for replay with fuzz_reader_replay.
    add_test(NAME fuzz_reader_libfuzzer COMMAND sh -c
      "d=$(mktemp -d) && \"$1\" --write-seeds \"$d\" && \"$2\" -max_total_time=10 -artifact_prefix=\"$3/fuzz-reader-crash-\" \"$d\" >\"$d.log\" 2>&1; rc=$?; tail -n 5 \"$d.log\"; rm -rf \"$d\" \"$d.log\"; exit $rc"
      sh $<TARGET_FILE:fuzz_reader_replay> ${_fuzz_bin} ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(fuzz_reader_libfuzzer PROPERTIES LABELS "fuzz")
  endif()
endif()
