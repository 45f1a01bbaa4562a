// SARIF output checked by Microsoft's SARIF Multitool (`validate`): the
// schema and the SARIF rules (SARIF1xxx errors, SARIF2xxx warnings), on
// real corpus dumps, a diff and a hostile dump. Skips (exit 77) when the
// tool is not installed: .ci/install-tools puts it under <build>/tools/npm;
// $GORLEAK_SARIF_MULTITOOL names another copy.
#include <doctest/doctest.h>

#include <string>

#include "json_check.h"
#include "test_support.h"
#include "tool_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

namespace {

std::string multitool() {
  return find_tool("GORLEAK_SARIF_MULTITOOL",
                   {(npm_tools_dir() / "@microsoft/sarif-multitool-linux/Sarif.Multitool").string()});
}

// SARIF2006 checks that every URI answers an HTTP GET: tests stay offline.
constexpr const char* kConfig = R"(<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
)";

struct Validation {
  size_t errors = 0, warnings = 0, notes = 0;
  std::string messages;
};

// Runs `validate` on `file`; the tool writes its findings as SARIF too.
Validation validate(const std::string& tool, const fs::path& dir, const fs::path& file) {
  fs::path config = dir / "config.xml";
  if (!fs::exists(config)) write_file(config, kConfig);
  fs::path out = dir / (file.filename().string() + ".validation.sarif");
  RunResult r = run_program({"env", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1", tool, "validate",
                             "--config", config.string(), "--level", "Error;Warning;Note",
                             "--output", out.string(), file.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  Json log;
  std::string error;
  REQUIRE(parse_json(read_file(out), &log, &error));
  Validation v;
  for (const Json& run : log.at("runs").items) {
    const Json* results = run.get("results");
    if (results == nullptr) continue;
    for (const Json& res : results->items) {
      const Json* level = res.get("level");
      std::string l = level ? level->str() : "warning";
      if (l == "error") ++v.errors;
      else if (l == "warning") ++v.warnings;
      else ++v.notes;
      if (l != "note") v.messages += res.at("ruleId").str() + " " + res.at("message").at("text").str() + "\n";
    }
  }
  return v;
}

}  // namespace

TEST_CASE("sarif: the SARIF Multitool finds no error or warning") {
  std::string tool = multitool();
  if (tool.empty()) {
    skip_test("SARIF Multitool not installed (.ci/install-tools, or $GORLEAK_SARIF_MULTITOOL)");
    return;
  }
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  std::vector<std::pair<std::string, std::vector<std::string>>> cases;
  for (const char* name : {"send-leak.go1.27.debug2.txt", "body-leak.go1.19.sigquit.txt",
                           "nil-chan.go1.22.debug1.txt", "mutex-pileup.go1.27.leak2.txt",
                           "healthy-server.go1.27.debug2.txt"}) {
    fs::path p = corpus_dumps_dir() / name;
    REQUIRE(fs::exists(p));
    cases.push_back({name, {"--format", "sarif", "--source-root", source_dir().string(), p.string()}});
  }
  fs::path d = corpus_dumps_dir();
  cases.push_back({"diff", {"diff", "--format", "sarif",
                            (d / "series-body-leak.go1.27.idle.debug2.txt").string(),
                            (d / "series-body-leak.go1.27.loaded.debug2.txt").string(),
                            (d / "series-body-leak.go1.27.after.debug2.txt").string()}});
  // Hostile names and paths: control characters, quotes, markup, bad UTF-8.
  std::string hostile = read_file(source_dir() / "tests/data/hostile/hostile.debug2.txt");
  REQUIRE(!hostile.empty());
  write_file(tmp.path / "hostile.txt", hostile);
  cases.push_back({"hostile", {"--format", "sarif", (tmp.path / "hostile.txt").string()}});

  size_t notes = 0;
  for (const auto& [name, args] : cases) {
    CAPTURE(name);
    RunResult r = run_cli(args);
    REQUIRE(r.exit_code == 0);
    fs::path file = tmp.path / (name + ".sarif");
    write_file(file, r.out);
    Validation v = validate(tool, tmp.path, file);
    INFO(v.messages);
    CHECK(v.errors == 0);
    CHECK(v.warnings == 0);
    notes += v.notes;
  }
  MESSAGE(cases.size() << " SARIF logs validated; " << notes << " notes (advice, not errors)");
}
