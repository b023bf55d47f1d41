# SPDX-License-Identifier: MIT
# Finds every third-party dependency once. All of them are Debian packages on a developer machine
# and CI; on the GPU machine LibTorch comes from the installed PyTorch (CMAKE_PREFIX_PATH) and the
# header-only libraries may come from a folder named by CACHELENS_THIRD_PARTY_DIR.

set(CACHELENS_THIRD_PARTY_DIR "" CACHE PATH "cachelens: extra folder holding stb/ and nlohmann/ headers")

find_package(Torch REQUIRED)
if(Torch_VERSION AND Torch_VERSION VERSION_LESS 1.13)
  message(FATAL_ERROR "cachelens needs LibTorch 1.13 or newer (found ${Torch_VERSION})")
endif()
# TorchConfig puts -D_GLIBCXX_USE_CXX11_ABI into TORCH_CXX_FLAGS; targets get it through torch's
# interface, but the flags string also carries it for code that does not link torch directly.
set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} ${TORCH_CXX_FLAGS}")

find_package(nlohmann_json 3.9 QUIET)
if(NOT nlohmann_json_FOUND)
  find_path(CACHELENS_JSON_INCLUDE nlohmann/json.hpp HINTS ${CACHELENS_THIRD_PARTY_DIR} REQUIRED)
  add_library(nlohmann_json INTERFACE)
  target_include_directories(nlohmann_json SYSTEM INTERFACE ${CACHELENS_JSON_INCLUDE})
  add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json)
endif()

find_path(CACHELENS_STB_INCLUDE stb_image.h
  HINTS ${CACHELENS_THIRD_PARTY_DIR} ${CACHELENS_THIRD_PARTY_DIR}/stb
  PATH_SUFFIXES stb REQUIRED)
add_library(cachelens_stb INTERFACE)
target_include_directories(cachelens_stb SYSTEM INTERFACE ${CACHELENS_STB_INCLUDE})

set(CACHELENS_HAVE_OPENCV OFF)
if(CACHELENS_USE_OPENCV)
  find_package(OpenCV QUIET COMPONENTS core imgproc imgcodecs)
  if(OpenCV_FOUND)
    set(CACHELENS_HAVE_OPENCV ON)
  endif()
endif()
message(STATUS "cachelens: LibTorch ${Torch_VERSION}, OpenCV ${CACHELENS_HAVE_OPENCV}")
