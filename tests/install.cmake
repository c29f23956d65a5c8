# libojo as its users get it.
# lib_install: `cmake --install` into a temporary prefix, then the README
#   example built against the installed copy through pkg-config: shared,
#   static and as C++ (tests/install.sh).
# lib_headers: each public header alone as C17 and C++11, and the whole API
#   linked and run from C and C++ (tests/headers.cmake, headers_use.c).
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  find_program(OJO_TEST_CXX NAMES clang++ clang++-14)
else()
  find_program(OJO_TEST_CXX NAMES g++ c++)
endif()
add_test(NAME lib_install COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/install.sh
  ${CMAKE_COMMAND} ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR}
  ${CMAKE_C_COMPILER} ${OJO_TEST_CXX} ${OJO_SANITIZE_FLAGS})
add_test(NAME lib_headers COMMAND ${CMAKE_COMMAND}
  -DCC=${CMAKE_C_COMPILER}
  -DCXX=${OJO_TEST_CXX}
  -DINCLUDE=${PROJECT_SOURCE_DIR}/include
  -DUSE_C=${CMAKE_CURRENT_LIST_DIR}/headers_use.c
  -DLIB=$<TARGET_FILE:ojo_static>
  "-DSAN=${OJO_SANITIZE_FLAGS}"
  -P ${CMAKE_CURRENT_LIST_DIR}/headers.cmake)
