// `gorleak diff [options] BASE NEW [AFTER]` (also `gorleak --base BASE NEW`,
// as `go tool pprof -diff_base` users expect): compare dumps group by group,
// classify the last one with growth information, and report.
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/heap_output.h"
#include "cli/options.h"
#include "cli/rule_options.h"
#include "cli/series_input.h"
#include "diff/creation_forest.h"
#include "diff/diff_findings.h"
#include "diff/snapshot_diff.h"
#include "report/diff_report.h"
#include "report/dot_writer.h"

namespace gorleak::cli {

namespace {

struct DiffArgs {
  GeneralOptions general;
  InputOptions input;
  OutputOptions output;
  RuleOptions rules;
  HeapOptions heap;
  std::string base;
  std::string graph = "tree";
  DiffThresholds thresholds;
  size_t spawned = 10;
};

po::options_description diff_options(DiffArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  add_output_options(desc, &a->output);
  desc.add_options()
      ("base", po::value<std::string>(&a->base)->value_name("FILE"),
       "the base dump (`gorleak --base BASE NEW` = `gorleak diff BASE NEW`)")
      ("graph", po::value<std::string>(&a->graph)->value_name("tree|calls")->default_value("tree"),
       "with --format dot: the goroutine creation tree or the grouped call graph")
      ("min-load-growth",
       po::value<uint64_t>(&a->thresholds.min_load_growth)->value_name("N")->default_value(5),
       "three dumps: a group grew under load when LOADED − IDLE ≥ N (and ≥ 10% of IDLE)")
      ("stay-fraction",
       po::value<double>(&a->thresholds.stay_fraction)->value_name("F")->default_value(0.5),
       "three dumps: a grown group stayed (leak) when AFTER − IDLE ≥ F × (LOADED − IDLE), "
       "else it drained")
      ("spawned", po::value<size_t>(&a->spawned)->value_name("N")->default_value(10),
       "attribute at most N groups to the goroutine and site that spawned them");
  add_heap_options(desc, &a->heap);
  add_rule_options(desc, &a->rules);
  return desc;
}

void print_help(const po::options_description& desc) {
  std::ostringstream ss;  // Boost prints option tables only to a stream
  ss << desc;
  fmt::print(
      "gorleak diff: compare goroutine dumps of one program\n"
      "\n"
      "Usage:\n"
      "  gorleak diff [options] BASE NEW         what grew, shrank, appeared, vanished\n"
      "  gorleak diff [options] IDLE LOADED AFTER  which load growth stayed (leak) or drained\n"
      "  gorleak --base BASE [options] NEW        the same as diff BASE NEW\n"
      "  gorleak diff [options] FILE              the dumps inside one file (repeated SIGQUITs)\n"
      "\n"
      "Groups are matched by function + file:line of their frames and created-by site,\n"
      "never by goroutine ids, arguments or pointers, so dumps from different runs of\n"
      "one build compare; a debug=1 dump compares with a debug=2 dump.\n"
      "Statuses: new, grown, shrunk, gone, same; with three dumps stayed, drained.\n"
      "See docs/diff.md.\n"
      "\n"
      "{}\n"
      "Examples:\n"
      "  gorleak diff idle.txt loaded.txt after.txt\n"
      "  gorleak --base before.txt after.txt --format json\n"
      "  gorleak diff --format dot before.txt after.txt | dot -Tsvg > tree.svg\n",
      ss.str());
}

// Positional files: each file's last dump, or all dumps of a lone file.
bool pick_snapshots(const SeriesInput& in, size_t files, std::vector<size_t>* out) {
  if (files == 1) {
    if (in.snapshots.size() < 2) {
      print_error("diff needs two dumps: BASE NEW (or one file holding several dumps)");
      return false;
    }
    for (size_t i = 0; i < in.snapshots.size(); ++i) out->push_back(i);
    return true;
  }
  for (size_t i = 0; i < in.snapshots.size(); ++i) {
    bool last_of_file = i + 1 == in.snapshots.size() || in.file_of[i + 1] != in.file_of[i];
    if (!last_of_file) continue;
    if (i > 0 && in.file_of[i - 1] == in.file_of[i])
      print_warning(fmt::format("{} holds several dumps; comparing its last one", in.names[i]));
    out->push_back(i);
  }
  return true;
}

// Groups to attribute: those that grew (stayed first with three dumps),
// then the largest blocked ones.
std::vector<SpawnAttribution> attribute(const SnapshotDiff& d, size_t focus, size_t limit) {
  const DiffDump& dump = d.dumps[focus];
  CreationForest forest(*dump.snapshot, *dump.catalog);
  std::vector<SpawnAttribution> out;
  std::vector<bool> used(dump.snapshot->groups.size(), false);
  auto take = [&](uint32_t gi) {
    if (out.size() >= limit || used[gi]) return;
    const Group& g = dump.snapshot->groups[gi];
    if (!is_blocked_category(g.category)) return;
    auto a = forest.attribute(gi);
    if (a.empty()) return;
    used[gi] = true;
    out.push_back(a.front());
  };
  for (const DiffRow& row : d.rows)
    if (is_growth(row.status))
      for (uint32_t gi : row.groups[focus]) take(gi);
  for (uint32_t gi = 0; gi < dump.snapshot->groups.size(); ++gi)
    if (dump.snapshot->groups[gi].count > 1) take(gi);
  return out;
}

}  // namespace

int run_diff(int argc, char** argv) {
  DiffArgs args;
  po::options_description desc = diff_options(&args);
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
  if (args.general.version) {
    fmt::print("{}\n", version_line());
    return kExitOk;
  }
  const std::string format = args.output.format;
  if (format != "text" && format != "json" && format != "dot") {
    print_error(fmt::format("--format: expected text, json or dot, got '{}'", format));
    return kExitUsage;
  }
  if (args.graph != "tree" && args.graph != "calls") {
    print_error(fmt::format("--graph: expected tree or calls, got '{}'", args.graph));
    return kExitUsage;
  }
  if (!(args.thresholds.stay_fraction > 0.0 && args.thresholds.stay_fraction <= 1.0)) {
    print_error("--stay-fraction: expected a number in (0, 1]");
    return kExitUsage;
  }
  OutputOptions checked = args.output;
  checked.format = "text";
  LoadOptions load;
  ReportOptions report;
  if (!make_load_options(args.input, &load, &error) ||
      !make_report_options(checked, &report, &error)) {
    print_error(error);
    return kExitUsage;
  }
  std::vector<std::string> files;
  if (!args.base.empty()) files.push_back(args.base);
  files.insert(files.end(), args.input.files.begin(), args.input.files.end());
  if (files.empty()) {
    print_error("diff needs two dumps: gorleak diff BASE NEW [AFTER] (see gorleak diff --help)");
    return kExitUsage;
  }

  SeriesInput in;
  if (!load_series(files, load, &in)) return kExitUsage;
  if (!in.heap_profiles.empty()) {
    // Heap profiles: growth per allocation site (cli/heap_output.h).
    if (!check_same_kind(files, in.file_is_heap, &error)) {
      print_error(error);
      return kExitUsage;
    }
    auto engine = load_rule_engine(args.rules, args.output.modules);
    if (!engine) return kExitUsage;
    std::vector<const HeapProfile*> profiles;
    for (const HeapProfile& p : in.heap_profiles) profiles.push_back(&p);
    return report_heap_diff(profiles, in.catalog, *engine, args.output, args.heap, args.rules.fail_on);
  }
  std::vector<size_t> picked;
  if (!pick_snapshots(in, files.size(), &picked)) return kExitUsage;

  DiffOptions options;
  options.thresholds = args.thresholds;
  SnapshotDiff diff = diff_snapshots(diff_dumps(in, picked), options);

  DiffReport out;
  out.diff = &diff;
  out.focus = diff.dumps.size() - 1;
  const Snapshot& focus = *diff.dumps[out.focus].snapshot;

  auto engine = load_rule_engine(args.rules, args.output.modules);
  if (!engine) return kExitUsage;
  GrowthInfo growth = growth_info(diff, out.focus);
  out.findings = find_leaks(focus, in.catalog, *engine->rules, engine->options, &growth);
  mark_growth_confirmed(diff, out.focus, &out.findings);
  out.classified = true;
  out.spawned = attribute(diff, out.focus, args.spawned);
  const auto& hints = in.same_object->hints();
  if (picked.back() < hints.size()) {
    out.same_object = hints[picked.back()];
    if (out.same_object.size() > 10) out.same_object.resize(10);
  }

  std::string text;
  if (format == "json") {
    write_diff_json(out, report, &text);
  } else if (format == "dot") {
    DotOptions dot;
    dot.modules = args.output.modules;
    dot.annotate = [&](uint32_t gi) {
      const DiffRow& row = diff.rows[diff.row_of[out.focus][gi]];
      std::string counts;
      for (size_t i = 0; i < row.counts.size(); ++i)
        counts += fmt::format("{}{}", i ? " → " : "", row.counts[i]);
      return fmt::format("{} ({})", counts, diff_status_name(row.status));
    };
    if (args.graph == "calls") {
      write_calls_dot(focus, in.catalog, dot, &text);
    } else {
      CreationForest forest(focus, in.catalog);
      write_creation_dot(forest, dot, &text);
    }
  } else {
    write_diff_text(out, report, &text);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0) {
    print_error("cannot write the report to standard output");
    return kExitUsage;
  }
  RuleSeverity fail_on;
  if (!args.rules.fail_on.empty()) {
    if (!parse_fail_on(args.rules.fail_on, &fail_on)) {
      print_error(fmt::format("--fail-on: unknown severity '{}'", args.rules.fail_on));
      return kExitUsage;
    }
    for (const Finding& f : out.findings)
      if (f.severity >= fail_on) return kExitFindings;
  }
  return kExitOk;
}

}  // namespace gorleak::cli
