// For tests that check an output with its reader's own tool (SARIF
// Multitool, Chromium, promtool, speedscope, Graphviz): finding the tool,
// and skipping cleanly when it is not installed. A test binary in which a
// test called skip_test() and nothing failed exits 77, which ctest reports
// as SKIP (SKIP_RETURN_CODE in tests/CMakeLists.txt); so keep the tests of
// one tool in one file. .ci/ installs every tool, so CI runs them for real.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "test_support.h"

namespace gorleak::test {

// Prints why and marks this test binary as skipped.
void skip_test(const std::string& why);
bool any_test_skipped();

// The build directory (where the gorleak binary is).
std::filesystem::path build_dir();
// Where .ci/install-tools puts the npm tools: $GORLEAK_NPM_TOOLS, else
// <build>/tools/npm/node_modules.
std::filesystem::path npm_tools_dir();

// The tool: $env_var when set and executable, else the first executable
// candidate (absolute paths, or names looked up on PATH); "" when none.
std::string find_tool(const char* env_var, const std::vector<std::string>& candidates);

// A fresh directory under /tmp, removed with everything in it.
void write_file(const std::filesystem::path& p, const std::string& text);

// Headless Chromium ($GORLEAK_CHROMIUM, else chromium / chromium-browser /
// google-chrome on PATH); "" when none.
std::string chromium_path();
// Runs it once on `url` with a fresh profile and no network services
// (--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
// --disable-background-networking --disable-component-update
// --disable-sync), plus `flags` (--dump-dom, --screenshot=…, …).
RunResult run_chromium(const std::string& chromium, const std::vector<std::string>& flags,
                       const std::string& url);

}  // namespace gorleak::test
