#include "report/watch_report.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "diff/creation_forest.h"
#include "diff/verdict.h"
#include "report/diff_rows.h"
#include "report/text_escape.h"
#include "report/text_style.h"
#include "report/trend_report.h"

namespace gorleak {

namespace {

template <typename... Args>
void put(std::string* out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(*out), f, std::forward<Args>(args)...);
}

std::string signed_count(int64_t d) { return d >= 0 ? fmt::format("+{}", d) : fmt::format("{}", d); }

// "high chan-send-blocked ×74 growth-confirmed, medium …", at most three.
std::string findings_text(const Snapshot& s) {
  std::string out;
  size_t n = 0;
  for (const Finding& f : s.findings) {
    if (n++ == 3) {
      out += fmt::format(", … {} more", s.findings.size() - 3);
      break;
    }
    out += fmt::format("{}{} {} ×{}{}", out.empty() ? "" : ", ", severity_name(f.severity), f.rule,
                       f.count, f.growth_confirmed ? " growth-confirmed" : "");
  }
  return out.empty() ? "none" : out;
}

// The rows that grow, largest rise first.
std::vector<const DiffRow*> growing_rows(const SnapshotDiff& d) {
  std::vector<const DiffRow*> rows;
  for (const LikelyLeak& l : likely_leaks(d, LeakBasis::kGrowth, d.dumps.size() - 1, {}))
    rows.push_back(&d.rows[l.row]);
  std::stable_sort(rows.begin(), rows.end(), [](const DiffRow* a, const DiffRow* b) {
    return a->growth.rise > b->growth.rise;
  });
  return rows;
}

std::string short_site(const SnapshotDiff& d, const DiffRow& row, const LeakSiteFinder& sites) {
  LeakSite s = row_site(d, row, sites);
  if (s.frame_index < 0) return "(no frames)";
  const Catalog& c = d.catalog(row.frames_from);
  return text_escaped(c.str(s.site.func));
}

}  // namespace

std::string watch_summary_line(const TargetSeries& t, const ReportOptions& options) {
  const SnapshotDiff& d = t.trend().diff;
  const Snapshot& last = t.sample(t.size() - 1);
  LeakSiteFinder sites(options.modules);
  std::string line = fmt::format("{} {}  sample {}  {} goroutines", utc_time(t.time(t.size() - 1)),
                                 text_escaped(t.url()), t.samples_seen(), with_thousands(last.total));
  if (t.size() > 1)
    line += fmt::format(" ({} since the first)",
                        signed_count(static_cast<int64_t>(last.total) -
                                     static_cast<int64_t>(t.sample(0).total)));
  if (!d.restart_before.empty() && d.restart_before.back()) line += "  restarted";
  std::vector<const DiffRow*> rows = growing_rows(d);
  if (rows.empty()) {
    line += "  no group grows";
  } else {
    line += fmt::format("  {} group{} grow{}:", rows.size(), rows.size() == 1 ? "" : "s",
                        rows.size() == 1 ? "s" : "");
    for (size_t i = 0; i < rows.size() && i < 3; ++i)
      line += fmt::format("{} {} {}→{} ({})", i ? "," : "", short_site(d, *rows[i], sites),
                          rows[i]->counts.front(), rows[i]->counts.back(), d.state(*rows[i]));
    if (rows.size() > 3) line += fmt::format(", … {} more", rows.size() - 3);
  }
  line += "  findings: " + findings_text(last);
  return line;
}

std::string watch_failure_line(const std::string& url, double time, const std::string& error) {
  return fmt::format("{} {}  fetch failed: {}", utc_time(time), text_escaped(url), text_escaped(error));
}

