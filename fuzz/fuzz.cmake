# The libFuzzer targets, included by CMakeLists.txt when TURNPIKE_FUZZ is on (fuzz/README.md).
# Read at the end of the top-level file, so the flags below apply to every target of the tree
# (CMake uses a directory's last value of CMAKE_CXX_FLAGS): the layers the fuzzers link are
# instrumented too, which is what guides the fuzzer through them.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TURNPIKE_FUZZ needs clang (cmake -DCMAKE_CXX_COMPILER=clang++)")
endif()
set(FUZZ_SANITIZERS "-fsanitize=address,undefined -fno-sanitize-recover=all")
string(APPEND CMAKE_CXX_FLAGS " ${FUZZ_SANITIZERS} -fsanitize=fuzzer-no-link -fno-omit-frame-pointer")
# Optimised enough to run fast, with assertions kept (no NDEBUG) whatever the build type.
set(CMAKE_CXX_FLAGS_RELEASE "-O1 -g1")
set(CMAKE_CXX_FLAGS_DEBUG "-O1 -g1")

set(FUZZ_TARGETS)
# turnpike_fuzzer(<name> <source> [LIBS target…]): fuzz_<name> from fuzz/<source>.
function(turnpike_fuzzer name source)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(fuzz_${name} ${CMAKE_SOURCE_DIR}/fuzz/${source} ${F_SOURCES})
  target_link_libraries(fuzz_${name} PRIVATE ${F_LIBS})
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  set(FUZZ_TARGETS ${FUZZ_TARGETS} fuzz_${name} PARENT_SCOPE)
endfunction()

# Beast's HTTP parser, header-only in this one translation unit (the fuzzer undefines the
# separate-compilation switches), so the target needs no part of the net layer's Asio build.
turnpike_fuzzer(http_request http_request_fuzzer.cc LIBS tp_common)
target_include_directories(fuzz_http_request PRIVATE ${LAYER_INCLUDE_ROOT}/net ${LAYER_INCLUDE_ROOT}/config)
turnpike_fuzzer(chat_request chat_request_fuzzer.cc LIBS tp_providers tp_billing tp_protocol tp_common)
turnpike_fuzzer(sse_reader sse_reader_fuzzer.cc LIBS tp_protocol tp_common)
turnpike_fuzzer(anthropic_stream stream_fuzzer.cc LIBS tp_providers tp_billing tp_protocol tp_common)
target_compile_definitions(fuzz_anthropic_stream PRIVATE FUZZ_ADAPTER="anthropic")
turnpike_fuzzer(gemini_stream stream_fuzzer.cc LIBS tp_providers tp_billing tp_protocol tp_common)
target_compile_definitions(fuzz_gemini_stream PRIVATE FUZZ_ADAPTER="gemini")
# The catalog loader alone, not the store layer (SQLite, PostgreSQL) around it.
turnpike_fuzzer(catalog catalog_fuzzer.cc SOURCES ${CMAKE_SOURCE_DIR}/src/store/catalog_file.cc ${CATALOG_CC}
                LIBS tp_common tomlplusplus::tomlplusplus)
target_include_directories(fuzz_catalog PRIVATE ${LAYER_INCLUDE_ROOT}/store)

add_custom_target(fuzzers DEPENDS ${FUZZ_TARGETS})
