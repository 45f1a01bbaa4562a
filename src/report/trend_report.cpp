#include "report/trend_report.h"

#include <iterator>

#include <fmt/format.h>

#include "diff/verdict.h"
#include "report/diff_report.h"
#include "report/diff_rows.h"
#include "report/json_report.h"
#include "report/json_writer.h"
#include "report/text_escape.h"
#include "report/text_style.h"

namespace gorleak {

namespace {

template <typename... Args>
void put(std::string* out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(*out), f, std::forward<Args>(args)...);
}

std::string restarts_text(const SnapshotDiff& d) {
  std::string s;
  for (size_t i = 0; i < d.restart_before.size(); ++i)
    if (d.restart_before[i]) s += fmt::format("{}#{}", s.empty() ? "" : ", ", i + 1);
  return s;
}

}  // namespace

std::string trend_verdict(const Trend& t) {
  size_t n = t.growing();
  uint64_t k = t.diff.growth_rule.min_growth;
  return n == 0 ? fmt::format("no group grows (never shrinks, and rises by ≥ {})", k)
                : fmt::format("{} group{} grow{} (never shrink{}, and rise{} by ≥ {})", n,
                              n == 1 ? "" : "s", n == 1 ? "s" : "", n == 1 ? "s" : "",
                              n == 1 ? "s" : "", k);
}

void write_trend_text(const TrendReport& r, const ReportOptions& options, std::string* out) {
  const Trend& t = *r.trend;
  const SnapshotDiff& d = t.diff;
  TextStyle st(options.color);
  LeakSiteFinder sites(options.modules);
  put(out, "{}\n", st.paint(st.bold, fmt::format("gorleak trend: {} dumps", d.dumps.size())));
  for (size_t i = 0; i < d.dumps.size(); ++i)
    put(out, "  #{:<3} {}  ({} goroutines, {}){}\n", i + 1, text_escaped(d.dumps[i].name), d.totals[i],
        form_name(d.dumps[i].snapshot->form),
        d.restart_before[i] ? st.paint(st.yellow, "  restarted before this dump") : "");
  put(out, "groups matched by {} signature\n", signature_mode_name(d.mode));
  if (std::string restarts = restarts_text(d); !restarts.empty())
    put(out, "the service restarted before {}: growth is counted within each run\n", restarts);
  size_t growing = t.growing();
  put(out, "\n{}\n\n", st.paint(growing ? st.red : st.green, trend_verdict(t)));

  size_t limit = options.top.value_or(20);
  if (limit == 0) limit = SIZE_MAX;
  std::vector<uint32_t> shown;
  size_t hidden_flat = 0;
  bool more = false;
  for (uint32_t ri : t.order) {
    if (d.rows[ri].change == 0) {
      ++hidden_flat;
      continue;
    }
    if (shown.size() == limit) {
      more = true;
      continue;
    }
    shown.push_back(ri);
  }
  std::vector<std::string> sites_text;
  for (uint32_t ri : shown)
    sites_text.push_back(group_state_label(d.group(d.rows[ri].state_from), d.catalog(d.rows[ri].state_from)) +
                         "  " + row_site_text(d, d.rows[ri], sites));
  std::vector<int> collide = colliding_rows(sites_text);
  for (size_t i = 0; i < shown.size(); ++i) {
    const DiffRow& row = d.rows[shown[i]];
    const TrendInfo& info = t.info[shown[i]];
    std::string counts;
    for (size_t k = 0; k < row.counts.size(); ++k) counts += fmt::format("{}{}", k ? " " : "", row.counts[k]);
    put(out, "{} {}  {}  {:+.1f}/dump{}\n", info.growth.grows ? st.paint(st.red, "!") : " ",
        sparkline(row.counts), counts, info.growth_per_dump,
        info.growth.grows ? st.paint(st.red, fmt::format("  grows +{}", info.growth.rise)) : "");
    put(out, "    {}\n", sites_text[i]);
    if (collide[i] >= 0) {
      const DiffRow& other = d.rows[shown[static_cast<size_t>(collide[i])]];
      put(out, "    {}\n", st.paint(st.dim, "differs at " + difference_text(d, row, first_difference(d, row, other))));
    }
  }
  if (more) put(out, "… more groups changed (use --top 0 to see all)\n");
  if (hidden_flat > 0)
    put(out, "{}{} group{} unchanged across the series\n", shown.empty() ? "" : "\n", hidden_flat,
        hidden_flat == 1 ? "" : "s");
  if (r.classified) write_text_series_findings(d, d.dumps.size() - 1, r.findings, options, out);
}

void write_trend_row_fields(JsonWriter& w, const Trend& t, uint32_t ri, const LeakSiteFinder& sites) {
  const SnapshotDiff& d = t.diff;
  const DiffRow& row = d.rows[ri];
  const TrendInfo& info = t.info[ri];
  w.key("counts");
  w.begin_array();
  for (uint64_t x : row.counts) w.value(x);
  w.end_array();
  w.field("grows", info.growth.grows);
  w.field("never_shrinks", info.growth.never_shrinks);
  w.field("rise", info.growth.rise);
  w.field("rising_steps", info.growth.rising_steps);
  w.field("growth", info.total_growth);
  w.field("growth_per_dump", info.growth_per_dump);
  std::string_view state = d.state(row);
  if (state.empty()) w.null_field("state"); else w.field("state", state);
  w.field("category", category_name(d.category(row)));
  write_json_row_stack(w, d, row, sites);
}

void write_trend_json(const TrendReport& r, const ReportOptions& options, std::string* out) {
  const Trend& t = *r.trend;
  const SnapshotDiff& d = t.diff;
  LeakSiteFinder sites(options.modules);
  const size_t focus = d.dumps.size() - 1;
  JsonWriter w(out);
  w.begin_object();
  write_json_series_head(w, d);
  w.field("growing", t.growing());
  w.field("verdict", trend_verdict(t));
  write_json_likely_leaks(w, d, likely_leaks(d, LeakBasis::kGrowth, focus, r.findings), r.findings,
                          focus, sites);
  size_t limit = options.top.value_or(0);
  if (limit == 0) limit = SIZE_MAX;
  w.key("groups");
  w.begin_array();
  size_t n = 0;
  for (uint32_t ri : t.order) {
    if (n++ >= limit) break;
    w.begin_object();
    write_trend_row_fields(w, t, ri, sites);
    w.end_object();
  }
  w.end_array();
  w.key("findings");
  w.begin_array();
  for (const Finding& f : r.findings) write_json_finding(w, f, *d.dumps[focus].catalog, d.dumps[focus].snapshot);
  w.end_array();
  w.end_object();
  w.finish();
}

void write_trend_text(const TrendInput& in, ReportOutput& out) {
  write_trend_text(in.report, in.options, out.string());
  out.flush();
}

void write_trend_json(const TrendInput& in, ReportOutput& out) {
  write_trend_json(in.report, in.options, out.string());
  out.flush();
}

}  // namespace gorleak