void write_watch_screen(const std::vector<const TargetSeries*>& targets, const WatchStatus& status,
                        const ReportOptions& options, std::string* out) {
  TextStyle st(options.color);
  LeakSiteFinder sites(options.modules);
  std::string progress = status.rounds ? fmt::format("sample {} of {}", status.round, status.rounds)
                                       : fmt::format("sample {}", status.round);
  put(out, "{}\n", st.paint(st.bold, fmt::format("gorleak watch · {} target{} · {} · next in {:.0f} s · "
                                                 "Ctrl-C ends with the report",
                                                 targets.size(), targets.size() == 1 ? "" : "s",
                                                 progress, std::ceil(status.next_in))));
  for (const std::string& f : status.failures) put(out, "{}\n", st.paint(st.yellow, f));
  size_t rows_each = targets.size() > 4 ? 3 : 6;
  for (const TargetSeries* t : targets) {
    if (t->size() == 0) {
      put(out, "\n{}  (no sample yet)\n", st.paint(st.bold, text_escaped(t->url())));
      continue;
    }
    const Snapshot& last = t->sample(t->size() - 1);
    const SnapshotDiff& d = t->trend().diff;
    std::string states;
    for (size_t c = 0; c < kStateCategoryCount; ++c)
      if (last.states[c])
        states += fmt::format("{}{} {}", states.empty() ? "" : " · ",
                              category_name(static_cast<StateCategory>(c)), last.states[c]);
    put(out, "\n{}  {} goroutines  {}\n", st.paint(st.bold, text_escaped(t->url())), with_thousands(last.total), states);
    std::vector<const DiffRow*> rows = growing_rows(d);
    if (rows.empty()) put(out, "  {}\n", st.paint(st.green, "no group grows"));
    for (size_t i = 0; i < rows.size() && i < rows_each; ++i)
      put(out, "  {} {}  {}→{}  +{}  {}  {}\n", st.paint(st.red, "!"), sparkline(rows[i]->counts),
          rows[i]->counts.front(), rows[i]->counts.back(), rows[i]->growth.rise, d.state(*rows[i]),
          row_site_text(d, *rows[i], sites));
    put(out, "  findings: {}\n", findings_text(last));
  }
  if (targets.size() > 1) write_fleet_text(fleet_sites(targets, sites), targets, options, out);
}

void write_fleet_text(const std::vector<FleetSite>& fleet,
                      const std::vector<const TargetSeries*>& targets,
                      const ReportOptions& options, std::string* out) {
  TextStyle st(options.color);
  put(out, "\n{}\n", st.paint(st.bold, "Leak sites across instances"));
  if (fleet.empty()) put(out, "  no site grows on any instance\n");
  for (const FleetSite& f : fleet) {
    put(out, "  {}  {}:{}  ({}){}: grows on {} of {} instance{}, +{} in all\n",
        st.paint(f.members.size() > 1 ? st.red : st.yellow, text_escaped(f.func)),
        text_escaped(f.file), f.line, text_escaped(f.state),
        f.service.empty() ? "" : fmt::format(" [{}]", text_escaped(f.service)), f.members.size(), f.instances,
        f.instances == 1 ? "" : "s", f.rise);
    for (const FleetMember& m : f.members)
      put(out, "      {}  {}→{}\n", text_escaped(targets[m.target]->url()), m.first, m.last);
  }
}

void write_watch_report(const std::vector<const TargetSeries*>& targets,
                        const ReportOptions& options, std::string* out) {
  for (size_t i = 0; i < targets.size(); ++i) {
    const TargetSeries& t = *targets[i];
    if (i) out->push_back('\n');
    if (t.size() == 0) {
      put(out, "{}: no sample could be taken\n", text_escaped(t.url()));
      continue;
    }
    put(out, "{}{}: {} samples{}\n", text_escaped(t.url()),
        t.service().empty() ? "" : " [" + text_escaped(t.service()) + "]",
        t.samples_seen(),
        t.samples_seen() > t.size() ? fmt::format(" ({} kept, evenly)", t.size()) : "");
    TrendReport r;
    r.trend = &t.trend();
    r.findings = t.sample(t.size() - 1).findings;
    r.classified = true;
    write_trend_text(r, options, out);
  }
  if (targets.size() > 1)
    write_fleet_text(fleet_sites(targets, LeakSiteFinder(options.modules)), targets, options, out);
}

}  // namespace gorleak
