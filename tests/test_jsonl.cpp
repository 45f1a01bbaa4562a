// `--format jsonl`: one valid JSON object per line, each naming its dump,
// holding exactly the fields of the JSON report's finding or group (stack
// inline), for analyze, diff and trend; hostile dumps included.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "json_check.h"
#include "report_support.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

std::vector<Json> parse_lines(const std::string& text) {
  std::vector<Json> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    REQUIRE(nl != std::string::npos);
    Json j;
    std::string error;
    INFO(text.substr(i, std::min<size_t>(nl - i, 300)));
    REQUIRE(parse_json(std::string_view(text).substr(i, nl - i), &j, &error));
    REQUIRE(j.kind == Json::kObject);
    out.push_back(std::move(j));
    i = nl + 1;
  }
  return out;
}

// `line` holds every member of `object`, equal, after its own leading ones.
void check_same_members(const Json& line, const Json& object, size_t skip) {
  REQUIRE(line.members.size() == object.members.size() + skip);
  for (size_t k = 0; k < object.members.size(); ++k) {
    CAPTURE(object.members[k].first);
    CHECK(line.members[k + skip].first == object.members[k].first);
    CHECK(line.members[k + skip].second.text == object.members[k].second.text);
    CHECK(line.members[k + skip].second.size() == object.members[k].second.size());
  }
}

}  // namespace

TEST_CASE("jsonl: a finding per line, the JSON report's finding plus its dump") {
  size_t lines = 0, groups = 0;
  for (const fs::path& p : list_files(corpus_dumps_dir(), ".go1.22.")) {
    if (p.extension() != ".txt") continue;
    CAPTURE(p);
    auto l = load(p);
    REQUIRE(l->result.ok);
    classify_loaded(*l);
    Json doc;
    std::string error;
    REQUIRE(parse_json(render(*l, "json"), &doc, &error));
    std::vector<Json> findings = parse_lines(render(*l, "jsonl"));
    ReportOptions by_group;
    by_group.jsonl_groups = true;
    std::vector<Json> group_lines = parse_lines(render(*l, "jsonl", by_group));
    size_t f = 0, g = 0;
    for (size_t si = 0; si < doc.at("snapshots").size(); ++si) {
      const Json& snap = doc.at("snapshots").at(si);
      for (const Json& finding : snap.at("findings").items) {
        REQUIRE(f < findings.size());
        const Json& line = findings[f++];
        CHECK(line.members.at(0).first == "type");
        CHECK(line.at("type").str() == "finding");
        CHECK(line.at("source").str() == snap.at("source").str());
        CHECK(line.at("snapshot").u64() == si);
        CHECK(line.at("form").str() == snap.at("form").str());
        CHECK(line.at("time").is_null());  // rendered in-process: no file time given
        check_same_members(line, finding, 5);
      }
      for (const Json& group : snap.at("groups").items) {
        REQUIRE(g < group_lines.size());
        const Json& line = group_lines[g++];
        CHECK(line.at("type").str() == "group");
        CHECK(line.at("index").u64() == group.at("index").u64());
        CHECK(line.at("count").u64() == group.at("count").u64());
        CHECK(line.get("stack") == nullptr);
        const Json& stack = report_stack(doc, group);
        REQUIRE(line.at("frames").size() == stack.at("frames").size());
        for (size_t k = 0; k < stack.at("frames").size(); ++k)
          CHECK(line.at("frames").at(k).at("func").str() ==
                stack.at("frames").at(k).at("func").str());
      }
    }
    CHECK(f == findings.size());
    CHECK(g == group_lines.size());
    lines += findings.size();
    groups += group_lines.size();
  }
  MESSAGE(lines << " finding lines, " << groups << " group lines");
  CHECK(lines >= 50);
}

TEST_CASE("jsonl: diff and trend lines, stdin without a time") {
  fs::path d = corpus_dumps_dir();
  std::string a = (d / "series-send-leak.go1.27.idle.debug2.txt").string();
  std::string b = (d / "series-send-leak.go1.27.loaded.debug2.txt").string();
  std::string c = (d / "series-send-leak.go1.27.after.debug2.txt").string();
  RunResult json = run_cli({"diff", "--format", "json", a, b, c});
  Json doc;
  std::string error;
  REQUIRE(parse_json(json.out, &doc, &error));
  std::vector<Json> findings = parse_lines(run_cli({"diff", "--format", "jsonl", a, b, c}).out);
  REQUIRE(findings.size() == doc.at("findings").size());
  for (size_t i = 0; i < findings.size(); ++i) {
    CHECK(findings[i].at("sources").size() == 3);
    check_same_members(findings[i], doc.at("findings").at(i), 6);
  }
  std::vector<Json> rows =
      parse_lines(run_cli({"diff", "--format", "jsonl", "--jsonl", "groups", a, b, c}).out);
  REQUIRE(rows.size() == doc.at("groups").size());
  for (size_t i = 0; i < rows.size(); ++i) check_same_members(rows[i], doc.at("groups").at(i), 6);

  RunResult trend_json = run_cli({"trend", "--format", "json", a, b, c});
  Json trend;
  REQUIRE(parse_json(trend_json.out, &trend, &error));
  std::vector<Json> trend_rows = parse_lines(run_cli({"trend", "--format", "jsonl", a, b, c}).out);
  REQUIRE(trend_rows.size() == trend.at("groups").size());
  for (size_t i = 0; i < trend_rows.size(); ++i) {
    CHECK(trend_rows[i].at("type").str() == "trend_row");
    check_same_members(trend_rows[i], trend.at("groups").at(i), 6);
  }

  // A file's line carries its modification time; stdin has none.
  fs::path leak = d / "send-leak.go1.27.debug2.txt";
  std::vector<Json> from_file = parse_lines(run_cli({"--format", "jsonl", leak.string()}).out);
  REQUIRE(!from_file.empty());
  CHECK(from_file[0].at("time").str().size() == 20);  // 2024-05-01T12:00:00Z
  std::vector<Json> from_stdin = parse_lines(run_cli({"--format", "jsonl", "-"}, read_file(leak)).out);
  REQUIRE(!from_stdin.empty());
  CHECK(from_stdin[0].at("source").str() == "-");
  CHECK(from_stdin[0].at("time").is_null());
}

TEST_CASE("jsonl: a hostile dump gives one valid JSON object per line") {
  fs::path p = source_dir() / "tests/data/hostile/hostile.debug2.txt";
  RunResult r = run_cli({"--format", "jsonl", "--jsonl", "groups", p.string()});
  REQUIRE(r.exit_code == 0);
  std::vector<Json> lines = parse_lines(r.out);
  CHECK(lines.size() == 7);
  bool found = false;
  for (const Json& l : lines)
    for (const Json& f : l.at("frames").items)
      found |= f.at("func").str() == "main.title\x1b]0;pwned\x07" "clear\x1b[2J";
  CHECK(found);  // escaped in JSON, the same bytes once decoded
}
