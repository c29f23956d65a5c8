# The C example in README.md (between <!-- example:begin --> and
# <!-- example:end -->) compiles with -Werror against the library and,
# run in an empty directory, writes a trace file into traces/output/.
#
# Two roles: included by tests/CMakeLists.txt it registers the test; run
# with `cmake -P` (by ctest) it is the test.
if(NOT CMAKE_SCRIPT_MODE_FILE)
  add_test(NAME readme_example COMMAND ${CMAKE_COMMAND}
    -DREADME=${PROJECT_SOURCE_DIR}/README.md
    -DCC=${CMAKE_C_COMPILER}
    -DINCLUDE=${PROJECT_SOURCE_DIR}/include
    -DLIB=$<TARGET_FILE:ojo_static>
    -DSANITIZE=${OJO_SANITIZE}
    -P ${CMAKE_CURRENT_LIST_FILE})
  return()
endif()

function(fail msg)
  if(work)
    file(REMOVE_RECURSE ${work})
  endif()
  message(FATAL_ERROR "readme_example: ${msg}")
endfunction()

file(READ ${README} text)
set(begin_mark "<!-- example:begin -->")
string(FIND "${text}" "${begin_mark}" b)
string(FIND "${text}" "<!-- example:end -->" e)
if(b EQUAL -1 OR e EQUAL -1 OR e LESS b)
  fail("${README}: example markers missing or out of order")
endif()
string(LENGTH "${begin_mark}" blen)
math(EXPR start "${b} + ${blen}")
math(EXPR len "${e} - ${start}")
string(SUBSTRING "${text}" ${start} ${len} block)
if(NOT block MATCHES "```c\n(.*)```")
  fail("${README}: no ```c block between the example markers")
endif()
set(code "${CMAKE_MATCH_1}")

set(san)
if(SANITIZE STREQUAL "address")
  set(san -fsanitize=address,undefined -fno-sanitize-recover=all)
elseif(SANITIZE STREQUAL "thread")
  set(san -fsanitize=thread)
endif()

execute_process(COMMAND mktemp -d OUTPUT_VARIABLE work
                OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(rc OR NOT IS_DIRECTORY "${work}")
  fail("cannot create a temporary directory")
endif()
file(WRITE ${work}/example.c "${code}")
execute_process(
  COMMAND ${CC} -std=c17 -Wall -Wextra -Werror -pedantic ${san}
          -I${INCLUDE} example.c ${LIB} -pthread -o example
  WORKING_DIRECTORY ${work} RESULT_VARIABLE rc)
if(rc)
  fail("the README example does not compile (see above)")
endif()
execute_process(COMMAND ./example WORKING_DIRECTORY ${work} RESULT_VARIABLE rc)
if(rc)
  fail("the README example exited with ${rc}")
endif()

file(GLOB traces ${work}/traces/output/*.ojo)
list(LENGTH traces n)
if(n EQUAL 0)
  fail("the README example wrote no .ojo file into traces/output/")
endif()
foreach(f ${traces})
  file(SIZE ${f} size)
  math(EXPR partial "${size} % 24")
  # HEX: in text mode file(READ LIMIT) may return more than LIMIT bytes
  file(READ ${f} magic LIMIT 4 HEX)
  if(size LESS 48 OR NOT partial EQUAL 0 OR NOT magic STREQUAL "4f4a4f54")
    fail("${f}: not a trace file with records (${size} bytes)")
  endif()
endforeach()
file(GLOB leftovers ${work}/traces/staging/*)
if(leftovers)
  fail("files left in staging/: ${leftovers}")
endif()
message(STATUS "readme_example: compiled, ran, wrote ${n} trace file(s)")
file(REMOVE_RECURSE ${work})
