#include "report/diff_rows.h"

#include <unordered_map>

#include <fmt/format.h>

#include "report/json_report.h"
#include "report/text_escape.h"
#include "report/text_style.h"

namespace gorleak {

LeakSite row_site(const SnapshotDiff& d, const DiffRow& row, const LeakSiteFinder& sites) {
  return sites.find(d.catalog(row.frames_from), d.stack(row));
}

std::string row_site_text(const SnapshotDiff& d, const DiffRow& row, const LeakSiteFinder& sites) {
  LeakSite s = row_site(d, row, sites);
  if (s.frame_index < 0) return "(no frames)";
  const Catalog& c = d.catalog(row.frames_from);
  return fmt::format("{}  {}", text_escaped(c.str(s.site.func)),
                     format_location(c, s.site.file, s.site.line));
}

namespace {

bool same_site(const Catalog& ca, StrId fa, StrId filea, uint32_t la, const Catalog& cb, StrId fb,
               StrId fileb, uint32_t lb) {
  return la == lb && ca.str(fa) == cb.str(fb) && ca.str(filea) == cb.str(fileb);
}

}  // namespace

int first_difference(const SnapshotDiff& d, const DiffRow& a, const DiffRow& b) {
  const Catalog &ca = d.catalog(a.frames_from), &cb = d.catalog(b.frames_from);
  const Stack &sa = d.stack(a), &sb = d.stack(b);
  size_t n = std::min(sa.frames.size(), sb.frames.size());
  for (size_t i = 0; i < n; ++i) {
    const Frame &x = sa.frames[i], &y = sb.frames[i];
    if (!same_site(ca, x.func, x.file, x.line, cb, y.func, y.file, y.line))
      return static_cast<int>(i);
  }
  if (sa.frames.size() != sb.frames.size()) return static_cast<int>(n);
  const CreatedBy &x = sa.created_by, &y = sb.created_by;
  if (!same_site(ca, x.func, x.file, x.line, cb, y.func, y.file, y.line)) return static_cast<int>(n);
  return -1;
}

std::string difference_text(const SnapshotDiff& d, const DiffRow& a, int at) {
  const Catalog& c = d.catalog(a.frames_from);
  const Stack& s = d.stack(a);
  if (at < 0) return "";
  if (static_cast<size_t>(at) < s.frames.size()) {
    const Frame& f = s.frames[static_cast<size_t>(at)];
    return fmt::format("frame {}: {}  {}", at, text_escaped(c.str(f.func)),
                       format_location(c, f.file, f.line));
  }
  if (s.created_by.present())
    return fmt::format("created by {}  {}", text_escaped(c.str(s.created_by.func)),
                       format_location(c, s.created_by.file, s.created_by.line));
  return fmt::format("ends after frame {}", at);
}

std::vector<int> colliding_rows(const std::vector<std::string>& printed) {
  std::vector<int> out(printed.size(), -1);
  std::unordered_map<std::string_view, int> first;
  for (size_t i = 0; i < printed.size(); ++i) {
    auto [it, fresh] = first.emplace(printed[i], static_cast<int>(i));
    if (fresh) continue;
    out[i] = it->second;
    if (out[static_cast<size_t>(it->second)] < 0) out[static_cast<size_t>(it->second)] = static_cast<int>(i);
  }
  return out;
}

void write_json_row_stack(JsonWriter& w, const SnapshotDiff& d, const DiffRow& row,
                          const LeakSiteFinder& sites) {
  const Catalog& c = d.catalog(row.frames_from);
  const Stack& s = d.stack(row);
  LeakSite site = row_site(d, row, sites);
  w.key("site");
  if (site.frame_index >= 0) write_json_site(w, c, site.site.func, site.site.file, site.site.line);
  else w.null();
  w.field("site_in_stdlib", site.in_stdlib);
  w.key("frames");
  w.begin_array();
  for (const Frame& f : s.frames) write_json_site(w, c, f.func, f.file, f.line);
  w.end_array();
  w.key("created_by");
  write_json_site(w, c, s.created_by.func, s.created_by.file, s.created_by.line);
}

void write_json_likely_leaks(JsonWriter& w, const SnapshotDiff& d,
                             const std::vector<LikelyLeak>& leaks,
                             const std::vector<Finding>& findings, size_t focus,
                             const LeakSiteFinder& sites) {
  w.key("likely_leaks");
  w.begin_array();
  for (const LikelyLeak& l : leaks) {
    const DiffRow& row = d.rows[l.row];
    w.begin_object();
    w.field("status", diff_status_name(row.status));
    w.field("grows", row.growth.grows);
    w.key("counts");
    w.begin_array();
    for (uint64_t x : row.counts) w.value(x);
    w.end_array();
    std::string_view state = d.state(row);
    if (state.empty()) w.null_field("state"); else w.field("state", state);
    w.field("category", category_name(d.category(row)));
    write_json_row_stack(w, d, row, sites);
    uint64_t proven = 0;
    if (focus < d.dumps.size())
      for (uint32_t gi : row.groups[focus]) proven += d.dumps[focus].snapshot->groups[gi].leaked;
    w.field("proven", proven);
    const Finding* worst = nullptr;
    for (uint32_t f : l.findings)
      if (!worst || findings[f].severity > worst->severity) worst = &findings[f];
    if (worst) w.field("severity", severity_name(worst->severity)); else w.null_field("severity");
    w.key("findings");
    w.begin_array();
    for (uint32_t f : l.findings) {
      w.begin_object();
      w.field("rule", findings[f].rule);
      w.field("severity", severity_name(findings[f].severity));
      w.field("growth_confirmed", findings[f].growth_confirmed);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

}  // namespace gorleak
