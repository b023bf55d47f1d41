// SPDX-License-Identifier: MIT
#include <c10/util/Exception.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "cachelens/error.h"
#include "commands.h"

namespace cachelens::cli {
namespace {

const char* const kUsage =
    "usage: cachelens-cli <command> [options]\n"
    "\n"
    "commands:\n"
    "  generate         answer a prompt (optionally about an image) with a LLaDA-V model\n"
    "  compare          run several cache strategies on one input and compare them\n"
    "  bench            time cache strategies (median over repeats, ratios against none)\n"
    "  eval             accuracy and speed of cache strategies on a VQA set (JSONL)\n"
    "  strategies       list the cache strategies, their parameters and defaults\n"
    "  make-test-model  write a random-weight checkpoint folder in the real LLaDA-V format\n"
    "  make-dataset     write the synthetic shapes question answering set (train/val/test)\n"
    "  trace            show a saved run trace (trace show FILE.json [--layers])\n"
    "  train            train a small LLaDA-V on a make-dataset set (masked diffusion)\n"
    "\n"
    "Run 'cachelens-cli <command> --help' for its options.\n";

// The first line of a LibTorch error is the useful part; the rest is a C++ backtrace.
std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

}  // namespace

int run_main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "generate") return cmd_generate(argc, argv, 2);
    if (command == "make-test-model") return cmd_make_test_model(argc, argv, 2);
    if (command == "make-dataset") return cmd_make_dataset(argc, argv, 2);
    if (command == "compare") return cmd_compare(argc, argv, 2);
    if (command == "bench") return cmd_bench(argc, argv, 2);
    if (command == "strategies") return cmd_strategies(argc, argv, 2);
    if (command == "trace") return cmd_trace(argc, argv, 2);
    if (command == "eval") return cmd_eval(argc, argv, 2);
    if (command == "train") return cmd_train(argc, argv, 2);
    std::fprintf(stderr, "cachelens-cli: unknown command '%s'\n\n%s", command.c_str(), kUsage);
    return 2;
  } catch (const Cancelled&) {
    std::fprintf(stderr, "cachelens-cli: cancelled\n");
    return 130;
  } catch (const Error& e) {
    std::fprintf(stderr, "cachelens-cli: error: %s\n", e.what());
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "cachelens-cli: error: %s\n",
                 first_line(e.what_without_backtrace()).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cachelens-cli: error: %s\n", e.what());
  }
  return 1;
}

}  // namespace cachelens::cli
