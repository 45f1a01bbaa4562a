// Dumps as people paste them: real corpus dumps damaged the way pastes
// damage them, by transformations written here, must read as the
// undamaged dump does. Journald lines wrapped at the terminal width, ids
// masked by hand, the blank lines between stacks lost (and the headers
// with them), and two pprof dumps concatenated with `cat`.
#include <doctest/doctest.h>

#include <re2/re2.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::string frame_text(const Catalog& c, const Frame& f) {
  return fmt::format("{} {}:{}", c.str(f.func), c.str(f.file), f.line);
}

std::string stack_text(const Catalog& c, StackId id) {
  const Stack& s = c.stacks.get(id);
  std::string out;
  for (const Frame& f : s.frames) out += frame_text(c, f) + " | ";
  if (s.created_by.present())
    out += fmt::format("created by {} {}:{}", c.str(s.created_by.func), c.str(s.created_by.file),
                       s.created_by.line);
  return out;
}

// A snapshot as catalog-free text: what a reader of the report sees.
struct SnapView {
  std::string form;
  uint64_t total = 0;
  StateCounts states{};
  std::vector<std::string> groups;  // sorted "count state stack"
  std::string go_version;
  std::string leak_report;
  bool operator==(const SnapView&) const = default;
};

std::string range_text(const GoVersionRange& r) {
  return fmt::format("{}-{} ({})", r.min_minor, r.max_minor, r.basis);
}

SnapView view(const Catalog& c, const Snapshot& s, bool with_states = true) {
  SnapView v;
  v.form = std::string(form_name(s.form));
  v.total = s.total;
  if (with_states) v.states = s.states;
  for (const Group& g : s.groups)
    v.groups.push_back(fmt::format("{} {} {}", g.count, with_states ? c.str(g.state) : "",
                                   stack_text(c, g.stack)));
  std::sort(v.groups.begin(), v.groups.end());
  v.go_version = range_text(s.go_version);
  v.leak_report = std::string(leak_report_name(s.leak_report));
  return v;
}

std::vector<SnapView> views(const Loaded& l, bool with_states = true) {
  std::vector<SnapView> out;
  for (const Snapshot& s : l.result.snapshots) out.push_back(view(l.catalog, s, with_states));
  return out;
}

std::string show(const std::vector<SnapView>& v) {
  std::string out;
  for (const SnapView& s : v) {
    out += fmt::format("{} total={} version={} groups={}\n", s.form, s.total, s.go_version,
                       s.groups.size());
    for (const std::string& g : s.groups) out += "  " + g + "\n";
  }
  return out;
}

// How journald shows a program's stderr, then a terminal `width` columns
// wide: the continuation of a long line carries no prefix.
std::string journald_wrapped(const std::string& text, size_t width, bool drop_tabs) {
  const std::string prefix = "Oct 01 22:57:16 buildlet-prep buildlet-stage0[19647]: ";
  std::string out;
  for (const std::string& line : split_lines(text)) {
    std::string content = drop_tabs && !line.empty() && line[0] == '\t' ? line.substr(1) : line;
    std::string full = prefix + content;
    for (size_t at = 0; at == 0 || at < full.size(); at += width)
      out += full.substr(at, width) + "\n";
  }
  return out;
}

std::vector<std::filesystem::path> dumps_of_form(const std::string& form) {
  return list_files(corpus_dumps_dir(), "." + form + ".txt");
}

}  // namespace

TEST_CASE("journald lines wrapped mid-frame keep every frame") {
  size_t checked = 0, wrapped_lines = 0;
  for (const char* form : {"debug2", "sigquit", "debug1", "leak2"}) {
    for (const auto& p : dumps_of_form(form)) {
      std::string text = read_file(p);
      auto want = load_text(text);
      REQUIRE(want->result.ok);
      for (size_t width : {100, 116, 160}) {
        for (bool drop_tabs : {false, true}) {
          if (drop_tabs && std::string(form) == "debug1") continue;  // tabs separate its columns
          CAPTURE(p.filename().string());
          CAPTURE(width);
          CAPTURE(drop_tabs);
          std::string damaged = journald_wrapped(text, width, drop_tabs);
          wrapped_lines += split_lines(damaged).size() - split_lines(text).size();
          auto got = load_text(damaged);
          REQUIRE(got->result.ok);
          CHECK(show(views(*got)) == show(views(*want)));
          for (const Snapshot& s : got->result.snapshots) CHECK(s.skipped_lines == 0);
          ++checked;
        }
      }
    }
  }
  CHECK(checked > 300);
  CHECK(wrapped_lines > 100000);
  MESSAGE(checked << " wrapped journald copies read as their originals (" << wrapped_lines
                  << " continuation lines)");
}

