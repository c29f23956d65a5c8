# The public headers (include/ojo/*.h) as users get them: each compiles
# alone, twice in a row (include guard), as C17 and as C++11 with
# -Wall -Wextra -Werror -pedantic; and tests/headers_use.c, built as C and
# as C++ against the static library, runs and checks real results.
#
# Run by ctest as `cmake -P` (test lib_headers, see tests/install.cmake);
# included by tests/CMakeLists.txt it does nothing.
if(NOT CMAKE_SCRIPT_MODE_FILE)
  return() # registered by tests/install.cmake
endif()

function(fail msg)
  if(work)
    file(REMOVE_RECURSE ${work})
  endif()
  message(FATAL_ERROR "lib_headers: ${msg}")
endfunction()

if(NOT CXX)
  fail("no C++ compiler found (g++ or clang++; scripts/deps installs one)")
endif()
set(warn -Wall -Wextra -Werror -pedantic)

execute_process(COMMAND mktemp -d OUTPUT_VARIABLE work
                OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(rc OR NOT IS_DIRECTORY "${work}")
  fail("cannot create a temporary directory")
endif()

file(GLOB headers ${INCLUDE}/ojo/*.h)
list(LENGTH headers nheaders)
if(nheaders LESS 4)
  fail("expected at least 4 headers in ${INCLUDE}/ojo, found ${nheaders}")
endif()
foreach(h ${headers})
  get_filename_component(name ${h} NAME)
  file(WRITE ${work}/alone.c "#include <ojo/${name}>\n#include <ojo/${name}>\n")
  execute_process(COMMAND ${CC} -std=c17 ${warn} -Wstrict-prototypes -Wshadow
                          -I${INCLUDE} -fsyntax-only alone.c
                  WORKING_DIRECTORY ${work} RESULT_VARIABLE rc)
  if(rc)
    fail("ojo/${name} does not compile alone as C17 (see above)")
  endif()
  execute_process(COMMAND ${CXX} -x c++ -std=c++11 ${warn} -I${INCLUDE}
                          -fsyntax-only alone.c
                  WORKING_DIRECTORY ${work} RESULT_VARIABLE rc)
  if(rc)
    fail("ojo/${name} does not compile alone as C++11 (see above)")
  endif()
endforeach()

foreach(lang c c++)
  if(lang STREQUAL "c")
    set(cmd ${CC} -std=c17 -D_GNU_SOURCE)
  else()
    set(cmd ${CXX} -x c++ -std=c++11)
  endif()
  # -x none: what follows the source (the library) is not C++ source
  execute_process(COMMAND ${cmd} ${warn} ${SAN} -I${INCLUDE} ${USE_C}
                          -x none ${LIB} -pthread -o use
                  WORKING_DIRECTORY ${work} RESULT_VARIABLE rc)
  if(rc)
    fail("headers_use.c does not build as ${lang} against ${LIB} (see above)")
  endif()
  execute_process(COMMAND ./use WORKING_DIRECTORY ${work} RESULT_VARIABLE rc)
  if(rc)
    fail("headers_use built as ${lang} failed (exit ${rc})")
  endif()
endforeach()
message(STATUS "lib_headers: ${nheaders} headers compile alone as C17 and "
               "C++11; the API links and runs from C and C++")
file(REMOVE_RECURSE ${work})
