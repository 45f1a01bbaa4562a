#include "go_support.h"

#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cstdlib>
#include <sstream>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <re2/re2.h>

#include "test_support.h"

namespace fs = std::filesystem;

namespace gorleak::test {

namespace {

bool executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<fs::path> find_go() {
  if (const char* env = std::getenv("GORLEAK_GO"); env && *env) {
    if (executable(env)) return fs::path(env);
    return std::nullopt;  // asked for a specific one: do not guess another
  }
  if (const char* path = std::getenv("PATH")) {
    std::istringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':'))
      if (!dir.empty() && executable(fs::path(dir) / "go")) return fs::path(dir) / "go";
  }
  std::optional<fs::path> best;
  int best_minor = -1;
  std::error_code ec;
  if (!fs::is_directory("/opt/go", ec)) return std::nullopt;
  static const RE2 re(R"(go-1\.(\d+))");
  for (const auto& e : fs::directory_iterator("/opt/go", ec)) {
    int minor = 0;
    std::string name = e.path().filename().string();
    if (!RE2::FullMatch(name, re, &minor)) continue;
    fs::path go = e.path() / "usr/lib" / name / "bin/go";
    if (executable(go) && minor > best_minor) {
      best = go;
      best_minor = minor;
    }
  }
  return best;
}

std::optional<fs::path> find_go_or_skip(const char* what) {
  auto go = find_go();
  if (!go) MESSAGE("no Go toolchain (GORLEAK_GO, go on PATH, /opt/go/go-*): ", what, " skipped");
  return go;
}

int run_shell(const std::string& cmd, const fs::path& log, std::string* output) {
  int status = std::system((cmd + " >" + shell_quote(log.string()) + " 2>&1").c_str());
  *output = read_file(log);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string go_env(const fs::path& gopath) {
  // A cold cache compiles runtime/pprof's dependencies (~15 s of CPU): keep it.
  fs::path gocache = fs::temp_directory_path() / "gorleak-e2e-gocache";
  return fmt::format(
      "env GOCACHE={} GOPATH={}:/usr/share/gocode GO111MODULE=off GOFLAGS= GOTOOLCHAIN=local "
      "GOPROXY=off CGO_ENABLED=0 ",
      shell_quote(gocache.string()), shell_quote(gopath.string()));
}

}  // namespace gorleak::test
