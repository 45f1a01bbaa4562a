// Optional: the third-party dumps in ../shared/corpus-public/ (read in place,
// never copied). Every file must load without crashing or hanging and find
// the goroutines its SOURCES.md row counts. Skipped when ../shared is absent.
//
// How the Count column is read (see SOURCES.md's own definition):
//   N                   parsed total (over all snapshots) == N; for a
//                       TRUNCATED excerpt whose dump header declares
//                       `total N`, the declared total == N and the snapshot
//                       is flagged truncated instead.
//   N (M in one stack)  as N, and the largest group holds M.
//   N per profile       every snapshot has N.
//   ~N / ~N shown / N shown [(remark)]
//                       at least N (a partial count from an excerpt).
//   N in shown bucket   a debug=1 bucket (group) of N is present.
//   0 (race form), or a Form of "race report" / "not a dump"
//                       ok == false with a message naming what it is.
//   anything else ("~N leaked", "N reported", "n/a") counts goroutines
//   outside the file: only "loads without crashing" is checked.
// Complete debug=2 and crash files are also counted independently: their
// `goroutine N [...]:` header lines must equal the parsed total. And no
// goroutine id may be reported twice within one snapshot.
#include <doctest/doctest.h>

#include <re2/re2.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "collecting_sink.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

struct SourceRow {
  std::string file, source, form, count;
  bool truncated = false;
};

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The table rows of SOURCES.md: | File | Source | Go ver | Form | Count | Notes |
std::vector<SourceRow> read_sources(const fs::path& p) {
  std::vector<SourceRow> rows;
  std::istringstream in(read_file(p));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| ", 0) != 0) continue;
    std::vector<std::string> cells;
    size_t i = 1;
    while (i < line.size()) {
      size_t bar = line.find('|', i);
      if (bar == std::string::npos) break;
      cells.push_back(trim(line.substr(i, bar - i)));
      i = bar + 1;
    }
    if (cells.size() < 6 || cells[0] == "File" || cells[0].rfind("---", 0) == 0) continue;
    SourceRow r{cells[0], cells[1], cells[3], cells[4]};
    // "Issue excerpts (an issue URL is given) are TRUNCATED."
    r.truncated = line.find("TRUNCATED") != std::string::npos ||
                  r.source.rfind("https://", 0) == 0;
    rows.push_back(r);
  }
  return rows;
}

uint64_t count_goroutine_headers(const std::string& text) {
  static const RE2 re(R"(goroutine \d+ (gp=\S+ m=\S+( mp=\S+)? )?\[.*\]( \{.*\})?:)");
  std::istringstream in(text);
  std::string l;
  uint64_t n = 0;
  while (std::getline(in, l)) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (RE2::FullMatch(l, re)) ++n;
  }
  return n;
}

std::string messages(const LoadResult& r) {
  std::string s;
  for (const Diagnostic& d : r.diagnostics) s += d.format() + "\n";
  for (const Snapshot& snap : r.snapshots)
    for (const Diagnostic& d : snap.diagnostics) s += d.format() + "\n";
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Files whose Count column names fewer goroutines than the file prints
// stacks: the count, and why. SOURCES.md counts what its source reported.
std::string_view stacks_beyond_count(std::string_view file, uint64_t* n) {
  if (file == "issue-golang-10457-readloop-leak-etcd-leakcheck.txt") {
    // The leaked readLoop (counted), and after a blank line the test
    // binary's main goroutine, which the leak check printed too: a stack
    // ends at its `created by` line.
    *n = 2;
    return "etcd leak check: the leaked stack and the test's main stack";
  }
  return {};
}

}  // namespace

