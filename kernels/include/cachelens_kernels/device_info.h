// SPDX-License-Identifier: MIT
// What the CUDA runtime says about a device, for reports (LibTorch's C++ API has no device name).
#pragma once

#include <string>

namespace cachelens::kernels {

#if defined(CACHELENS_HAVE_CUDA_KERNELS) || defined(__CUDACC__)
// "NVIDIA H100 80GB HBM3"; empty when the runtime cannot say.
std::string cuda_device_name(int index);
#endif

}  // namespace cachelens::kernels
