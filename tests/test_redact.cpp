// `gorleak redact` (redact/): on every corpus dump, in every form, and on
// the public corpus, the redacted dump parses to the same snapshots,
// totals, states, groups, counts, lines and goroutine ids as the original,
// and none of the values it replaced is left in it.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "model/func_name.h"
#include "parse/labels.h"
#include "parse/line_syntax.h"
#include "redact/redactor.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

struct Redacted {
  std::string text;
  std::vector<Placeholders::Change> changes;
  std::set<std::string> placeholders;  // every replacement made
};

Redacted redact(const std::string& original, const RedactOptions& options) {
  Redactor r;
  std::string error;
  REQUIRE_MESSAGE(r.init(options, &error), error);
  auto lines = lines_of(original);
  for (std::string_view l : lines) r.learn(l);
  Redacted out;
  std::string buf;
  for (std::string_view l : lines) {
    r.rewrite(l, &buf);
    out.text += buf;
    out.text += '\n';
  }
  if (!original.ends_with('\n') && !out.text.empty()) out.text.pop_back();  // as it ended
  out.changes = r.placeholders().changes();
  for (const auto& c : out.changes) out.placeholders.insert(c.replacement);
  return out;
}

// The values inside `labels` ("k=v, k2=v2" as normalised).
std::vector<std::string> label_values_of(const Group& g) {
  std::vector<std::string> out;
  std::string_view s = g.labels;
  while (!s.empty()) {
    size_t eq = s.find('=');
    if (eq == std::string_view::npos) break;
    size_t comma = s.find(", ", eq);
    out.emplace_back(s.substr(eq + 1, comma == std::string_view::npos ? std::string_view::npos
                                                                         : comma - eq - 1));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 2);
  }
  return out;
}

bool public_path(std::string_view p) {
  return p.find("/pkg/mod/") != std::string_view::npos ||
         p.find("/vendor/") != std::string_view::npos || p.starts_with("/usr/share/gocode/");
}

// A path as the build machine had it, not -trimpath's relative form.
bool absolute(std::string_view p) {
  return p.starts_with("/") || (p.size() > 2 && p[1] == ':');
}

struct Tally {
  size_t dumps = 0, goroutines = 0, groups = 0, replaced = 0;
};

