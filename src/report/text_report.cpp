#include "report/text_report.h"

#include <algorithm>
#include <iterator>
#include <numeric>

#include <fmt/format.h>

#include "diff/signature.h"
#include "model/func_name.h"
#include "model/spawn_edges.h"
#include "model/user_code.h"
#include "report/text_escape.h"
#include "report/text_style.h"

namespace gorleak {

namespace {

template <typename... Args>
void put(std::string* out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(*out), f, std::forward<Args>(args)...);
}


const SpawnerInfo* find_spawner(const Snapshot& snap, uint64_t id) {
  auto it = std::lower_bound(snap.spawners.begin(), snap.spawners.end(), id,
                             [](const SpawnerInfo& s, uint64_t v) { return s.id < v; });
  if (it == snap.spawners.end() || it->id != id) return nullptr;
  return &*it;
}


void put_elision(std::string* out, const TextStyle& st, int32_t count) {
  if (count < 0)
    put(out, "      {}...additional frames elided by the runtime...{}\n", st.dim, st.reset);
  else
    put(out, "      {}...{} frames elided by the runtime...{}\n", st.dim, count, st.reset);
}

}  // namespace

void write_text_snapshot_header(const Snapshot& snap, const ReportOptions& options,
                                std::string* out) {
  TextStyle st(options.color);
  put(out, "{}{}{}: {} dump, {} {}", st.bold, text_escaped(snap.source), st.reset,
      form_name(snap.form),
      snap.total, plural(snap.total, "goroutine", "goroutines"));
  if (snap.declared_total) put(out, " (declared total {})", *snap.declared_total);
  if (snap.first_line || snap.last_line)
    put(out, ", lines {}\u2013{}", snap.first_line, snap.last_line);
  out->push_back('\n');
  if (snap.repeats > 0)
    put(out, "  {}{} {} with the same cause and stack ({} more after this one, the last at line {}){}\n",
        st.bold, snap.repeats + 1, snap.form == Form::kCrash ? "crashes" : "records", snap.repeats,
        snap.last_repeat_line, st.reset);
  if (!snap.cause.empty()) put(out, "  cause: {}\n", text_escaped(snap.cause));
  if (snap.go_version.known())
    put(out, "  Go {} ({})\n", go_version_text(snap.go_version), text_escaped(snap.go_version.basis));
  if (snap.leak_report == LeakReport::kGoleak)
    put(out, "  {}goleak report: every goroutine listed outlived its test{}\n", st.red, st.reset);
  else if (snap.leak_report == LeakReport::kSynctest)
    put(out,
        "  {}synctest report: the bubble's goroutines are blocked, and nothing in the bubble can "
        "wake them{}\n",
        st.red, st.reset);
  else if (snap.leak_report == LeakReport::kDeadlock)
    put(out, "  {}deadlock report: the runtime found every goroutine asleep; none can run again{}\n",
        st.red, st.reset);
  if (snap.leaked > 0)
    put(out, "  {}{} {} marked (leaked) by the Go runtime{}\n", st.red, snap.leaked,
        plural(snap.leaked, "goroutine", "goroutines"), st.reset);
  if (snap.skipped_lines > 0)
    put(out, "  {} unrecognised {} skipped\n", snap.skipped_lines,
        plural(snap.skipped_lines, "line", "lines"));
  if (snap.truncated) {
    put(out, "  {}warning: the dump is cut short; counts are a lower bound{}\n", st.yellow,
        st.reset);
    if (snap.form == Form::kDebug2 || snap.form == Form::kGoroutineLeak)
      put(out,
          "  {}(Go's pprof stops a debug=2 dump at 64 MiB; fetch "
          "/debug/pprof/goroutine?debug=1 for complete counts){}\n",
          st.yellow, st.reset);
  }
  for (const Diagnostic& d : snap.diagnostics) {
    std::string_view word = d.severity == Severity::kError     ? "error"
                            : d.severity == Severity::kWarning ? "warning"
                                                               : "note";
    if (d.line)
      put(out, "  {}: line {}: {}\n", word, d.line, text_escaped(d.message));
    else
      put(out, "  {}: {}\n", word, text_escaped(d.message));
  }
}

