# HTTP API tests: a real `ojo serve` on 127.0.0.1 (port 0) over a database
# built from real trace files by http_mkdb (libojo + ojo_ingest_file).
if(TARGET ojo_tool)
  add_executable(http_mkdb ${CMAKE_CURRENT_LIST_DIR}/http_mkdb.c)
  target_link_libraries(http_mkdb PRIVATE ojo_tool)

  find_program(OJO_NODE node)
  if(OJO_NODE)
    add_test(NAME http_api
      COMMAND ${OJO_NODE} --test ${CMAKE_CURRENT_LIST_DIR}/http_api.test.js)
    set_tests_properties(http_api PROPERTIES
      ENVIRONMENT "OJO_BIN=$<TARGET_FILE:ojo>;OJO_MKDB=$<TARGET_FILE:http_mkdb>"
      LABELS "http" TIMEOUT 300)
  endif()
endif()
