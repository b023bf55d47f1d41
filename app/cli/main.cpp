// SPDX-License-Identifier: MIT
// cachelens-cli: dispatches to one subcommand; every failure is one clear line and exit code 1.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"

int main(int argc, char** argv) {
  return cachelens::cli::run_main(argc, argv);
}
