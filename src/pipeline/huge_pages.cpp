#include "pipeline/huge_pages.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>

namespace gorleak {

namespace {

constexpr std::string_view kTunable = "glibc.malloc.hugetlb";

std::string read_thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Back to what the user gave, once the restarted process has read its
// tunables; true when this process is the restarted one.
bool restore_tunables() {
  const char* before = std::getenv(kTunablesBeforeEnv);
  if (before == nullptr) return false;
  std::string_view b = before;
  if (b.starts_with("set:"))
    setenv("GLIBC_TUNABLES", before + 4, 1);
  else
    unsetenv("GLIBC_TUNABLES");
  unsetenv(kTunablesBeforeEnv);
  return true;
}

}  // namespace

std::optional<std::string> huge_page_tunables(const char* current_tunables,
                                              const char* opt_out, const std::string& thp_mode) {
  if (opt_out != nullptr && std::string_view(opt_out) == "0") return std::nullopt;
  if (thp_mode.find("[always]") == std::string::npos &&
      thp_mode.find("[madvise]") == std::string::npos)
    return std::nullopt;
  std::string_view current = current_tunables ? current_tunables : "";
  if (current.find(kTunable) != std::string_view::npos) return std::nullopt;  // the user's choice
  std::string out(current);
  if (!out.empty()) out += ':';
  out += kTunable;
  out += "=1";
  return out;
}

bool may_be_large_input(char** argv, int stdin_fd) {
  uint64_t total = 0;
  struct stat st;
  for (char** a = argv[0] ? argv + 1 : argv; *a != nullptr; ++a) {
    std::string_view arg = *a;
    if (arg.starts_with("http://") || arg.starts_with("https://")) return true;
    if (!arg.starts_with("-") && stat(*a, &st) == 0 && S_ISREG(st.st_mode)) total += st.st_size;
  }
  if (fstat(stdin_fd, &st) == 0) {
    if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) return true;
    if (S_ISREG(st.st_mode)) total += st.st_size;
  }
  return total >= kHugePagesMinInput;
}

void use_huge_pages(char** argv) {
  if (restore_tunables()) return;
  if (!may_be_large_input(argv, STDIN_FILENO)) return;
  const char* current = std::getenv("GLIBC_TUNABLES");
  std::optional<std::string> tunables =
      huge_page_tunables(current, std::getenv(kHugePagesEnv), read_thp_mode());
  if (!tunables) return;
  std::string before = current ? "set:" + std::string(current) : "unset";
  setenv(kTunablesBeforeEnv, before.c_str(), 1);
  setenv("GLIBC_TUNABLES", tunables->c_str(), 1);
  execv("/proc/self/exe", argv);
  // Still here: the restart failed; carry on as we are.
  restore_tunables();
}

}  // namespace gorleak
