// `gorleak diff [options] BASE NEW [AFTER]` (also `gorleak --base BASE NEW`,
// as `go tool pprof -diff_base` users expect): compare dumps group by group,
// classify the last one with growth information, and report.
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/compare.h"
#include "cli/fetch_options.h"
#include "cli/heap_output.h"
#include "cli/options.h"
#include "cli/project_config.h"
#include "cli/series_input.h"

namespace gorleak::cli {

namespace {

struct DiffArgs {
  GeneralOptions general;
  InputOptions input;
  CompareArgs compare;  // cli/compare.h
  FetchArgs fetch;      // cli/fetch_options.h
  HeapOptions heap;     // cli/heap_output.h: when the inputs are heap profiles
  std::string base;
  ConfigOptions config;
};

po::options_description diff_options(DiffArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  desc.add_options()
      ("base", po::value<std::string>(&a->base)->value_name("FILE"),
       "the base dump (`gorleak --base BASE NEW` = `gorleak diff BASE NEW`)");
  add_compare_options(desc, &a->compare);
  add_heap_options(desc, &a->heap);
  add_fetch_options(desc, &a->fetch);
  add_config_options(desc, &a->config);
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
      "Formats (--format):\n"
      "{}"
      "\n"
      "Examples:\n"
      "  gorleak diff idle.txt loaded.txt after.txt\n"
      "  gorleak --base before.txt after.txt --format json\n"
      "  gorleak diff --format dot before.txt after.txt | dot -Tsvg > tree.svg\n",
      ss.str(), format_help(FormatUse::kDiff));
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

}  // namespace

int run_diff(int argc, char** argv) {
  DiffArgs args;
  po::options_description desc = diff_options(&args);
  po::variables_map vm;
  if (int rc = parse_or_answer(argc, argv, desc, input_positionals(), args.general, print_help, &vm);
      rc >= 0)
    return rc;
  std::string error;
  if (!apply_project_config(args.config, vm, &args.compare.rules, &args.compare.output))
    return kExitUsage;
  LoadOptions load;
  ReportOptions report;
  FetchDumpOptions fetch;
  const Format* format = nullptr;
  if (!make_load_options(args.input, &load, &error) ||
      !make_compare_options(args.compare, &report, &format, &error) ||
      !make_fetch_options(args.fetch, &fetch, &error)) {
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
  if (!load_series(files, load, fetch, &in)) return kExitUsage;
  if (!in.heap_profiles.empty()) {
    // Heap profiles: growth per allocation site (cli/heap_output.h).
    if (!check_same_kind(files, in.file_is_heap, &error)) {
      print_error(error);
      return kExitUsage;
    }
    auto engine = load_rule_engine(args.compare.rules, args.compare.output.modules);
    if (!engine) return kExitUsage;
    std::vector<const HeapProfile*> profiles;
    for (const HeapProfile& p : in.heap_profiles) profiles.push_back(&p);
    return report_heap_diff(profiles, in.catalog, *engine, args.compare.output, args.heap, args.compare.rules.fail_on);
  }
  std::vector<size_t> picked;
  if (!pick_snapshots(in, files.size(), &picked)) return kExitUsage;
  const auto& hints = in.same_object->hints();
  return write_comparison(diff_dumps(in, picked),
                          picked.back() < hints.size() ? &hints[picked.back()] : nullptr,
                          args.compare, report, *format);
}

}  // namespace gorleak::cli
