#include "heap/heap_text.h"

#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <re2/re2.h>

#include "heap/go_version.h"
#include "parse/debug1_frame.h"
#include "parse/line_syntax.h"
#include "read/line_reader.h"

namespace gorleak {

namespace {

// pprof's heapHeaderRE and heapSampleRE (profile/legacy_profile.go).
const RE2& header_re() {
  static const RE2 re(
      R"(heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*)/?(\d*))");
  return re;
}
const RE2& record_re() {
  static const RE2 re(R"((-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *\] @([ x0-9a-f]*))");
  return re;
}

re2::StringPiece piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }
std::string_view view(re2::StringPiece s) { return std::string_view(s.data(), s.size()); }

bool to_i64(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// `# Name = value` lines of the MemStats block.
bool memstat(MemStats* m, std::string_view name, std::string_view value) {
  auto u64 = [&](uint64_t* out) {
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), *out);
    return ec == std::errc();
  };
  // `# Stack = 4489216 / 4489216`: in use / from the OS.
  auto pair = [&](uint64_t* inuse, uint64_t* sys) {
    size_t slash = value.find('/');
    if (slash == std::string_view::npos) return false;
    std::string_view a = trim(value.substr(0, slash)), b = trim(value.substr(slash + 1));
    return std::from_chars(a.data(), a.data() + a.size(), *inuse).ec == std::errc() &&
           std::from_chars(b.data(), b.data() + b.size(), *sys).ec == std::errc();
  };
  struct Field {
    std::string_view name;
    uint64_t MemStats::*field;
  };
  static constexpr Field kFields[] = {
      {"Alloc", &MemStats::alloc},           {"TotalAlloc", &MemStats::total_alloc},
      {"Sys", &MemStats::sys},               {"Mallocs", &MemStats::mallocs},
      {"Frees", &MemStats::frees},           {"HeapAlloc", &MemStats::heap_alloc},
      {"HeapSys", &MemStats::heap_sys},      {"HeapIdle", &MemStats::heap_idle},
      {"HeapInuse", &MemStats::heap_inuse},  {"HeapReleased", &MemStats::heap_released},
      {"HeapObjects", &MemStats::heap_objects}, {"BuckHashSys", &MemStats::buck_hash_sys},
      {"GCSys", &MemStats::gc_sys},          {"OtherSys", &MemStats::other_sys},
      {"NextGC", &MemStats::next_gc},        {"LastGC", &MemStats::last_gc},
      {"NumGC", &MemStats::num_gc},          {"NumForcedGC", &MemStats::num_forced_gc},
  };
  for (const Field& f : kFields)
    if (f.name == name) return u64(&(m->*f.field));
  if (name == "Stack") return pair(&m->stack_inuse, &m->stack_sys);
  if (name == "MSpan") return pair(&m->mspan_inuse, &m->mspan_sys);
  if (name == "MCache") return pair(&m->mcache_inuse, &m->mcache_sys);
  if (name == "MaxRSS") {
    uint64_t v = 0;
    if (!u64(&v)) return false;
    m->max_rss = v;
    return true;
  }
  if (name == "GCCPUFraction") {
    m->gc_cpu_fraction = std::strtod(std::string(value).c_str(), nullptr);
    return true;
  }
  return name == "Lookups" || name == "PauseNs" || name == "PauseEnd" || name == "DebugGC";
}

class TextReader : public LineVisitor {
 public:
  TextReader(Catalog& catalog, HeapProfile* out) : catalog_(catalog), out_(*out) {}

  void line(std::string_view text, uint64_t no) override {
    if (!error_.empty()) return;
    std::string_view t = trim(text);
    if (no == 1) return header(t);
    if (in_memstats_) return memstats_line(t, no);
    if (t.empty()) return end_record();
    if (t == "# runtime.MemStats") {
      end_record();
      in_memstats_ = true;
      out_.memstats.emplace();
      return;
    }
    if (t[0] == '#') {
      Debug1Frame f;
      if (in_record_ && parse_debug1_frame(t, &f)) frames_.push_back(intern_debug1_frame(f, catalog_.strings));
      return;  // pprof ignores comment lines, and so do we
    }
    // pprof stops at a memory map section.
    if (t.starts_with("--- Memory map:") || t.starts_with("MAPPED_LIBRARIES:")) {
      end_record();
      done_ = true;
      in_memstats_ = true;  // everything after it is not records
      return;
    }
    record(t, no);
  }

  void overlong_line(uint64_t no, uint64_t length) override {
    if (error_.empty() && !in_memstats_)
      error_ = fmt::format("line {}: {} bytes long, not a heap profile record", no, length);
  }

  bool finish(uint64_t lines, std::string* error) {
    end_record();
    if (error_.empty() && lines == 0) error_ = "empty input: no heap profile here";
    if (!error_.empty()) {
      *error = error_;
      return false;
    }
    return true;
  }

 private:
  void header(std::string_view t) {
    re2::StringPiece total[4], kind_sp, period_sp;
    if (!RE2::PartialMatch(piece(t), header_re(), &total[0], &total[1], &total[2], &total[3],
                           &kind_sp, &period_sp)) {
      error_ = "line 1: not a `heap profile:` header";
      return;
    }
    std::string_view kind = view(kind_sp), period = view(period_sp);
    int64_t p = 0;
    if (!period.empty() && !to_i64(period, &p)) {
      error_ = "line 1: the sampling period is out of range";
      return;
    }
    // pprof: a header whose alloc pair equals its inuse pair (or is 0) has
    // no allocation values.
    has_alloc_ = (total[2] != total[0] && total[2] != "0") || (total[3] != total[1] && total[3] != "0");
    if (kind == "heapz_v2" || kind == "heap_v2") {
      scale_ = true;
      rate_ = p;
    } else if (kind == "heap") {
      scale_ = true;  // Go prints 2 x MemProfileRate here
      rate_ = p / 2;
    } else if (kind == "heapprofile") {
      rate_ = 1;
    } else {
      error_ = fmt::format("line 1: unknown heap profile kind '{}'", kind);
      return;
    }
    out_.sampling_rate = rate_;
    out_.has_value = {has_alloc_, has_alloc_, true, true};
  }

