// A dump whose names carry what readers interpret (tests/data/hostile/:
// terminal escapes, NUL/BEL/DEL, U+2028 and bidi controls, invalid UTF-8,
// markup, quotes, ';', backslashes, odd paths) through every format of
// every command, by the CLI: nothing raw reaches a terminal or a reader.
// The readers' own tools check the same dump in test_html (Chromium),
// test_dot_graphviz, test_sarif_validate and test_prometheus_promtool.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "json_check.h"
#include "report/format.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

fs::path hostile() { return source_dir() / "tests/data/hostile/hostile.debug2.txt"; }

// Bytes a terminal or a parser would act on: C0 controls but newline, DEL,
// and (unless allowed) C1 controls, U+2028/2029 and bidi overrides as UTF-8.
size_t raw_controls(const std::string& s, bool allow_unicode_separators) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) ++n;
    if (allow_unicode_separators) continue;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) ++n;  // C1
    if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
      auto d = static_cast<unsigned char>(s[i + 2]);
      if (d == 0xa8 || d == 0xa9 || (d >= 0xaa && d <= 0xae)) ++n;  // U+2028/9, U+202A–E
    }
  }
  return n;
}

// Well-formed UTF-8 sequences (lead byte and continuation bytes).
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += len;
  }
  return true;
}

std::vector<std::string> command_args(FormatUse use, const std::string& format) {
  std::string d = hostile().string();
  switch (use) {
    case FormatUse::kAnalyze: return {"--format", format, "--top", "0", d};
    case FormatUse::kDiff: return {"diff", "--format", format, "--top", "0", d, d};
    case FormatUse::kTrend: return {"trend", "--format", format, "--top", "0", d, d, d};
  }
  return {};
}

}  // namespace

TEST_CASE("hostile dump: every format of every command escapes what its reader interprets") {
  REQUIRE(fs::exists(hostile()));
  size_t outputs = 0;
  for (FormatUse use : {FormatUse::kAnalyze, FormatUse::kDiff, FormatUse::kTrend}) {
    for (const Format& f : formats()) {
      if (!f.supports(use)) continue;
      std::string name(f.name);
      CAPTURE(name);
      CAPTURE(format_use_name(use));
      RunResult r = run_cli(command_args(use, name));
      REQUIRE(r.exit_code == 0);
      CHECK(!r.out.empty());
      CHECK(raw_controls(r.err, false) == 0);
      CHECK(raw_controls(r.out, false) == 0);
      CHECK(valid_utf8(r.out));
      std::string error;
      if (name == "json" || name == "sarif") {
        Json doc;
        CHECK(parse_json(r.out, &doc, &error));
      }
      if (name == "text" && use == FormatUse::kAnalyze) {
        // The escapes are visible, not interpreted.
        CHECK(r.out.find("\\x1b]0;pwned\\x07") != std::string::npos);
      }
      ++outputs;
    }
  }
  // Also with colour on: our own styles are the only escape sequences.
  RunResult colour = run_cli({"--color", "always", "--top", "0", hostile().string()});
  size_t esc = 0, ours = 0;
  for (size_t at = colour.out.find('\x1b'); at != std::string::npos; at = colour.out.find('\x1b', at + 1)) {
    ++esc;
    for (const char* style : {"\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[36m", "\x1b[0m"})
      if (colour.out.compare(at, std::strlen(style), style) == 0) ++ours;
  }
  CHECK(esc > 0);
  CHECK(esc == ours);
  MESSAGE(outputs << " outputs checked");
  CHECK(outputs >= 16);
}

TEST_CASE("hostile dump: a hostile file name stays one escaped line in errors") {
  RunResult r = run_cli({"/nonexistent/\x1b]0;pwned\x07\x1b[2J.txt"});
  CHECK(r.exit_code == 2);
  CHECK(raw_controls(r.err, false) == 0);
  CHECK(r.err.find("\\x1b]0;pwned\\x07\\x1b[2J.txt") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("hostile names in the lines only diff and trend print: the frame where two rows differ") {
  // Two dumps whose rows print the same site text, so the text report adds
  // "differs at frame 1: FUNC": that function is a hostile name (found by
  // fuzz_diff).
  auto dump = [](const std::string& caller) {
    return "goroutine 7 [chan send]:\nmain.site()\n\t/app/a.go:7 +0x1\n" + caller +
           "()\n\t/app/a.go:9 +0x1\ncreated by main.start in goroutine 1\n\t/app/a.go:3 +0x1\n";
  };
  TempDir tmp;
  std::string a = (tmp.path / "a.txt").string(), b = (tmp.path / "b.txt").string();
  write_file(a, dump("main.call\x1b]0;pwned\x07x"));
  write_file(b, dump("main.call\x1b[2Jy"));
  for (const char* command : {"diff", "trend"}) {
    CAPTURE(command);
    RunResult r = run_cli({command, "--color", "never", a, b});
    REQUIRE(r.exit_code == 0);
    CHECK(raw_controls(r.out, false) == 0);
    CHECK(r.out.find("\\x1b") != std::string::npos);
  }
}
