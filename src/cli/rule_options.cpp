#include "cli/rule_options.h"

#include <fmt/format.h>

#include "classify/builtin_rules.h"
#include "classify/rule_loader.h"
#include "cli/options.h"

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
       "exit 1 when a finding is at or above SEVERITY (info, low, medium, high, critical)")
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

bool parse_fail_on(const std::string& value, RuleSeverity* out) {
  return severity_from_name(value, out);
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
  if (!o.fail_on.empty()) {
    RuleSeverity s;
    if (!parse_fail_on(o.fail_on, &s)) {
      print_error(fmt::format("--fail-on: expected info, low, medium, high or critical, got '{}'",
                              o.fail_on));
      return nullptr;
    }
  }
  auto engine = std::make_unique<RuleEngine>();
  std::vector<Diagnostic> notes;
  engine->rules = RuleSet::build(loader.take_rules(), o.disabled, &notes, loader.request_handlers());
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

void classify_all(RuleEngine& engine, const Catalog& catalog, std::vector<Snapshot>& snapshots) {
  Classifier classifier(catalog, *engine.rules, engine.options);
  for (Snapshot& s : snapshots) classifier.classify(s);
}

bool any_finding_at_or_above(const std::vector<Snapshot>& snapshots, RuleSeverity s) {
  for (const Snapshot& snap : snapshots)
    for (const Finding& f : snap.findings)
      if (f.severity >= s) return true;
  return false;
}

}  // namespace gorleak::cli
