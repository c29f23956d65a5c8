# The example program users copy: a multi-threaded transfer recorded with
# the public API. `transfer_example [DIR]` writes DIR/output/*.ojo.
add_executable(transfer_example ${CMAKE_CURRENT_LIST_DIR}/transfer.c)
target_link_libraries(transfer_example PRIVATE ojo_static Threads::Threads)

# It runs, writes trace files and loses nothing.
add_test(NAME example_transfer COMMAND sh -c
  "d=$(mktemp -d) && \"$1\" \"$d/traces\" >\"$d/log\" && cat \"$d/log\" && grep -q '(0 dropped)' \"$d/log\" && ls \"$d\"/traces/output/*.ojo >/dev/null; rc=$?; rm -rf \"$d\"; exit $rc"
  sh $<TARGET_FILE:transfer_example>)