  void record(std::string_view t, uint64_t no) {
    end_record();
    re2::StringPiece f[4], addrs;
    if (!RE2::FullMatch(piece(t), record_re(), &f[0], &f[1], &f[2], &f[3], &addrs)) {
      error_ = fmt::format("line {}: not a heap profile record (`N: N [N: N] @ addresses`)", no);
      return;
    }
    int64_t v[4];
    for (int i = 0; i < 4; ++i) {
      if (!to_i64(view(f[i]), &v[i])) {
        error_ = fmt::format("line {}: a count or size out of range", no);
        return;
      }
    }
    HeapSample s;
    auto add = [&](int64_t count, int64_t size, HeapValue objects, HeapValue space,
                   std::string_view what) {
      if (count == 0 && size != 0) {
        error_ = fmt::format("line {}: {} count is 0 but {} bytes is {}", no, what, what, size);
        return false;
      }
      if (count != 0) {
        s.object_size = size / count;
        if (scale_) scale_heap_sample(count, size, rate_, &count, &size);
      }
      s.values[static_cast<size_t>(objects)] = count;
      s.values[static_cast<size_t>(space)] = size;
      return true;
    };
    if (has_alloc_ && !add(v[2], v[3], HeapValue::kAllocObjects, HeapValue::kAllocSpace, "allocation"))
      return;
    if (!add(v[0], v[1], HeapValue::kInuseObjects, HeapValue::kInuseSpace, "inuse")) return;
    current_ = s;
    in_record_ = true;
    frames_.clear();
  }

  void end_record() {
    if (!in_record_) return;
    in_record_ = false;
    current_.stack = catalog_.stacks.intern(frames_.data(), frames_.size(), CreatedBy{}, 0, 0);
    out_.samples.push_back(current_);
  }

  void memstats_line(std::string_view t, uint64_t no) {
    if (done_ || t.empty() || t[0] != '#') return;
    t.remove_prefix(1);
    size_t eq = t.find(" = ");
    if (eq == std::string_view::npos) return;
    std::string_view name = trim(t.substr(0, eq)), value = trim(t.substr(eq + 3));
    if (memstat(&*out_.memstats, name, value)) {
      ++out_.memstats->fields;
    } else {
      out_.diagnostics.push_back(Diagnostic{Severity::kWarning, out_.source, no, 0,
                                            fmt::format("MemStats line '{}' not understood", name)});
    }
  }

  Catalog& catalog_;
  HeapProfile& out_;
  std::string error_;
  bool has_alloc_ = false;
  bool scale_ = false;
  int64_t rate_ = 0;
  bool in_record_ = false;
  bool in_memstats_ = false;
  bool done_ = false;
  HeapSample current_;
  std::vector<Frame> frames_;
};

}  // namespace

bool looks_like_heap_text(std::string_view head) {
  size_t nl = head.find('\n');
  std::string_view first = trim(head.substr(0, nl));
  return first.starts_with("heap profile:") && RE2::PartialMatch(piece(first), header_re());
}

void scale_heap_sample(int64_t count, int64_t size, int64_t rate, int64_t* out_count,
                       int64_t* out_size) {
  if (count == 0 || size == 0) {
    *out_count = *out_size = 0;
    return;
  }
  if (rate <= 1) {
    // rate 1: every allocation was recorded; below 1: unknown, left as is.
    *out_count = count;
    *out_size = size;
    return;
  }
  double avg = static_cast<double>(size) / static_cast<double>(count);
  double scale = 1 / (1 - std::exp(-avg / static_cast<double>(rate)));
  // Go's int64(float64) conversion truncates; out of range it is undefined
  // in C++, so clamp what no real profile reaches.
  auto to_int = [](double d) -> int64_t {
    if (!(d > -9.2e18)) return d != d ? 0 : INT64_MIN;
    if (d >= 9.2e18) return INT64_MAX;
    return static_cast<int64_t>(d);
  };
  *out_count = to_int(static_cast<double>(count) * scale);
  *out_size = to_int(static_cast<double>(size) * scale);
}

bool parse_heap_text(ByteSource& source, Catalog& catalog, const std::string& name,
                     HeapProfile* out, std::string* error) {
  HeapProfile p;
  p.form = HeapForm::kText;
  p.source = name;
  TextReader reader(catalog, &p);
  LineReaderResult lr = read_lines(source, size_t{1} << 20, reader);
  if (!lr.ok) {
    *error = fmt::format("line {}: read error: {}", lr.lines, lr.error);
    return false;
  }
  if (!reader.finish(lr.lines, error)) return false;
  p.lines = lr.lines;
  // Go always ends a debug=1 heap profile with its MemStats block.
  if (!p.memstats)
    p.diagnostics.push_back(Diagnostic{Severity::kWarning, name, lr.lines, 0,
                                       "no `# runtime.MemStats` block after the records: the "
                                       "profile may be cut short, and its totals a lower bound"});
  else if (lr.ended_mid_line)
    p.diagnostics.push_back(Diagnostic{Severity::kWarning, name, lr.lines, 0,
                                       "input ends mid-line (cut short?)"});
  p.go_version = infer_heap_go_version(p, catalog);
  *out = std::move(p);
  return true;
}

}  // namespace gorleak
