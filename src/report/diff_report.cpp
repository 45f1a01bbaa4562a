#include "report/diff_report.h"

#include <algorithm>
#include <iterator>
#include <unordered_map>

#include <fmt/format.h>

#include "diff/signature.h"
#include "diff/verdict.h"
#include "report/diff_rows.h"
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

std::string signed_delta(int64_t d) { return d > 0 ? fmt::format("+{}", d) : fmt::format("{}", d); }

// The file name of a dump path, escaped for the text report.
std::string base_name(std::string_view path) {
  size_t slash = path.rfind('/');
  return text_escaped(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string counts_arrow(const std::vector<uint64_t>& counts) {
  std::string s;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i) s += " → ";
    s += fmt::format("{}", counts[i]);
  }
  return s;
}

std::vector<std::string> column_names(const SnapshotDiff& d) {
  if (d.dumps.size() == 2) return {"before", "after"};
  if (d.dumps.size() == 3) return {"idle", "loaded", "after"};
  std::vector<std::string> names;
  for (size_t i = 0; i < d.dumps.size(); ++i) names.push_back(fmt::format("#{}", i + 1));
  return names;
}

std::string_view status_style(const TextStyle& st, DiffStatus s) {
  switch (s) {
    case DiffStatus::kStayed:
    case DiffStatus::kNew:
    case DiffStatus::kGrown: return st.red;
    case DiffStatus::kDrained:
    case DiffStatus::kGone:
    case DiffStatus::kShrunk: return st.green;
    default: return st.dim;
  }
}

// The row's state as a person reads it ("chan send", "select (inferred)").
std::string row_state(const SnapshotDiff& d, const DiffRow& row) {
  return group_state_label(d.group(row.state_from), d.catalog(row.state_from));
}

// A row's frames as printed: the innermost frame, "…", the site (leak site:
// user frame or entry point) in bold, and the created-by line.
std::string row_frames(const TextStyle& st, const SnapshotDiff& d, const DiffRow& row,
                       const LeakSiteFinder& sites) {
  const Catalog& c = d.catalog(row.frames_from);
  const Stack& s = d.stack(row);
  std::string out;
  int site = row_site(d, row, sites).frame_index;
  auto frame = [&](size_t i, bool highlight) {
    const Frame& f = s.frames[i];
    std::string func = text_escaped(c.str(f.func));
    put(&out, "      {}  {}\n", highlight ? st.paint(st.bold, func) : st.paint(st.dim, func),
        format_location(c, f.file, f.line));
  };
  if (!s.frames.empty()) {
    if (site != 0) frame(0, false);
    if (site > 1) put(&out, "      {}\n", st.paint(st.dim, "…"));
    if (site >= 0) frame(static_cast<size_t>(site), true);
  }
  if (s.created_by.present())
    put(&out, "      created by {}  {}\n", text_escaped(c.str(s.created_by.func)),
        format_location(c, s.created_by.file, s.created_by.line));
  return out;
}

void put_state_table(std::string* out, const TextStyle& st, const SnapshotDiff& d) {
  auto names = column_names(d);
  put(out, "{}{:<20}", st.bold, "state");
  for (const auto& n : names) put(out, "{:>9}", n);
  put(out, "{:>9}{}\n", "delta", st.reset);
  for (size_t c = 0; c < kStateCategoryCount; ++c) {
    const auto& v = d.states[c];
    if (std::all_of(v.begin(), v.end(), [](uint64_t x) { return x == 0; })) continue;
    put(out, "{:<20}", category_name(static_cast<StateCategory>(c)));
    for (uint64_t x : v) put(out, "{:>9}", x);
    int64_t delta = static_cast<int64_t>(v.back()) - static_cast<int64_t>(v.front());
    put(out, "{:>9}\n", signed_delta(delta));
  }
  put(out, "{:<20}", "total");
  for (uint64_t x : d.totals) put(out, "{:>9}", x);
  put(out, "{:>9}\n", signed_delta(static_cast<int64_t>(d.totals.back()) -
                                   static_cast<int64_t>(d.totals.front())));
}

// Hints matched to the focus dump's groups by exact signature.
struct HintRow {
  const SameObjectHint* hint;
  int64_t group = -1;
};

