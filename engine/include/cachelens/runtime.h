// SPDX-License-Identifier: MIT
// Process-wide settings an executable applies once at start-up (the engine never changes process
// state on its own).
#pragma once

namespace cachelens {

// Keeps freed tensor buffers in the heap instead of returning them to the OS: every denoising step
// allocates the same large activations again, and on virtual machines the page faults of fresh
// mmap'd buffers cost more than the maths (measured 436 -> 81 ms/step on the small test model).
void tune_process_allocator();

}  // namespace cachelens
