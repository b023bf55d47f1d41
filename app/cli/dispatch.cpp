// SPDX-License-Identifier: MIT
#include <cstdio>
#include <string>

#include "commands.h"

namespace cachelens::cli {
int run_main(int argc, char** argv) {
  std::fprintf(stderr, "cachelens-cli: no subcommand yet\n");
  return 1;
}
}  // namespace cachelens::cli
