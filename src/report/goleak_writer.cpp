#include "report/goleak_writer.h"

#include <iterator>
#include <set>

#include <fmt/format.h>

#include "diff/signature.h"
#include "model/func_name.h"
#include "model/user_code.h"
#include "report/go_literal.h"
#include "report/text_style.h"

namespace gorleak {

namespace {

template <typename... Args>
void put(std::string* out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(*out), f, std::forward<Args>(args)...);
}

// Frames a level-1 traceback hides: unexported runtime functions (exported
// ones such as runtime.Gosched are shown) and the runtime's internal
// packages.
bool hidden_by_traceback(std::string_view func) {
  constexpr std::string_view kRuntime = "runtime.";
  if (func.starts_with("runtime/internal/") || func.starts_with("internal/runtime/")) return true;
  if (!func.starts_with(kRuntime) || func.size() == kRuntime.size()) return false;
  char c = func[kRuntime.size()];
  return !(c >= 'A' && c <= 'Z');
}

struct Option {
  bool any = false;  // IgnoreAnyFunction, else IgnoreTopFunction
  std::string_view func;
};

Option option_for(const Stack& stack, const Catalog& catalog, const ReportOptions& options) {
  std::string_view top = goleak_top_function(stack, catalog);
  if (!top.empty() && !is_stdlib_func(top)) return {false, top};
  int user = find_user_frame(stack, catalog, options.modules);
  if (user >= 0) return {true, catalog.str(stack.frames[static_cast<size_t>(user)].func)};
  // The entry function: the outermost frame, past the `go` statement
  // wrappers (gowrapN, -fm) whose numbering changes with unrelated edits.
  for (size_t i = stack.frames.size(); i-- > 0;) {
    const Frame& fr = stack.frames[i];
    std::string_view f = catalog.str(fr.func);
    if (!f.empty() && !is_cross_form_noise(f, catalog.str(fr.file))) return {true, f};
  }
  return {false, top};
}

}  // namespace

std::string_view goleak_top_function(const Stack& stack, const Catalog& catalog) {
  for (const Frame& f : stack.frames) {
    std::string_view func = catalog.str(f.func);
    if (!func.empty() && !hidden_by_traceback(func)) return func;
  }
  return stack.frames.empty() ? std::string_view() : catalog.str(stack.frames.front().func);
}

namespace {

// One snapshot's block: the groups `sel` shows, as options or as findings.
void write_goleak_block(const Snapshot& snap, const Catalog& catalog,
                        const ReportOptions& options, const GroupSelection& sel,
                        std::string* out) {
  std::vector<bool> in_finding(snap.groups.size(), false);
  std::vector<std::string_view> rule_of(snap.groups.size());
  for (const Finding& f : snap.findings) {
    if (f.severity == RuleSeverity::kInfo) continue;  // a note, not a leak
    for (uint32_t g : f.groups)
      if (g < in_finding.size() && !in_finding[g]) {
        in_finding[g] = true;
        rule_of[g] = f.rule;
      }
  }

  struct Line {
    Option option;
    uint32_t group;
  };
  std::vector<Line> lines;
  std::vector<uint32_t> leaks;
  std::set<std::pair<bool, std::string_view>> printed;
  uint64_t goroutines = 0;
  size_t groups = 0;
  for (uint32_t gi : sel.shown) {
    if (in_finding[gi]) {
      leaks.push_back(gi);
      continue;
    }
    const Group& g = snap.groups[gi];
    ++groups;
    goroutines += g.count;
    Option o = option_for(catalog.stacks.get(g.stack), catalog, options);
    if (o.func.empty() || !printed.insert({o.any, o.func}).second) continue;
    lines.push_back({o, gi});
  }

  // The source name is the user's own file name, but it sits in a comment:
  // keep it to one line by quoting it as Go would.
  put(out, "// gorleak: {} {} ({} {}) expected in {}; paste into goleak.VerifyNone(t, ...)\n",
      groups, plural(groups, "group", "groups"), goroutines,
      plural(goroutines, "goroutine", "goroutines"), go_quote(snap.source));
  put(out, "// or goleak.VerifyTestMain(m, ...).\n");
  for (const Line& l : lines) {
    if (!l.option.any) continue;
    put(out, "// goleak.IgnoreAnyFunction needs go.uber.org/goleak v1.3.0 or later.\n");
    break;
  }
  for (const Line& l : lines) {
    const Group& g = snap.groups[l.group];
    put(out, "goleak.{}({}), // group #{}: {} {}, {}\n",
        l.option.any ? "IgnoreAnyFunction" : "IgnoreTopFunction", go_quote(l.option.func),
        l.group + 1, g.count, plural(g.count, "goroutine", "goroutines"),
        category_name(g.category));
  }
  for (uint32_t gi : leaks) {
    const Group& g = snap.groups[gi];
    // Rule ids are [a-z0-9_-] (rule_loader.cpp): safe in a comment.
    put(out, "// not ignored: group #{} ({} {}) is a {} finding; accept it with --baseline\n",
        gi + 1, g.count, plural(g.count, "goroutine", "goroutines"), rule_of[gi]);
  }
}

// `--format goleak` behind the writer interface (report/format.h): a block
// per snapshot, blocks apart by a blank line.
class GoleakWriter final : public SnapshotWriter {
 public:
  void snapshot(const ReportInput& in, size_t i, ReportOutput& out) override {
    if (i > 0) out.string()->push_back('\n');
    write_goleak_block(in.snapshots[i], in.catalog, in.options, in.selections[i], out.string());
    out.flush();
  }
};

}  // namespace

void write_goleak_options(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
                          const ReportOptions& options, const GroupFilter& filter,
                          std::string* out) {
  for (size_t si = 0; si < snapshots.size(); ++si) {
    if (si > 0) out->push_back('\n');
    write_goleak_block(snapshots[si], catalog, options,
                       select_groups(snapshots[si], catalog, filter, options.top.value_or(0)), out);
  }
}

std::unique_ptr<SnapshotWriter> make_goleak_writer() { return std::make_unique<GoleakWriter>(); }

}  // namespace gorleak
