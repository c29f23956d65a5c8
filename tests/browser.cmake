# Browser tests of the explorer (web/): Debian's chromium driven by
# playwright-core against a real `ojo serve` and `ojo watch`.
find_program(OJO_NODE node)
find_program(OJO_CHROMIUM chromium)
if(OJO_NODE AND OJO_CHROMIUM AND TARGET ojo)
  set(_transfer "")
  if(TARGET transfer_example)
    set(_transfer $<TARGET_FILE:transfer_example>)
  endif()
  add_test(NAME browser_explorer
    COMMAND ${OJO_NODE} --test --test-reporter=spec
            ${CMAKE_CURRENT_LIST_DIR}/browser_explorer.mjs)
  set_tests_properties(browser_explorer PROPERTIES
    LABELS browser
    TIMEOUT 300
    ENVIRONMENT "OJO_BIN=$<TARGET_FILE:ojo>;OJO_TRANSFER=${_transfer};OJO_WEB_DIR=${PROJECT_SOURCE_DIR}/web;OJO_ARTIFACTS=${PROJECT_SOURCE_DIR}/test-artifacts;OJO_CHROMIUM=${OJO_CHROMIUM};OJO_QLOG_CORPUS=${OJO_QLOG_CORPUS}")
endif()
