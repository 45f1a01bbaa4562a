// `--format goleak` (report/goleak_writer.h) and its Go-literal escaper
// (report/go_literal.h): which groups get options, which option, and that
// every function name comes back exactly from the Go literal, however
// hostile. Compiling the output with Go is in test_go_bridge.cpp.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "report/go_literal.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

// A Go interpreted string literal's value (the escapes go_quote writes);
// false on anything else.
bool go_unquote(std::string_view lit, std::string* out) {
  if (lit.size() < 2 || lit.front() != '"' || lit.back() != '"') return false;
  out->clear();
  auto hex = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  for (size_t i = 1; i + 1 < lit.size(); ++i) {
    char c = lit[i];
    if (c == '"' || c == '\n') return false;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    char e = lit[++i];
    switch (e) {
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'a': out->push_back('\a'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'v': out->push_back('\v'); break;
      case '\\': out->push_back('\\'); break;
      case '"': out->push_back('"'); break;
      case 'x':
        out->push_back(static_cast<char>(hex(lit[i + 1]) * 16 + hex(lit[i + 2])));
        i += 2;
        break;
      case 'u': {
        uint32_t cp = 0;
        for (int k = 1; k <= 4; ++k) cp = cp * 16 + static_cast<uint32_t>(hex(lit[i + k]));
        i += 4;
        if (cp < 0x800) {
          out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
        } else {
          out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
          out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        }
        out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        break;
      }
      default: return false;
    }
  }
  return true;
}

struct Option {
  std::string call;  // IgnoreTopFunction / IgnoreAnyFunction
  std::string func;  // decoded
};

// The options of --format goleak output; every line is an option or a
// comment.
std::vector<Option> options_of(const std::string& out) {
  std::vector<Option> opts;
  size_t i = 0;
  while (i < out.size()) {
    size_t j = out.find('\n', i);
    REQUIRE(j != std::string::npos);
    std::string line = out.substr(i, j - i);
    i = j + 1;
    INFO(line);
    for (char c : line) CHECK((static_cast<unsigned char>(c) >= 0x20 && c != 0x7f));
    if (line.empty() || line.starts_with("//")) continue;
    REQUIRE(line.starts_with("goleak.Ignore"));
    size_t open = line.find("(\""), close = line.rfind("\"), // group #");
    REQUIRE(open != std::string::npos);
    REQUIRE(close != std::string::npos);
    Option o;
    o.call = line.substr(7, open - 7);
    REQUIRE(go_unquote(line.substr(open + 1, close - open), &o.func));
    opts.push_back(o);
  }
  return opts;
}

}  // namespace

TEST_CASE("go_quote: a literal Go reads back as the same bytes, nothing a terminal acts on") {
  CHECK(go_quote("main.f") == "\"main.f\"");
  CHECK(go_quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(go_quote("\n\r\t\a\b\f\v") == "\"\\n\\r\\t\\a\\b\\f\\v\"");
  CHECK(go_quote("\x1b]0;pwned\x07") == "\"\\x1b]0;pwned\\a\"");
  CHECK(go_quote(std::string("\0\x7f", 2)) == "\"\\x00\\x7f\"");
  CHECK(go_quote("pkg.\xff\xfe") == "\"pkg.\\xff\\xfe\"");        // not UTF-8
  CHECK(go_quote("\xe2\x80\xae") == "\"\\u202e\"");                // RIGHT-TO-LEFT OVERRIDE
  CHECK(go_quote("\xe2\x80\xa8") == "\"\\u2028\"");                // LINE SEPARATOR
  CHECK(go_quote("\xc2\x85") == "\"\\u0085\"");                    // NEL
  CHECK(go_quote("w-3\xce\xa3") == "\"w-3\xce\xa3\"");              // printable UTF-8 stays
  CHECK(go_quote("\xed\xa0\x80") == "\"\\xed\\xa0\\x80\"");        // a surrogate is not UTF-8
  for (std::string s : {std::string("a\"\\\n\x1b\xff\xe2\x80\xae z"), std::string("\xf0\x9f\x98\x80")}) {
    std::string back;
    REQUIRE(go_unquote(go_quote(s), &back));
    CHECK(back == s);
  }
}

TEST_CASE("--format goleak: expected groups get options, leaks get a comment") {
  auto path = corpus_dumps_dir() / "states.go1.22.debug2.txt";
  // The fixture's 14 network readers are a low net-read-no-deadline finding
  // (findings are never ignored); without that rule they show how a
  // goroutine parked in the poller is named.
  RunResult r = run_cli({"--format", "goleak", "--disable", "net-read-no-deadline", path.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.starts_with("// gorleak: "));
  std::vector<Option> opts = options_of(r.out);
  REQUIRE(opts.size() >= 5);
  auto has = [&](std::string_view call, std::string_view func) {
    for (const Option& o : opts)
      if (o.call == call && o.func == func) return true;
    return false;
  };
  // A goroutine whose top frame is the program's own: precise.
  CHECK(has("IgnoreTopFunction", "main.chanSender"));
  // Blocked in the network poller (a shared primitive): named by its own frame.
  CHECK(has("IgnoreAnyFunction", "main.ioReader"));
  // Only standard library on the stack: its entry function, past go wrappers.
  CHECK(has("IgnoreAnyFunction", "net/http.(*conn).serve"));
  for (const Option& o : opts) {
    // A goroutine is named by a wrapper only when that is all it shows
    // (a runnable `go` wrapper that has not called in yet): then as its top.
    if (o.call == "IgnoreAnyFunction") CHECK(o.func.find("gowrap") == std::string::npos);
    CHECK(o.func != "main.nilReceiver");  // a finding: not ignored
  }
  CHECK(r.out.find("// not ignored: group #") != std::string::npos);
  CHECK(r.out.find("is a nil-channel finding; accept it with --baseline") != std::string::npos);
  CHECK(r.out.find("// goleak.IgnoreAnyFunction needs go.uber.org/goleak v1.3.0 or later.") !=
        std::string::npos);
  // The shared selection narrows it.
  RunResult m = run_cli({"--format", "goleak", "--match", "chanSender", path.string()});
  std::vector<Option> one = options_of(m.out);
  REQUIRE(one.size() == 1);
  CHECK(one[0].func == "main.chanSender");
  CHECK(m.out.find("needs go.uber.org/goleak v1.3.0") == std::string::npos);
}

TEST_CASE("--format goleak: hostile function names come back exactly, as inert literals") {
  std::string names[] = {
      "main.\"quoted\"",
      "main.back\\slash",
      "main.title\x1b]0;pwned\x07",
      "main.clear\x1b[2J",
      "main.rtl\xe2\x80\xae" "evil",  // U+202E, then plain letters
      "main.bad\xff",
  };
  std::string dump;
  int id = 1;
  for (const std::string& n : names) {
    dump += "goroutine " + std::to_string(++id) + " [select]:\n" + n + "()\n\t/src/app/main.go:" +
            std::to_string(id) + " +0x10\n\n";
  }
  RunResult r = run_cli({"--format", "goleak", "-"}, dump);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<Option> opts = options_of(r.out);
  REQUIRE(opts.size() == std::size(names));
  for (size_t i = 0; i < opts.size(); ++i) {
    CHECK(opts[i].call == "IgnoreTopFunction");
    CHECK(opts[i].func == names[i]);
  }
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find("\xe2\x80\xae") == std::string::npos);
}