// The whole check for one dump and one set of options.
void check_redaction(const fs::path& path, const RedactOptions& options, Tally* tally) {
  std::string original = read_file(path);
  Redacted red = redact(original, options);
  auto a = load_text(original);
  auto b = load_text(red.text);
  INFO(path.string());
  REQUIRE(a->result.ok == b->result.ok);
  if (!a->result.ok) return;  // not a dump (race report, pprof -top): refused alike
  ++tally->dumps;
  tally->replaced += red.changes.size();
  const auto& sa = a->result.snapshots;
  const auto& sb = b->result.snapshots;
  REQUIRE(sa.size() == sb.size());
  std::map<std::string, std::string> func_map;  // original → redacted: one to one
  std::map<std::string, std::string> func_back;
  for (size_t i = 0; i < sa.size(); ++i) {
    const Snapshot& x = sa[i];
    const Snapshot& y = sb[i];
    CHECK(x.form == y.form);
    CHECK(x.total == y.total);
    CHECK(x.declared_total == y.declared_total);
    CHECK(x.leaked == y.leaked);
    CHECK(x.skipped_lines == y.skipped_lines);
    CHECK(x.truncated == y.truncated);
    CHECK(x.first_line == y.first_line);
    CHECK(x.last_line == y.last_line);
    CHECK(x.states == y.states);
    REQUIRE(x.groups.size() == y.groups.size());
    tally->goroutines += x.total;
    tally->groups += x.groups.size();
    for (size_t g = 0; g < x.groups.size(); ++g) {
      const Group& gx = x.groups[g];
      const Group& gy = y.groups[g];
      CHECK(gx.count == gy.count);
      CHECK(gx.category == gy.category);
      CHECK(a->catalog.str(gx.state) == b->catalog.str(gy.state));
      CHECK(gx.sample_ids == gy.sample_ids);
      CHECK(gx.min_wait == gy.min_wait);
      CHECK(gx.first_line == gy.first_line);
      CHECK(gx.labels.empty() == gy.labels.empty());
      for (const std::string& v : label_values_of(gx)) {
        INFO("label value ", v);
        if (v.size() >= 3) CHECK(red.text.find(v) == std::string::npos);
      }
      const Stack& kx = a->catalog.stacks.get(gx.stack);
      const Stack& ky = b->catalog.stacks.get(gy.stack);
      REQUIRE(kx.frames.size() == ky.frames.size());
      CHECK(kx.created_by.present() == ky.created_by.present());
      CHECK(kx.elided_count == ky.elided_count);
      for (size_t f = 0; f < kx.frames.size(); ++f) {
        const Frame& fx = kx.frames[f];
        const Frame& fy = ky.frames[f];
        CHECK(fx.line == fy.line);
        CHECK(fx.flags == fy.flags);
        std::string ox(a->catalog.str(fx.func)), oy(b->catalog.str(fy.func));
        if (!options.hash_funcs) CHECK(ox == oy);
        auto [it, fresh] = func_map.emplace(ox, oy);
        CHECK(it->second == oy);
        auto [back, fresh_back] = func_back.emplace(oy, ox);
        CHECK(back->second == ox);
        // A user's source path is gone, whole.
        // (A path printed relative, -trimpath, is already what redact makes.)
        std::string_view file = a->catalog.str(fx.file);
        if (!is_stdlib_func(ox) && !public_path(file) && absolute(file)) {
          INFO("path ", file);
          CHECK(red.text.find(file) == std::string::npos);
        }
      }
    }
  }
  // Every argument left in a function line is a placeholder.
  for (std::string_view l : lines_of(red.text)) {
    FuncLine fl;
    if (!parse_func_line(trim_right(trim_left(l)), &fl)) continue;
    std::string_view args = fl.args;
    size_t i = 0;
    while (i < args.size()) {
      if (args[i] < '0' || args[i] > '9') {
        ++i;
        continue;
      }
      size_t j = args.find_first_of(",}? ", i);
      if (j == std::string_view::npos) j = args.size();
      std::string word(args.substr(i, j - i));
      INFO("argument ", word, " in ", l);
      CHECK(red.placeholders.count(word) == 1);
      i = j;
    }
  }
  // What the redactor says it replaced is not in its output.
  for (const auto& c : red.changes) {
    // (A home directory's user name may also be a module path's element,
    // github.com/NAME/…, which redact keeps without --hash-funcs.)
    if (c.kind != RedactedKind::kLabel && c.kind != RedactedKind::kPath &&
        c.kind != RedactedKind::kPattern)
      continue;
    if (c.original.size() < 4) continue;  // short values occur anywhere
    if (c.kind == RedactedKind::kPath && !absolute(c.original)) continue;  // already relative
    INFO(redacted_kind_name(c.kind), ": ", c.original);
    CHECK(red.text.find(c.original) == std::string::npos);
  }
}

RedactOptions hashing() {
  RedactOptions o;
  o.hash_funcs = true;
  o.hash_paths = true;
  o.patterns = {"corpus", "leak"};
  o.key = "test key";
  return o;
}

}  // namespace

TEST_CASE("redact: every corpus dump keeps its groups, states and counts") {
  Tally plain, hashed;
  for (const fs::path& p : list_files(corpus_dumps_dir(), ".txt")) {
    check_redaction(p, {}, &plain);
    check_redaction(p, hashing(), &hashed);
  }
  MESSAGE("corpus: ", plain.dumps, " dumps, ", plain.goroutines, " goroutines in ", plain.groups,
          " groups; ", plain.replaced, " distinct values replaced (", hashed.replaced,
          " with --hash-funcs --hash-paths --redact)");
  CHECK(plain.dumps >= 450);
  CHECK(hashed.dumps == plain.dumps);
}

