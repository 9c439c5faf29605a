# Finds pthreadpool (Debian ships no CMake config). Defines
# pthreadpool::pthreadpool and Pthreadpool_FOUND.
find_path(Pthreadpool_INCLUDE_DIR NAMES pthreadpool.h)
# QRUN_STATIC prefers the static archive (Debian 12 ships none).
if(QRUN_STATIC)
  set(_qrun_pthreadpool_names libpthreadpool.a pthreadpool)
else()
  set(_qrun_pthreadpool_names pthreadpool)
endif()
find_library(Pthreadpool_LIBRARY NAMES ${_qrun_pthreadpool_names})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Pthreadpool REQUIRED_VARS Pthreadpool_LIBRARY Pthreadpool_INCLUDE_DIR)
if(Pthreadpool_FOUND AND NOT TARGET pthreadpool::pthreadpool)
  find_package(Threads REQUIRED)
  add_library(pthreadpool::pthreadpool UNKNOWN IMPORTED)
  set_target_properties(pthreadpool::pthreadpool PROPERTIES
    IMPORTED_LOCATION "${Pthreadpool_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Pthreadpool_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(Pthreadpool_INCLUDE_DIR Pthreadpool_LIBRARY)
