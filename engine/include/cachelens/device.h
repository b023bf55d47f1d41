// SPDX-License-Identifier: MIT
// Where the model runs and in which dtype, chosen from the user's words with the reason kept for
// the UI. Asking for CUDA without it is an error, never a silent fallback.
#pragma once

#include <string>

#include <torch/types.h>

namespace cachelens {

struct DeviceChoice {
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat32;
  std::string reason;  // e.g. "asked for cpu", "auto: CUDA is not available in this LibTorch"

  std::string device_name() const;  // "cpu", "cuda:0"
  std::string dtype_name() const;   // "fp32", "bf16", "fp16"
};

// device: cpu | cuda | cuda:N | auto;  dtype: auto | fp32 | bf16 | fp16 (auto: fp32 on CPU,
// bf16 on CUDA). fp16 on CPU is refused (LibTorch has no fast CPU kernels for it).
DeviceChoice resolve_device(const std::string& device, const std::string& dtype);

bool cuda_available();

}  // namespace cachelens
