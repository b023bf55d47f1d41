// SPDX-License-Identifier: MIT
#pragma once

namespace cachelens::cli {
int run_main(int argc, char** argv);
}
