#include "tool_support.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <doctest/doctest.h>

#include "test_support.h"

namespace gorleak::test {

namespace {
bool g_skipped = false;
}

void skip_test(const std::string& why) {
  MESSAGE("SKIP: " << why);
  g_skipped = true;
}

bool any_test_skipped() { return g_skipped; }

std::filesystem::path build_dir() { return std::filesystem::path(cli_path()).parent_path(); }

std::filesystem::path npm_tools_dir() {
  if (const char* env = std::getenv("GORLEAK_NPM_TOOLS"); env && *env) return env;
  return build_dir() / "tools" / "npm" / "node_modules";
}

std::string find_tool(const char* env_var, const std::vector<std::string>& candidates) {
  auto executable = [](const std::string& p) { return !p.empty() && access(p.c_str(), X_OK) == 0; };
  if (const char* env = std::getenv(env_var); env && *env) return executable(env) ? env : "";
  for (const std::string& c : candidates) {
    if (c.find('/') != std::string::npos) {
      if (executable(c)) return c;
      continue;
    }
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    size_t i = 0;
    while (i <= dirs.size()) {
      size_t j = dirs.find(':', i);
      if (j == std::string::npos) j = dirs.size();
      std::string p = dirs.substr(i, j - i) + "/" + c;
      if (executable(p)) return p;
      i = j + 1;
    }
  }
  return "";
}

std::string chromium_path() {
  return find_tool("GORLEAK_CHROMIUM", {"chromium", "chromium-browser", "google-chrome"});
}

RunResult run_chromium(const std::string& chromium, const std::vector<std::string>& flags,
                       const std::string& url) {
  TempDir profile;
  std::vector<std::string> argv = {"timeout", "120", chromium, "--headless", "--no-sandbox",
                                   "--disable-gpu", "--disable-quic", "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update", "--disable-sync",
                                   "--user-data-dir=" + profile.path.string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back(url);
  return run_program(argv);
}

}  // namespace gorleak::test
