# cmake -DPROGRAM=<program> -DARGS=<a;b;...> -DOUTPUT=<file> -P write_output.cmake
# Runs the program and writes its standard output to OUTPUT (through a temporary file, renamed
# when the program succeeds); fails when the program fails.
get_filename_component(dir "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${dir}")
execute_process(COMMAND "${PROGRAM}" ${ARGS} OUTPUT_FILE "${OUTPUT}.tmp" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(REMOVE "${OUTPUT}.tmp")
  message(FATAL_ERROR "${PROGRAM} ${ARGS} failed (${status})")
endif()
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
