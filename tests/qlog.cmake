# qlog import/export tests (src/qlog), on the corpus that tests/CMakeLists.txt
# unpacks into OJO_QLOG_CORPUS.
if(OJO_BUILD_TOOL)
  foreach(t qlog_corpus qlog_roundtrip qlog_cases)
    add_executable(${t} ${CMAKE_CURRENT_SOURCE_DIR}/${t}.c)
    target_link_libraries(${t} PRIVATE ojo_tool)
  endforeach()
  add_test(NAME qlog_corpus COMMAND qlog_corpus ${OJO_QLOG_CORPUS})
  add_test(NAME qlog_roundtrip COMMAND qlog_roundtrip ${OJO_QLOG_CORPUS})
  add_test(NAME qlog_cases COMMAND qlog_cases)
  set_tests_properties(qlog_corpus qlog_roundtrip qlog_cases PROPERTIES LABELS "qlog" TIMEOUT 300)
endif()

# The fuzz target as a plain program (seeds, corpus files, deterministic
# mutations and truncations), so every ctest run and the ASan build use it.
if(OJO_BUILD_TOOL)
  add_executable(fuzz_qlog_replay ${CMAKE_CURRENT_LIST_DIR}/fuzz_qlog.c)
  target_compile_definitions(fuzz_qlog_replay PRIVATE OJO_FUZZ_MAIN)
  target_link_libraries(fuzz_qlog_replay PRIVATE ojo_tool)
  add_test(NAME fuzz_qlog_replay COMMAND fuzz_qlog_replay --corpus ${OJO_QLOG_CORPUS})
  set_tests_properties(fuzz_qlog_replay PROPERTIES LABELS "qlog" TIMEOUT 600)
endif()

# The real libFuzzer target (clang), without the database:
#   cmake --build build --target fuzz_qlog
#   build/tests/fuzz_qlog_replay --write-seeds SEEDS --corpus build/tests/corpus/qlog
#   build/tests/fuzz_qlog -max_total_time=60 SEEDS
find_program(OJO_QLOG_CLANG NAMES clang clang-14)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(OJO_QLOG_CJSON QUIET libcjson)
endif()
if(OJO_QLOG_CLANG AND OJO_QLOG_CJSON_FOUND)
  set(_qsrc ${PROJECT_SOURCE_DIR}/src/qlog)
  set(_qfuzz ${CMAKE_CURRENT_BINARY_DIR}/fuzz_qlog)
  add_custom_command(OUTPUT ${_qfuzz}
    COMMAND ${OJO_QLOG_CLANG} -std=c17 -g -O1 -D_GNU_SOURCE -DOJO_FUZZ_STANDALONE
            -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
            -I${PROJECT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR}/src
            ${OJO_QLOG_CJSON_CFLAGS}
            ${CMAKE_CURRENT_LIST_DIR}/fuzz_qlog.c ${_qsrc}/qlog_import.c
            ${_qsrc}/qlog_json.c ${_qsrc}/qlog_map.c ${_qsrc}/qlog_trace.c ${_qsrc}/qlog_records.c ${_qsrc}/qlog_contained.c
            -lcjson -lm -o ${_qfuzz}
    DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fuzz_qlog.c ${_qsrc}/qlog_import.c
            ${_qsrc}/qlog_json.c ${_qsrc}/qlog_map.c ${_qsrc}/qlog_trace.c ${_qsrc}/qlog_records.c ${_qsrc}/qlog_contained.c
            ${_qsrc}/qlog.h ${_qsrc}/qlog_int.h
    COMMENT "Building libFuzzer target fuzz_qlog with clang")
  add_custom_target(fuzz_qlog DEPENDS ${_qfuzz})
endif()

# `ojo import` / `ojo export` end to end (exit codes, ledger, files).
if(OJO_BUILD_TOOL)
  add_test(NAME qlog_cli COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/qlog_cli.sh
    $<TARGET_FILE:ojo> ${OJO_QLOG_CORPUS})
  set_tests_properties(qlog_cli PROPERTIES LABELS "qlog" TIMEOUT 300)
endif()

# `ojo watch` takes qlog files live, exactly once, across a restart.
if(OJO_BUILD_TOOL)
  add_test(NAME qlog_watch COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/qlog_watch.sh
    $<TARGET_FILE:ojo> ${OJO_QLOG_CORPUS})
  set_tests_properties(qlog_watch PROPERTIES LABELS "qlog" TIMEOUT 300)
endif()

# The reference summaries are what tests/corpus/qlog_ref.mjs (independent of
# the importer) computes from the traces: a contributor's new summary and
# the committed ones stay reproducible.
find_program(OJO_NODE node)
if(OJO_NODE)
  add_test(NAME qlog_reference COMMAND ${OJO_NODE}
    ${CMAKE_CURRENT_LIST_DIR}/corpus/qlog_ref.mjs --check --base ${OJO_QLOG_CORPUS})
  set_tests_properties(qlog_reference PROPERTIES LABELS "qlog" TIMEOUT 120)
endif()
