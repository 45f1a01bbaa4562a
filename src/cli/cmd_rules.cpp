// `gorleak rules list | explain ID | test FILE...`: what rules are loaded,
// what one of them checks, and whether a rule file's own examples pass.
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "classify/builtin_rules.h"
#include "classify/classifier.h"
#include "classify/rule_loader.h"
#include "heap/heap_rules.h"
#include "model/units.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/rule_options.h"
#include "pipeline/load.h"

namespace gorleak::cli {

namespace {

namespace fs = std::filesystem;

std::string options_text(const po::options_description& desc) {
  std::ostringstream ss;  // Boost prints option tables only to a stream
  ss << desc;
  return ss.str();
}

void print_rules_help(const po::options_description& desc) {
  fmt::print(
      "Usage:\n"
      "  gorleak rules list [options]          list the loaded rules\n"
      "  gorleak rules explain ID [options]    show what a rule matches, why, and the fix\n"
      "  gorleak rules test FILE...            validate rule files and run their examples\n"
      "\n"
      "{}\n"
      "Exit codes: 0 ok; 1 an example failed (test) or no such rule (explain);\n"
      "2 an invalid rule file or a usage error.\n",
      options_text(desc));
}

std::string origin_text(const RuleOrigin& o) {
  return fmt::format("{}:{}:{}", o.file, o.line, o.column);
}

// Embedded rules have no file on disk; their source is rules/NAME in
// gorleak's source tree.
constexpr std::string_view kEmbedded = "<builtin>/";

// Where a rule is written: "rules/channels.yaml:3", "ci/my-rules.yaml:12".
std::string rule_file_text(const Rule& r) {
  std::string_view file = r.origin.file;
  std::string shown = file.starts_with(kEmbedded) ? "rules/" + std::string(file.substr(kEmbedded.size()))
                                                  : std::string(file);
  return fmt::format("{}:{}", shown, r.origin.line);
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

// Indents every line of a block of prose for `explain`.
std::string indent(std::string_view text, std::string_view pad) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view line = text.substr(i, j - i);
    out += line.empty() ? "\n" : fmt::format("{}{}\n", pad, line);
    i = j + 1;
  }
  return out;
}

std::string match_text(const MatchSpec& m) {
  std::string out;
  if (m.state.present()) {
    std::vector<std::string> cats;
    for (StateCategory c : m.state.categories) cats.emplace_back(category_name(c));
    out += "  state:";
    if (!cats.empty()) out += fmt::format(" category {}", join(cats, " | "));
    if (!m.state.reason.empty()) out += fmt::format(" reason ~ /{}/", m.state.reason);
    out += m.state.strict ? " (strict: never skipped for debug=1)\n"
                          : " (skipped for debug=1 dumps, which print no state)\n";
  }
  for (const FrameCondition& f : m.frames) {
    std::string what;
    if (!f.func.empty()) what += fmt::format("func ~ /{}/", f.func);
    if (!f.file.empty()) what += fmt::format("{}file ~ /{}/", what.empty() ? "" : " and ", f.file);
    std::string scope = f.scope == FrameScope::kTop && f.depth > 1
                            ? fmt::format("one of the top {} frames", f.depth)
                            : f.scope == FrameScope::kTop  ? std::string("the top frame")
                            : f.scope == FrameScope::kUser ? std::string("the leak site (first user frame)")
                            : f.scope == FrameScope::kCreatedBy ? std::string("the created-by site")
                                                                : std::string("any frame");
    out += fmt::format("  {}{}: {}\n", f.negate ? "NOT " : "", scope, what);
  }
  switch (m.site) {
    case SiteKind::kUser: out += "  site: in the user's code\n"; break;
    case SiteKind::kStdlib: out += "  site: no user frame (stdlib only)\n"; break;
    case SiteKind::kTop: out += "  site: the user's code is the top frame (it blocks itself)\n"; break;
    case SiteKind::kAny: break;
  }
  switch (m.spawner) {
    case SpawnerKind::kUser: out += "  spawner: started by the user's code (`go f()`)\n"; break;
    case SpawnerKind::kStdlib: out += "  spawner: started by the standard library\n"; break;
    case SpawnerKind::kAny: break;
  }
  if (m.leaked) out += "  leaked: marked (leaked) by the goroutineleak profile\n";
  if (m.min_wait_minutes >= 0) out += fmt::format("  waiting at least {} minutes\n", m.min_wait_minutes);
  out += fmt::format("  count: at least {} goroutines {}\n", m.min_count,
                     m.count_by == CountBy::kSite ? "summed over groups sharing a leak site"
                                                  : "in one group");
  if (m.growth.present)
    out += fmt::format("  growth: at least +{} since the base dump{}\n", m.growth.min_delta,
                       m.growth.required ? " (required: silent on a single dump)"
                                         : " (when diffing; ignored for a single dump)");
  if (m.source.present)
    out += fmt::format("  source: /{}/ within {} lines before and {} after the {} frame's line "
                       "(needs --source-root; otherwise unconfirmed, at most {})\n",
                       m.source.pattern, m.source.before, m.source.after,
                       m.source.frame == SourceFrame::kSite ? "leak-site" : "top",
                       severity_name(m.source.unconfirmed_severity));
  return out;
}

std::string heap_match_text(const HeapMatchSpec& h) {
  std::string out;
  MatchSpec frames_only;
  frames_only.frames = h.frames;
  std::string frames = match_text(frames_only);
  // match_text ends with the count line, which heap rules do not have.
  out += frames.substr(0, frames.rfind("  count:"));
  std::string_view v = heap_value_name(h.value);
  auto amount = [&](int64_t x) { return is_bytes(h.value) ? format_bytes(x) : fmt::format("{}", x); };
  if (h.min_value > 0) out += fmt::format("  {}: at least {} at one allocation site\n", v, amount(h.min_value));
  if (h.min_share > 0) out += fmt::format("  share: at least {:.0f}% of the profile's {}\n", 100 * h.min_share, v);
  if (h.min_retained > 0)
    out += fmt::format("  retained: the site still holds at least {:.0f}% of the bytes it allocated\n",
                       100 * h.min_retained);
  if (h.growth.present)
    out += fmt::format("  growth: inuse_space +{} and inuse_objects +{} since the base profile{}\n",
                       format_bytes(h.growth.min_inuse_space), h.growth.min_inuse_objects,
                       h.growth.required ? " (required: `gorleak heap diff` only)"
                                         : " (when diffing; raises confidence)");
  return out;
}

int rules_list(const RuleSet& rules) {
  size_t w = 2, fw = 4;
  for (const Rule& r : rules.rules()) {
    w = std::max(w, r.id.size());
    fw = std::max(fw, rule_file_text(r).size());
  }
  fmt::print("{:<{}}  {:<8}  {:<8}  {:<{}}  {}\n", "ID", w, "SEVERITY", "FROM", "FILE", fw, "TITLE");
  for (const Rule& r : rules.rules())
    fmt::print("{:<{}}  {:<8}  {:<8}  {:<{}}  {}\n", r.id, w, severity_name(r.severity),
               r.builtin ? "builtin" : "user", rule_file_text(r), fw, r.title);
  fmt::print("{} rules", rules.rules().size());
  std::string dir = builtin_rules_dir();
  fmt::print("; built-in rules from {}\n", dir.empty() ? "the copy embedded in gorleak" : dir);
  return kExitOk;
}

int rules_explain(const RuleSet& rules, const std::string& id) {
  const Rule* r = rules.find(id);
  if (!r) {
    print_error(fmt::format("no rule with id '{}' (see gorleak rules list)", id));
    return kExitFindings;
  }
  fmt::print("{}: {}\n", r->id, r->title);
  fmt::print("severity {}, confidence {}, priority {}, {} rule from {}\n\n", severity_name(r->severity),
             confidence_name(r->confidence), r->priority, r->builtin ? "built-in" : "user",
             origin_text(r->origin));
  fmt::print("What it means:\n{}\n", indent(r->description, "  "));
  fmt::print("Fix:\n{}\n", indent(r->fix, "  "));
  if (!r->caller_hint.empty()) fmt::print("Finding the caller:\n{}\n", indent(r->caller_hint, "  "));
  if (r->heap.present)
    fmt::print("Matches heap allocation sites where:\n{}", heap_match_text(r->heap));
  else
    fmt::print("Matches groups where:\n{}", match_text(r->match));
  if (r->fixed_in_go_minor != 0)
    fmt::print("  Go version: before 1.{} (from 1.{} the shape does not leak: a finding there is "
               "withdrawn to info)\n",
               r->fixed_in_go_minor, r->fixed_in_go_minor);
  if (!r->examples.empty()) {
    // Embedded rules' examples live in the source tree.
    std::string file = r->origin.file.rfind(kEmbedded, 0) == 0
                           ? "rules/" + r->origin.file.substr(kEmbedded.size()) + " (in gorleak's source tree)"
                           : r->origin.file;
    fmt::print("\n{} example(s): gorleak rules test {}\n", r->examples.size(), file);
  }
  return kExitOk;
}

// A relative example path is looked up next to the rule file, then in each
// directory above it (so rules/x.yaml can name corpus/dumps/…), then in the
// current directory.
std::string resolve_example_path(const std::string& rule_file, const std::string& path) {
  fs::path p(path);
  if (p.is_absolute()) return path;
  std::error_code ec;
  for (fs::path dir = fs::absolute(fs::path(rule_file), ec).parent_path(); !dir.empty();
       dir = dir.parent_path()) {
    if (fs::exists(dir / p, ec)) return (dir / p).string();
    if (dir == dir.parent_path()) break;
  }
  return path;
}

struct ExampleOutcome {
  bool passed = false;
  std::string message;
};

// A heap rule's example: the profile (and its base, for growth) through the
// heap rules of the whole set.
ExampleOutcome run_heap_example(const RuleLoader& loader, const Rule& rule, const RuleExample& ex) {
  ExampleOutcome out;
  Catalog catalog;
  std::vector<HeapProfile> profiles;
  for (const std::string* name : {&ex.base, &ex.dump}) {
    if (name->empty()) continue;
    std::string path = resolve_example_path(rule.origin.file, *name);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      out.message = fmt::format("profile {} not found", *name);
      return out;
    }
    LoadResult loaded = load_dump_file(catalog, path);
    if (!loaded.ok || loaded.heap_profiles.empty()) {
      out.message = fmt::format("{} is not a heap profile", *name);
      return out;
    }
    profiles.push_back(std::move(loaded.heap_profiles.front()));
  }
  auto set = RuleSet::build(loader.rules(), {}, nullptr, loader.roles());
  HeapClassifyOptions opt;
  opt.modules = ex.modules;
  std::vector<HeapFinding> found = find_heap_leaks(profiles.back(), catalog, *set, opt,
                                                   profiles.size() > 1 ? &profiles.front() : nullptr);
  std::string seen;
  bool any_above_info = false, match = false;
  for (const HeapFinding& f : found) {
    if (f.rule != rule.id) continue;
    seen += fmt::format("{}{} site={} confidence={} severity={}", seen.empty() ? "" : "; ", f.rule,
                        catalog.str(f.site.func), confidence_name(f.confidence), severity_name(f.severity));
    any_above_info |= f.severity > RuleSeverity::kInfo;
    match |= (ex.site.empty() || catalog.str(f.site.func) == ex.site) &&
             (ex.confidence.empty() || confidence_name(f.confidence) == ex.confidence);
  }
  if (ex.expect_none ? !any_above_info : match) {
    out.passed = true;
    return out;
  }
  out.message = ex.expect_none
                    ? fmt::format("expected no finding above info, got: {}", seen)
                    : fmt::format("expected {}{}{}, got {}", rule.id, ex.site.empty() ? "" : " site=" + ex.site,
                                  ex.confidence.empty() ? "" : " confidence=" + ex.confidence,
                                  seen.empty() ? "no finding of this rule" : seen);
  return out;
}

