// `gorleak heap [options] FILE...` and `gorleak heap diff [options] BASE NEW
// [AFTER]`: heap profiles (protobuf or debug=1 text) read, classified by the
// heap rules, and compared. Goroutine dumps given alongside a heap profile
// are analysed too and joined with it: each goroutine leak shows the heap
// its goroutines hold.
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/heap_output.h"
#include "cli/options.h"
#include "cli/rule_options.h"
#include "cli/series_input.h"

namespace gorleak::cli {

namespace {

struct HeapArgs {
  GeneralOptions general;
  InputOptions input;
  OutputOptions output;
  RuleOptions rules;
  HeapOptions heap;
};

po::options_description heap_options(HeapArgs* a) {
  po::options_description desc("Options");
  add_general_options(desc, &a->general);
  add_input_options(desc, &a->input);
  add_output_options(desc, &a->output, FormatUse::kAnalyze);
  add_heap_options(desc, &a->heap);
  add_rule_options(desc, &a->rules);
  return desc;
}

void print_help(const po::options_description& desc) {
  std::ostringstream ss;  // Boost prints option tables only to a stream
  ss << desc;
  fmt::print(
      "gorleak heap: read, diff and classify Go heap profiles\n"
      "\n"
      "Usage:\n"
      "  gorleak heap [options] FILE...                  what holds the heap, and why\n"
      "  gorleak heap diff [options] BASE NEW            growth per allocation site\n"
      "  gorleak heap diff [options] IDLE LOADED AFTER   which growth stayed (leak) or drained\n"
      "\n"
      "Reads /debug/pprof/heap and /debug/pprof/allocs in both forms: the gzipped protobuf\n"
      "profile and ?debug=1 text (with its runtime.MemStats block). `gorleak FILE` and\n"
      "`gorleak diff` do the same when their inputs are heap profiles. A goroutine dump given\n"
      "with a heap profile of the same process is analysed too, and each goroutine leak shows\n"
      "the heap it holds.\n"
      "\n"
      "inuse_* is memory still held at the last GC: growth there is retained memory, a leak\n"
      "candidate. alloc_* counts everything ever allocated: large alloc_* with flat inuse_* is\n"
      "churn, not a leak. Fetch with ?gc=1 so that inuse_* holds no garbage.\n"
      "\n"
      "{}\n"
      "Examples:\n"
      "  curl -s localhost:6060/debug/pprof/heap?gc=1 > heap.pb.gz && gorleak heap heap.pb.gz\n"
      "  gorleak heap --sample-index alloc_space heap.pb.gz\n"
      "  gorleak heap diff before.pb.gz after.pb.gz\n"
      "  gorleak goroutines.txt heap.pb.gz\n"
      "\n"
      "Exit codes: 0 ok; 1 a finding at or above --fail-on; 2 usage or input error.\n",
      ss.str());
}

int run(HeapArgs& args, bool diff) {
  LoadOptions load;
  std::string error;
  if (!make_load_options(args.input, &load, &error)) {
    print_error(error);
    return kExitUsage;
  }
  if (args.input.files.empty()) {
    print_error(diff ? "heap diff needs BASE NEW [AFTER] (see gorleak heap --help)"
                     : "no input: name a heap profile (see gorleak heap --help)");
    return kExitUsage;
  }
  auto engine = load_rule_engine(args.rules, args.output.modules);
  if (!engine) return kExitUsage;
  if (diff) {
    SeriesInput in;
    if (!load_series(args.input.files, load, FetchDumpOptions{}, &in)) return kExitUsage;
    if (!check_same_kind(args.input.files, in.file_is_heap, &error)) {
      print_error(error);
      return kExitUsage;
    }
    if (in.heap_profiles.empty()) {
      print_error(fmt::format("{} is a goroutine dump: heap diff compares heap profiles (gorleak "
                              "diff compares dumps)", args.input.files[0]));
      return kExitUsage;
    }
    std::vector<const HeapProfile*> profiles;
    for (const HeapProfile& p : in.heap_profiles) profiles.push_back(&p);
    return report_heap_diff(profiles, in.catalog, *engine, args.output, args.heap, args.rules.fail_on);
  }
  Catalog catalog;
  std::vector<HeapProfile> heaps;
  std::vector<Snapshot> snapshots;
  std::vector<std::string> failures;  // URLs whose transfer broke off mid-body
  if (!load_dumps(catalog, args.input.files, load, FetchDumpOptions{}, &snapshots, &failures,
                  &heaps))
    return kExitUsage;
  if (heaps.empty()) {
    print_error("no heap profile among the inputs (for goroutine dumps alone, run gorleak FILE)");
    return kExitUsage;
  }
  classify_all(*engine, catalog, snapshots);
  int code =
      report_heap(heaps, snapshots, catalog, *engine, args.output, args.heap, args.rules.fail_on);
  // As in analyze: what a broken transfer kept was reported, the error comes last.
  for (const std::string& f : failures) print_error(f);
  return failures.empty() ? code : kExitUsage;
}

}  // namespace

int run_heap(int argc, char** argv) {
  bool diff = argc >= 2 && std::string_view(argv[1]) == "diff";
  if (diff) {
    --argc;
    ++argv;
  }
  HeapArgs args;
  po::options_description desc = heap_options(&args);
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
  return run(args, diff);
}

}  // namespace gorleak::cli