std::vector<HintRow> match_hints(const DiffReport& r) {
  std::vector<HintRow> out;
  if (r.same_object.empty()) return out;
  const DiffDump& dump = r.diff->dumps[r.focus];
  std::unordered_map<uint64_t, uint32_t> by_sig;
  for (uint32_t gi = 0; gi < dump.snapshot->groups.size(); ++gi)
    by_sig.emplace(group_signature(*dump.catalog, dump.snapshot->groups[gi], SignatureMode::kExact), gi);
  for (const SameObjectHint& h : r.same_object) {
    auto it = by_sig.find(h.signature);
    out.push_back(HintRow{&h, it == by_sig.end() ? -1 : static_cast<int64_t>(it->second)});
  }
  return out;
}

std::string hint_sentence(const SameObjectHint& h) {
  return fmt::format("{}{} goroutines wait on the same object {} in {}",
                     h.approximate ? "at least " : "", with_thousands(h.count), h.address, h.func);
}

size_t text_limit(const ReportOptions& o) {
  size_t top = o.top.value_or(20);
  return top == 0 ? SIZE_MAX : top;
}

}  // namespace

std::string diff_verdict(const SnapshotDiff& d) {
  if (!d.three_way()) {
    size_t grew = likely_leaks(d, LeakBasis::kGrowth, d.dumps.size() - 1, {}).size();
    uint64_t k = d.growth_rule.min_growth;
    return grew == 0 ? fmt::format("no group grew by {} or more", k)
                     : fmt::format("{} group{} grew by {} or more: likely leak{}", grew,
                                   grew == 1 ? "" : "s", k, grew == 1 ? "" : "s");
  }
  size_t stayed = d.count(DiffStatus::kStayed), drained = d.count(DiffStatus::kDrained);
  std::string s = stayed == 0
                      ? std::string("no group grew under load and stayed: no leak evidence")
                      : fmt::format("{} group{} grew under load and stayed after it: likely leak{}",
                                    stayed, stayed == 1 ? "" : "s", stayed == 1 ? "" : "s");
  if (drained > 0)
    s += fmt::format("; {} group{} drained (load, not a leak)", drained, drained == 1 ? "" : "s");
  return s;
}

void write_diff_text(const DiffReport& r, const ReportOptions& options, std::string* out) {
  const SnapshotDiff& d = *r.diff;
  TextStyle st(options.color);
  std::string names;
  for (size_t i = 0; i < d.dumps.size(); ++i) {
    if (i) names += " → ";
    names += base_name(d.dumps[i].name);
  }
  put(out, "{}\n", st.paint(st.bold, fmt::format("gorleak diff: {}", names)));
  std::string forms;
  for (size_t i = 0; i < d.dumps.size(); ++i)
    forms += fmt::format("{}{}", i ? ", " : "", form_name(d.dumps[i].snapshot->form));
  put(out, "dumps: {}; groups matched by {} signature", forms, signature_mode_name(d.mode));
  if (d.cross_form_fallback_matches > 0)
    put(out, " ({} by the wrapper-frame fallback)", d.cross_form_fallback_matches);
  put(out, "\n\n");

  put_state_table(out, st, d);
  put(out, "\n{}\n", st.paint(st.bold, diff_verdict(d)));

  const size_t limit = text_limit(options);
  LeakSiteFinder sites(options.modules);
  auto section = [&](std::string_view title, auto&& pick) {
    std::vector<const DiffRow*> rows;
    for (const DiffRow& row : d.rows)
      if (pick(row) && row.change >= options.min_count) rows.push_back(&row);
    if (rows.empty()) return;
    put(out, "\n{} ({})\n", st.paint(st.bold, title), rows.size());
    size_t shown = std::min(rows.size(), limit);
    std::vector<std::string> frames;
    for (size_t i = 0; i < shown; ++i) frames.push_back(row_frames(st, d, *rows[i], sites));
    std::vector<int> collide = colliding_rows(frames);
    for (size_t i = 0; i < shown; ++i) {
      const DiffRow& row = *rows[i];
      put(out, "  {}  {}  ({})  {}\n",
          st.paint(status_style(st, row.status), fmt::format("{:<7}", diff_status_name(row.status))),
          counts_arrow(row.counts), signed_delta(row.delta()), row_state(d, row));
      out->append(frames[i]);
      if (collide[i] >= 0) {
        const DiffRow& other = *rows[static_cast<size_t>(collide[i])];
        put(out, "      {}\n",
            st.paint(st.dim, "differs at " + difference_text(d, row, first_difference(d, row, other))));
      }
    }
    if (rows.size() > limit) put(out, "  … {} more (use --top 0 to see all)\n", rows.size() - limit);
  };
  if (d.three_way()) {
    section("Stayed after the load (leak)", [](const DiffRow& x) { return x.status == DiffStatus::kStayed; });
    section("Drained after the load (load, not a leak)",
            [](const DiffRow& x) { return x.status == DiffStatus::kDrained; });
    section("Other changes, first → last", [](const DiffRow& x) {
      return x.status != DiffStatus::kStayed && x.status != DiffStatus::kDrained &&
             x.status != DiffStatus::kSame;
    });
  } else {
    section("Changed groups, largest growth first",
            [](const DiffRow& x) { return x.status != DiffStatus::kSame; });
  }
  size_t same = d.count(DiffStatus::kSame);
  if (same > 0) put(out, "\n{} group{} unchanged\n", same, same == 1 ? "" : "s");

  const DiffDump& focus = d.dumps[r.focus];
  const Catalog& fc = *focus.catalog;
  if (r.classified) write_text_series_findings(d, r.focus, r.findings, options, out, r.suppressed);
  if (!r.spawned.empty()) {
    put(out, "\n{}\n", st.paint(st.bold, fmt::format("Who spawned them ({})", base_name(focus.name))));
    for (const SpawnAttribution& a : r.spawned)
      put(out, "  {}\n", text_escaped(describe_attribution(a, *focus.snapshot, fc)));
  }
  auto hints = match_hints(r);
  if (!hints.empty()) {
    put(out, "\n{}\n",
        st.paint(st.bold, fmt::format("Same object (heuristic: equal pointer arguments, {})",
                                      base_name(focus.name))));
    for (const HintRow& h : hints) {
      put(out, "  {}", text_escaped(hint_sentence(*h.hint)));
      if (h.group >= 0) {
        const Group& g = focus.snapshot->groups[static_cast<size_t>(h.group)];
        put(out, " ({} blocked in {})", with_thousands(h.hint->blocked), group_state_label(g, fc));
      }
      put(out, "\n");
    }
  }
}

