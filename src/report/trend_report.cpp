#include "report/trend_report.h"

#include <iterator>

#include <fmt/format.h>

#include "diff/creation_forest.h"
#include "report/diff_report.h"
#include "report/json_report.h"
#include "report/json_writer.h"
#include "model/user_code.h"
#include "report/text_escape.h"
#include "report/text_style.h"

namespace gorleak {

namespace {

template <typename... Args>
void put(std::string* out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(*out), f, std::forward<Args>(args)...);
}

std::string base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// "main.handle.func1  main.go:42", the leak site or else the top frame.
std::string row_site(const SnapshotDiff& d, const DiffRow& row, const ReportOptions& o) {
  const Catalog& c = d.catalog(row.frames_from);
  const Stack& s = d.stack(row);
  if (s.frames.empty()) return "(no frames)";
  int user = find_user_frame(s, c, o.modules);
  const Frame& f = s.frames[user >= 0 ? static_cast<size_t>(user) : 0];
  return fmt::format("{}  {}", text_escaped(c.str(f.func)),
                     base_name(format_location(c, f.file, f.line)));
}

}  // namespace

void write_trend_text(const Trend& t, const ReportOptions& options, std::string* out) {
  const SnapshotDiff& d = t.diff;
  TextStyle st(options.color);
  put(out, "{}\n", st.paint(st.bold, fmt::format("gorleak trend: {} dumps", d.dumps.size())));
  for (size_t i = 0; i < d.dumps.size(); ++i)
    put(out, "  #{:<3} {}  ({} goroutines, {})\n", i + 1, text_escaped(d.dumps[i].name), d.totals[i],
        form_name(d.dumps[i].snapshot->form));
  put(out, "groups matched by {} signature\n\n", signature_mode_name(d.mode));

  size_t flagged = t.flagged();
  put(out, "{}\n\n",
      st.paint(flagged ? st.red : st.green,
               flagged ? fmt::format("{} group{} grew monotonically across the series (flagged)",
                                     flagged, flagged == 1 ? "" : "s")
                       : std::string("no group grew monotonically across the series")));

  size_t limit = options.top.value_or(20);
  if (limit == 0) limit = SIZE_MAX;
  size_t shown = 0, hidden_flat = 0;
  for (uint32_t r : t.order) {
    const DiffRow& row = d.rows[r];
    const TrendInfo& info = t.info[r];
    if (row.growth == 0) {
      ++hidden_flat;
      continue;
    }
    if (shown == limit) {
      put(out, "… more groups changed (use --top 0 to see all)\n");
      break;
    }
    ++shown;
    std::string counts;
    for (size_t i = 0; i < row.counts.size(); ++i) counts += fmt::format("{}{}", i ? " " : "", row.counts[i]);
    put(out, "{} {}  {}  {:+.1f}/dump{}{}\n", info.flagged ? st.paint(st.red, "!") : " ",
        sparkline(row.counts), counts, info.growth_per_dump,
        info.monotonic ? "  only grows" : "",
        info.flagged ? st.paint(st.red, "  FLAGGED") : "");
    put(out, "    {}  {}\n", group_state_label(d.group(row.state_from), d.catalog(row.state_from)),
        row_site(d, row, options));
  }
  if (hidden_flat > 0)
    put(out, "{}{} group{} unchanged across the series\n", shown ? "\n" : "", hidden_flat,
        hidden_flat == 1 ? "" : "s");
}

void write_trend_row_fields(JsonWriter& w, const Trend& t, uint32_t r, const ReportOptions& options) {
  const DiffRow& row = t.diff.rows[r];
  const TrendInfo& info = t.info[r];
  w.key("counts");
  w.begin_array();
  for (uint64_t x : row.counts) w.value(x);
  w.end_array();
  w.field("monotonic", info.monotonic);
  w.field("flagged", info.flagged);
  w.field("rising_steps", info.rising_steps);
  w.field("growth", info.total_growth);
  w.field("growth_per_dump", info.growth_per_dump);
  write_row_stack_fields(w, t.diff, row, options);
}

void write_trend_json(const Trend& t, const ReportOptions& options, std::string* out) {
  const SnapshotDiff& d = t.diff;
  JsonWriter w(out);
  w.begin_object();
  w.key("dumps");
  w.begin_array();
  for (const DiffDump& dump : d.dumps) w.value(dump.name);
  w.end_array();
  w.field("signature", signature_mode_name(d.mode));
  w.key("totals");
  w.begin_array();
  for (uint64_t x : d.totals) w.value(x);
  w.end_array();
  w.key("states");
  w.begin_object();
  for (size_t c = 0; c < kStateCategoryCount; ++c) {
    const auto& v = d.states[c];
    bool any = false;
    for (uint64_t x : v) any |= x != 0;
    if (!any) continue;
    w.key(category_name(static_cast<StateCategory>(c)));
    w.begin_array();
    for (uint64_t x : v) w.value(x);
    w.end_array();
  }
  w.end_object();
  w.field("flagged", t.flagged());
  size_t limit = options.top.value_or(0);
  if (limit == 0) limit = SIZE_MAX;
  w.key("groups");
  w.begin_array();
  size_t n = 0;
  for (uint32_t r : t.order) {
    if (n++ >= limit) break;
    w.begin_object();
    write_trend_row_fields(w, t, r, options);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.finish();
}

void write_trend_text(const TrendInput& in, ReportOutput& out) {
  write_trend_text(in.trend, in.options, out.string());
  out.flush();
}

void write_trend_json(const TrendInput& in, ReportOutput& out) {
  write_trend_json(in.trend, in.options, out.string());
  out.flush();
}

}  // namespace gorleak
