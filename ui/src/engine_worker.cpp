// SPDX-License-Identifier: MIT
#include "engine_worker.h"

#include <algorithm>
#include <exception>
#include <filesystem>

#include "cachelens/chat_template.h"
#include "cachelens/error.h"
#include "cachelens/metrics.h"
#include "cachelens/resources.h"
#include "cachelens/tokenizer.h"

namespace cachelens::ui {

void register_run_types() {
  qRegisterMetaType<StepEventPtr>();
  qRegisterMetaType<TracePtr>();
  qRegisterMetaType<ModelSummaryPtr>();
  qRegisterMetaType<RunPlanPtr>();
  qRegisterMetaType<ColumnLayoutInfo>();
  qRegisterMetaType<BenchPlanPtr>();
  qRegisterMetaType<EvalReportPtr>();
}

QString display_token(const std::string& decoded) {
  QString text = QString::fromUtf8(decoded.data(), static_cast<int>(decoded.size()));
  text.replace(QLatin1Char('\n'), QStringLiteral("⏎"));
  text.replace(QLatin1Char('\t'), QStringLiteral("⇥"));
  return text;
}

EngineWorker::EngineWorker(QObject* parent) : QObject(parent) {}
EngineWorker::~EngineWorker() = default;

void EngineWorker::requestStop() {
  stop_ = true;
}

void EngineWorker::loadModel(const QString& model_dir, const QString& device) {
  stop_ = false;
  LoadOptions options;
  options.device = device.toStdString();
  options.on_progress = [this](double fraction, const std::string& stage) {
    Q_EMIT loadProgress(fraction, QString::fromStdString(stage));
    return !stop_.load();
  };
  try {
    auto session = Session::load(model_dir.toStdString(), options);
    // The first forwards pay one-off costs (allocator, BLAS threads); a tiny run here, through
    // the vision tower too, keeps them out of the first column's timings, so speedups compare
    // like with like. It costs one short prefill, and Cancel still works.
    Q_EMIT loadProgress(1.0, tr("warming up"));
    GenerateRequest warm;
    warm.prompt = "Hello";
    const auto warm_image = resources_dir() / "samples" / "shapes.png";
    if (session->info().has_vision && std::filesystem::exists(warm_image)) {
      warm.image_path = warm_image;
    }
    warm.decode.gen_length = warm.decode.block_length = warm.decode.steps = 4;
    session->generate(warm, {}, [this] { return stop_.load(); });
    auto summary = std::make_shared<ModelSummary>();
    summary->info = session->info();
    const Tokenizer& tokenizer = session->tokenizer();
    summary->mask_id = tokenizer.find_id("<|mdm_mask|>").value_or(-1);
    summary->stop_id = tokenizer.find_id("<|eot_id|>").value_or(-1);
    auto texts = std::make_shared<std::vector<QString>>();
    const int64_t vocab = summary->info.config.text.vocab_size;
    texts->reserve(static_cast<size_t>(vocab));
    for (int64_t id = 0; id < vocab; ++id) {
      const auto token = static_cast<int32_t>(id);
      texts->push_back(display_token(tokenizer.decode({token})));
    }
    summary->token_texts = std::move(texts);
    session_ = std::move(session);
    Q_EMIT modelLoaded(summary);
  } catch (const Cancelled&) {
    Q_EMIT loadFailed(tr("Loading was cancelled."), true);
  } catch (const std::exception& e) {
    Q_EMIT loadFailed(QString::fromStdString(e.what()), false);
  }
}

ColumnLayoutInfo EngineWorker::layout_for(const GenerateRequest& request,
                                          const StepEvent& first) const {
  ColumnLayoutInfo layout;
  layout.positions = static_cast<int>(first.cells.positions());
  layout.layers = static_cast<int>(first.cells.layers());
  layout.prompt_length = layout.positions - static_cast<int>(first.answer_ids.size());
  const Tokenizer& tokenizer = session_->tokenizer();
  const bool with_image = !request.image_path.empty();
  const auto ids = tokenize_with_image_placeholders(
      tokenizer, render_chat_prompt(request.prompt, with_image, request.chat), request.chat);
  const auto placeholder = std::find(ids.begin(), ids.end(), kImageTokenIndex);
  const int image_rows =
      layout.prompt_length - static_cast<int>(ids.size()) + (placeholder == ids.end() ? 0 : 1);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == kImageTokenIndex) {
      layout.image_begin = layout.labels.size();
      for (int r = 0; r < image_rows; ++r) layout.labels << tr("image row %1").arg(r);
      layout.image_end = layout.labels.size();
    } else {
      layout.labels << display_token(tokenizer.decode({ids[i]}));
    }
  }
  // The prompt as the engine built it must have as many rows as the trace says; if a template
  // option made them differ, fall back to plain row names rather than mislabel the map.
  if (layout.labels.size() != layout.prompt_length) {
    layout.labels.clear();
    layout.image_begin = layout.image_end = -1;
    for (int r = 0; r < layout.prompt_length; ++r) layout.labels << tr("prompt row %1").arg(r);
  }
  return layout;
}