void write_text_findings(const Snapshot& snap, const Catalog& catalog,
                         const ReportOptions& options, std::string* out) {
  if (snap.findings.empty() && snap.suppressed_findings == 0) return;
  TextStyle st(options.color);
  // Most severe first, then largest; the classify stage's order breaks ties.
  std::vector<size_t> order(snap.findings.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Finding& x = snap.findings[a];
    const Finding& y = snap.findings[b];
    if (x.severity != y.severity) return x.severity > y.severity;
    return x.count > y.count;
  });
  if (snap.suppressed_findings == 0)
    put(out, "\n{}Findings ({}){}\n", st.bold, snap.findings.size(), st.reset);
  else
    put(out, "\n{}Findings ({} new; {} suppressed by --baseline){}\n", st.bold,
        snap.findings.size(), snap.suppressed_findings, st.reset);
  for (size_t k = 0; k < order.size(); ++k) {
    const Finding& f = snap.findings[order[k]];
    if (k > 0) out->push_back('\n');
    put(out, "  {} {}  {}", st.paint(severity_style(st, f.severity),
                                     fmt::format("[{}]", upper(severity_name(f.severity)))),
        st.paint(st.bold, text_escaped(f.rule)), text_escaped(f.title));
    put(out, "  (confidence: {})\n", confidence_name(f.confidence));

    std::string facts = finding_count_text(f);
    if (!f.state.empty())
      facts += fmt::format(" \u00b7 {}", text_escaped(f.state));
    else if (f.category != StateCategory::kUnknown)
      facts += fmt::format(" \u00b7 {}", category_name(f.category));
    std::string wait = format_wait(f.min_wait, f.max_wait);
    if (!wait.empty()) facts += fmt::format(" \u00b7 {}", wait);
    if (f.growth_confirmed) facts += " \u00b7 growth confirmed";
    put(out, "    {}\n", facts);

    std::string site = source_site_text(catalog, f.site);
    if (!site.empty()) {
      if (f.site_in_stdlib)
        site += is_stdlib_func(catalog.str(f.site.func))
                    ? "  (no frame of your code: this is the standard library entry point)"
                    : "  (no frame of your code: this is the library's entry point)";
      append_labelled(out, st, "site", site, 4);
    }
    std::string blocking = source_site_text(catalog, f.blocking);
    if (!blocking.empty() && blocking != source_site_text(catalog, f.site))
      append_labelled(out, st, "blocked", blocking, 4);
    append_labelled(out, st, "created", source_site_text(catalog, f.created_by), 4);
    if (!f.groups.empty()) {
      std::string gs;
      for (uint32_t g : f.groups) gs += fmt::format("{}#{}", gs.empty() ? "" : ", ", g + 1);
      append_labelled(out, st, "groups", gs, 4);
    }
    std::string library = source_site_text(catalog, f.library);
    if (!library.empty()) append_labelled(out, st, "library", library, 4);
    std::string severity = std::string(severity_name(f.severity));
    if (f.rule_severity != f.severity)
      severity += fmt::format(" (the rule says {})", severity_name(f.rule_severity));
    append_labelled(out, st, "severity",
                 fmt::format("{}: {} [{}]", severity, f.evidence_basis, evidence_level_name(f.evidence_level)),
                 4);
    if (!f.cause.empty()) append_labelled(out, st, "cause", f.cause, 4);
    append_labelled(out, st, "evidence", f.evidence, 4);
    append_labelled(out, st, "fix", f.fix, 4);
  }
}

void write_text_state_table(const Snapshot& snap, const ReportOptions& options,
                            std::string* out) {
  TextStyle st(options.color);
  std::vector<size_t> rows;
  for (size_t c = 0; c < kStateCategoryCount; ++c)
    if (snap.states[c] > 0) rows.push_back(c);
  std::stable_sort(rows.begin(), rows.end(),
                   [&](size_t a, size_t b) { return snap.states[a] > snap.states[b]; });
  size_t name_w = 5;  // "total"
  for (size_t c : rows)
    name_w = std::max(name_w, category_name(static_cast<StateCategory>(c)).size());
  size_t count_w = fmt::formatted_size("{}", snap.total);
  put(out, "\n{}States{}\n", st.bold, st.reset);
  for (size_t c : rows) {
    double pct = snap.total ? 100.0 * static_cast<double>(snap.states[c]) /
                                  static_cast<double>(snap.total)
                            : 0.0;
    put(out, "  {:<{}}  {:>{}}  {:>5.1f}%\n", category_name(static_cast<StateCategory>(c)),
        name_w, snap.states[c], count_w, pct);
  }
  put(out, "  {:<{}}  {:>{}}\n", "total", name_w, snap.total, count_w);
}