void write_json_series_head(JsonWriter& w, const SnapshotDiff& d) {
  w.field("schema_version", kDiffJsonSchemaVersion);
  w.key("dumps");
  w.begin_array();
  for (const DiffDump& dump : d.dumps) w.value(dump.name);
  w.end_array();
  w.field("signature", signature_mode_name(d.mode));
  w.field("min_growth", d.growth_rule.min_growth);
  w.key("restarts");
  w.begin_array();
  for (size_t i = 0; i < d.restart_before.size(); ++i)
    if (d.restart_before[i]) w.value(i);
  w.end_array();
  w.key("totals");
  w.begin_array();
  for (uint64_t t : d.totals) w.value(t);
  w.end_array();
  w.key("states");
  w.begin_object();
  for (size_t c = 0; c < kStateCategoryCount; ++c) {
    const auto& v = d.states[c];
    if (std::all_of(v.begin(), v.end(), [](uint64_t x) { return x == 0; })) continue;
    w.key(category_name(static_cast<StateCategory>(c)));
    w.begin_array();
    for (uint64_t x : v) w.value(x);
    w.end_array();
  }
  w.end_object();
}

void write_text_series_findings(const SnapshotDiff& d, size_t focus,
                                const std::vector<Finding>& findings,
                                const ReportOptions& options, std::string* out,
                                uint64_t suppressed) {
  TextStyle st(options.color);
  const Catalog& fc = *d.dumps[focus].catalog;
  put(out, "\n{}\n", st.paint(st.bold, fmt::format("Findings in {}", base_name(d.dumps[focus].name))));
  if (findings.empty()) put(out, "  none{}\n", suppressed ? " new" : "");
  if (suppressed)
    put(out, "  ({} {} suppressed by --baseline)\n", suppressed,
        suppressed == 1 ? "finding" : "findings");
  for (const Finding& f : findings) {
    std::string site;
    if (f.site.func)
      site = fmt::format("  {}  {}", text_escaped(fc.str(f.site.func)),
                         format_location(fc, f.site.file, f.site.line));
    std::string count = f.units > 0 && !f.unit.empty()
                            ? fmt::format("{} {} ({} goroutines)", with_thousands(f.units),
                                          text_escaped(f.unit), with_thousands(f.count))
                            : fmt::format("{} goroutines", with_thousands(f.count));
    put(out, "  {} {}  {}{}{}\n", severity_name(f.severity), text_escaped(f.rule), count, site,
        f.growth_confirmed ? st.paint(st.red, "  [growth-confirmed]") : "");
    if (!f.evidence.empty()) put(out, "      {}\n", text_escaped(f.evidence));
  }
}

