#include "cli/compare.h"

#include <cstdio>

#include <fmt/format.h>

#include "cli/report_context.h"
#include "diff/creation_forest.h"
#include "diff/diff_findings.h"
#include "diff/verdict.h"
#include "report/diff_report.h"

namespace gorleak::cli {

namespace {

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
    if (is_increase(row.status))
      for (uint32_t gi : row.groups[focus]) take(gi);
  for (uint32_t gi = 0; gi < dump.snapshot->groups.size(); ++gi)
    if (dump.snapshot->groups[gi].count > 1) take(gi);
  return out;
}

}  // namespace

void add_growth_option(po::options_description& desc, GrowthRule* g) {
  desc.add_options()
      ("min-growth", po::value<uint64_t>(&g->min_growth)->value_name("K")->default_value(5),
       "a group grows when it never shrinks and rises by at least K over the dumps "
       "(docs/diff.md: one definition for trend, watch, history and growth-confirmed findings)");
}

void add_compare_options(po::options_description& desc, CompareArgs* a) {
  add_output_options(desc, &a->output, FormatUse::kDiff);
  desc.add_options()
      ("min-load-growth",
       po::value<uint64_t>(&a->thresholds.min_load_growth)->value_name("N")->default_value(5),
       "three dumps: a group grew under load when LOADED − IDLE ≥ N (and ≥ 10% of IDLE)")
      ("stay-fraction",
       po::value<double>(&a->thresholds.stay_fraction)->value_name("F")->default_value(0.5),
       "three dumps: a grown group stayed (leak) when AFTER − IDLE ≥ F × (LOADED − IDLE), "
       "else it drained")
      ("spawned", po::value<size_t>(&a->spawned)->value_name("N")->default_value(10),
       "attribute at most N groups to the goroutine and site that spawned them");
  add_growth_option(desc, &a->growth);
  add_rule_options(desc, &a->rules);
}

bool make_compare_options(const CompareArgs& a, ReportOptions* report, const Format** format,
                          std::string* error) {
  if (!(a.thresholds.stay_fraction > 0.0 && a.thresholds.stay_fraction <= 1.0)) {
    *error = "--stay-fraction: expected a number in (0, 1]";
    return false;
  }
  if (a.output.summary) {
    *error = "--summary is for a single dump's report, not for comparing dumps";
    return false;
  }
  if (a.output.graph != "tree" && a.output.format != "dot") {
    *error = fmt::format("--graph {} draws a graph: it needs --format dot", a.output.graph);
    return false;
  }
  if (!check_rule_options(a.rules, error)) return false;
  if (!make_report_options(a.output, FormatUse::kDiff, report, format, error)) return false;
  report->source_roots = a.rules.source_roots;
  return true;
}

int write_comparison(std::vector<DiffDump> dumps, const std::vector<SameObjectHint>* hints,
                     const CompareArgs& args, const ReportOptions& report, const Format& format) {
  DiffOptions options;
  options.thresholds = args.thresholds;
  options.growth = args.growth;
  SnapshotDiff diff = diff_snapshots(std::move(dumps), options);

  DiffReport out;
  out.diff = &diff;
  out.focus = diff.dumps.size() - 1;

  auto engine = load_rule_engine(args.rules, args.output.modules);
  if (!engine) return kExitUsage;
  out.findings = classify_with_growth(diff, out.focus, *engine->rules, engine->options);
  std::string gate = settle_series_findings(*engine, args.rules, diff, out.focus,
                                            diff_leak_basis(diff), report, &out.findings,
                                            &out.suppressed);
  out.classified = true;
  out.spawned = attribute(diff, out.focus, args.spawned);
  if (hints) {
    out.same_object = *hints;
    if (out.same_object.size() > 10) out.same_object.resize(10);
  }

  std::vector<std::string> sources;
  for (const DiffDump& dump : diff.dumps) sources.push_back(dump.snapshot->source);
  ReportContext context = make_report_context(engine.get(), sources);
  std::string buffer;
  ReportOutput text(&buffer, stdout);
  format.diff(DiffInput{out, report, context}, text);
  return finish_report(text, gate);
}

}  // namespace gorleak::cli