TEST_CASE("journald: the public revdial paste keeps its wrapped frames") {
  if (!shared_available()) {
    MESSAGE("../shared absent: skipped");
    return;
  }
  auto l = load(shared_dir() / "corpus-public" / "issue-golang-12816-revdial-journald-prefix.txt");
  REQUIRE(l->result.snapshots.size() == 1);
  const Snapshot& s = l->result.snapshots[0];
  REQUIRE(s.groups.size() == 1);
  const Stack& st = l->catalog.stacks.get(s.groups[0].stack);
  std::vector<std::string> frames;
  for (const Frame& f : st.frames) frames.push_back(frame_text(l->catalog, f));
  INFO(fmt::format("{}", fmt::join(frames, "\n")));
  // Both wrapped lines: a function line cut inside its arguments and a
  // file line cut inside its offset.
  CHECK(std::find(frames.begin(), frames.end(),
                  "golang.org/x/build/revdial.(*conn).Write "
                  "/home/bradfitz/src/golang.org/x/build/revdial/revdial.go:304") != frames.end());
  CHECK(s.skipped_lines == 0);
  CHECK(l->catalog.str(s.groups[0].state) == "semacquire");
}

TEST_CASE("masked goroutine ids: every goroutine is read, ids unknown") {
  const RE2 header(R"((?m)^goroutine \d+ )");
  const RE2 parent(R"((?m) in goroutine \d+$)");
  size_t checked = 0;
  for (const char* form : {"debug2", "sigquit", "leak2"}) {
    for (const auto& p : dumps_of_form(form)) {
      std::string text = read_file(p);
      auto want = load_text(text);
      for (const char* mask : {"NNNNN", "XXX", "\u2026", "..."}) {
        CAPTURE(p.filename().string());
        CAPTURE(mask);
        std::string damaged = text;
        REQUIRE(RE2::GlobalReplace(&damaged, header, fmt::format("goroutine {} ", mask)) > 0);
        RE2::GlobalReplace(&damaged, parent, fmt::format(" in goroutine {}", mask));
        auto got = load_text(damaged);
        REQUIRE(got->result.ok);
        CHECK(show(views(*got)) == show(views(*want)));
        for (const Snapshot& s : got->result.snapshots) {
          CHECK(s.skipped_lines == 0);
          for (const Group& g : s.groups) CHECK(g.sample_ids.empty());
        }
        ++checked;
      }
    }
  }
  CHECK(checked > 300);
  MESSAGE(checked << " masked copies read as their originals");
}

TEST_CASE("masked ids: the public restatedev paste is a goroutine in chan send") {
  if (!shared_available()) {
    MESSAGE("../shared absent: skipped");
    return;
  }
  auto l = load(shared_dir() / "corpus-public" / "issue-restatedev-sdkgo-141-chansend-leak-abbrev.txt");
  REQUIRE(l->result.snapshots.size() == 1);
  const Snapshot& s = l->result.snapshots[0];
  bool found = false;
  for (const Group& g : s.groups) {
    if (l->catalog.str(g.state) != "chan send") continue;
    found = true;
    CHECK(g.min_wait == 49);
    // Its frames were pasted as `FUNC(ARGS) FILE:LINE`, one line each.
    const Stack& st = l->catalog.stacks.get(g.stack);
    REQUIRE(st.frames.size() == 3);
    CHECK(frame_text(l->catalog, st.frames[2]) ==
          "github.com/restatedev/sdk-go/internal/restatecontext.(*ctx).readInputLoop io_helpers.go:66");
  }
  CHECK(found);
}

TEST_CASE("stacks pasted without the blank lines between them stay apart") {
  size_t checked = 0;
  for (const char* form : {"debug2", "sigquit", "debug1", "leak2"}) {
    for (const auto& p : dumps_of_form(form)) {
      CAPTURE(p.filename().string());
      std::string text = read_file(p);
      auto want = load_text(text);
      std::vector<std::string> lines = split_lines(text);
      lines.erase(std::remove(lines.begin(), lines.end(), std::string()), lines.end());
      auto got = load_text(join_lines(lines));
      REQUIRE(got->result.ok);
      CHECK(show(views(*got)) == show(views(*want)));
      ++checked;
    }
  }
  CHECK(checked > 300);
  MESSAGE(checked << " dumps read the same without blank lines");
}

