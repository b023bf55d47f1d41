// SPDX-License-Identifier: MIT
#include "cachelens/device.h"

#include <torch/torch.h>

#include "cachelens/error.h"

namespace cachelens {

bool cuda_available() {
  return torch::cuda::is_available();
}

std::string DeviceChoice::device_name() const {
  return device.str();
}

std::string DeviceChoice::dtype_name() const {
  switch (dtype) {
    case torch::kFloat32:
      return "fp32";
    case torch::kBFloat16:
      return "bf16";
    case torch::kFloat16:
      return "fp16";
    default:
      return "?";
  }
}

DeviceChoice resolve_device(const std::string& device, const std::string& dtype) {
  DeviceChoice choice;
  if (device == "auto") {
    if (cuda_available()) {
      choice.device = torch::Device(torch::kCUDA, 0);
      choice.reason = "auto: CUDA is available";
    } else {
      choice.reason = "auto: no CUDA device in this LibTorch build or machine";
    }
  } else if (device == "cpu") {
    choice.reason = "asked for cpu";
  } else if (device.rfind("cuda", 0) == 0) {
    if (!cuda_available()) {
      fail("device '", device, "' asked for, but CUDA is not available (this LibTorch ",
           "was built without CUDA or no GPU is visible); use --device cpu");
    }
    try {
      choice.device = torch::Device(device == "cuda" ? "cuda:0" : device);
    } catch (const std::exception&) {
      fail("unknown device '", device, "' (allowed: cpu, cuda, cuda:N, auto)");
    }
    if (choice.device.index() >= static_cast<int>(torch::cuda::device_count())) {
      fail("device '", device, "' does not exist (", torch::cuda::device_count(), " CUDA devices)");
    }
    choice.reason = "asked for " + device;
  } else {
    fail("unknown device '", device, "' (allowed: cpu, cuda, cuda:N, auto)");
  }
  const bool on_cuda = choice.device.is_cuda();
  if (dtype == "auto") {
    choice.dtype = on_cuda ? torch::kBFloat16 : torch::kFloat32;
  } else if (dtype == "fp32") {
    choice.dtype = torch::kFloat32;
  } else if (dtype == "bf16") {
    choice.dtype = torch::kBFloat16;
  } else if (dtype == "fp16") {
    if (!on_cuda) fail("dtype fp16 is only supported on CUDA; use fp32 or bf16 on the CPU");
    choice.dtype = torch::kFloat16;
  } else {
    fail("unknown dtype '", dtype, "' (allowed: auto, fp32, bf16, fp16)");
  }
  return choice;
}

}  // namespace cachelens
