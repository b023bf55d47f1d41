// SPDX-License-Identifier: MIT
#include "cachelens/runtime.h"

#include <malloc.h>

namespace cachelens {

void tune_process_allocator() {
#if defined(__GLIBC__)
  // 1 GiB: buffers below it come from the heap and stay there after free.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace cachelens
