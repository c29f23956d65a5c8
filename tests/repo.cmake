# The repository is self-contained: no tracked file refers to a path
# outside it (a user's clone has nothing beside it).
add_test(NAME repo_paths COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/repo_paths.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(repo_paths PROPERTIES SKIP_RETURN_CODE 77 LABELS "repo")