void write_text_group(const Snapshot& snap, uint32_t gi, const Catalog& catalog,
                      const ReportOptions& options, const StackFacts& stacks,
                      std::string* out) {
  TextStyle st(options.color);
  const Group& g = snap.groups[gi];
  const Stack& stack = catalog.stacks.get(g.stack);

  std::string line = fmt::format("{} {} \u00b7 {}", g.count,
                                 plural(g.count, "goroutine", "goroutines"),
                                 group_state_label(g, catalog));
  std::string wait = format_wait(g.min_wait, g.max_wait);
  if (!wait.empty()) line += " \u00b7 " + wait;
  if (g.leaked) line += fmt::format(" \u00b7 {} leaked", g.leaked);
  if (g.locked_to_thread) line += fmt::format(" \u00b7 {} locked to thread", g.locked_to_thread);
  put(out, "\n  {}#{}{}  {}\n", st.bold, gi + 1, st.reset, line);

  const size_t n = stack.frames.size();
  int user = stacks.user_frame(g.stack);
  // Fold long stacks: the first frames, then the user's frame if it is
  // deeper, then a count of the rest. Folding away fewer than 3 frames
  // saves nothing, so short overruns are shown whole.
  size_t fold = options.full ? n : options.fold_frames;
  if (n <= fold + 2) fold = n;
  auto elision_after = [&](size_t i) {
    return stack.elided_count != 0 && stack.elided_at == i + 1;
  };
  if (n == 0) put(out, "      {}(no frames){}\n", st.dim, st.reset);
  if (options.fold_stdlib) {
    // Every frame, but each run of two or more standard-library and runtime
    // frames folds to one line and the frame the program called into (the
    // run's outermost one outside the runtime and its wrappers), as
    // panicparse keeps what the user called and hides how it is built.
    for (size_t i = 0; i < n;) {
      size_t j = i;
      while (j < n && static_cast<int>(j) != user &&
             is_library_func(catalog.str(stack.frames[j].func)) && (j == i || !elision_after(j - 1)))
        ++j;
      if (j - i < 2) {
        append_frame(out, st, catalog, stack.frames[i], static_cast<int>(i) == user);
        if (elision_after(i)) put_elision(out, st, stack.elided_count);
        ++i;
        continue;
      }
      int keep = -1;
      for (size_t k = i; k < j; ++k) {
        const Frame& f = stack.frames[k];
        if (!is_cross_form_noise(catalog.str(f.func), catalog.str(f.file))) keep = static_cast<int>(k);
      }
      size_t folded = j - i - (keep >= 0 ? 1 : 0);
      put(out, "      {}… {} standard-library {} folded{}\n", st.dim, folded,
          plural(folded, "frame", "frames"), st.reset);
      if (keep >= 0) append_frame(out, st, catalog, stack.frames[static_cast<size_t>(keep)], false);
      if (elision_after(j - 1)) put_elision(out, st, stack.elided_count);
      i = j;
    }
    fold = n;  // nothing more to fold below
  }
  for (size_t i = 0; i < std::min(n, fold) && !options.fold_stdlib; ++i) {
    append_frame(out, st, catalog, stack.frames[i], static_cast<int>(i) == user);
    if (elision_after(i)) put_elision(out, st, stack.elided_count);
  }
  size_t shown_until = std::min(n, fold);
  if (!options.fold_stdlib && user >= 0 && static_cast<size_t>(user) >= shown_until) {
    size_t u = static_cast<size_t>(user);
    if (u > shown_until)
      put(out, "      {}\u2026 {} {} \u2026{}\n", st.dim, u - shown_until,
          plural(u - shown_until, "frame", "frames"), st.reset);
    append_frame(out, st, catalog, stack.frames[u], true);
    if (elision_after(u)) put_elision(out, st, stack.elided_count);
    shown_until = u + 1;
  }
  if (shown_until < n) {
    std::string elided;
    if (stack.elided_count != 0 && stack.elided_at > shown_until)
      elided = stack.elided_count > 0
                   ? fmt::format(", then {} frames the runtime elided", stack.elided_count)
                   : std::string(", then frames the runtime elided");
    put(out, "      {}\u2026 {} more {}{} (--full shows all){}\n", st.dim, n - shown_until,
        plural(n - shown_until, "frame", "frames"), elided, st.reset);
  }
  else if (n > 0 && stack.elided_count != 0 && stack.elided_at == 0)
    put_elision(out, st, stack.elided_count);

  if (stack.created_by.present()) {
    std::span<const SpawnEdge> edges = spawn_edges_of(snap, gi);
    // The group key may have dropped the line (--group-by function); the
    // spawn edge keeps the line of the first goroutine.
    uint32_t cb_line = stack.created_by.line;
    if (cb_line == 0 && !edges.empty()) cb_line = edges.front().line;
    std::string_view cb_func = catalog.str(stack.created_by.func);
    bool user_cb = is_user_frame(catalog, stack.created_by.func, stack.created_by.file,
                                 options.modules);
    put(out, "    created by {}  {}\n", st.paint(user_cb ? st.bold : st.dim, text_escaped(cb_func)),
        format_location(catalog, stack.created_by.file, cb_line));
    std::string parents;
    size_t listed = 0;
    for (const SpawnEdge& edge : edges) {
      if (!edge.has_parent) continue;
      parents += fmt::format("{}goroutine {} \u00d7{}", listed ? ", " : "", edge.parent_id,
                             edge.count);
      if (const SpawnerInfo* s = find_spawner(snap, edge.parent_id))
        parents += fmt::format(" (group #{})", s->group + 1);
      ++listed;
    }
    if (listed) put(out, "    parents: {}\n", parents);
  }
  if (!g.sample_ids.empty()) {
    std::string ids;
    for (uint64_t id : g.sample_ids) ids += fmt::format("{}{}", ids.empty() ? "" : ", ", id);
    if (g.count > g.sample_ids.size()) ids += ", \u2026";
    put(out, "    {}: {}\n", plural(g.count, "goroutine", "goroutines"), ids);
  }
  if (!g.labels.empty()) put(out, "    labels: {}\n", text_escaped(g.labels));
}

