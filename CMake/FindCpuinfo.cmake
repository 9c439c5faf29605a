# Finds cpuinfo without its CMake package config (Debian 12's points at a
# non-existent /usr/lib/lib/<triplet>/libclog.a).
# Defines cpuinfo::cpuinfo and Cpuinfo_FOUND.
find_path(Cpuinfo_INCLUDE_DIR NAMES cpuinfo.h)
# QRUN_STATIC prefers the static archive (Debian 12 ships none).
if(QRUN_STATIC)
  set(_qrun_cpuinfo_names libcpuinfo.a cpuinfo)
else()
  set(_qrun_cpuinfo_names cpuinfo)
endif()
find_library(Cpuinfo_LIBRARY NAMES ${_qrun_cpuinfo_names})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Cpuinfo REQUIRED_VARS Cpuinfo_LIBRARY Cpuinfo_INCLUDE_DIR)
if(Cpuinfo_FOUND AND NOT TARGET cpuinfo::cpuinfo)
  add_library(cpuinfo::cpuinfo UNKNOWN IMPORTED)
  set_target_properties(cpuinfo::cpuinfo PROPERTIES
    IMPORTED_LOCATION "${Cpuinfo_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Cpuinfo_INCLUDE_DIR}")
endif()
mark_as_advanced(Cpuinfo_INCLUDE_DIR Cpuinfo_LIBRARY)