ExampleOutcome run_example(const RuleLoader& loader, const Rule& rule, const RuleExample& ex) {
  if (rule.heap.present) return run_heap_example(loader, rule, ex);
  ExampleOutcome out;
  Catalog catalog;
  LoadResult loaded;
  std::string what;
  if (!ex.dump.empty()) {
    std::string path = resolve_example_path(rule.origin.file, ex.dump);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      out.message = fmt::format("dump {} not found", ex.dump);
      return out;
    }
    loaded = load_dump_file(catalog, path);
  } else {
    loaded = load_dump_text(catalog, ex.snippet, "<snippet>");
  }
  if (!loaded.ok || loaded.snapshots.empty()) {
    out.message = "the example's dump has no goroutines";
    return out;
  }
  std::vector<std::string> roots;
  for (const auto& r : ex.source_roots) roots.push_back(resolve_example_path(rule.origin.file, r));
  SourceLookup source(roots);
  ClassifyOptions opt;
  opt.modules = ex.modules;
  opt.source = &source;
  auto set = RuleSet::build(loader.rules(), {}, nullptr, loader.roles());
  std::vector<const Finding*> mine;
  std::vector<Finding> keep;
  std::vector<Snapshot>& snaps = loaded.snapshots;
  Classifier classifier(catalog, *set, opt);
  for (Snapshot& s : snaps) classifier.classify(s);
  std::string seen;
  for (const Snapshot& s : snaps) {
    for (const Finding& f : s.findings) {
      if (f.rule != rule.id) continue;
      mine.push_back(&f);
      seen += fmt::format("{}{} count={} site={} confidence={} severity={} evidence={}",
                          seen.empty() ? "" : "; ", f.rule, f.count, catalog.str(f.site.func),
                          confidence_name(f.confidence), severity_name(f.severity),
                          evidence_level_name(f.evidence_level));
    }
  }
  if (ex.expect_none) {
    for (const Finding* f : mine) {
      if (f->severity > RuleSeverity::kInfo) {
        out.message = fmt::format("expected no finding above info, got: {}", seen);
        return out;
      }
    }
    out.passed = true;
    return out;
  }
  for (const Finding* f : mine) {
    if (ex.count >= 0 && f->count != static_cast<uint64_t>(ex.count)) continue;
    if (!ex.site.empty() && catalog.str(f->site.func) != ex.site) continue;
    if (!ex.confidence.empty() && confidence_name(f->confidence) != ex.confidence) continue;
    if (!ex.severity.empty() && severity_name(f->severity) != ex.severity) continue;
    if (!ex.evidence.empty() && evidence_level_name(f->evidence_level) != ex.evidence) continue;
    out.passed = true;
    return out;
  }
  out.message = fmt::format("expected {}{}{}{}{}{}, got {}", rule.id,
                            ex.count >= 0 ? fmt::format(" count={}", ex.count) : "",
                            ex.site.empty() ? "" : " site=" + ex.site,
                            ex.confidence.empty() ? "" : " confidence=" + ex.confidence,
                            ex.severity.empty() ? "" : " severity=" + ex.severity,
                            ex.evidence.empty() ? "" : " evidence=" + ex.evidence,
                            seen.empty() ? "no finding of this rule" : seen);
  return out;
}