namespace {

// The human report behind the SnapshotWriter interface: each snapshot is
// written, and streamed, as soon as it is formatted.
class TextWriter final : public SnapshotWriter {
 public:
  void snapshot(const ReportInput& in, size_t si, ReportOutput& output) override {
    std::string* out = output.string();
    const ReportOptions& options = in.options;
    TextStyle st(options.color);
    const Snapshot& snap = in.snapshots[si];
    if (si > 0) out->append("\n");
    if (in.snapshots.size() > 1)
      put(out, "{}=== snapshot {} of {} ==={}\n", st.bold, si + 1, in.snapshots.size(),
          st.reset);
    write_text_snapshot_header(snap, options, out);
    write_text_findings(snap, in.catalog, options, out);
    if (snap.total == 0) {
      put(out, "\n  no goroutines\n");
      return;
    }
    write_text_state_table(snap, options, out);

    const GroupSelection& sel = in.selections[si];
    put(out, "\n{}Groups{}: {} shown of {}", st.bold, st.reset, sel.shown.size(),
        snap.groups.size());
    if (sel.matched != snap.groups.size())
      put(out, " ({} matched the filters, {} goroutines)", sel.matched,
          sel.matched_goroutines);
    out->append("\n");
    for (uint32_t gi : sel.shown) {
      write_text_group(snap, gi, in.catalog, options, in.stacks, out);
      output.flush_if_due();
    }
    if (sel.shown.size() < sel.matched)
      put(out, "\n  {}\u2026 {} more {} (--top 0 shows all){}\n", st.dim,
          sel.matched - sel.shown.size(), plural(sel.matched - sel.shown.size(), "group", "groups"),
          st.reset);
  }
};

}  // namespace

std::unique_ptr<SnapshotWriter> make_text_writer() { return std::make_unique<TextWriter>(); }

void write_text_report(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
                       const ReportOptions& options, const GroupFilter& filter,
                       std::string* out) {
  ReportOutput output(out);
  ReportInput in(snapshots, catalog, options, filter, ReportOptions::kDefaultTextTop);
  TextWriter writer;
  write_snapshots(writer, in, output);
}

}  // namespace gorleak
