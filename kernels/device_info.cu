// SPDX-License-Identifier: MIT
#include <cuda_runtime_api.h>

#include "cachelens_kernels/device_info.h"

namespace cachelens::kernels {

std::string cuda_device_name(int index) {
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, index) != cudaSuccess) return {};
  return prop.name;
}

}  // namespace cachelens::kernels