TEST_CASE("redact: the public corpus keeps its groups, states and counts") {
  if (!shared_available()) {
    MESSAGE("../shared/corpus-public is absent: skipped");
    return;
  }
  Tally plain, hashed;
  for (const fs::path& p : list_files(shared_dir() / "corpus-public", ".txt")) {
    check_redaction(p, {}, &plain);
    check_redaction(p, hashing(), &hashed);
  }
  MESSAGE("public corpus: ", plain.dumps, " dumps, ", plain.goroutines, " goroutines; ",
          plain.replaced, " distinct values replaced");
  CHECK(plain.dumps >= 40);
}

TEST_CASE("redact: what each part of a line becomes") {
  RedactOptions o;
  o.key = "k";
  std::string in =
      "goroutine 7 gp=0xc000007a40 m=nil [chan receive, 3 minutes] {tenant: \"acme corp\", worker: w-1}:\n"
      "example.com/app/internal/queue.(*Queue).wait(0xc000124000, {0x0?, 0x3})\n"
      "\t/home/alice/src/app/internal/queue/queue.go:41 +0x5d\n"
      "main.main.func2()\n"
      "\t/home/alice/src/app/cmd/server/main.go:88 +0x25\n"
      "created by main.main in goroutine 1\n"
      "\t/home/alice/src/app/cmd/server/main.go:87 +0x3c\n"
      "\n"
      "goroutine 8 [select]:\n"
      "net/http.(*persistConn).writeLoop(0xc000124000)\n"
      "\t/home/alice/sdk/go1.22.1/src/net/http/transport.go:2421 +0xe5\n"
      "created by github.com/lib/pq.dial in goroutine 7\n"
      "\t/home/alice/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go:301 +0x1ca\n";
  Redacted r = redact(in, o);
  auto out = lines_of(r.text);
  REQUIRE(out.size() == 13);
  // Labels: values replaced, keys kept, quoting kept where Go would quote.
  CHECK(out[0].starts_with("goroutine 7 gp=0xc000007a40 m=nil [chan receive, 3 minutes] {tenant: \"v"));
  CHECK(out[0].find("acme") == std::string_view::npos);
  CHECK(out[0].find(", worker: v") != std::string_view::npos);
  // Arguments: each word a placeholder, the same word the same one.
  std::string p = std::string(out[1].substr(out[1].find("wait(") + 5, 10));
  CHECK(p.starts_with("0x"));
  CHECK(out[1].starts_with("example.com/app/internal/queue.(*Queue).wait(0x"));
  CHECK(out[1].find("{0x") != std::string_view::npos);
  CHECK(out[1].find("?, 0x") != std::string_view::npos);
  CHECK(out[9] == fmt::format("net/http.(*persistConn).writeLoop({})", p));
  // Paths: the import path form, package main under the module root learned
  // from the other package, GOROOT and the module cache kept but for the
  // user name.
  CHECK(out[2] == "\texample.com/app/internal/queue/queue.go:41 +0x5d");
  CHECK(out[4] == "\texample.com/app/cmd/server/main.go:88 +0x25");
  CHECK(out[6] == "\texample.com/app/cmd/server/main.go:87 +0x3c");
  CHECK(out[10].starts_with("\t/home/u"));
  CHECK(out[10].ends_with("/sdk/go1.22.1/src/net/http/transport.go:2421 +0xe5"));
  CHECK(out[12].ends_with("/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go:301 +0x1ca"));
  CHECK(r.text.find("alice") == std::string::npos);
  // Untouched: headers' structure, functions, created-by lines, blank lines.
  CHECK(out[3] == "main.main.func2()");
  CHECK(out[5] == "created by main.main in goroutine 1");
  CHECK(out[7].empty());
  CHECK(out[8] == "goroutine 8 [select]:");

  // --hash-funcs: the user's functions and packages, not the standard
  // library's nor public modules'; the shape stays.
  o.hash_funcs = true;
  Redacted h = redact(in, o);
  auto hl = lines_of(h.text);
  CHECK(hl[1].starts_with("hashed.example/p"));
  CHECK(hl[1].find(".(*f") != std::string_view::npos);
  CHECK(hl[1].find("queue") == std::string_view::npos);
  CHECK(hl[3] == "main.main.func2()");
  CHECK(hl[9].starts_with("net/http.(*persistConn).writeLoop("));
  CHECK(hl[11] == "created by github.com/lib/pq.dial in goroutine 7");
  CHECK(hl[2].starts_with("\thashed.example/p"));
  CHECK(hl[2].ends_with("/queue.go:41 +0x5d"));
  // The same key gives the same placeholders; another key other ones.
  CHECK(redact(in, o).text == h.text);
  o.key = "other";
  CHECK(redact(in, o).text != h.text);
}

