// `--format sarif`: one result per finding, at the leak site, with the
// rule's entry in tool.driver.rules, the level from the severity, the
// fingerprint, and paths made relative to --source-root; checked against
// the JSON report of the same dump. (The SARIF Multitool's own validation
// is test_sarif_validate.cpp.)
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>

#include "json_check.h"
#include "report/sarif_writer.h"
#include "report_support.h"
#include "test_support.h"
#include "tool_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

Json parse(const std::string& text) {
  Json doc;
  std::string error;
  INFO(error);
  REQUIRE(parse_json(text, &doc, &error));
  return doc;
}

std::string level_of(const std::string& severity) {
  if (severity == "critical" || severity == "high") return "error";
  if (severity == "medium") return "warning";
  return "note";
}

// Every Go 1.27 dump (all forms), plus a Go 1.19 traceback of each program.
std::vector<fs::path> sample_dumps() {
  std::vector<fs::path> out;
  for (const fs::path& p : list_files(corpus_dumps_dir(), ".txt")) {
    std::string name = p.filename().string();
    if (name.find(".go1.27.") != std::string::npos ||
        name.find(".go1.19.debug2.") != std::string::npos)
      out.push_back(p);
  }
  return out;
}

// The path the SARIF writer should give a dump path under `root`: its
// longest trailing part that exists there.
std::string expected_relative(const std::string& dump_path, const fs::path& root) {
  std::string p = dump_path;
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  while (!p.empty()) {
    if (fs::is_regular_file(root / p)) return p;
    size_t slash = p.find('/');
    if (slash == std::string::npos) return "";
    p = p.substr(slash + 1);
  }
  return "";
}

}  // namespace

TEST_CASE("sarif: one result per finding, at its leak site, checked against the JSON report") {
  std::vector<fs::path> dumps = sample_dumps();
  REQUIRE(dumps.size() >= 40);
  const std::string root = source_dir().string();
  size_t results = 0, located = 0, relative = 0;
  ReportOptions options;
  options.source_roots = {root};
  for (const fs::path& p : dumps) {
    CAPTURE(p);
    auto l = load(p);
    REQUIRE(l->result.ok);
    classify_loaded(*l, options.source_roots);
    Json report = parse(render(*l, "json", options));
    Json log = parse(render(*l, "sarif", options));
    CHECK(log.at("version").str() == "2.1.0");
    CHECK(log.at("$schema").str() == std::string(kSarifSchema));
    REQUIRE(log.at("runs").size() == 1);
    const Json& run = log.at("runs").at(0);
    CHECK(run.at("tool").at("driver").at("name").str() == "gorleak");
    const Json& rules = run.at("tool").at("driver").at("rules");
    CHECK(rules.size() >= 15);  // every built-in rule, fired or not
    CHECK(run.at("originalUriBaseIds").at("SRCROOT").at("uri").str() ==
          "file://" + uri_escape(root) + "/");

    std::vector<const Json*> findings;
    for (const Json& s : report.at("snapshots").items)
      for (const Json& f : s.at("findings").items) findings.push_back(&f);
    const Json& res = run.at("results");
    REQUIRE(res.size() == findings.size());
    for (size_t i = 0; i < findings.size(); ++i) {
      const Json& f = *findings[i];
      const Json& r = res.at(i);
      CAPTURE(f.at("rule").str());
      ++results;
      CHECK(r.at("ruleId").str() == f.at("rule").str());
      CHECK(rules.at(r.at("ruleIndex").u64()).at("id").str() == f.at("rule").str());
      CHECK(r.at("level").str() == level_of(f.at("severity").str()));
      CHECK(r.at("partialFingerprints").at("gorleak/v1").str() == f.at("fingerprint").str());
      CHECK(r.at("properties").at("count").u64() == f.at("count").u64());
      // The message says how many and why.
      const std::string& text = r.at("message").at("text").str();
      CHECK(text.find(std::to_string(f.at("count").u64())) != std::string::npos);
      CHECK(text.find(f.at("evidence").str()) != std::string::npos);

      const Json& site = f.at("site");
      const Json& loc = r.at("locations").at(0);
      if (site.is_null()) {
        CHECK(loc.get("physicalLocation") == nullptr);
        continue;
      }
      CHECK(loc.at("logicalLocations").at(0).at("fullyQualifiedName").str() ==
            site.at("func").str());
      const std::string& file = site.at("file").str();
      if (file.empty()) continue;
      const Json& phys = loc.at("physicalLocation");
      if (site.at("line").u64() > 0) {
        CHECK(phys.at("region").at("startLine").u64() == site.at("line").u64());
        ++located;
      }
      const Json& artifact = phys.at("artifactLocation");
      std::string rel = expected_relative(file, root);
      if (!rel.empty()) {
        CHECK(artifact.at("uri").str() == uri_escape(rel));
        CHECK(artifact.at("uriBaseId").str() == "SRCROOT");
        ++relative;
      } else {
        CHECK(artifact.get("uriBaseId") == nullptr);
        CHECK(artifact.at("uri").str() == "file://" + uri_escape(file));
      }
    }
  }
  MESSAGE(results << " results, " << located << " at a line, " << relative
                  << " relative to the checkout");
  CHECK(results >= 30);
  CHECK(relative >= 15);  // the corpus programs' own files
}

