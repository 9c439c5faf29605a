# Finds cpuinfo without its CMake package config (Debian 12's points at a
# non-existent /usr/lib/lib/<triplet>/libclog.a).
# Defines cpuinfo::cpuinfo and Cpuinfo_FOUND.
find_path(Cpuinfo_INCLUDE_DIR NAMES cpuinfo.h)
find_library(Cpuinfo_LIBRARY NAMES cpuinfo)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Cpuinfo REQUIRED_VARS Cpuinfo_LIBRARY Cpuinfo_INCLUDE_DIR)
if(Cpuinfo_FOUND AND NOT TARGET cpuinfo::cpuinfo)
  add_library(cpuinfo::cpuinfo UNKNOWN IMPORTED)
  set_target_properties(cpuinfo::cpuinfo PROPERTIES
    IMPORTED_LOCATION "${Cpuinfo_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Cpuinfo_INCLUDE_DIR}")
endif()
mark_as_advanced(Cpuinfo_INCLUDE_DIR Cpuinfo_LIBRARY)
