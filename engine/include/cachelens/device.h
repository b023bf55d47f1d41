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

// What the device itself can do, measured once: the benchmark compares a cached step with the time
// to read every weight once, and a full step with the device's own matmul rate.
struct DeviceRates {
  double copy_bytes_per_s = 0.0;    // a large device-to-device copy, bytes read plus written
  double matmul_flops_per_s = 0.0;  // a large square matmul in `dtype`
  int64_t matmul_size = 0;          // its n (n x n x n)
};
// Median of a few timed runs after a warm-up; about a second on a GPU. On CPU the sizes are small
// (the rates are then only indicative).
DeviceRates measure_device_rates(const std::string& device, const std::string& dtype);

// The device's marketing name ("NVIDIA H100 80GB HBM3"), or "cpu".
std::string device_display_name(const std::string& device);

}  // namespace cachelens