TEST_CASE("sarif: the user's code is placed relative to the checkout, stdlib stays absolute") {
  fs::path p = corpus_dumps_dir() / "send-leak.go1.22.debug2.txt";
  RunResult r = run_cli({"--format", "sarif", "--source-root", source_dir().string(), p.string()});
  REQUIRE(r.exit_code == 0);
  Json log = parse(r.out);
  const Json& loc = log.at("runs").at(0).at("results").at(0).at("locations").at(0);
  CHECK(loc.at("physicalLocation").at("artifactLocation").at("uri").str() ==
        "corpus/programs/send-leak/main.go");
  CHECK(loc.at("physicalLocation").at("region").at("startLine").u64() == 33);

  // Without --source-root the current directory is the checkout.
  RunResult here = run_cli({"--format", "sarif", p.string()});
  CHECK(here.out == r.out);  // tests run in the source directory
  // A checkout that does not hold the file: the dump's absolute path.
  TempDir empty;
  RunResult elsewhere = run_cli({"--format", "sarif", "--source-root", empty.path.string(), p.string()});
  Json other = parse(elsewhere.out);
  const Json& art = other.at("runs").at(0).at("results").at(0).at("locations").at(0)
                        .at("physicalLocation").at("artifactLocation");
  CHECK(art.at("uri").str() == "file:///work/main/corpus/programs/send-leak/main.go");
  CHECK(art.get("uriBaseId") == nullptr);
}

TEST_CASE("sarif: rules carry their fix as help and a helpUri to their rule file") {
  RunResult r = run_cli({"--format", "sarif",
                         (corpus_dumps_dir() / "send-leak.go1.22.debug2.txt").string()});
  Json log = parse(r.out);
  const Json& rules = log.at("runs").at(0).at("tool").at("driver").at("rules");
  std::map<std::string, int> seen;
  for (const Json& rule : rules.items) {
    const std::string& id = rule.at("id").str();
    CAPTURE(id);
    CHECK(++seen[id] == 1);
    CHECK(!rule.at("shortDescription").at("text").str().empty());
    CHECK(!rule.at("help").at("text").str().empty());
    const std::string& uri = rule.at("helpUri").str();
    size_t at = uri.find("/blob/main/rules/");
    REQUIRE(at != std::string::npos);
    CHECK(fs::exists(source_dir() / "rules" / uri.substr(at + 17)));
    std::string level = rule.at("defaultConfiguration").at("level").str();
    CHECK((level == "error" || level == "warning" || level == "note"));
  }
}

TEST_CASE("sarif: diff reports the last dump's findings with their growth") {
  fs::path a = corpus_dumps_dir() / "series-send-leak.go1.27.idle.debug2.txt";
  fs::path b = corpus_dumps_dir() / "series-send-leak.go1.27.loaded.debug2.txt";
  fs::path c = corpus_dumps_dir() / "series-send-leak.go1.27.after.debug2.txt";
  REQUIRE(fs::exists(a));
  RunResult json = run_cli({"diff", "--format", "json", a.string(), b.string(), c.string()});
  RunResult sarif = run_cli({"diff", "--format", "sarif", a.string(), b.string(), c.string()});
  REQUIRE(sarif.exit_code == 0);
  Json report = parse(json.out);
  Json log = parse(sarif.out);
  const Json& run = log.at("runs").at(0);
  CHECK(run.at("properties").at("verdict").str() == report.at("verdict").str());
  CHECK(run.at("properties").at("dumps").size() == 3);
  const Json& findings = report.at("findings");
  REQUIRE(run.at("results").size() == findings.size());
  REQUIRE(findings.size() >= 1);
  bool grew = false;
  for (size_t i = 0; i < findings.size(); ++i) {
    const Json& r = run.at("results").at(i);
    CHECK(r.at("ruleId").str() == findings.at(i).at("rule").str());
    CHECK(r.at("partialFingerprints").at("gorleak/v1").str() ==
          findings.at(i).at("fingerprint").str());
    bool confirmed = findings.at(i).at("growth_confirmed").boolean;
    CHECK(r.at("properties").at("growth_confirmed").boolean == confirmed);
    if (confirmed) {
      grew = true;
      CHECK(r.at("message").at("text").str().find("(growth confirmed)") != std::string::npos);
    }
  }
  CHECK(grew);
}

TEST_CASE("sarif: uri_escape keeps a path's bytes and makes any path a valid URI") {
  CHECK(uri_escape("/src/app/main.go") == "/src/app/main.go");
  CHECK(uri_escape("a b%c#d?e") == "a%20b%25c%23d%3Fe");
  CHECK(uri_escape("caf\xc3\xa9/\x1b[2J.go") == "caf%C3%A9/%1B%5B2J.go");
  CHECK(uri_escape("bad\xff") == "bad%FF");
  // Every byte that is not kept is %XX: decoding gives the input back.
  std::string all;
  for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
  std::string e = uri_escape(all);
  std::string back;
  for (size_t i = 0; i < e.size(); ++i) {
    CHECK(static_cast<unsigned char>(e[i]) < 0x80);
    CHECK(e[i] > ' ');
    if (e[i] == '%') {
      back += static_cast<char>(std::stoi(e.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      back += e[i];
    }
  }
  CHECK(back == all);
}
