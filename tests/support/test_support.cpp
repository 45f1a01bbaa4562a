#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "classify/rule_loader.h"

namespace gorleak::test {

std::filesystem::path source_dir() { return GORLEAK_SOURCE_DIR; }

const RuleSet& builtin_rule_set() {
  static const std::unique_ptr<RuleSet> set = [] {
    RuleLoader loader;
    if (!loader.add_path((source_dir() / "rules").string(), true))
      throw std::runtime_error("the built-in rules in " + (source_dir() / "rules").string() +
                               " do not load");
    return RuleSet::build(loader.take_rules(), {}, nullptr, loader.roles());
  }();
  return *set;
}
std::filesystem::path corpus_dumps_dir() { return source_dir() / "corpus" / "dumps"; }
std::filesystem::path corpus_profiles_dir() { return source_dir() / "corpus" / "profiles"; }
std::filesystem::path shared_dir() { return GORLEAK_SHARED_DIR; }
bool shared_available() {
  return std::filesystem::is_directory(shared_dir() / "corpus-public");
}
std::string cli_path() { return GORLEAK_CLI_PATH; }

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::filesystem::path> list_files(const std::filesystem::path& dir,
                                              const std::string& contains) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    if (e.path().filename().string().find(contains) == std::string::npos) continue;
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<Loaded> load(const std::filesystem::path& p, const LoadOptions& options) {
  auto l = std::make_unique<Loaded>();
  l->result = load_dump_file(l->catalog, p.string(), options);
  return l;
}

std::unique_ptr<Loaded> load_text(const std::string& text, const LoadOptions& options) {
  auto l = std::make_unique<Loaded>();
  l->result = load_dump_text(l->catalog, text, "<text>", options);
  return l;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

RunResult run_program(const std::vector<std::string>& argv, const std::string& stdin_text) {
  char out_tpl[] = "/tmp/gorleak-test-out-XXXXXX";
  char err_tpl[] = "/tmp/gorleak-test-err-XXXXXX";
  char in_tpl[] = "/tmp/gorleak-test-in-XXXXXX";
  int out_fd = mkstemp(out_tpl), err_fd = mkstemp(err_tpl), in_fd = mkstemp(in_tpl);
  if (write(in_fd, stdin_text.data(), stdin_text.size()) < 0) {}
  close(out_fd);
  close(err_fd);
  close(in_fd);
  std::string cmd;
  for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + shell_quote(a);
  cmd += fmt::format(" <{} >{} 2>{}", in_tpl, out_tpl, err_tpl);
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_tpl);
  r.err = read_file(err_tpl);
  unlink(out_tpl);
  unlink(err_tpl);
  unlink(in_tpl);
  return r;
}

RunResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::vector<std::string> argv = {cli_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, stdin_text);
}

std::vector<std::vector<std::pair<std::string, std::string>>> read_expect(
    const std::filesystem::path& p) {
  std::vector<std::vector<std::pair<std::string, std::string>>> rows;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::pair<std::string, std::string>> row;
    // Values may contain spaces ("state=chan receive count=3"): a key starts
    // at a word that contains '=' before any space.
    size_t i = 0;
    while (i < line.size()) {
      size_t eq = line.find('=', i);
      if (eq == std::string::npos) break;
      std::string key = line.substr(i, eq - i);
      size_t next = eq + 1, val_end = line.size();
      for (size_t j = eq + 1; j < line.size(); ++j) {
        if (line[j] != ' ') continue;
        size_t k = j + 1;
        while (k < line.size() && line[k] != ' ' && line[k] != '=') ++k;
        if (k < line.size() && line[k] == '=') {
          val_end = j;
          next = j + 1;
          break;
        }
      }
      if (val_end == line.size()) next = line.size();
      row.emplace_back(key, line.substr(eq + 1, val_end - eq - 1));
      i = next;
    }
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

TempDir::TempDir() {
  char tpl[] = "/tmp/gorleak-test-XXXXXX";
  if (mkdtemp(tpl)) path = tpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path.empty()) std::filesystem::remove_all(path, ec);
}

}  // namespace gorleak::test
