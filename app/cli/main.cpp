// SPDX-License-Identifier: MIT
// cachelens-cli: dispatches to one subcommand; every failure is one clear line and exit code 1.
#include "cachelens/runtime.h"
#include "commands.h"

int main(int argc, char** argv) {
  cachelens::tune_process_allocator();
  return cachelens::cli::run_main(argc, argv);
}
