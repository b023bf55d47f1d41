// SPDX-License-Identifier: MIT
#pragma once

namespace cachelens::cli {

int run_main(int argc, char** argv);

// Subcommands; argv[first] is the first argument after the subcommand's name.
int cmd_generate(int argc, char** argv, int first);
int cmd_make_test_model(int argc, char** argv, int first);
int cmd_make_dataset(int argc, char** argv, int first);
int cmd_compare(int argc, char** argv, int first);
int cmd_bench(int argc, char** argv, int first);
int cmd_strategies(int argc, char** argv, int first);
int cmd_trace(int argc, char** argv, int first);
int cmd_eval(int argc, char** argv, int first);
int cmd_train(int argc, char** argv, int first);

}  // namespace cachelens::cli
