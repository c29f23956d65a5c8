# ojo demo: the transport simulator (src/demo) and the `ojo demo` command.
if(TARGET ojo_tool)
  foreach(t demo_units demo_sim demo_trace demo_cli)
    add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
    target_link_libraries(${t} PRIVATE ojo_tool)
    target_include_directories(${t} PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  endforeach()
  add_test(NAME demo_units COMMAND demo_units)
  add_test(NAME demo_sim COMMAND demo_sim)
  add_test(NAME demo_trace COMMAND demo_trace)
  add_test(NAME demo_cli COMMAND demo_cli $<TARGET_FILE:ojo>)
  set_tests_properties(demo_units demo_sim demo_trace demo_cli
    PROPERTIES TIMEOUT 120)
endif()
