#include "cli/heap_output.h"

#include <cstdio>

#include <fmt/format.h>

#include "model/units.h"
#include "report/heap_json_report.h"
#include "report/heap_text_report.h"

namespace gorleak::cli {

namespace {

bool write_out(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    print_error("cannot write the report to standard output");
    return false;
  }
  return true;
}

int exit_for(const std::vector<const std::vector<HeapFinding>*>& lists, const std::vector<Snapshot>& snapshots,
             const Catalog& catalog, const std::string& fail_on) {
  if (fail_on.empty()) return kExitOk;
  RuleSeverity threshold;
  if (!severity_from_name(fail_on, &threshold)) {
    print_error(fmt::format("--fail-on: '{}' is not a severity (info, low, medium, high, critical)",
                            fail_on));
    return kExitUsage;
  }
  for (const auto* l : lists)
    for (const HeapFinding& f : *l)
      if (f.severity >= threshold) {
        print_error(fmt::format("a heap finding at or above {}: {}", severity_name(threshold), f.rule));
        return kExitFindings;
      }
  std::string why = fail_on_gate(all_findings(snapshots), threshold, catalog, 0);
  if (why.empty()) return kExitOk;
  print_error(why);
  return kExitFindings;
}

}  // namespace

void add_heap_options(po::options_description& desc, HeapOptions* o) {
  desc.add_options()
      ("sample-index", po::value<std::string>(&o->sample_index)->value_name("TYPE")->default_value("inuse_space"),
       "heap profiles: inuse_space, inuse_objects, alloc_space or alloc_objects (as "
       "`go tool pprof -sample_index`)")
      // Not --min-growth: that is the goroutine growth rule's (a count),
      // and diff takes both.
      ("min-heap-growth", po::value<std::string>(&o->min_growth)->value_name("BYTES")->default_value("1MiB"),
       "heap diff: a site retains memory when its inuse_space grows by this much (e.g. 512KiB) "
       "and by 1% of the newest profile's in-use total")
      ("heap-stay-fraction", po::value<double>(&o->stay_fraction)->value_name("F")->default_value(0.5),
       "heap diff of three profiles: a site that grew under load stayed when AFTER still holds "
       "F of the growth, else it drained");
}

bool make_heap_report_options(const HeapOptions& heap, const OutputOptions& output,
                              HeapReportOptions* out, std::string* error) {
  if (!heap_value_from_name(heap.sample_index, &out->value)) {
    *error = fmt::format("--sample-index: expected inuse_space, inuse_objects, alloc_space or "
                         "alloc_objects, got '{}'", heap.sample_index);
    return false;
  }
  if (!parse_byte_count(heap.min_growth, &out->thresholds.min_growth_bytes)) {
    *error = fmt::format("--min-heap-growth: expected a byte count such as 1048576, 512KiB or 1MiB, got '{}'",
                         heap.min_growth);
    return false;
  }
  if (!(heap.stay_fraction > 0.0 && heap.stay_fraction <= 1.0)) {
    *error = "--heap-stay-fraction: expected a number in (0, 1]";
    return false;
  }
  out->thresholds.stay_fraction = heap.stay_fraction;
  if (output.format != "text" && output.format != "json") {
    *error = fmt::format("--format: heap reports are text or json, got '{}'", output.format);
    return false;
  }
  if (!resolve_color(output.color, &out->color, error)) return false;
  out->top = output.top ? *output.top : (output.format == "json" ? 0 : 10);
  out->modules = output.modules;
  out->full = output.full;
  return true;
}

int report_heap(const std::vector<HeapProfile>& profiles, const std::vector<Snapshot>& snapshots,
                const Catalog& catalog, RuleEngine& engine, const OutputOptions& output,
                const HeapOptions& heap, const std::string& fail_on) {
  HeapReportOptions o;
  std::string error;
  if (!make_heap_report_options(heap, output, &o, &error)) {
    print_error(error);
    return kExitUsage;
  }
  for (const HeapProfile& p : profiles) {
    if (!p.has_value[static_cast<size_t>(o.value)]) {
      print_error(fmt::format("{}: this profile has no {} values (its header's allocation "
                              "totals equal its in-use totals)", p.source, heap_value_name(o.value)));
      return kExitUsage;
    }
  }
  HeapReport report;
  std::vector<const std::vector<HeapFinding>*> lists;
  for (const HeapProfile& p : profiles)
    report.profiles.push_back(view_heap_profile(p, catalog, engine.rules.get(), o));
  for (const HeapProfileView& v : report.profiles) lists.push_back(&v.findings);
  report.retention = join_goroutine_leaks(snapshots, profiles, catalog);
  std::string text;
  if (output.format == "json") write_heap_json(report, snapshots, catalog, o, &text);
  else write_heap_text(report, snapshots, catalog, o, &text);
  if (!write_out(text)) return kExitUsage;
  return exit_for(lists, snapshots, catalog, fail_on);
}

int report_heap_diff(const std::vector<const HeapProfile*>& profiles, const Catalog& catalog,
                     RuleEngine& engine, const OutputOptions& output, const HeapOptions& heap,
                     const std::string& fail_on) {
  HeapReportOptions o;
  std::string error;
  if (!make_heap_report_options(heap, output, &o, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (profiles.size() < 2 || profiles.size() > 3) {
    print_error("heap diff needs BASE NEW or IDLE LOADED AFTER heap profiles");
    return kExitUsage;
  }
  HeapDiffView view = view_heap_diff(profiles, catalog, engine.rules.get(), o);
  std::string text;
  if (output.format == "json") write_heap_diff_json(view, catalog, o, &text);
  else write_heap_diff_text(view, catalog, o, &text);
  if (!write_out(text)) return kExitUsage;
  return exit_for({&view.findings}, {}, catalog, fail_on);
}

bool check_same_kind(const std::vector<std::string>& files, const std::vector<bool>& kinds,
                     std::string* error) {
  for (size_t i = 1; i < files.size(); ++i) {
    if (kinds[i] == kinds[0]) continue;
    *error = fmt::format("{} is {} but {} is {}: compare heap profiles with heap profiles and "
                         "goroutine dumps with goroutine dumps",
                         files[0], kinds[0] ? "a heap profile" : "a goroutine dump", files[i],
                         kinds[i] ? "a heap profile" : "a goroutine dump");
    return false;
  }
  return true;
}

}  // namespace gorleak::cli