int rules_test(const std::vector<std::string>& files) {
  if (files.empty()) {
    print_error("rules test: name at least one rule file");
    return kExitUsage;
  }
  RuleLoader loader;
  for (const auto& f : files) loader.add_path(f);
  if (!loader.ok()) {
    for (const Diagnostic& d : loader.diagnostics()) print_error(d.format());
    return kExitUsage;
  }
  // The files are tested together, as they would be loaded: rule priorities
  // decide which rule reports a group, so examples see the whole set.
  const std::vector<Rule>& rules = loader.rules();
  size_t passed = 0, failed = 0;
  for (const Rule& r : rules) {
    for (const RuleExample& ex : r.examples) {
      ExampleOutcome o = run_example(loader, r, ex);
      std::string label = !ex.dump.empty() ? ex.dump : "inline snippet";
      std::string expect = ex.expect_none ? "none" : fmt::format("{}{}",
          ex.count >= 0 ? fmt::format("count={} ", ex.count) : "", ex.site.empty() ? "" : "site=" + ex.site);
      if (o.passed) {
        ++passed;
        fmt::print("ok    {}  {}  (expect {})\n", r.id, label, expect);
      } else {
        ++failed;
        fmt::print("FAIL  {}  {}  {}: {}\n", r.id, label, origin_text(ex.origin), o.message);
      }
    }
  }
  fmt::print("{} rules, {} examples: {} passed, {} failed\n", rules.size(), passed + failed, passed,
             failed);
  return failed ? kExitFindings : kExitOk;
}

}  // namespace

