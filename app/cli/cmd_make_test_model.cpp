// SPDX-License-Identifier: MIT
// cachelens-cli make-test-model: a random-weight checkpoint in the real LLaDA-V format.
#include <cstdio>

#include "args.h"
#include "cachelens/error.h"
#include "cachelens/test_model.h"
#include "commands.h"
#include "progress.h"

namespace cachelens::cli {
namespace {

const char* const kHelp =
    "usage: cachelens-cli make-test-model --out DIR [options]\n"
    "\n"
    "  --out DIR            folder to write (config.json, safetensors, tokenizer.json)\n"
    "  --preset NAME        tiny | small | lladav-8b (the real 8B shapes, ~17 GB) (default tiny)\n"
    "  --seed S             weights seed (default 0)\n"
    "  --weights-dtype T    F32 | BF16 | F16 (default F32; BF16 for lladav-8b)\n"
    "  --shard-mb N         split into shards of at most N MiB with model.safetensors.index.json\n"
    "  --text-only          no vision tower (a language-only checkpoint)\n";

}  // namespace

int cmd_make_test_model(int argc, char** argv, int first) {
  const Args args(argc, argv, first, {"out", "preset", "seed", "weights-dtype", "shard-mb"},
                  {"text-only", "help"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  TestModelOptions options;
  options.preset = args.get("preset", "tiny");
  const int64_t seed = args.get_int("seed", 0);
  if (seed < 0) fail("option --seed expects a non-negative integer, got ", seed);
  options.seed = static_cast<uint64_t>(seed);
  options.weights_dtype = args.get("weights-dtype", "");
  const int64_t shard_mb = args.get_int("shard-mb", 0);
  if (shard_mb < 0) fail("option --shard-mb expects a positive number of MiB, got ", shard_mb);
  options.max_shard_bytes = static_cast<uint64_t>(shard_mb) << 20;
  options.text_only = args.flag("text-only");
  const std::string out = args.required("out");
  ProgressLine progress("writing " + options.preset);
  options.on_progress = [&](double fraction) {
    progress.update(fraction);
    return true;
  };
  make_test_model(out, options);
  std::printf("wrote %s model to %s\n", options.preset.c_str(), out.c_str());
  return 0;
}

}  // namespace cachelens::cli
