# cmake -DPROGRAM=<program> -DNAME=<name> -DSUMMARY=<text> -DVERSION=<version>
#       -DSECTIONS=<roff file> -DOUTPUT=<file.1> -P man_page.cmake
# Writes a manual page: NAME, then the program's --help text as it prints it (DESCRIPTION),
# then the further sections of SECTIONS (FILES, SEE ALSO, ...). Dated like help2man: the month
# of the build, or of SOURCE_DATE_EPOCH when set.
execute_process(COMMAND "${PROGRAM}" --help OUTPUT_VARIABLE help RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --help failed (${status})")
endif()
# Qt names the program by the path it was started with.
string(REPLACE "${PROGRAM}" "${NAME}" help "${help}")
# roff: a backslash is \e, a minus that should stay one (options, to copy) is \-, and a line
# must not start with a control character.
string(REPLACE "\\" "\\e" help "${help}")
string(REPLACE "-" "\\-" help "${help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
if(NOT help MATCHES "\n$")
  string(APPEND help "\n")
endif()
string(TOUPPER "${NAME}" title)
string(REPLACE "-" "\\-" name "${NAME}")
string(TIMESTAMP date "%B %Y" UTC)
file(READ "${SECTIONS}" sections)
file(WRITE "${OUTPUT}.tmp" ".TH ${title} 1 \"${date}\" \"${NAME} ${VERSION}\" \"User Commands\"
.SH NAME
${name} \\- ${SUMMARY}
.SH DESCRIPTION
.nf
${help}.fi
${sections}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
