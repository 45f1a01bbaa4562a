// Helpers shared by the test files: where things are, and loading a dump.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "classify/rule_set.h"
#include "pipeline/load.h"

namespace gorleak::test {

std::filesystem::path source_dir();
std::filesystem::path corpus_dumps_dir();        // corpus/dumps
std::filesystem::path corpus_profiles_dir();     // corpus/profiles (heap profiles)
std::filesystem::path shared_dir();              // ../shared (may not exist)
bool shared_available();
std::string cli_path();                          // the built gorleak binary

std::string read_file(const std::filesystem::path& p);
// Writes `text` to `p`, creating its directory.
void write_file(const std::filesystem::path& p, const std::string& text);
// Files in `dir` whose names match the glob-ish filter (substring), sorted.
std::vector<std::filesystem::path> list_files(const std::filesystem::path& dir,
                                              const std::string& contains = "");

// The built-in rules as the source tree has them (rules/*.yaml), loaded
// once. Throws when they do not load: every test using them fails.
const RuleSet& builtin_rule_set();

// Loads a dump with a fresh catalog kept alive inside the returned value.
struct Loaded {
  Catalog catalog;
  LoadResult result;
};
std::unique_ptr<Loaded> load(const std::filesystem::path& p,
                             const LoadOptions& options = {});
std::unique_ptr<Loaded> load_text(const std::string& text,
                                  const LoadOptions& options = {});

// `s` in single quotes for /bin/sh.
std::string shell_quote(const std::string& s);

// Runs the CLI with arguments (shell-quoted here), capturing stdout+stderr.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
RunResult run_cli(const std::vector<std::string>& args,
                  const std::string& stdin_text = "");
// Any program: argv[0] is the program (a path, or a name found on PATH).
RunResult run_program(const std::vector<std::string>& argv, const std::string& stdin_text = "");

// Parsed `<name>.go<ver>.expect` file: one map per line of key=value pairs.
std::vector<std::vector<std::pair<std::string, std::string>>> read_expect(
    const std::filesystem::path& p);

// A fresh directory under /tmp, removed with everything in it.
struct TempDir {
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::filesystem::path path;
};

}  // namespace gorleak::test
