#include "classify/builtin_rules.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace gorleak {

namespace {

bool has_rule_files(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return false;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    auto ext = e.path().extension();
    if (ext == ".yaml" || ext == ".yml") return true;
  }
  return false;
}

std::filesystem::path exe_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return {};
  return std::filesystem::path(std::string(buf, static_cast<size_t>(n)));
}

}  // namespace

std::string builtin_rules_dir() {
  if (const char* env = std::getenv("GORLEAK_RULES_DIR"); env && *env) return env;
  std::filesystem::path exe = exe_path();
  if (!exe.empty()) {
    auto installed = exe.parent_path().parent_path() / "share" / "gorleak" / "rules";
    if (has_rule_files(installed)) return installed.string();
  }
#ifdef GORLEAK_BUILTIN_RULES_DIR
  if (embedded_rule_files().empty() && has_rule_files(GORLEAK_BUILTIN_RULES_DIR))
    return GORLEAK_BUILTIN_RULES_DIR;
#endif
  return {};
}

bool add_builtin_rules(RuleLoader& loader) {
  std::string dir = builtin_rules_dir();
  if (!dir.empty()) return loader.add_path(dir, /*builtin=*/true);
  bool ok = true;
  for (const EmbeddedRuleFile& f : embedded_rule_files())
    ok = loader.add_text(f.text, "<builtin>/" + std::string(f.name), /*builtin=*/true) && ok;
  return ok;
}

}  // namespace gorleak