void write_diff_row_fields(JsonWriter& w, const SnapshotDiff& d, const DiffRow& row,
                           const LeakSiteFinder& sites) {
  w.field("status", diff_status_name(row.status));
  w.key("counts");
  w.begin_array();
  for (uint64_t x : row.counts) w.value(x);
  w.end_array();
  w.field("delta", row.delta());
  w.field("grows", row.growth.grows);
  std::string_view state = d.state(row);
  if (state.empty()) w.null_field("state"); else w.field("state", state);
  w.field("category", category_name(d.category(row)));
  write_json_row_stack(w, d, row, sites);
  // Per dump, a few goroutine ids of the row's groups there, so a reader
  // can find them in the dump itself.
  w.key("samples");
  w.begin_array();
  for (size_t di = 0; di < d.dumps.size(); ++di) {
    w.begin_array();
    size_t written = 0;
    for (uint32_t gi : row.groups[di])
      for (uint64_t id : d.dumps[di].snapshot->groups[gi].sample_ids)
        if (written++ < Group::kMaxSamples) w.value(id);
    w.end_array();
  }
  w.end_array();
}

void write_diff_json(const DiffReport& r, const ReportOptions& options, std::string* out) {
  const SnapshotDiff& d = *r.diff;
  LeakSiteFinder sites(options.modules);
  JsonWriter w(out);
  w.begin_object();
  write_json_series_head(w, d);
  w.field("verdict", diff_verdict(d));
  write_json_likely_leaks(w, d, likely_leaks(d, diff_leak_basis(d), r.focus, r.findings),
                          r.findings, r.focus, sites);

  size_t limit = options.top.value_or(0);
  if (limit == 0) limit = SIZE_MAX;
  w.key("groups");
  w.begin_array();
  size_t n = 0;
  for (const DiffRow& row : d.rows) {
    if (row.change < options.min_count && row.status != DiffStatus::kSame) continue;
    if (n++ >= limit) break;
    w.begin_object();
    write_diff_row_fields(w, d, row, sites);
    w.end_object();
  }
  w.end_array();

  const DiffDump& focus = d.dumps[r.focus];
  const Catalog& fc = *focus.catalog;
  w.key("findings");
  w.begin_array();
  for (const Finding& f : r.findings) write_json_finding(w, f, fc, focus.snapshot);
  w.end_array();
  w.field("suppressed_findings", r.suppressed);

  w.key("spawned_by");
  w.begin_array();
  for (const SpawnAttribution& a : r.spawned) {
    w.begin_object();
    w.field("group", a.group);
    w.field("group_count", a.group_count);
    if (a.has_parent) w.field("parent", a.parent_id); else w.null_field("parent");
    w.field("parent_alive", a.parent_alive);
    w.key("site");
    write_json_site(w, fc, a.func, a.file, a.line);
    w.field("created", a.created);
    w.field("text", describe_attribution(a, *focus.snapshot, fc));
    w.end_object();
  }
  w.end_array();

  w.key("same_object");
  w.begin_array();
  for (const HintRow& h : match_hints(r)) {
    w.begin_object();
    w.field("heuristic", true);
    w.field("address", h.hint->address);
    w.field("func", h.hint->func);
    w.field("count", h.hint->count);
    w.field("blocked", h.hint->blocked);
    w.field("approximate", h.hint->approximate);
    if (h.group >= 0) w.field("group", h.group); else w.null_field("group");
    w.field("text", hint_sentence(*h.hint));
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.finish();
}

void write_diff_text(const DiffInput& in, ReportOutput& out) {
  write_diff_text(in.report, in.options, out.string());
  out.flush();
}

void write_diff_json(const DiffInput& in, ReportOutput& out) {
  write_diff_json(in.report, in.options, out.string());
  out.flush();
}

}  // namespace gorleak