int run_rules(int argc, char** argv) {
  RuleOptions ro;
  bool help = false;
  std::vector<std::string> words;
  po::options_description desc("Options (list, explain)");
  desc.add_options()("help,h", po::bool_switch(&help), "show this help and exit");
  add_rule_selection_options(desc, &ro);
  po::options_description all;
  all.add(desc).add_options()("words", po::value<std::vector<std::string>>(&words));
  po::positional_options_description pos;
  pos.add("words", -1);
  po::variables_map vm;
  std::string error;
  if (!parse_command_line(argc, argv, all, pos, &vm, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (help || words.empty()) {
    print_rules_help(desc);
    return help ? kExitOk : kExitUsage;
  }
  const std::string& action = words[0];
  if (action == "test") return rules_test({words.begin() + 1, words.end()});
  if (action != "list" && action != "explain") {
    print_error(fmt::format("rules: unknown action '{}' (list, explain, test)", action));
    return kExitUsage;
  }
  if (action == "explain" && words.size() != 2) {
    print_error("rules explain: name one rule id (see gorleak rules list)");
    return kExitUsage;
  }
  auto engine = load_rule_engine(ro, {});
  if (!engine) return kExitUsage;
  if (action == "list") return rules_list(*engine->rules);
  return rules_explain(*engine->rules, words[1]);
}

}  // namespace gorleak::cli
