#include "cli/rule_options.h"

#include <filesystem>

#include <fmt/format.h>

#include "classify/builtin_rules.h"
#include "classify/rule_loader.h"
#include "diff/verdict.h"
#include "cli/options.h"
#include "report/fingerprint.h"
#include "suppress/finding_filter.h"

namespace gorleak::cli {

void add_rule_selection_options(po::options_description& desc, RuleOptions* o) {
  desc.add_options()
      ("rules", po::value<std::vector<std::string>>(&o->rule_paths)->value_name("FILE|DIR")
                    ->composing(),
       "load rules from a YAML file or a directory of them (repeatable); see rules/README.md")
      ("no-builtin", po::bool_switch(&o->no_builtin), "do not load the built-in rules")
      ("disable", po::value<std::vector<std::string>>(&o->disabled)->value_name("ID")
                      ->composing(),
       "turn off the rule with this id (repeatable)");
}

void add_rule_options(po::options_description& desc, RuleOptions* o) {
  add_rule_selection_options(desc, o);
  desc.add_options()
      ("fail-on", po::value<std::string>(&o->fail_on)->value_name("SEVERITY"),
       "exit 1 when a finding is at or above SEVERITY (info, low, medium, high, critical; "
       "any case), saying which on stderr; with --baseline, only new findings count. "
       "Commands that compare dumps also take `growth`: exit 1 on a likely leak")
      ("baseline", po::value<std::vector<std::string>>(&o->baselines)->value_name("FILE")
                       ->composing(),
       "report only findings this baseline or suppression file does not accept (repeatable; "
       "`gorleak baseline write FILE DUMP` makes one; docs/baseline.md)")
      ("ignore-top", po::value<std::vector<std::string>>(&o->ignore_top)->value_name("FUNC")
                         ->composing(),
       "ignore goroutines whose top function is FUNC (goleak's IgnoreTopFunction)")
      ("ignore-any", po::value<std::vector<std::string>>(&o->ignore_any)->value_name("FUNC")
                         ->composing(),
       "ignore goroutines with FUNC anywhere on the stack (goleak's IgnoreAnyFunction)")
      ("ignore-created-by",
       po::value<std::vector<std::string>>(&o->ignore_created_by)->value_name("FUNC")->composing(),
       "ignore goroutines created by FUNC (goleak's IgnoreCreatedBy)")
      ("source-root", po::value<std::vector<std::string>>(&o->source_roots)->value_name("DIR")
                          ->composing(),
       "a checkout of the program's source (repeatable): rules that read the code around a "
       "frame (time-after-in-loop, ticker-without-stop, context-never-cancelled) look there. "
       "Default: the current directory and its git top level, where a file counts only if it "
       "declares the frame's function")
      ("no-source", po::bool_switch(&o->no_source), "read no source code, not even from the current directory");
}

bool is_growth_gate(std::string_view fail_on) {
  return fail_on == "growth" || fail_on == "GROWTH" || fail_on == "Growth";
}

bool check_rule_options(const RuleOptions& o, std::string* error) {
  RuleSeverity s;
  if (o.fail_on.empty() || is_growth_gate(o.fail_on) || severity_from_name(o.fail_on, &s))
    return true;
  std::error_code ec;
  // `gorleak --fail-on dump.txt` (the severity forgotten) takes the dump as
  // the value: say so rather than only "bad value".
  bool is_file = std::filesystem::exists(o.fail_on, ec);
  *error = fmt::format("--fail-on: '{}' is not a severity (info, low, medium, high, critical){}",
                       o.fail_on,
                       is_file ? "; it is a file: give the severity first, e.g. "
                                 "--fail-on high FILE"
                               : "");
  return false;
}

std::unique_ptr<RuleEngine> load_rule_engine(const RuleOptions& o,
                                             const std::vector<std::string>& modules) {
  RuleLoader loader;
  if (!o.no_builtin) add_builtin_rules(loader);
  for (const auto& p : o.rule_paths) loader.add_path(p);
  if (!loader.ok()) {
    for (const Diagnostic& d : loader.diagnostics()) print_error(d.format());
    return nullptr;
  }
  std::string error;
  if (!check_rule_options(o, &error)) {
    print_error(error);
    return nullptr;
  }
  std::vector<SuppressionFile> baselines;
  for (const std::string& path : o.baselines) {
    SuppressionFile file;
    Diagnostic d;
    if (!load_suppression_file(path, &file, &d)) {
      print_error(d.format());
      return nullptr;
    }
    baselines.push_back(std::move(file));
  }
  auto engine = std::make_unique<RuleEngine>();
  engine->suppressor = std::make_unique<Suppressor>(std::move(baselines), today_utc());
  for (const Diagnostic& d : engine->suppressor->expired()) print_warning(d.format());
  std::vector<Diagnostic> notes;
  engine->rules = RuleSet::build(loader.take_rules(), o.disabled, &notes, loader.roles());
  for (const Diagnostic& d : notes) print_warning(d.format());
  if (o.no_source)
    engine->source = std::make_unique<SourceLookup>();
  else if (!o.source_roots.empty())
    engine->source = std::make_unique<SourceLookup>(o.source_roots);
  else
    engine->source = std::make_unique<SourceLookup>(default_source_roots(), /*guarded=*/true);
  engine->options.modules = modules;
  engine->options.ignore.top = o.ignore_top;
  engine->options.ignore.any = o.ignore_any;
  engine->options.ignore.created_by = o.ignore_created_by;
  engine->options.source = engine->source.get();
  return engine;
}

uint64_t settle_findings(RuleEngine& engine, std::vector<Finding>& findings,
                         const Snapshot& snapshot, const Catalog& catalog) {
  set_fingerprints(findings, snapshot, catalog);
  return engine.suppressor ? engine.suppressor->apply(&findings, catalog) : 0;
}

std::string series_gate(const RuleOptions& o, const std::vector<Finding>& findings,
                        size_t likely_leaks, const Catalog& catalog, uint64_t suppressed) {
  if (o.fail_on.empty()) return {};
  if (is_growth_gate(o.fail_on)) {
    if (likely_leaks == 0) return {};
    return fmt::format("--fail-on growth: {} likely {}", likely_leaks,
                       likely_leaks == 1 ? "leak" : "leaks");
  }
  RuleSeverity threshold;
  if (!severity_from_name(o.fail_on, &threshold)) return {};  // refused before
  std::vector<const Finding*> all;
  for (const Finding& f : findings) all.push_back(&f);
  return fail_on_gate(all, threshold, catalog, suppressed);
}

std::string settle_series_findings(RuleEngine& engine, const RuleOptions& o,
                                   const SnapshotDiff& diff, size_t focus, LeakBasis basis,
                                   const ReportOptions& report, std::vector<Finding>* findings,
                                   uint64_t* suppressed) {
  const DiffDump& dump = diff.dumps[focus];
  *suppressed = settle_findings(engine, *findings, *dump.snapshot, *dump.catalog);
  std::string gate = series_gate(o, *findings, likely_leaks(diff, basis, focus, *findings).size(),
                                 *dump.catalog, *suppressed);
  if (report.min_severity) remove_findings_below(findings, *report.min_severity);
  return gate;
}

int targets_exit_code(const RuleOptions& o, const std::vector<const TargetSeries*>& targets) {
  size_t leaks = 0;
  int code = kExitOk;
  for (const TargetSeries* t : targets) {
    if (t->size() == 0) continue;
    const Snapshot& last = t->sample(t->size() - 1);
    const SnapshotDiff& d = t->trend().diff;
    leaks = likely_leaks(d, LeakBasis::kGrowth, d.dumps.size() - 1, last.findings).size();
    std::string why = series_gate(o, last.findings, leaks, *d.dumps.back().catalog, 0);
    if (why.empty()) continue;
    print_error(why);
    code = kExitFindings;
  }
  return code;
}

void classify_all(RuleEngine& engine, const Catalog& catalog, std::vector<Snapshot>& snapshots) {
  Classifier classifier(catalog, *engine.rules, engine.options);
  for (Snapshot& s : snapshots) {
    classifier.classify(s);
    s.suppressed_findings = settle_findings(engine, s.findings, s, catalog);
  }
}

std::vector<const Finding*> all_findings(const std::vector<Snapshot>& snapshots) {
  std::vector<const Finding*> out;
  for (const Snapshot& snap : snapshots)
    for (const Finding& f : snap.findings) out.push_back(&f);
  return out;
}

std::string fail_on_gate(const std::vector<const Finding*>& findings, RuleSeverity threshold,
                         const Catalog& catalog, uint64_t suppressed) {
  std::vector<const Finding*> over;
  for (const Finding* f : findings)
    if (f->severity >= threshold) over.push_back(f);
  if (over.empty()) return {};
  // Named as a person looks for it: the rule, and the leak site's file
  // name and line (the function when the dump gave no file).
  std::string named;
  constexpr size_t kNamed = 3;
  for (size_t i = 0; i < over.size() && i < kNamed; ++i) {
    const Finding& f = *over[i];
    std::string where;
    if (f.site.file != 0)
      where = fmt::format("{}:{}", std::filesystem::path(catalog.str(f.site.file)).filename().string(),
                          f.site.line);
    else if (f.site.func != 0)
      where = std::string(catalog.str(f.site.func));
    named += fmt::format("{}{}{}", i ? ", " : "", f.rule, where.empty() ? "" : " at " + where);
  }
  if (over.size() > kNamed) named += fmt::format(", and {} more", over.size() - kNamed);
  return fmt::format("{} {} at or above {}: {}{}", over.size(),
                     over.size() == 1 ? "finding" : "findings", severity_name(threshold), named,
                     suppressed ? fmt::format(" ({} suppressed by --baseline)", suppressed) : "");
}

}  // namespace gorleak::cli
