#include "parse/noise.h"

#include "parse/line_syntax.h"

namespace gorleak {

namespace {
bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// "rax    0x0", "r8     0xc000", "rflags 0x246", "lr 0x…" (SIGQUIT registers).
bool is_register_line(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && lower_alnum(s[i])) ++i;
  if (i == 0 || i > 8 || i >= s.size() || s[i] != ' ') return false;
  while (i < s.size() && s[i] == ' ') ++i;
  if (!starts_with(s.substr(i), "0x")) return false;
  for (i += 2; i < s.size(); ++i) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
}  // namespace

bool is_known_noise(std::string_view s) {
  if (is_register_line(s)) return true;
  static constexpr std::string_view kPrefixes[] = {
      "PC=0x", "-----", "[signal ", "exit status ", "FAIL\t", "FAIL ", "ok  \t", "PASS",
      "=== RUN", "=== PAUSE", "=== CONT", "--- FAIL", "--- PASS", "running tests:",
      "goroutine running on other thread", "[recovered]", "ERROR: ", "]",
      "runtime: ", "stack: frame={", "gp=0x", "created by ", "signal arrived during",
      "syscall.Syscall", "[originating from", "...", "```", "=================="};
  for (std::string_view p : kPrefixes)
    if (starts_with(s, p)) return true;
  // "0x000000c000123450:  0x…  0x… <runtime.throw+0x71>" stack hex dumps.
  if (starts_with(s, "0x0000") && s.find(":  0x") != std::string_view::npos) return true;
  return false;
}

CrashStart crash_start(std::string_view s) {
  if (starts_with(s, "panic: ")) return CrashStart::kPanic;
  if (starts_with(s, "fatal error: ")) return CrashStart::kFatal;
  if (starts_with(s, "goleak: ") || starts_with(s, "found unexpected goroutines"))
    return CrashStart::kGoleak;
  // "SIGQUIT: quit", "SIGABRT: abort", "SIGSEGV: segmentation violation".
  if (starts_with(s, "SIG")) {
    size_t colon = s.find(": ");
    if (colon != std::string_view::npos && colon > 3 && colon < 12) {
      for (size_t i = 3; i < colon; ++i)
        if (s[i] < 'A' || s[i] > 'Z') return CrashStart::kNone;
      return CrashStart::kSignal;
    }
  }
  return CrashStart::kNone;
}

}  // namespace gorleak
