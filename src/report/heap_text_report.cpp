#include "report/heap_text_report.h"

#include <algorithm>
#include <ctime>
#include <iterator>

#include <fmt/format.h>

#include "heap/go_version.h"
#include "model/units.h"
#include "report/text_escape.h"
#include "report/text_style.h"

namespace gorleak {

namespace {

template <typename... Args>
void put(std::string* out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(*out), f, std::forward<Args>(args)...);
}

constexpr size_t idx(HeapValue v) { return static_cast<size_t>(v); }

std::string count_text(int64_t n) {
  std::string digits = fmt::format("{}", n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

std::string delta_value(HeapValue v, int64_t x) {
  if (is_bytes(v)) return format_bytes_delta(x);
  return (x < 0 ? "" : "+") + count_text(x);
}

double percent(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

size_t limit(size_t n, size_t top) { return top == 0 ? n : std::min(n, top); }

void put_stack(std::string* out, const TextStyle& st, const Catalog& catalog, StackId id,
               int user_frame, const HeapReportOptions& o) {
  const Stack& s = catalog.stacks.get(id);
  if (s.frames.empty()) {
    put(out, "      (no frames)\n");
    return;
  }
  // Show the allocating frames up to the user's frame and two beyond it.
  size_t last = s.frames.size();
  if (!o.full) {
    size_t want = user_frame >= 0 ? static_cast<size_t>(user_frame) + 3 : 8;
    last = std::min(last, std::max<size_t>(want, 3));
  }
  for (size_t i = 0; i < last; ++i)
    append_frame(out, st, catalog, s.frames[i], static_cast<int>(i) == user_frame);
  if (last < s.frames.size())
    put(out, "      {}… {} more {} (--full shows all){}\n", st.dim, s.frames.size() - last,
        s.frames.size() - last == 1 ? "frame" : "frames", st.reset);
}

void put_findings(std::string* out, const TextStyle& st, const Catalog& catalog,
                  const std::vector<HeapFinding>& findings, const HeapReportOptions& o) {
  if (findings.empty()) return;
  put(out, "\n{}Findings ({}){}\n", st.bold, findings.size(), st.reset);
  for (const HeapFinding& f : findings) {
    put(out, "  {} {}  {}  (confidence: {})\n",
        st.paint(severity_style(st, f.severity), "[" + upper(severity_name(f.severity)) + "]"),
        f.rule, f.title, confidence_name(f.confidence));
    append_labelled(out, st, f.site_in_stdlib ? "under" : "site", source_site_text(catalog, f.site), 4);
    append_labelled(out, st, "allocs in", source_site_text(catalog, f.allocated_in), 4);
    append_labelled(out, st, "holds",
                    fmt::format("{} in {} objects ({:.0f}% of {}); allocated {} in {} objects",
                                format_bytes(f.values[idx(HeapValue::kInuseSpace)]),
                                count_text(f.values[idx(HeapValue::kInuseObjects)]), 100 * f.share,
                                heap_value_name(f.value),
                                format_bytes(f.values[idx(HeapValue::kAllocSpace)]),
                                count_text(f.values[idx(HeapValue::kAllocObjects)])),
                    4);
    if (f.has_growth)
      append_labelled(out, st, "growth",
                      fmt::format("{} in use, {} objects since the base profile",
                                  format_bytes_delta(f.growth[idx(HeapValue::kInuseSpace)]),
                                  delta_value(HeapValue::kInuseObjects, f.growth[idx(HeapValue::kInuseObjects)])),
                      4);
    append_labelled(out, st, "evidence", f.evidence, 4);
    append_labelled(out, st, "version", f.version_note, 4);
    append_labelled(out, st, "fix", f.fix, 4);
    if (o.full) append_labelled(out, st, "why", f.description, 4);
  }
}

void put_functions(std::string* out, const TextStyle& st, const Catalog& catalog, const HeapTop& top,
                   const HeapReportOptions& o, std::string_view title) {
  put(out, "\n{}{}{}\n", st.bold, title, st.reset);
  put(out, "  {:>12} {:>7} {:>12} {:>7}  function\n", "flat", "flat%", "cum", "cum%");
  size_t n = limit(top.functions.size(), o.top);
  for (size_t i = 0; i < n; ++i) {
    const FunctionTotals& f = top.functions[i];
    std::string name = text_escaped(f.func ? catalog.str(f.func) : std::string_view("<unknown>"));
    put(out, "  {:>12} {:>6.1f}% {:>12} {:>6.1f}%  {}\n", format_heap_value(top.value, f.flat),
        percent(f.flat, top.total), format_heap_value(top.value, f.cum), percent(f.cum, top.total),
        name);
  }
  if (n < top.functions.size())
    put(out, "  {}… {} more functions (--top 0 shows all){}\n", st.dim, top.functions.size() - n, st.reset);
}

std::string time_text(int64_t nanos) {
  if (nanos <= 0) return {};
  std::time_t t = static_cast<std::time_t>(nanos / 1000000000);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return {};
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

void put_profile(std::string* out, const TextStyle& st, const Catalog& catalog,
                 const HeapProfileView& v, const HeapReportOptions& o) {
  const HeapProfile& p = *v.profile;
  put(out, "{}{}{}: heap profile ({}), {}", st.bold, p.source, st.reset, heap_form_name(p.form),
      go_version_phrase(p.go_version));
  if (p.go_version.known()) put(out, " ({})", p.go_version.basis);
  out->push_back('\n');
  if (p.sampling_rate > 1) put(out, "  sampled every {} allocated on average", format_bytes(p.sampling_rate));
  else put(out, "  every allocation recorded");
  std::string when = time_text(p.time_nanos);
  if (!when.empty()) put(out, ", taken {}", when);
  out->push_back('\n');
  if (p.default_sample_type == "alloc_space")
    put(out, "  (an allocs profile: `go tool pprof` shows alloc_space by default; gorleak shows {})\n",
        heap_value_name(o.value));
  auto total = [&](HeapValue x) { return heap_total(p, x); };
  put(out, "  in use     {} in {} objects, as of the last GC\n", format_bytes(total(HeapValue::kInuseSpace)),
      count_text(total(HeapValue::kInuseObjects)));
  if (p.has_value[idx(HeapValue::kAllocSpace)])
    put(out, "  allocated  {} in {} objects since the program started\n",
        format_bytes(total(HeapValue::kAllocSpace)), count_text(total(HeapValue::kAllocObjects)));
  append_labelled(out, st, "garbage", v.freshness_text, 2);
  for (const Diagnostic& d : p.diagnostics)
    put(out, "  {}warning: {}{}\n", st.yellow, d.line ? fmt::format("line {}: {}", d.line, d.message) : d.message,
        st.reset);

  put_findings(out, st, catalog, v.findings, o);
  put_functions(out, st, catalog, v.top, o,
                fmt::format("Functions by {} (flat, cumulative), as `go tool pprof -top`",
                            heap_value_name(o.value)));

  put(out, "\n{}Allocation stacks by {}{}\n", st.bold, heap_value_name(o.value), st.reset);
  size_t n = limit(v.top.stacks.size(), o.top);
  for (size_t i = 0; i < n; ++i) {
    const StackTotals& s = v.top.stacks[i];
    const HeapValues& x = s.values;
    put(out, "\n  #{}  {} in use ({} objects{}) · allocated {} ({} objects)", i + 1,
        format_bytes(x[idx(HeapValue::kInuseSpace)]), count_text(x[idx(HeapValue::kInuseObjects)]),
        s.object_size > 0 ? " of " + format_bytes(s.object_size) : "",
        format_bytes(x[idx(HeapValue::kAllocSpace)]), count_text(x[idx(HeapValue::kAllocObjects)]));
    if (p.has_value[idx(HeapValue::kAllocSpace)] && x[idx(HeapValue::kAllocSpace)] > 0)
      put(out, " · holds {:.0f}% of it", percent(x[idx(HeapValue::kInuseSpace)], x[idx(HeapValue::kAllocSpace)]));
    out->push_back('\n');
    put_stack(out, st, catalog, s.stack, s.user_frame, o);
  }
  if (n < v.top.stacks.size())
    put(out, "  {}… {} more stacks (--top 0 shows all){}\n", st.dim, v.top.stacks.size() - n, st.reset);

  if (!v.memstats.lines.empty()) {
    put(out, "\n{}MemStats{} (printed after the profile; bytes)\n", st.bold, st.reset);
    for (const MemStatsLine& l : v.memstats.lines)
      put(out, "  {:<13}{:>11}  {}{}{}\n", l.name, format_bytes(static_cast<int64_t>(l.value)), st.dim,
          l.meaning, st.reset);
    for (const std::string& note : v.memstats.notes) append_labelled(out, st, "\u2022", note, 2);
  }
}

}  // namespace

std::string format_heap_value(HeapValue v, int64_t x) {
  return is_bytes(v) ? format_bytes(x) : count_text(x);
}

void write_heap_text(const HeapReport& report, const std::vector<Snapshot>& snapshots,
                     const Catalog& catalog, const HeapReportOptions& options, std::string* out) {
  TextStyle st(options.color);
  for (size_t i = 0; i < report.profiles.size(); ++i) {
    if (i > 0) out->push_back('\n');
    put_profile(out, st, catalog, report.profiles[i], options);
  }
  if (report.retention.empty()) return;
  put(out, "\n{}Heap held by goroutine leaks{} (heap stacks through the leak site or the function "
           "that started the goroutines)\n", st.bold, st.reset);
  for (const HeapRetention& r : report.retention) {
    const Finding& f = snapshots[r.snapshot].findings[r.finding];
    put(out, "\n  {}  {} goroutines at {}\n", f.rule, f.count, source_site_text(catalog, f.site));
    put(out, "    {} in use in {} objects ({}), allocated {} in {} objects\n",
        format_bytes(r.values[idx(HeapValue::kInuseSpace)]),
        count_text(r.values[idx(HeapValue::kInuseObjects)]), r.profile->source,
        format_bytes(r.values[idx(HeapValue::kAllocSpace)]),
        count_text(r.values[idx(HeapValue::kAllocObjects)]));
    size_t n = limit(r.stacks.size(), 3);
    for (size_t k = 0; k < n; ++k) {
      const Stack& s = catalog.stacks.get(r.stacks[k]);
      if (s.frames.empty()) continue;
      put(out, "    {}allocated by {} ({}){}\n", st.dim, text_escaped(catalog.str(s.frames[0].func)),
          format_location(catalog, s.frames[0].file, s.frames[0].line), st.reset);
    }
  }
}

void write_heap_diff_text(const HeapDiffView& v, const Catalog& catalog,
                          const HeapReportOptions& o, std::string* out) {
  TextStyle st(o.color);
  const HeapDiff& d = v.diff;
  std::string names;
  for (size_t i = 0; i < v.names.size(); ++i) names += (i ? " \u2192 " : "") + v.names[i];
  put(out, "{}heap diff{}: {}\n", st.bold, st.reset, names);
  auto series = [&](HeapValue x) {
    std::string s;
    for (size_t i = 0; i < d.totals.size(); ++i) s += (i ? " \u2192 " : "") + format_heap_value(x, d.totals[i][idx(x)]);
    return s;
  };
  put(out, "  in use     {} ({})\n", series(HeapValue::kInuseSpace),
      format_bytes_delta(d.totals.back()[idx(HeapValue::kInuseSpace)] - d.totals.front()[idx(HeapValue::kInuseSpace)]));
  put(out, "  objects    {}\n", series(HeapValue::kInuseObjects));
  put(out, "  allocated  {}\n", series(HeapValue::kAllocSpace));
  put(out, "  a site retains memory when its inuse_space grows by {} or more\n", format_bytes(d.threshold));

  put_findings(out, st, catalog, v.findings, o);

  put(out, "\n{}Allocation sites by inuse_space growth{}\n", st.bold, st.reset);
  size_t shown = 0;
  for (const HeapDiffRow& r : d.rows) {
    if (r.verdict == HeapVerdict::kSteady) continue;
    if (o.top != 0 && shown >= o.top) break;
    ++shown;
    const HeapValues& g = r.growth;
    put(out, "\n  #{}  {} in use, {} objects · allocated {} · {} · {}\n", shown,
        format_bytes_delta(g[idx(HeapValue::kInuseSpace)]),
        delta_value(HeapValue::kInuseObjects, g[idx(HeapValue::kInuseObjects)]),
        format_bytes_delta(g[idx(HeapValue::kAllocSpace)]), heap_site_status_name(r.status),
        st.paint(r.verdict == HeapVerdict::kRetained ? st.red : st.dim, heap_verdict_text(r.verdict)));
    std::string inuse, objects;
    for (size_t i = 0; i < r.values.size(); ++i) {
      inuse += (i ? " \u2192 " : "") + format_bytes(r.values[i][idx(HeapValue::kInuseSpace)]);
      objects += (i ? " \u2192 " : "") + count_text(r.values[i][idx(HeapValue::kInuseObjects)]);
    }
    put(out, "      inuse_space {}; inuse_objects {}\n", inuse, objects);
    put_stack(out, st, catalog, r.stack, r.user_frame, o);
  }
  if (shown == 0) put(out, "  no site grew, shrank or churned by {} or more\n", format_bytes(d.threshold));

  put_functions(out, st, catalog, v.delta, o,
                fmt::format("Functions by {} change (flat, cumulative), as `go tool pprof -top -base`",
                            heap_value_name(v.value)));
}

}  // namespace gorleak
