// SPDX-License-Identifier: MIT
// cachelens-cli train: trains a small LLaDA-V on a make-dataset set (masked-diffusion SFT).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "args.h"
#include "cachelens/error.h"
#include "cachelens/number_parse.h"
#include "cachelens/train.h"
#include "commands.h"

namespace cachelens::cli {
namespace {

const char* const kHelp =
    "usage: cachelens-cli train --train FILE.jsonl --out DIR [options]\n"
    "\n"
    "Trains a LLaDA-V-architecture model (from scratch, or from a checkpoint with --init) with\n"
    "LLaDA's masked-diffusion objective and writes it to DIR in the real checkpoint format\n"
    "(config.json, model.safetensors, tokenizer.json), plus DIR/training_state for resuming.\n"
    "Run it again with the same DIR to resume after an interruption (Ctrl+C saves a\n"
    "checkpoint first).\n"
    "\n"
    "  --train FILE          training set (make-dataset's train.jsonl)\n"
    "  --val FILE            validation set; its accuracy is measured periodically\n"
    "  --out DIR             checkpoint folder\n"
    "  --size NAME           embedded | tiny (default embedded)\n"
    "  --init DIR            start from this trained checkpoint (weights, config,\n"
    "                        tokenizer) with a fresh optimizer at step 0: fine-tuning\n"
    "  --add-layers N        with --init: N language layers added on top, each starting\n"
    "                        as the identity (more capacity, same answers at step 0)\n"
    "  --steps N             optimizer steps in all (default 3000)\n"
    "  --stop-at N           end this run at step N, the schedule still spanning --steps\n"
    "                        (a curriculum stage; the next stage resumes from N)\n"
    "  --batch N             samples per step (default 16)\n"
    "  --lr X                peak learning rate (default 2e-3)\n"
    "  --min-lr X            learning rate at the end of the cosine (default 1e-4)\n"
    "  --warmup N            linear warm-up steps (default 150)\n"
    "  --weight-decay X      AdamW weight decay on matrices (default 0.05)\n"
    "  --vision-lr-scale X   the image side's learning rate relative to the language\n"
    "                        tower's; 0 freezes it (default 1)\n"
    "  --clip X              gradient-norm clipping (default 1.0)\n"
    "  --extra-padding P     probability of 32/64 extra answer positions (default 0.2)\n"
    "  --masking M           count: l ~ U{1..L} positions masked, weight L/l (default);\n"
    "                        ratio: each position masked at t ~ U(0,1), weight 1/t\n"
    "  --save-every N        steps between checkpoints (default 200)\n"
    "  --validate-every N    steps between validation runs (default 500; 0 = at the end)\n"
    "  --validate-items N    validation items per run (default 64)\n"
    "  --merges N            BPE merges of the trained tokenizer (default 400)\n"
    "  --tokenizer-set FILE  learn a fresh model's tokenizer from FILE instead of --train\n"
    "                        (a curriculum's first stage names the full set here)\n"
    "  --seed S              weights, data order and masks (default 0)\n"
    "  --device D            cpu | cuda | cuda:N (default cpu)\n"
    "  --threads N           CPU workers sharing each batch (default: one per core; 1 makes\n"
    "                        steps bit-for-bit reproducible)\n"
    "  --pack N              sequences packed into one forward (default: the whole batch on\n"
    "                        a GPU, 1 on the CPU)\n"
    "  --ground-scenes FILE  the training pictures' scenes (make-dataset's train-scenes.jsonl)\n"
    "  --ground-steps N      before the first step, N steps teaching the image side what each\n"
    "                        patch holds (colour, shape, size, place) through heads that are\n"
    "                        then dropped: a stand-in for LLaDA-V's pretrained SigLIP\n"
    "                        (default 0: none)\n"
    "  --ground-batch N      pictures per grounding step (default 32)\n"
    "  --ground-lr X         the grounding stage's peak learning rate (default 2e-3)\n"
    "  --repeat-family F=N   every training item of family F stands N times in the list\n"
    "                        (N from 1 to 100; oversampling; repeat the option for more\n"
    "                        families)\n"
    "  --log-every N         print a progress line every N steps (default 10)\n"
    "  --no-resume           start afresh even if DIR holds a training state\n";

volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) {
  interrupted = 1;
}

std::string duration_text(double seconds) {
  const auto s = static_cast<long>(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

int cmd_train(int argc, char** argv, int first) {
  const Args args(argc, argv, first,
                  {"train",
                   "val",
                   "out",
                   "size",
                   "steps",
                   "stop-at",
                   "batch",
                   "lr",
                   "min-lr",
                   "warmup",
                   "weight-decay",
                   "vision-lr-scale",
                   "clip",
                   "extra-padding",
                   "masking",
                   "save-every",
                   "validate-every",
                   "validate-items",
                   "merges",
                   "tokenizer-set",
                   "seed",
                   "device",
                   "log-every",
                   "threads",
                   "pack",
                   "ground-scenes",
                   "ground-steps",
                   "ground-batch",
                   "ground-lr",
                   "repeat-family",
                   "init",
                   "add-layers"},
                  {"no-resume", "help"});
  if (args.flag("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  TrainOptions o;
  o.train_set = args.required("train");
  o.val_set = args.get("val", "");
  o.out = args.required("out");
  o.size = args.get("size", o.size);
  o.init_from = args.get("init", "");
  o.add_layers = args.get_int("add-layers", o.add_layers);
  o.steps = args.get_int("steps", o.steps);
  o.stop_at = args.get_int("stop-at", o.stop_at);
  o.batch_size = args.get_int("batch", o.batch_size);
  o.learning_rate = args.get_double("lr", o.learning_rate);
  o.min_learning_rate = args.get_double("min-lr", o.min_learning_rate);
  o.warmup_steps = args.get_int("warmup", o.warmup_steps);
  o.weight_decay = args.get_double("weight-decay", o.weight_decay);
  o.vision_lr_scale = args.get_double("vision-lr-scale", o.vision_lr_scale);
  o.grad_clip = args.get_double("clip", o.grad_clip);
  o.extra_padding_prob = args.get_double("extra-padding", o.extra_padding_prob);
  o.masking = args.get("masking", o.masking);
  o.save_every = args.get_int("save-every", o.save_every);
  o.validate_every = args.get_int("validate-every", o.validate_every);
  o.validate_items = args.get_int("validate-items", o.validate_items);
  o.tokenizer_merges = static_cast<int>(args.get_int("merges", o.tokenizer_merges));
  o.tokenizer_set = args.get("tokenizer-set", "");
  const int64_t seed = args.get_int("seed", 0);
  if (seed < 0) fail("option --seed expects a non-negative integer, got ", seed);
  o.seed = static_cast<uint64_t>(seed);
  o.device = args.get("device", o.device);
  o.resume = !args.flag("no-resume");
  o.threads = static_cast<int>(args.get_int("threads", 0));
  o.pack = args.get_int("pack", 0);
  if (o.pack < 0) fail("option --pack expects 0 (automatic) or a number of sequences");
  o.ground_scenes = args.get("ground-scenes", "");
  o.ground_steps = args.get_int("ground-steps", o.ground_steps);
  o.ground_batch = args.get_int("ground-batch", o.ground_batch);
  o.ground_lr = args.get_double("ground-lr", o.ground_lr);
  for (const auto& value : args.all("repeat-family")) {
    const auto eq = value.find('=');
    const auto count = eq == std::string::npos ? std::nullopt : parse_int(value.substr(eq + 1));
    if (eq == 0 || !count)
      fail("option --repeat-family expects FAMILY=N (e.g. colour=2), got '", value, "'");
    o.family_repeats[value.substr(0, eq)] = *count;
  }
  const int64_t log_every = std::max<int64_t>(1, args.get_int("log-every", 10));
  if (o.save_every < 1) fail("option --save-every expects a positive number of steps");
  if (o.validate_every < 0) fail("option --validate-every expects 0 or a number of steps");

  Trainer trainer(o);
  const std::string what = (o.init_from.empty() ? o.size : "'" + o.init_from.string() + "'") +
                           " model, " + std::to_string(trainer.config().text.num_layers) +
                           " layers";
  std::printf("training %s (%s) in %s from step %lld of %lld", what.c_str(), o.device.c_str(),
              o.out.string().c_str(), static_cast<long long>(trainer.step()),
              static_cast<long long>(o.steps));
  if (o.stop_at > 0) std::printf(", stopping at %lld", static_cast<long long>(o.stop_at));
  std::printf("\n");
  std::fflush(stdout);
  const int64_t first_step = trainer.step();
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const auto report = trainer.run([&](const TrainProgress& p) {
    if (p.event == "ground" && (p.step % log_every == 0 || p.step == p.total_steps)) {
      std::printf("grounding %lld/%lld  loss %.4f  lr %.2e  elapsed %s  ETA %s\n",
                  static_cast<long long>(p.step), static_cast<long long>(p.total_steps), p.loss,
                  p.learning_rate, duration_text(p.elapsed_s).c_str(),
                  duration_text(p.eta_s).c_str());
    } else if (p.event == "ground-done") {
      std::printf("grounding done in %s; held-out accuracy:", duration_text(p.elapsed_s).c_str());
      for (const auto& [head, accuracy] : p.ground_accuracy)
        std::printf(" %s %.1f%%", head.c_str(), 100.0 * accuracy);
      std::printf("\n");
    } else if (p.event == "validate") {
      std::printf("step %lld  validation accuracy %.1f%%", static_cast<long long>(p.step),
                  100.0 * p.val_accuracy);
      // Whether the image rows still differ between pictures (docs/benchmarks.md).
      if (p.image_stats.images > 0) {
        std::printf("  picture part %.3f (image rows RMS %.3g, %lld pictures)",
                    p.image_stats.picture_part, p.image_stats.rms,
                    static_cast<long long>(p.image_stats.images));
      }
      std::printf("\n");
    } else if (p.event == "step" && (p.step % log_every == 0 || p.step == p.total_steps)) {
      std::printf(
          "step %lld/%lld  loss %.4f  lr %.2e  |grad| %.3f  %.2f s/step  elapsed %s  ETA %s\n",
          static_cast<long long>(p.step), static_cast<long long>(p.total_steps), p.loss,
          p.learning_rate, p.grad_norm,
          p.elapsed_s / static_cast<double>(std::max<int64_t>(1, p.step - first_step)),
          duration_text(p.elapsed_s).c_str(), duration_text(p.eta_s).c_str());
    }
    std::fflush(stdout);
    return interrupted == 0;
  });
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  std::printf("%s after %lld steps in %s: loss %.4f", report.stopped ? "stopped" : "finished",
              static_cast<long long>(report.steps_done), duration_text(report.seconds).c_str(),
              report.final_loss);
  if (report.val_accuracy >= 0)
    std::printf(", validation accuracy %.1f%%", 100.0 * report.val_accuracy);
  std::printf("; checkpoint in %s\n", o.out.string().c_str());
  return report.stopped ? 130 : 0;
}

}  // namespace cachelens::cli
