// SPDX-License-Identifier: MIT
#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include <torch/cuda.h>
#include <torch/torch.h>

#include "cachelens/device.h"

#ifdef CACHELENS_HAVE_KERNELS
#include "cachelens_kernels/device_info.h"
#endif

namespace cachelens {
namespace {

// Median seconds of `runs` calls after one warm-up; the device is synchronised around each.
double median_seconds(const torch::Device& device, int runs, const std::function<void()>& fn) {
  const auto sync = [&] {
    if (device.is_cuda()) torch::cuda::synchronize(device.index());
  };
  fn();
  sync();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    sync();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

DeviceRates measure_device_rates(const std::string& device, const std::string& dtype) {
  const auto choice = resolve_device(device, dtype);
  const bool gpu = choice.device.is_cuda();
  c10::InferenceMode guard;
  DeviceRates rates;
  {
    // 1 GiB on a GPU: far beyond any cache, so the copy runs at memory speed.
    const int64_t bytes = gpu ? (int64_t{1} << 30) : (int64_t{256} << 20);
    const auto options = torch::TensorOptions().dtype(torch::kUInt8).device(choice.device);
    auto from = torch::empty({bytes}, options).fill_(1);
    auto to = torch::empty({bytes}, options);
    const double s = median_seconds(choice.device, 5, [&] { to.copy_(from); });
    rates.copy_bytes_per_s = 2.0 * static_cast<double>(bytes) / s;
  }
  {
    const int64_t n = gpu ? 8192 : 1024;
    const auto options = torch::TensorOptions().dtype(choice.dtype).device(choice.device);
    const auto a = torch::randn({n, n}, options), b = torch::randn({n, n}, options);
    auto c = torch::empty({n, n}, options);
    const double s = median_seconds(choice.device, gpu ? 10 : 3, [&] { torch::mm_out(c, a, b); });
    rates.matmul_flops_per_s = 2.0 * static_cast<double>(n) * n * n / s;
    rates.matmul_size = n;
  }
  return rates;
}

std::string device_display_name(const std::string& device) {
  const auto choice = resolve_device(device, "auto");
  if (!choice.device.is_cuda()) return "cpu";
#ifdef CACHELENS_HAVE_KERNELS
  const auto name = kernels::cuda_device_name(choice.device.index());
  if (!name.empty()) return name;
#endif
  return choice.device.str();
}

}  // namespace cachelens
