// SPDX-License-Identifier: MIT
// The bundled samples of the Samples menu: questions from the shipped test set that the embedded
// model answers (with their expected answers), plus its long-answer families.
#pragma once

#include <QString>
#include <vector>

namespace cachelens::ui {

struct Sample {
  QString title;  // for the menu: family and question
  QString image;  // absolute path
  QString question, expected;
  int gen_length = 32;
};

// Reads resources/eval/shapes-test.jsonl; empty when it is missing (an installed app without
// resources still starts, with an empty menu).
std::vector<Sample> bundled_samples();

}  // namespace cachelens::ui
