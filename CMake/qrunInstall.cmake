# Install rules (included from the top-level CMakeLists.txt): libqrun, the public
# headers, the qrun CLI, a CMake package (find_package(qrun) -> qrun::qrun)
# and a pkg-config file. See docs/embedding.md.
include(CMakePackageConfigHelpers)

set(QRUN_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/qrun")

install(TARGETS qrun EXPORT qrunTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(FILES
  "${PROJECT_SOURCE_DIR}/runtime/include/qrun/qrun.h"
  "${PROJECT_SOURCE_DIR}/runtime/include/qrun/qrun.hpp"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/qrun")

install(EXPORT qrunTargets NAMESPACE qrun:: FILE qrunTargets.cmake
  DESTINATION "${QRUN_CMAKE_INSTALL_DIR}")
if(BUILD_SHARED_LIBS)
  set(QRUN_PACKAGE_STATIC OFF)
else()
  set(QRUN_PACKAGE_STATIC ON)
endif()
configure_package_config_file("${PROJECT_SOURCE_DIR}/CMake/qrunConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/qrunConfig.cmake"
  INSTALL_DESTINATION "${QRUN_CMAKE_INSTALL_DIR}")
# Before 1.0 a minor version may break compatibility.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/qrunConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/qrunConfig.cmake"
  "${PROJECT_BINARY_DIR}/qrunConfigVersion.cmake"
  # The package's own copies: Debian ships no CMake config for these.
  "${PROJECT_SOURCE_DIR}/CMake/FindCpuinfo.cmake"
  "${PROJECT_SOURCE_DIR}/CMake/FindPthreadpool.cmake"
  "${PROJECT_SOURCE_DIR}/CMake/FindXNNPACK.cmake"
  DESTINATION "${QRUN_CMAKE_INSTALL_DIR}")

# pkg-config: the prefix is found relative to the .pc file, so the install
# can be moved (cmake --install --prefix DIR works too).
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(QRUN_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(QRUN_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _qrun_pc_up "/qrun-root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/qrun-root")
  set(QRUN_PC_PREFIX "\${pcfiledir}/${_qrun_pc_up}")
  set(QRUN_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(QRUN_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(QRUN_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
set(QRUN_PC_XNNPACK "")
if(QRUN_WITH_XNNPACK)
  set(QRUN_PC_XNNPACK "-lXNNPACK ")
endif()
configure_file("${PROJECT_SOURCE_DIR}/CMake/qrun.pc.in" "${PROJECT_BINARY_DIR}/qrun.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/qrun.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")

if(BUILD_SHARED_LIBS)
  file(RELATIVE_PATH _qrun_bin_to_lib "/qrun-root/${CMAKE_INSTALL_BINDIR}" "/qrun-root/${CMAKE_INSTALL_LIBDIR}")
  set_target_properties(qrun_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${_qrun_bin_to_lib}")
endif()
install(TARGETS qrun_cli RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
if(TARGET qinspect)
  install(TARGETS qinspect RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
endif()
