# Writes OUT (a header defining CERTFORM_GIT_COMMIT) from the git commit of SOURCE_DIR, at every
# build; the file is rewritten only when the commit changes, so nothing recompiles needlessly.
# CERTFORM_GIT_COMMIT set by a packager (no .git in a source tarball) wins.
if(NOT COMMIT)
  execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
    OUTPUT_VARIABLE COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT COMMIT)
    set(COMMIT "unknown")
  else()
    execute_process(COMMAND git -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
      OUTPUT_VARIABLE dirty OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(dirty)
      set(COMMIT "${COMMIT}-dirty")
    endif()
  endif()
endif()
file(WRITE "${OUT}.tmp" "#define CERTFORM_GIT_COMMIT \"${COMMIT}\"\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
