// SPDX-License-Identifier: MIT
// Options shared by the commands that run a model (generate, compare, bench): the model, the
// input, decoding, device; and the strategy runs they are made of.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "args.h"
#include "cachelens/engine.h"

namespace cachelens::cli {

// Option names taking a value, and their help lines.
std::set<std::string> run_option_names();
extern const char* const kRunOptionsHelp;

// The decoding options (--gen-length ... --seed) over `base`, validated.
DecodeSettings read_decode(const Args& args, DecodeSettings base = {});
// The request the options describe (strategy `none`); decode settings and prompt are checked
// before any model is loaded.
GenerateRequest read_request(const Args& args, const std::string& default_prompt = "");
std::unique_ptr<Session> load_session(const Args& args);
// Random weights of `preset`'s shapes on --device in --dtype (Session::random).
std::unique_ptr<Session> random_session(const std::string& preset, const Args& args);

// `base` run with strategy `name` under `rule`, validated. Of the --set texts, "name.key=value"
// applies to that strategy only, "key=value" to every strategy that has the key.
GenerateRequest request_for(const GenerateRequest& base, const std::string& name, UnmaskRule rule,
                            const std::vector<std::string>& sets);
// Throws when an undotted --set key belongs to none of the requests' strategies; `option` is
// the option's name as the user typed it (eval calls it --param).
void check_sets_used(const std::vector<GenerateRequest>& requests,
                     const std::vector<std::string>& sets, const std::string& option = "--set");

}  // namespace cachelens::cli
