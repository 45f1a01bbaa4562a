// `gorleak baseline write FILE DUMP...`: record today's findings, so that
// `gorleak --baseline FILE` later reports only new ones (suppress/).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/project_config.h"
#include "cli/rule_options.h"
#include "cli/series_input.h"
#include "suppress/suppression_file.h"

namespace gorleak::cli {

namespace {

struct BaselineArgs {
  GeneralOptions general;
  InputOptions input;
  OutputOptions output;
  RuleOptions rules;
  ConfigOptions config;
  std::string reason;
  std::string expires;
};

po::options_description baseline_options(BaselineArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  desc.add_options()
      ("module", po::value<std::vector<std::string>>(&a->output.modules)->value_name("PREFIX")
                     ->composing(),
       "module path of your own code (repeatable), as for analyze")
      ("reason", po::value<std::string>(&a->reason)->value_name("TEXT"),
       "the reason written into every entry (default: where and when the baseline was taken)")
      ("expires", po::value<std::string>(&a->expires)->value_name("YYYY-MM-DD"),
       "every entry stops applying on this day, so the findings come back");
  add_rule_options(desc, &a->rules);
  add_config_options(desc, &a->config);
  return desc;
}

void print_help(const po::options_description& desc) {
  std::ostringstream ss;  // Boost prints option tables only to a stream
  ss << desc;
  fmt::print(
      "gorleak baseline: accept today's findings, report only new ones later\n"
      "\n"
      "Usage:\n"
      "  gorleak baseline write [options] FILE DUMP...   write the findings of DUMP to FILE\n"
      "                                                  (`-` as FILE: standard output)\n"
      "  gorleak --baseline FILE [options] DUMP...       report findings FILE does not hold\n"
      "\n"
      "FILE is YAML (docs/baseline.md): one entry per finding, named by its fingerprint,\n"
      "which survives restarts, new goroutine ids and edits that do not touch the\n"
      "leak site. Hand-written entries may name a rule and a leak-site function\n"
      "instead, with a reason and an expiry date. --fail-on then gates on new findings only.\n"
      "\n"
      "{}\n"
      "Examples:\n"
      "  gorleak baseline write .gorleak-baseline.yaml prod-goroutines.txt\n"
      "  gorleak --baseline .gorleak-baseline.yaml --fail-on high new-goroutines.txt\n",
      ss.str());
}

std::string location_of(const Finding& f, const Catalog& catalog) {
  if (f.site.file == 0) return {};
  return fmt::format("{}:{}",
                     std::filesystem::path(catalog.str(f.site.file)).filename().string(),
                     f.site.line);
}

}  // namespace

int run_baseline(int argc, char** argv) {
  BaselineArgs args;
  po::options_description desc = baseline_options(&args);
  po::variables_map vm;
  std::string error;
  if (!parse_command_line(argc, argv, desc, input_positionals(), &vm, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (args.general.help) {
    print_help(desc);
    return kExitOk;
  }
  std::vector<std::string>& words = args.input.files;
  if (words.empty() || words[0] != "write") {
    print_error(words.empty() ? "baseline: name an action: gorleak baseline write FILE DUMP..."
                              : fmt::format("baseline: unknown action '{}' (write)", words[0]));
    return kExitUsage;
  }
  if (words.size() < 3) {
    print_error("baseline write: name the baseline FILE and at least one DUMP");
    return kExitUsage;
  }
  std::string out_path = words[1];
  std::vector<std::string> dumps(words.begin() + 2, words.end());
  if (!apply_project_config(args.config, vm, &args.rules, &args.output)) return kExitUsage;
  std::chrono::year_month_day expires;
  if (!args.expires.empty() && !parse_date(args.expires, &expires)) {
    print_error(fmt::format("--expires: expected a date YYYY-MM-DD, got '{}'", args.expires));
    return kExitUsage;
  }
  LoadOptions load;
  if (!make_load_options(args.input, &load, &error) || !check_rule_options(args.rules, &error)) {
    print_error(error);
    return kExitUsage;
  }
  // The baseline is what is there today: an older baseline must not hide
  // findings from the new one.
  args.rules.baselines.clear();

  Catalog catalog;
  std::vector<Snapshot> snapshots;
  std::vector<std::string> failures;
  if (!load_dumps(catalog, dumps, load, FetchDumpOptions{}, &snapshots, &failures))
    return kExitUsage;
  // A baseline of a cut transfer would miss findings: refuse it.
  for (const std::string& f : failures) print_error(f);
  if (!failures.empty()) return kExitUsage;
  auto engine = load_rule_engine(args.rules, args.output.modules);
  if (!engine) return kExitUsage;
  classify_all(*engine, catalog, snapshots);

  std::string reason = args.reason;
  if (reason.empty()) {
    std::string names;
    for (const std::string& d : dumps) names += fmt::format("{}{}", names.empty() ? "" : ", ", d);
    reason = fmt::format("baseline of {} taken {}", names, format_date(today_utc()));
  }
  // One entry per fingerprint, in a stable order (rule, site, fingerprint),
  // with the largest count any snapshot showed.
  std::map<std::string, Suppression> by_fingerprint;
  for (const Snapshot& s : snapshots) {
    for (const Finding& f : s.findings) {
      Suppression& e = by_fingerprint[f.fingerprint];
      e.fingerprint = f.fingerprint;
      e.rule = f.rule;
      e.site = f.site.func ? std::string(catalog.str(f.site.func)) : std::string();
      e.reason = reason;
      if (!args.expires.empty()) e.expires = expires;
      e.count = std::max(e.count, f.count);
      e.location = location_of(f, catalog);
    }
  }
  std::vector<Suppression> entries;
  for (auto& [fp, e] : by_fingerprint) entries.push_back(std::move(e));
  std::stable_sort(entries.begin(), entries.end(), [](const Suppression& a, const Suppression& b) {
    return std::tie(a.rule, a.site, a.fingerprint) < std::tie(b.rule, b.site, b.fingerprint);
  });
  std::string text = baseline_yaml(
      entries, fmt::format("gorleak baseline: {} accepted {} (docs/baseline.md)", entries.size(),
                           entries.size() == 1 ? "finding" : "findings"));
  if (out_path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0) {
      print_error("cannot write the baseline to standard output");
      return kExitUsage;
    }
  } else {
    std::ofstream f(out_path, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) {
      print_error(fmt::format("{}: cannot write the baseline", out_path));
      return kExitUsage;
    }
    fmt::print(stderr, "gorleak: wrote {} {} to {}\n", entries.size(),
               entries.size() == 1 ? "finding" : "findings", out_path);
  }
  return kExitOk;
}

}  // namespace gorleak::cli
