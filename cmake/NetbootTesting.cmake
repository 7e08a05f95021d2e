# Helpers shared by every component's tests.
#
# netboot_unit_test(name SOURCES... LIBS...)     GoogleTest binary, label "unit"
# netboot_fuzz_target(name SOURCES... LIBS... CORPUS dir RUNS n)
#   A libFuzzer entry point (LLVMFuzzerTestOneInput). With NETBOOT_LIBFUZZER
#   (clang) it links libFuzzer and the test fuzzes for RUNS iterations from the
#   seed corpus; otherwise it links tests/fuzz/replay_main.cc, which replays the
#   corpus and a deterministic set of mutations so the target is exercised by
#   every build. Label "fuzz".
# netboot_script_test(name COMMAND... LABELS l TIMEOUT s)  any command, labelled.

function(netboot_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()

function(netboot_fuzz_target name)
  cmake_parse_arguments(T "" "CORPUS;RUNS" "SOURCES;LIBS" ${ARGN})
  if(NOT T_RUNS)
    set(T_RUNS 200000)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS})
  if(NETBOOT_LIBFUZZER)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    # libFuzzer adds what it finds to the first directory: a build-tree one,
    # so the committed seed corpus stays as it is.
    set(found_dir ${CMAKE_CURRENT_BINARY_DIR}/fuzz-found/${name})
    file(MAKE_DIRECTORY ${found_dir})
    # A fixed seed makes a CI result reproducible; fuzz longer by hand with
    # another -seed (or none) when hunting.
    add_test(NAME fuzz.${name}
             COMMAND ${name} -seed=20261122 -runs=${T_RUNS} -max_total_time=60 -max_len=1500 ${found_dir} ${T_CORPUS})
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    add_test(NAME fuzz.${name} COMMAND ${name} ${T_CORPUS})
  endif()
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()

function(netboot_script_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "NETBOOT_BUILD_DIR=${PROJECT_BINARY_DIR};NETBOOT_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
