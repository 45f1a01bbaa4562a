#include "library.h"

#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "classify/classifier.h"
#include "classify/rule_loader.h"
#include "classify/rule_set.h"
#include "pipeline/load.h"

namespace gorleak::bench {
namespace {

std::unique_ptr<RuleSet> load_builtin_rules(int copies) {
  RuleLoader loader;
  struct stat st;
  if (::stat(GORLEAK_BUILTIN_RULES_DIR, &st) != 0) return nullptr;
  loader.add_path(GORLEAK_BUILTIN_RULES_DIR, true);
  FunctionRoles roles = loader.roles();
  std::vector<Rule> rules = loader.take_rules();
  size_t builtin = rules.size();
  for (int c = 1; c <= copies; ++c) {
    for (size_t i = 0; i < builtin; ++i) {
      Rule copy = rules[i];
      copy.id += fmt::format("-copy{}", c);
      copy.examples.clear();
      FrameCondition never;
      never.func = fmt::format("^gorleak-bench-never-{}$", c);
      copy.match.frames.push_back(never);
      rules.push_back(std::move(copy));
    }
  }
  std::vector<Diagnostic> diags;
  return RuleSet::build(std::move(rules), {}, &diags, roles);
}

uint64_t distinct_frame_lines(const Catalog& catalog) {
  std::unordered_set<uint64_t> seen;
  auto add = [&](StrId func, StrId file, uint32_t line) {
    seen.insert((uint64_t{func} * 0x9e3779b97f4a7c15ULL) ^ (uint64_t{file} << 24) ^ line);
  };
  for (size_t i = 0; i < catalog.stacks.size(); ++i) {
    const Stack& s = catalog.stacks.get(static_cast<StackId>(i));
    for (const Frame& f : s.frames) add(f.func, f.file, f.line);
    if (s.created_by.present()) add(s.created_by.func, s.created_by.file, s.created_by.line);
  }
  return seen.size();
}

}  // namespace

int child_load(const std::string& path, const ChildLoadOptions& o) {
  std::unique_ptr<RuleSet> rules;
  if (o.classify) rules = load_builtin_rules(o.rule_copies);
  LibResult r;
  Catalog catalog;
  LoadOptions options;
  options.jobs = o.jobs;
  options.map_window_bytes = o.map_window_bytes;
  Timer timer;
  LoadResult loaded = load_dump_file(catalog, path, options);
  double load_seconds = timer.seconds();
  if (loaded.ok && rules) {
    ClassifyOptions co;
    Classifier classifier(catalog, *rules, co);
    for (Snapshot& s : loaded.snapshots) classifier.classify(s);
  }
  r.seconds = timer.seconds();
  r.classify_seconds = r.seconds - load_seconds;
  if (!loaded.ok) {
    fmt::print(stderr, "{}\n",
               loaded.diagnostics.empty() ? "cannot load" : loaded.diagnostics[0].format());
    return 3;
  }
  for (const Snapshot& s : loaded.snapshots) {
    r.goroutines += s.total;
    r.groups += s.groups.size();
    r.findings += s.findings.size();
  }
  r.form = loaded.snapshots.empty() ? "?" : std::string(form_name(loaded.snapshots[0].form));
  // Read back by library_in_child.
  fmt::print("{:.9f} {:.9f} {} {} {} {} {} {} {} {} {}\n", r.seconds, r.classify_seconds,
             loaded.bytes, r.goroutines, r.groups, catalog.stacks.size(),
             distinct_frame_lines(catalog), loaded.snapshots.size(), r.findings,
             rules ? rules->rules().size() : 0, r.form);
  if (loaded.split_blocks > 0)
    fmt::print(stderr, "split: {} blocks ({} mapped), {} parsed by workers, {} of them absorbed\n",
               loaded.split_blocks, loaded.split_mapped, loaded.split_parsed,
               loaded.split_absorbed);
  return 0;
}

ChildLib library_in_child(const std::string& self, const std::string& path,
                          const ChildLoadOptions& o) {
  ChildLib c;
  std::vector<std::string> args = {self, "--child-load", path};
  if (!o.classify) args.push_back("--no-classify");
  if (o.jobs != 1) {
    args.push_back("--jobs");
    args.push_back(std::to_string(o.jobs));
  }
  if (o.rule_copies > 0) {
    args.push_back("--rule-copies");
    args.push_back(std::to_string(o.rule_copies));
  }
  if (o.map_window_bytes > 0) {
    args.push_back("--map-window");
    args.push_back(std::to_string(o.map_window_bytes));
  }
  if (g_cpu_clock) {
    args.push_back("--clock");
    args.push_back("cpu");
  }
  c.proc = run_child(args, std::nullopt);
  c.max_rss_kib = c.proc.max_rss_kib;
  char form[32] = {};
  unsigned long long v[9] = {};
  double secs = 0, classify = 0;
  LibResult& l = c.lib;
  if (c.proc.exit_code == 0 &&
      std::sscanf(c.proc.out_head.c_str(), "%lf %lf %llu %llu %llu %llu %llu %llu %llu %llu %31s",
                  &secs, &classify, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
                  form) == 11) {
    l.ok = true;
    l.seconds = c.seconds = secs;
    l.classify_seconds = classify;
    l.bytes = v[0];
    l.goroutines = v[1];
    l.groups = v[2];
    l.stacks = v[3];
    l.frame_lines = v[4];
    l.snapshots = v[5];
    l.findings = v[6];
    l.rules = v[7];
    l.form = form;
  } else {
    l.error = c.proc.err_head.empty() ? fmt::format("exit {}", c.proc.exit_code)
                                      : c.proc.err_head;
    c.seconds = 1e9;
  }
  return c;
}

}  // namespace gorleak::bench
