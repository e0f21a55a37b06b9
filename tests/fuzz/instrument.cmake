# Included by the top-level CMakeLists.txt when LENET_BUILD_FUZZERS is ON, before any target:
# every translation unit (lenet_core included) gets libFuzzer's coverage instrumentation and
# ASan+UBSan, so that the fuzzers see and check the whole engine. Any UBSan report aborts.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR
    "LENET_BUILD_FUZZERS needs clang (libFuzzer), but the C++ compiler is "
    "${CMAKE_CXX_COMPILER_ID} (${CMAKE_CXX_COMPILER}). Configure a separate build folder with "
    "CC=clang CXX=clang++ (Debian packages clang and libclang-rt-14-dev), or run scripts/fuzz.sh.")
endif()
if(LENET_SANITIZE)
  message(FATAL_ERROR "LENET_BUILD_FUZZERS brings its own sanitizers; leave LENET_SANITIZE empty")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
