# Makes one kernel set's compile of core/lenet/layers/ private to it (cmake -P, at build time).
#
# The same sources are compiled once per instruction set, so both compiles define the same
# symbols: the layers' functions (which would clash) and the inline and template code of Eigen
# and the standard library (which the linker would merge, keeping one copy: AVX2 code could then
# run on a CPU without AVX2, or the AVX2 layers would call SSE2 Eigen kernels). So this script
#   1. joins the set's objects into one relocatable object (ld -r),
#   2. renames every symbol it defines to PREFIX<name> (local ones too: a COMDAT group is known by
#      its signature symbol, which may be local, and the linker keeps one group per signature),
#      except the set's own namespace (KEEP, a mangled-name prefix): its entry points. The set's
#      classes thus get their own typeinfo; dynamic_cast and catch still match them with the
#      baseline's, since libstdc++ compares type_info by name (for types with external linkage).
#   3. refuses an object that would run code at start-up (.init_array, .ctors): that code would
#      run before any CPU check (CHECK_STARTUP=ON; sanitizers add their own start-up code).
# Variables: LINKER NM OBJCOPY OBJDUMP OBJECTS (;-list) PREFIX KEEP CHECK_STARTUP OUTPUT
cmake_minimum_required(VERSION 3.25)

set(joined "${OUTPUT}.joined.o")
execute_process(COMMAND "${LINKER}" -r -o "${joined}" ${OBJECTS} COMMAND_ERROR_IS_FATAL ANY)

if(CHECK_STARTUP)
  execute_process(COMMAND "${OBJDUMP}" --section-headers "${joined}"
                  OUTPUT_VARIABLE sections COMMAND_ERROR_IS_FATAL ANY)
  if(sections MATCHES "[ \t]\\.(init_array|ctors)[ \t.]")
    message(FATAL_ERROR "${OUTPUT}: the kernel set's code has static initialisers; they would "
                        "run before the CPU check. Make the namespace-scope objects constant.")
  endif()
endif()

execute_process(COMMAND "${NM}" --defined-only --format=posix "${joined}"
                OUTPUT_VARIABLE listing COMMAND_ERROR_IS_FATAL ANY)
string(REPLACE "\n" ";" lines "${listing}")
set(names "")
foreach(line IN LISTS lines)
  string(FIND "${line}" " " space)
  if(space LESS_EQUAL 0)  # an empty line, or a symbol without a name
    continue()
  endif()
  string(SUBSTRING "${line}" 0 ${space} name)
  string(FIND "${name}" "${KEEP}" keep_at)
  if(NOT keep_at EQUAL 0)
    list(APPEND names "${name}")
  endif()
endforeach()
list(REMOVE_DUPLICATES names)  # local names recur, one per joined object
set(renames "")
foreach(name IN LISTS names)
  string(APPEND renames "${name} ${PREFIX}${name}\n")
endforeach()
file(WRITE "${OUTPUT}.renames" "${renames}")
execute_process(COMMAND "${OBJCOPY}" "--redefine-syms=${OUTPUT}.renames" "${joined}" "${OUTPUT}"
                COMMAND_ERROR_IS_FATAL ANY)
file(REMOVE "${joined}")