TEST_CASE("redact: --redact patterns, log prefixes, goleak headers, debug=1, linkified lines") {
  RedactOptions o;
  o.patterns = {"acme", "db-[0-9]+\\.corp"};
  std::string in =
      "2024-01-01T00:00:00.000000000Z stderr F goroutine 1 [running]:\n"
      "2024-01-01T00:00:00.000000000Z stderr F main.main()\n"
      "2024-01-01T00:00:00.000000000Z stderr F \t/src/acme/main.go:[12](https://github.com/acme/x/blob/main.go#L12) +0x1d\n"
      "panic: dial db-17.corp: refused [recovered]\n"
      "[Goroutine 9 in state select, with example.com/acme/w.loop on top of the stack:\n"
      "goroutine profile: total 3\n"
      "3 @ 0x43 0x44\n"
      "# labels: {\"tenant\":\"acme\"}\n"
      "#\t0x4a\texample.com/acme/w.loop+0x25\t/src/acme/w/loop.go:9\n";
  Redacted r = redact(in, o);
  auto out = lines_of(r.text);
  REQUIRE(out.size() == 9);
  CHECK(r.text.find("acme") == std::string::npos);
  CHECK(r.text.find("db-17") == std::string::npos);
  CHECK(out[0] == "2024-01-01T00:00:00.000000000Z stderr F goroutine 1 [running]:");
  // The link is gone (it names the repository); the line reads as before,
  // package main placed under the module root its other package showed.
  CHECK(out[2].starts_with("2024-01-01T00:00:00.000000000Z stderr F \texample.com/r"));
  CHECK(out[2].ends_with("/main.go:12 +0x1d"));
  CHECK(out[2].find("https") == std::string_view::npos);
  CHECK(out[3].starts_with("panic: dial r"));
  CHECK(out[3].ends_with(": refused [recovered]"));
  CHECK(out[4].starts_with("[Goroutine 9 in state select, with example.com/r"));
  CHECK(out[4].ends_with("/w.loop on top of the stack:"));
  CHECK(out[5] == "goroutine profile: total 3");
  CHECK(out[6] == "3 @ 0x43 0x44");
  CHECK(out[7].starts_with("# labels: {\"tenant\":\"v"));
  CHECK(out[8].starts_with("#\t0x4a\texample.com/r"));
  std::string r8(out[8].substr(out[8].find("com/r") + 4, 9));  // "r" + 8 hex
  CHECK(out[8] == fmt::format("#\t0x4a\texample.com/{}/w.loop+0x25\texample.com/{}/w/loop.go:9", r8, r8));
}

TEST_CASE("redact: the CLI") {
  fs::path dump = corpus_dumps_dir() / "labels.go1.27.debug2.txt";
  RunResult r = run_cli({"redact", dump.string()});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.find("w-1") == std::string::npos);
  CHECK(r.out.find("/corpus/programs/") == std::string::npos);
  // Standard input reads the same.
  RunResult s = run_cli({"redact", "-"}, read_file(dump));
  CHECK(s.out == r.out);
  RunResult c = run_cli({"redact", "--check", dump.string()});
  CHECK(c.exit_code == 0);
  CHECK(c.out.find("label value     w-1 -> v") != std::string::npos);
  CHECK(c.err.find("distinct values would be replaced") != std::string::npos);
  RunResult bad = run_cli({"redact", "--redact", "(", dump.string()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.rfind("gorleak: --redact: missing ): (", 0) == 0);
  RunResult none = run_cli({"redact"});
  CHECK(none.exit_code == 2);
  RunResult missing = run_cli({"redact", "/nonexistent/dump.txt"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("/nonexistent/dump.txt") != std::string::npos);
}
