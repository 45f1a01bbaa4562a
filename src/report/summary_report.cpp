#include "report/summary_report.h"

#include <filesystem>
#include <iterator>

#include <fmt/format.h>

#include "model/user_code.h"
#include "report/text_escape.h"
#include "report/text_style.h"

namespace gorleak {

namespace {

template <typename... Args>
void put(std::string* out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(*out), f, std::forward<Args>(args)...);
}

// "func (file.go:33)": the file's name only, to keep the line short.
std::string where(const Catalog& catalog, StrId func, StrId file, uint32_t line) {
  std::string out = text_escaped(func ? catalog.str(func) : std::string_view("?"));
  if (file == 0) return out;
  std::string name = text_escaped(std::filesystem::path(catalog.str(file)).filename().string());
  return line ? fmt::format("{} ({}:{})", out, name, line) : fmt::format("{} ({})", out, name);
}

std::string percent(uint64_t part, uint64_t total) {
  if (total == 0) return "-";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(total));
}

}  // namespace

void write_summary_report(const std::vector<Snapshot>& snapshots, const Catalog& catalog,
                          const ReportOptions& options, const GroupFilter& filter,
                          std::string* out) {
  TextStyle st(options.color);
  size_t top = options.top.value_or(ReportOptions::kDefaultTextTop);
  for (const Snapshot& snap : snapshots) {
    put(out, "{}{}{}: {}, {} {} in {} {}, {} {}", st.bold, snap.source, st.reset,
        form_name(snap.form), snap.total, plural(snap.total, "goroutine", "goroutines"),
        snap.groups.size(), plural(snap.groups.size(), "group", "groups"), snap.findings.size(),
        plural(snap.findings.size(), "finding", "findings"));
    if (snap.suppressed_findings)
      put(out, " ({} suppressed by --baseline)", snap.suppressed_findings);
    out->push_back('\n');
    if (!snap.findings.empty()) {
      put(out, "  {}{:>7}  {:>6}  {:>6}  finding{}\n", st.dim, "count", "share", "sum%", st.reset);
      for (const Finding& f : snap.findings)
        put(out, "  {:>7}  {:>6}  {:>6}  {} {}  {}\n", f.count, percent(f.count, snap.total), "",
            upper(severity_name(f.severity)), f.rule,
            where(catalog, f.site.func, f.site.file, f.site.line));
    }
    GroupSelection sel = select_groups(snap, catalog, filter, top);
    if (sel.shown.empty()) continue;
    put(out, "  {}{:>7}  {:>6}  {:>6}  group ({} of {}){}\n", st.dim, "count", "share", "sum%",
        sel.shown.size(), snap.groups.size(), st.reset);
    uint64_t sum = 0;
    for (uint32_t gi : sel.shown) {
      const Group& g = snap.groups[gi];
      const Stack& s = catalog.stacks.get(g.stack);
      sum += g.count;
      int user = find_user_frame(s, catalog, options.modules);
      std::string at;
      if (user >= 0) {
        const Frame& fr = s.frames[static_cast<size_t>(user)];
        at = where(catalog, fr.func, fr.file, fr.line);
      } else if (!s.frames.empty()) {
        at = where(catalog, s.frames[0].func, s.frames[0].file, s.frames[0].line);
      }
      put(out, "  {:>7}  {:>6}  {:>6}  #{} {}  {}\n", g.count, percent(g.count, snap.total),
          percent(sum, snap.total), gi + 1, group_state_label(g, catalog), at);
    }
  }
}

namespace {

// The summary is one screen for all snapshots: written at the end, from the
// same selection inputs as the other formats.
class SummaryWriter final : public SnapshotWriter {
 public:
  void snapshot(const ReportInput&, size_t, ReportOutput&) override {}
  void end(const ReportInput& in, ReportOutput& out) override {
    write_summary_report(in.snapshots, in.catalog, in.options, in.filter, out.string());
    out.flush();
  }
};

}  // namespace

std::unique_ptr<SnapshotWriter> make_summary_writer() { return std::make_unique<SummaryWriter>(); }

}  // namespace gorleak
