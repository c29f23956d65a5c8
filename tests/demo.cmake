# ojo demo: the transport simulator (src/demo) and the `ojo demo` command.
if(TARGET ojo_tool)
  ojo_test_programs(ojo_tool demo_units demo_sim demo_trace demo_cli demo_fifo
    demo_port demo_catalog demo_events)
  add_test(NAME demo_units COMMAND demo_units)
  add_test(NAME demo_sim COMMAND demo_sim)
  add_test(NAME demo_trace COMMAND demo_trace)
  add_test(NAME demo_cli COMMAND demo_cli $<TARGET_FILE:ojo>)
  add_test(NAME demo_fifo COMMAND demo_fifo)
  add_test(NAME demo_port COMMAND demo_port $<TARGET_FILE:ojo>)
  add_test(NAME demo_catalog COMMAND demo_catalog)
  add_test(NAME demo_events COMMAND demo_events)
  set_tests_properties(demo_units demo_sim demo_trace demo_cli demo_fifo
    demo_port demo_catalog demo_events
    PROPERTIES TIMEOUT 120)
endif()