TEST_CASE("every public corpus file loads and finds the goroutines SOURCES.md counts") {
  if (!shared_available()) {
    MESSAGE("../shared/corpus-public is absent: public corpus test skipped");
    return;
  }
  fs::path dir = shared_dir() / "corpus-public";
  auto rows = read_sources(dir / "SOURCES.md");
  REQUIRE(rows.size() >= 10);

  // Every dump file has a row, so nothing is silently left out.
  for (const fs::path& p : list_files(dir, ".txt")) {
    std::string name = p.filename().string();
    INFO("file: ", name);
    CHECK(std::any_of(rows.begin(), rows.end(), [&](const SourceRow& r) { return r.file == name; }));
  }

  size_t files = 0, counted = 0;
  for (const SourceRow& row : rows) {
    INFO("file: ", row.file, " | form: ", row.form, " | count: ", row.count);
    fs::path p = dir / row.file;
    CHECK(fs::exists(p));
    if (!fs::exists(p)) continue;
    CollectingSink seen;
    LoadOptions opt;
    opt.observer = &seen;
    auto l = load(p, opt);
    const LoadResult& r = l->result;
    ++files;
    INFO("diagnostics: ", messages(r));

    uint64_t total = 0;
    for (const Snapshot& s : r.snapshots) {
      total += s.total;
      uint64_t groups = 0;
      for (const Group& g : s.groups) groups += g.count;
      CHECK(groups == s.total);
    }

    // A goroutine appears once per dump: two records with one id in a
    // snapshot means one goroutine was counted twice.
    for (const CollectingSink::Snap& snap : seen.snapshots()) {
      std::set<uint64_t> ids;
      for (const Goroutine& g : snap.goroutines) {
        if (!g.has_id) continue;
        INFO("goroutine ", g.id, " at line ", g.line_no);
        CHECK(ids.insert(g.id).second);
      }
    }

    std::string form = lower(row.form);
    bool race = form.find("race report") != std::string::npos || row.count == "0 (race form)";
    bool not_a_dump = form.find("not a dump") != std::string::npos;
    uint64_t n = 0, m = 0;
    std::string in_one_stack;  // RE2 cannot convert an absent group to a number
    if (race || not_a_dump) {
      CHECK(!r.ok);
      CHECK(!r.diagnostics.empty());
      std::string msg = r.diagnostics.empty() ? "" : lower(r.diagnostics.front().message);
      if (race) CHECK(msg.find("race") != std::string::npos);
      // The top-text file is `go tool pprof -top` output: say so.
      if (not_a_dump) CHECK(msg.find("pprof") != std::string::npos);
      ++counted;
    } else if (std::string_view why = stacks_beyond_count(row.file, &n); !why.empty()) {
      INFO(why);
      CHECK(total == n);
      ++counted;
    } else if (RE2::FullMatch(row.count, R"((\d+)(?: \((\d+) in one stack\))?)", &n, &in_one_stack)) {
      if (!in_one_stack.empty()) m = std::stoull(in_one_stack);
      CHECK(r.ok);
      CHECK(!r.snapshots.empty());
      if (total != n && row.truncated && !r.snapshots.empty() &&
          r.snapshots.back().declared_total.has_value()) {
        // An excerpt cut short: the header still declares the whole count.
        const Snapshot& s = r.snapshots.back();
        CHECK(s.declared_total == std::optional<uint64_t>(n));
        CHECK(s.truncated);
      } else {
        CHECK(total == n);
      }
      if (m > 0) {
        uint64_t largest = 0;
        for (const Snapshot& s : r.snapshots)
          for (const Group& g : s.groups) largest = std::max(largest, g.count);
        CHECK(largest == m);
      }
      ++counted;
    } else if (RE2::FullMatch(row.count, R"((\d+) per profile)", &n)) {
      CHECK(r.ok);
      CHECK(r.snapshots.size() > 1);
      for (const Snapshot& s : r.snapshots) CHECK(s.total == n);
      ++counted;
    } else if (RE2::FullMatch(row.count, R"(~?(\d+)(?: shown)?(?: \(.*\))?)", &n)) {
      CHECK(r.ok);
      CHECK(total >= n);
      ++counted;
    } else if (RE2::FullMatch(row.count, R"((\d+) in shown bucket)", &n)) {
      CHECK(r.ok);
      bool found = false;
      for (const Snapshot& s : r.snapshots)
        for (const Group& g : s.groups) found = found || g.count == n;
      CHECK(found);
      ++counted;
    } else {
      MESSAGE(row.file, ": count \"", row.count, "\" is not about the file itself; load checked only");
    }

    // Independent count of complete debug=2 and crash dumps.
    bool complete_stack_dump = !row.truncated && !race && !not_a_dump &&
                               (form.rfind("debug=2", 0) == 0 || form.rfind("crash", 0) == 0);
    if (complete_stack_dump) {
      CHECK(count_goroutine_headers(read_file(p)) == total);
    }
  }
  MESSAGE("public corpus: ", files, " files loaded, ", counted, " with a checked count");
}
