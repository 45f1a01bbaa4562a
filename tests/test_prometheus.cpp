// `--format prometheus`: the numbers (states, total, sites, findings) agree
// with the JSON report of the same dump, site labels are bounded, and every
// label value is escaped. promtool checks the syntax in
// test_prometheus_promtool.cpp.
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <string>

#include "json_check.h"
#include "report/prometheus_writer.h"
#include "report_support.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // values as written (escaped)
  uint64_t value = 0;
};

std::vector<Sample> parse_exposition(const std::string& text) {
  static const std::regex line_re(R"(^([a-z_]+)(?:\{(.*)\})? (\d+)$)");
  static const std::regex label_re(R"(([a-z_]+)="((?:[^"\\]|\\.)*)\"(?:,|$))");
  std::vector<Sample> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    REQUIRE(nl != std::string::npos);
    std::string line = text.substr(i, nl - i);
    i = nl + 1;
    if (line.rfind("# ", 0) == 0) continue;
    std::smatch m;
    INFO(line);
    REQUIRE(std::regex_match(line, m, line_re));
    Sample s;
    s.name = m[1];
    s.value = std::stoull(m[3]);
    std::string labels = m[2];
    for (auto it = std::sregex_iterator(labels.begin(), labels.end(), label_re);
         it != std::sregex_iterator(); ++it)
      s.labels[(*it)[1]] = (*it)[2];
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

TEST_CASE("prometheus: states, totals, sites and findings agree with the JSON report") {
  size_t dumps = 0;
  for (const fs::path& p : list_files(corpus_dumps_dir(), ".go1.27.")) {
    if (p.extension() != ".txt") continue;
    CAPTURE(p);
    auto l = load(p);
    REQUIRE(l->result.ok);
    classify_loaded(*l);
    if (l->result.snapshots.size() != 1) continue;
    std::vector<Sample> samples = parse_exposition(render(*l, "prometheus"));
    Json doc;
    std::string error;
    REQUIRE(parse_json(render(*l, "json"), &doc, &error));
    const Json& snap = doc.at("snapshots").at(0);

    uint64_t states = 0, sites = 0, site_series = 0;
    std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> findings;
    for (const Sample& s : samples) {
      if (s.name == "gorleak_goroutines") {
        CHECK(s.value == snap.at("states").at(s.labels.at("state")).u64());
        states += s.value;
      } else if (s.name == "gorleak_dump_goroutines") {
        CHECK(s.value == snap.at("total").u64());
      } else if (s.name == "gorleak_dump_goroutines_leaked") {
        CHECK(s.value == snap.at("leaked").u64());
      } else if (s.name == "gorleak_dump_groups") {
        CHECK(s.value == snap.at("group_count").u64());
      } else if (s.name == "gorleak_site_goroutines") {
        sites += s.value;
        ++site_series;
      } else if (s.name == "gorleak_findings") {
        findings[{s.labels.at("rule"), s.labels.at("severity")}].first = s.value;
      } else if (s.name == "gorleak_finding_goroutines") {
        findings[{s.labels.at("rule"), s.labels.at("severity")}].second = s.value;
      }
    }
    CHECK(states == snap.at("total").u64());
    CHECK(sites == snap.at("total").u64());
    CHECK(site_series <= 21);  // 20 sites + other
    std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> want;
    for (const Json& f : snap.at("findings").items) {
      auto& w = want[{f.at("rule").str(), f.at("severity").str()}];
      ++w.first;
      w.second += f.at("count").u64();
    }
    CHECK(findings == want);
    ++dumps;
  }
  MESSAGE(dumps << " dumps");
  CHECK(dumps >= 50);
}

TEST_CASE("prometheus: --metric-sites bounds the site series, several dumps get snapshot=N") {
  fs::path p = corpus_dumps_dir() / "states.go1.22.debug2.txt";
  RunResult r = run_cli({"--format", "prometheus", "--metric-sites", "2", p.string()});
  REQUIRE(r.exit_code == 0);
  std::vector<Sample> samples = parse_exposition(r.out);
  std::vector<std::string> sites;
  uint64_t sum = 0;
  for (const Sample& s : samples)
    if (s.name == "gorleak_site_goroutines") {
      sites.push_back(s.labels.at("site"));
      sum += s.value;
    }
  REQUIRE(sites.size() == 3);
  CHECK(sites.back() == "other");
  for (const Sample& s : samples)
    if (s.name == "gorleak_dump_goroutines") CHECK(sum == s.value);

  RunResult two = run_cli({"--format", "prometheus", p.string(),
                           (corpus_dumps_dir() / "send-leak.go1.27.debug2.txt").string()});
  std::set<std::string> snapshots;
  for (const Sample& s : parse_exposition(two.out)) {
    REQUIRE(s.labels.count("snapshot") == 1);
    snapshots.insert(s.labels.at("snapshot"));
  }
  CHECK(snapshots == std::set<std::string>{"1", "2"});
}

TEST_CASE("prometheus: label values escape what the format and a terminal interpret") {
  std::string e;
  prometheus_label_escape("a\"b\\c\nd\x1b\xff", &e);
  CHECK(e == "a\\\"b\\\\c\\\\x0ad\\\\x1b\\\\xff");
  fs::path p = source_dir() / "tests/data/hostile/hostile.debug2.txt";
  RunResult r = run_cli({"--format", "prometheus", p.string()});
  REQUIRE(r.exit_code == 0);
  std::set<std::string> sites;
  for (const Sample& s : parse_exposition(r.out)) {
    if (s.name != "gorleak_site_goroutines") continue;
    CHECK(sites.insert(s.labels.at("site")).second);  // no duplicate series
  }
  CHECK(sites.count("main.leak<script>alert(\\\"x\\\")</script>.func1") == 1);
  CHECK(sites.count("main.title\\\\x1b]0;pwned\\\\x07clear\\\\x1b[2J") == 1);
  for (char ch : r.out) CHECK((ch == '\n' || static_cast<unsigned char>(ch) >= 0x20));
}
