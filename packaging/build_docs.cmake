# Included by packaging/CMakeLists.txt when LENET_BUILD_DOCS is on: the installed files that are
# made at build time (man pages, bash completion, changelog, icon PNGs) and their install rules.
foreach(tool rsvg-convert gzip)
  string(TOUPPER ${tool} var)
  string(REPLACE "-" "_" var ${var})
  find_program(${var} ${tool})
  if(NOT ${var})
    message(FATAL_ERROR "${tool} not found: install it (scripts/setup.sh does) or configure with "
      "-DLENET_BUILD_DOCS=OFF (no man pages, icon PNGs, bash completion or changelog)")
  endif()
endforeach()

set(generated)
# gzip_file(<file>): <file>.gz beside it, as Debian wants man pages and changelogs.
function(gzip_file file)
  add_custom_command(OUTPUT ${file}.gz
    COMMAND ${GZIP} -9nkf ${file}
    DEPENDS ${file}
    VERBATIM)
endfunction()

# Manual pages: the --help text and the sections in <program>.1.in.
# roff wants \- for the minus signs of the paths.
string(REPLACE "-" "\\-" LENET_MODEL_DIR ${CMAKE_INSTALL_FULL_DATADIR}/lenet-studio/models)
string(REPLACE "-" "\\-" LENET_COMPLETION_DIR
  ${CMAKE_INSTALL_FULL_DATADIR}/bash-completion/completions)
set(summary_lenet "train and use LeNet-5 and its variants from the command line")
set(summary_lenet-studio "train LeNet-5 on handwritten digits and watch it learn")
foreach(program ${programs})
  configure_file(${program}.1.in ${program}.sections @ONLY)
  set(page ${CMAKE_CURRENT_BINARY_DIR}/${program}.1)
  add_custom_command(OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:${program}> -DNAME=${program}
            -DSUMMARY=${summary_${program}} -DVERSION=${PROJECT_VERSION}
            -DSECTIONS=${CMAKE_CURRENT_BINARY_DIR}/${program}.sections -DOUTPUT=${page}
            -P ${CMAKE_CURRENT_SOURCE_DIR}/man_page.cmake
    DEPENDS ${program} ${CMAKE_CURRENT_BINARY_DIR}/${program}.sections
            ${CMAKE_CURRENT_SOURCE_DIR}/man_page.cmake
    COMMENT "Writing the manual page of ${program}"
    VERBATIM)
  gzip_file(${page})
  list(APPEND generated ${page}.gz)
  install(FILES ${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endforeach()

# Bash completion, from the program's own tables.
set(completion ${CMAKE_CURRENT_BINARY_DIR}/completions/lenet)
add_custom_command(OUTPUT ${completion}
  COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:lenet> -DARGS=completion -DOUTPUT=${completion}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/write_output.cmake
  DEPENDS lenet ${CMAKE_CURRENT_SOURCE_DIR}/write_output.cmake
  COMMENT "Writing the bash completion of lenet"
  VERBATIM)
list(APPEND generated ${completion})
install(FILES ${completion} DESTINATION ${completion_dir})

# The Debian changelog: one entry for this version, dated when the build is configured
# (SOURCE_DATE_EPOCH, when set, fixes the date).
string(TIMESTAMP LENET_PACKAGE_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(changelog.in changelog @ONLY)
gzip_file(${CMAKE_CURRENT_BINARY_DIR}/changelog)
list(APPEND generated ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz DESTINATION ${doc_dir})

# The icon's PNG sizes for the hicolor theme.
if(LENET_BUILD_UI)
  foreach(size 16 22 24 32 48 64 128 256)
    set(png ${CMAKE_CURRENT_BINARY_DIR}/icons/${size}x${size}/lenet-studio.png)
    add_custom_command(OUTPUT ${png}
      COMMAND ${CMAKE_COMMAND} -E make_directory icons/${size}x${size}
      COMMAND ${RSVG_CONVERT} --width=${size} --height=${size} --output=${png}
              ${CMAKE_CURRENT_SOURCE_DIR}/lenet-studio.svg
      DEPENDS lenet-studio.svg
      VERBATIM)
    list(APPEND generated ${png})
    install(FILES ${png} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
  endforeach()
endif()

add_custom_target(lenet_docs ALL DEPENDS ${generated})
