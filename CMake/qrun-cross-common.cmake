# Shared part of CMake/toolchain-*.cmake: Debian's cross compilers, the
# multiarch packages in /usr/lib/<triplet>, a private sysroot overlay for the
# packages that cannot be installed next to their amd64 versions (XNNPACK,
# pthreadpool, cpuinfo's -dev), and qemu-user as CMAKE_CROSSCOMPILING_EMULATOR.
# The including file sets CMAKE_SYSTEM_PROCESSOR, QRUN_CROSS_TRIPLET,
# QRUN_QEMU (qemu-user binary) and QRUN_QEMU_CPU_DEFAULT.
# Set-up: scripts/setup-debian.sh --arm. Details: docs/raspberry-pi.md.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER   ${QRUN_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${QRUN_CROSS_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${QRUN_CROSS_TRIPLET})

# The overlay scripts/setup-debian.sh --arm unpacks (QRUN_SYSROOT in the
# environment moves its root, as it does for the script).
if(DEFINED ENV{QRUN_SYSROOT})
  set(_qrun_overlay_default "$ENV{QRUN_SYSROOT}/${QRUN_CROSS_TRIPLET}")
else()
  set(_qrun_overlay_default "/opt/qrun-sysroot/${QRUN_CROSS_TRIPLET}")
endif()
set(QRUN_SYSROOT_OVERLAY "${_qrun_overlay_default}" CACHE PATH
  "Sysroot overlay with the target's XNNPACK, pthreadpool and cpuinfo -dev packages")
set(QRUN_QEMU_CPU "${QRUN_QEMU_CPU_DEFAULT}" CACHE STRING
  "qemu -cpu model the tests run on (QRUN_QEMU_CPU in the environment of ctest overrides it)")
set(QRUN_QEMU_TIMEOUT 1800 CACHE STRING "Seconds after which one emulated process is killed")
# try_compile projects re-read this file: hand them the same values.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES
  QRUN_SYSROOT_OVERLAY QRUN_QEMU_CPU QRUN_QEMU_TIMEOUT)

set(_qrun_overlay_lib "${QRUN_SYSROOT_OVERLAY}/usr/lib/${QRUN_CROSS_TRIPLET}")
if(NOT EXISTS "${_qrun_overlay_lib}")
  message(WARNING "qrun: no sysroot overlay at ${QRUN_SYSROOT_OVERLAY}; "
    "run scripts/setup-debian.sh --arm (pthreadpool and cpuinfo will not be found)")
endif()

# Overlay first, then the host's multiarch directories (/usr/lib/<triplet>,
# /usr/include). Programs (flatc) come from the host.
set(CMAKE_FIND_ROOT_PATH "${QRUN_SYSROOT_OVERLAY}" "/")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The overlay's libraries depend on each other (libXNNPACK.so.0 needs
# libpthreadpool.so.0): let the linker find them.
foreach(_kind EXE SHARED MODULE)
  set(CMAKE_${_kind}_LINKER_FLAGS_INIT "-Wl,-rpath-link,${_qrun_overlay_lib}")
endforeach()

# Every test runs under qemu-user through CMake/qemu-run.sh, which reads
# qemu-run.env in the build directory (written here, so re-configuring with
# another QRUN_QEMU_CPU takes effect without re-discovering the tests).
find_program(QRUN_QEMU_EXECUTABLE NAMES ${QRUN_QEMU} NO_CMAKE_FIND_ROOT_PATH)
if(NOT QRUN_QEMU_EXECUTABLE)
  set(QRUN_QEMU_EXECUTABLE ${QRUN_QEMU})
endif()
get_property(_qrun_in_try_compile GLOBAL PROPERTY IN_TRY_COMPILE)
if(NOT _qrun_in_try_compile)
  file(WRITE "${CMAKE_BINARY_DIR}/qemu-run.env"
    "# Written by CMake/qrun-cross-common.cmake; read by CMake/qemu-run.sh.\n"
    "QRUN_QEMU='${QRUN_QEMU_EXECUTABLE}'\n"
    "QRUN_QEMU_CPU_DEFAULT='${QRUN_QEMU_CPU}'\n"
    "QRUN_QEMU_LIBDIR='${_qrun_overlay_lib}'\n"
    "QRUN_QEMU_TIMEOUT='${QRUN_QEMU_TIMEOUT}'\n")
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR
  "${CMAKE_CURRENT_LIST_DIR}/qemu-run.sh" "${CMAKE_BINARY_DIR}/qemu-run.env")