void EngineWorker::run(RunPlanPtr plan) {
  stop_ = false;
  if (!session_) {
    Q_EMIT runFinished(plan->run_id, false, tr("No model is loaded."));
    return;
  }
  // `none` columns run first so every cached column can be compared with its baseline (same
  // input and unmasking rule) the moment it finishes.
  std::vector<int> order(plan->columns.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return (plan->columns[a].strategy.name == "none") > (plan->columns[b].strategy.name == "none");
  });
  std::vector<TracePtr> baselines;
  try {
    for (int column : order) {
      const GenerateRequest& request = plan->columns[column];
      bool started = false;
      auto on_step = [&](const StepEvent& event) {
        if (!started) {
          Q_EMIT columnStarted(plan->run_id, column, layout_for(request, event));
          started = true;
        }
        Q_EMIT stepReady(plan->run_id, column, std::make_shared<const StepEvent>(event));
      };
      Trace trace = session_->generate(request, on_step, [this] { return stop_.load(); });
      const UnmaskRule rule = trace.settings.decode.rule;
      for (const auto& base : baselines) {
        if (base->settings.decode.rule == rule && request.strategy.name != "none") {
          compare_with_baseline(trace.summary, base->summary);
          break;
        }
      }
      auto shared = std::make_shared<const Trace>(std::move(trace));
      if (request.strategy.name == "none") baselines.push_back(shared);
      Q_EMIT columnFinished(plan->run_id, column, shared);
    }
    Q_EMIT runFinished(plan->run_id, false, {});
  } catch (const Cancelled&) {
    Q_EMIT runFinished(plan->run_id, true, {});
  } catch (const std::exception& e) {
    Q_EMIT runFinished(plan->run_id, false, QString::fromStdString(e.what()));
  }
}

void EngineWorker::runBenchmark(BenchPlanPtr plan) {
  stop_ = false;
  if (!session_) {
    Q_EMIT benchFinished(nullptr, false, tr("No model is loaded."));
    return;
  }
  try {
    const auto items = load_vqa_jsonl(plan->set_path.toStdString());
    EvalOptions options;
    options.strategies = plan->strategies;
    options.decode = plan->decode;
    options.limit = plan->limit;
    options.on_progress = [this](int64_t done, int64_t total, const std::string& strategy) {
      Q_EMIT benchProgress(done, total, QString::fromStdString(strategy));
      return !stop_.load();
    };
    auto report = std::make_shared<const EvalReport>(evaluate(*session_, items, options));
    Q_EMIT benchFinished(report, false, {});
  } catch (const Cancelled&) {
    Q_EMIT benchFinished(nullptr, true, {});
  } catch (const std::exception& e) {
    Q_EMIT benchFinished(nullptr, false, QString::fromStdString(e.what()));
  }
}

}  // namespace cachelens::ui