TEST_CASE("headerless stacks pasted back to back split at created by and main.main") {
  // Hand-pasted excerpts and etcd-style leak checks print stacks with no
  // header; with the blank lines gone too, only the shape of a stack shows
  // where it ends. debug=2 stacks (level 1) end in `created by` or, for
  // goroutine 1, in main.main.
  const RE2 header(R"(goroutine \S+ (gp=\S+ m=\S+( mp=\S+)? )?\[.*\]( \{.*\})?:)");
  size_t checked = 0, goroutines = 0;
  for (const auto& p : dumps_of_form("debug2")) {
    CAPTURE(p.filename().string());
    std::string text = read_file(p);
    auto want = load_text(text);
    std::vector<std::string> lines;
    for (const std::string& l : split_lines(text))
      if (!l.empty() && !RE2::FullMatch(l, header)) lines.push_back(l);
    auto got = load_text(join_lines(lines));
    REQUIRE(got->result.ok);
    REQUIRE(got->result.snapshots.size() == 1);
    SnapView g = views(*got, /*with_states=*/false)[0];
    SnapView w = views(*want, /*with_states=*/false)[0];
    // Groups that differ only by state merge when no state is printed.
    std::map<std::string, uint64_t> by_stack_got, by_stack_want;
    for (const Group& gr : got->result.snapshots[0].groups)
      by_stack_got[stack_text(got->catalog, gr.stack)] += gr.count;
    for (const Group& gr : want->result.snapshots[0].groups)
      by_stack_want[stack_text(want->catalog, gr.stack)] += gr.count;
    CHECK(by_stack_got == by_stack_want);
    CHECK(g.total == w.total);
    goroutines += g.total;
    ++checked;
  }
  CHECK(checked > 80);
  MESSAGE(checked << " debug=2 dumps, " << goroutines
                  << " goroutines, read stack by stack without headers or blank lines");
}

namespace {

// corpus/dumps/series-NAME.goV.PHASE.FORM.txt, grouped by series and form.
std::map<std::string, std::vector<std::filesystem::path>> series_dumps(const std::string& form) {
  std::map<std::string, std::vector<std::filesystem::path>> out;
  const RE2 re(R"((series-[a-z-]+\.go[0-9.]+)\.(idle|loaded|after)\.)" + form + R"(\.txt)");
  for (const auto& p : list_files(corpus_dumps_dir(), "series-")) {
    std::string key, phase;
    if (RE2::FullMatch(p.filename().string(), re, &key, &phase)) out[key].push_back(p);
  }
  // Phase order, as a person would `cat` them.
  for (auto& [key, files] : out) {
    auto rank = [](const std::filesystem::path& p) {
      std::string n = p.filename().string();
      return n.find(".idle.") != std::string::npos ? 0 : n.find(".loaded.") != std::string::npos ? 1 : 2;
    };
    std::sort(files.begin(), files.end(),
              [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  }
  return out;
}

}  // namespace

TEST_CASE("two debug=2 dumps concatenated split at the second dump's first goroutine") {
  size_t pairs = 0;
  for (const char* form : {"debug2", "leak2"}) {
    for (const auto& [series, files] : series_dumps(form)) {
      for (size_t a = 0; a < files.size(); ++a) {
        for (size_t b = 0; b < files.size(); ++b) {
          if (a == b) continue;
          CAPTURE(files[a].filename().string());
          CAPTURE(files[b].filename().string());
          auto one = load(files[a]);
          auto two = load(files[b]);
          std::vector<SnapView> want = views(*one);
          for (const SnapView& v : views(*two)) want.push_back(v);
          std::string cat = read_file(files[a]) + read_file(files[b]);
          for (unsigned jobs : {1u, 2u, 3u}) {
            CAPTURE(jobs);
            LoadOptions o;
            o.jobs = jobs;
            o.split_block_bytes = 2048;  // every goroutine boundary is a cut
            auto got = load_text(cat, o);
            REQUIRE(got->result.snapshots.size() == 2);
            CHECK(show(views(*got)) == show(want));
            // The second snapshot starts at the first line of the second file.
            CHECK(got->result.snapshots[1].first_line ==
                  std::count(cat.begin(), cat.begin() + static_cast<long>(read_file(files[a]).size()),
                             '\n') + 1);
          }
          ++pairs;
        }
      }
      // All three phases in one file.
      if (files.size() == 3) {
        std::string cat;
        std::vector<SnapView> want;
        for (const auto& f : files) {
          cat += read_file(f);
          for (const SnapView& v : views(*load(f))) want.push_back(v);
        }
        CHECK(show(views(*load_text(cat))) == show(want));
      }
    }
  }
  CHECK(pairs >= 40);
  MESSAGE(pairs << " ordered pairs of series dumps read the same concatenated as apart");
}

TEST_CASE("gorleak diff over a concatenated series: the writer goroutine stays in its dump") {
  auto files = series_dumps("debug2");
  REQUIRE(files.count("series-drain.go1.22") == 1);
  const auto& f = files["series-drain.go1.22"];
  std::string cat = read_file(f[0]) + read_file(f[2]);  // idle, after
  auto l = load_text(cat);
  REQUIRE(l->result.snapshots.size() == 2);
  for (const Snapshot& s : l->result.snapshots)
    CHECK(s.states[static_cast<size_t>(StateCategory::kRunning)] == 1);
}
