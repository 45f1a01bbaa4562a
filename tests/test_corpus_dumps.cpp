// Golden tests on our own real dumps (corpus/dumps, see corpus/README.md).
// Every dump file must parse with exact totals, counted independently of the
// parser; every ground-truth line of every `.expect` file must hold in the
// debug=2, goroutineleak debug=2 and debug=1 dumps of the same program and Go
// version. New dumps are covered by dropping them into corpus/dumps.
#include <doctest/doctest.h>

#include <re2/re2.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "collecting_sink.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

// `<program>.go<ver>[.<phase>].<kind>.txt`
struct DumpName {
  std::string program, version, phase, kind;
};

std::optional<DumpName> parse_dump_name(const std::string& filename) {
  static const RE2 re(R"(([a-z0-9-]+)\.go(\d+\.\d+)(?:\.([a-z][a-z0-9]*))?\.(debug1|debug2|sigquit|leak1|leak2|test|crash)\.txt)");
  DumpName n;
  if (!RE2::FullMatch(filename, re, &n.program, &n.version, &n.phase, &n.kind)) return std::nullopt;
  return n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

// Goroutine headers as the runtime prints them, counted without the parser.
uint64_t count_goroutine_headers(const std::string& text) {
  static const RE2 re(R"(goroutine \d+ (gp=\S+ m=\S+( mp=\S+)? )?\[.*\]( \{.*\})?:)");
  uint64_t n = 0;
  for (const std::string& l : lines_of(text))
    if (RE2::FullMatch(l, re)) ++n;
  return n;
}

// `NAME profile: total N` of a debug=1 profile, read without the parser.
std::optional<uint64_t> profile_total(const std::string& text, std::string* name) {
  static const RE2 re(R"((\w+) profile: total (\d+))");
  for (const std::string& l : lines_of(text)) {
    uint64_t total = 0;
    if (RE2::FullMatch(l, re, name, &total)) return total;
  }
  return std::nullopt;
}

uint64_t state_sum(const Snapshot& s) {
  uint64_t n = 0;
  for (uint64_t c : s.states) n += c;
  return n;
}

uint64_t group_sum(const Snapshot& s) {
  uint64_t n = 0;
  for (const Group& g : s.groups) n += g.count;
  return n;
}

std::vector<std::string_view> funcs_of(const Catalog& c, const std::vector<Frame>& frames) {
  std::vector<std::string_view> out;
  for (const Frame& f : frames) out.push_back(c.str(f.func));
  return out;
}

// The programs' own definition (corpus helpers, atSite): a `main.` site is the
// goroutine's first main.* frame; a stdlib site is a frame of a goroutine that
// has no main.* frame at all.
bool at_site(const std::vector<std::string_view>& funcs, std::string_view site) {
  std::string_view top;
  for (std::string_view f : funcs)
    if (f.substr(0, 5) == "main.") {
      top = f;
      break;
    }
  if (site.substr(0, 5) == "main.") return top == site;
  if (!top.empty()) return false;
  return std::find(funcs.begin(), funcs.end(), site) != funcs.end();
}

// The capture's own goroutine (the pprof handler writing the dump) is never
// part of an expect line; in debug=1 it has no state to exclude it by.
bool is_capture(const std::vector<std::string_view>& funcs) {
  for (std::string_view f : funcs)
    if (f.substr(0, 15) == "net/http/pprof.") return true;
  return false;
}

// `state=` of an expect line against a goroutine's base state.
bool state_matches(std::string_view want, std::string_view have) {
  if (want.empty() || want == "any") return true;  // varies with timing
  if (want == "running|runnable") return have == "running" || have == "runnable";
  return want == have;
}

using ExpectRow = std::map<std::string, std::string>;

std::string row_text(const ExpectRow& r) {
  std::string s;
  for (const auto& [k, v] : r) s += k + "=" + v + " ";
  return s;
}

uint64_t to_u64(const std::string& s) { return std::stoull(s); }

// Appends code point `cp` as UTF-8.
void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Expect labels are written like debug=1's `# labels:` text,
// `{"k":"v", "k2":"v2"}`, Go-quoted. The parser reports one spelling for all
// three label syntaxes (parse/labels.h), `k=v, k2=v2`, which can only be the
// label values themselves: quotes removed and escapes decoded (a 1.27 header
// writes `"w-3\u03a3"` where debug=1 writes `"w-3Σ"`).
std::string normalized_expect_labels(std::string_view v) {
  std::string out;
  if (v.size() < 2 || v.front() != '{' || v.back() != '}') return "<bad labels value>";
  v = v.substr(1, v.size() - 2);
  size_t i = 0;
  auto quoted = [&](std::string* s) {
    if (i >= v.size() || v[i] != '"') return false;
    ++i;
    while (i < v.size() && v[i] != '"') {
      if (v[i] != '\\' || i + 1 >= v.size()) {
        *s += v[i++];
        continue;
      }
      char e = v[i + 1];
      i += 2;
      if (e == 'n') *s += '\n';
      else if (e == 't') *s += '\t';
      else if (e == 'u' && i + 4 <= v.size()) {
        append_utf8(static_cast<uint32_t>(std::stoul(std::string(v.substr(i, 4)), nullptr, 16)), s);
        i += 4;
      } else *s += e;  // \" and \\ (the only others the corpus uses)
    }
    if (i >= v.size()) return false;
    ++i;
    return true;
  };
  while (i < v.size()) {
    std::string k, val;
    if (!quoted(&k) || i >= v.size() || v[i] != ':') return "<bad labels value>";
    ++i;
    if (!quoted(&val)) return "<bad labels value>";
    if (!out.empty()) out += ", ";
    out += k + "=" + val;
    while (i < v.size() && (v[i] == ',' || v[i] == ' ')) ++i;
  }
  return out;
}

bool is_count_line(const ExpectRow& r) {
  return r.count("count") && r.count("site") && r.count("state");
}

// Matched groups of one expect line in one grouped snapshot.
struct Match {
  uint64_t count = 0, leaked = 0, locked = 0;
  std::set<std::string> created_by;  // created-by functions of the groups
};

Match match_groups(const Catalog& c, const Snapshot& s, const ExpectRow& r, bool use_state) {
  Match m;
  for (const Group& g : s.groups) {
    const Stack& st = c.stacks.get(g.stack);
    auto funcs = funcs_of(c, st.frames);
    if (is_capture(funcs)) continue;
    if (use_state && !state_matches(r.at("state"), c.str(g.state))) continue;
    if (!at_site(funcs, r.at("site"))) continue;
    m.count += g.count;
    m.leaked += g.leaked;
    m.locked += g.locked_to_thread;
    m.created_by.insert(std::string(c.str(st.created_by.func)));
  }
  return m;
}

struct ExpectFile {
  std::string program, version;
  fs::path path;
  std::vector<ExpectRow> rows;
};

std::vector<ExpectFile> expect_files() {
  static const RE2 re(R"(([a-z0-9-]+)\.go(\d+\.\d+)\.expect)");
  std::vector<ExpectFile> out;
  for (const fs::path& p : list_files(corpus_dumps_dir(), ".expect")) {
    ExpectFile e;
    if (!RE2::FullMatch(p.filename().string(), re, &e.program, &e.version)) continue;
    e.path = p;
    for (auto& row : read_expect(p)) e.rows.emplace_back(row.begin(), row.end());
    out.push_back(std::move(e));
  }
  return out;
}

fs::path dump_path(const ExpectFile& e, const std::string& phase, const std::string& kind) {
  std::string name = e.program + ".go" + e.version;
  if (!phase.empty()) name += "." + phase;
  return corpus_dumps_dir() / (name + "." + kind + ".txt");
}

// A grouped dump plus every goroutine (for label lines, which groups merge).
struct Parsed {
  Catalog catalog;
  CollectingSink sink;
  LoadResult result;
};

std::unique_ptr<Parsed> parse(const fs::path& p) {
  auto out = std::make_unique<Parsed>();
  LoadOptions opt;
  opt.observer = &out->sink;
  out->result = load_dump_file(out->catalog, p.string(), opt);
  return out;
}

// Goroutines (or debug=1 records, by count) at the line's site with its labels.
// `seen` collects the label texts found at the site, for the failure message.
uint64_t count_labelled(const Parsed& d, const ExpectRow& r, bool use_state,
                        std::set<std::string>* seen) {
  std::string want = normalized_expect_labels(r.at("labels"));
  uint64_t n = 0;
  for (const Goroutine* g : d.sink.all()) {
    auto funcs = funcs_of(d.catalog, g->frames);
    if (is_capture(funcs)) continue;
    if (use_state && !state_matches(r.at("state"), g->state)) continue;
    if (!at_site(funcs, r.at("site"))) continue;
    seen->insert("{" + g->labels + "}");
    if (g->labels == want) n += g->count;
  }
  return n;
}

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const std::string& x : s) out += x + " ";
  return out;
}

}  // namespace

TEST_CASE("expect labels are normalised like the parser's labels") {
  CHECK(normalized_expect_labels(R"({"tenant":"a b", "worker":"w-1"})") == "tenant=a b, worker=w-1");
  CHECK(normalized_expect_labels(R"({"note":"x]y, z: \"q\"", "worker":"w-3Σ"})") ==
        R"(note=x]y, z: "q", worker=w-3Σ)");
  CHECK(normalized_expect_labels(R"({"w":"w-3\u03a3"})") == "w=w-3Σ");
  CHECK(normalized_expect_labels("{}").empty());
}

TEST_CASE("every corpus dump parses with exact totals") {
  auto files = list_files(corpus_dumps_dir(), ".txt");
  REQUIRE(!files.empty());
  size_t checked = 0;
  for (const fs::path& p : files) {
    auto name = parse_dump_name(p.filename().string());
    INFO("file: ", p.filename().string());
    CHECK_MESSAGE(name.has_value(), "unexpected file name in corpus/dumps");
    if (!name) continue;
    std::string text = read_file(p);
    auto l = load(p);
    const LoadResult& r = l->result;
    CHECK(r.ok);
    CHECK(r.snapshots.size() == 1);
    if (r.snapshots.size() != 1) continue;
    const Snapshot& s = r.snapshots[0];
    ++checked;

    if (name->kind == "debug1" || name->kind == "leak1") {
      std::string profile;
      auto declared = profile_total(text, &profile);
      CHECK(declared.has_value());
      if (!declared) continue;
      CHECK(profile == (name->kind == "debug1" ? "goroutine" : "goroutineleak"));
      CHECK(s.total == *declared);
      CHECK(s.declared_total == declared);
      CHECK(form_name(s.form) == (name->kind == "debug1" ? "debug1" : "goroutineleak"));
    } else {
      uint64_t headers = count_goroutine_headers(text);
      CHECK(headers > 0);
      CHECK(s.total == headers);
      if (name->kind == "sigquit" || name->kind == "test" || name->kind == "crash") {
        CHECK(form_name(s.form) == "crash");  // `go test` output: a test's panic
      } else {
        // goroutineleak?debug=2 prints exactly what goroutine?debug=2 prints
        // plus "(leaked)" marks: a dump with marks is a goroutineleak profile,
        // one without (a leak2 of a program with no GC-provable leak, whose
        // text is byte-for-byte a debug=2 dump) cannot be told apart.
        bool marked = text.find(" (leaked)") != std::string::npos;
        CHECK(form_name(s.form) == (marked ? "goroutineleak" : "debug2"));
      }
    }
    CHECK(s.skipped_lines == 0);
    CHECK(!s.truncated);
    CHECK(group_sum(s) == s.total);
    CHECK(state_sum(s) == s.total);
  }
  MESSAGE("corpus dumps checked: ", checked);
}

TEST_CASE("expect lines hold in the debug=2, goroutineleak and debug=1 dumps") {
  auto expects = expect_files();
  REQUIRE(!expects.empty());
  size_t lines_checked = 0, dumps_checked = 0;
  for (const ExpectFile& e : expects) {
    INFO("expect file: ", e.path.filename().string());
    // Rows per phase ("" for programs without phases).
    std::map<std::string, std::vector<const ExpectRow*>> phases;
    for (const ExpectRow& r : e.rows) {
      auto it = r.find("phase");
      phases[it == r.end() ? "" : it->second].push_back(&r);
    }
    for (const auto& [phase, rows] : phases) {
      INFO("phase: ", phase);
      // A crash program states its ground truth before it crashes, and a
      // panic wakes some of the goroutines it counted: its dumps are
      // checked by test_leak_report and test_verdicts.
      if (fs::exists(dump_path(e, phase, "crash"))) continue;
      fs::path d2 = dump_path(e, phase, "debug2");
      // Heap programs (GORLEAK-CAPTURE heap, corpus/README.md) are captured
      // without debug=2; their lines are checked in debug=1 by the rule and
      // group tests, and in protobuf form by test_pprof_goroutines.
      fs::path pb = corpus_dumps_dir() / (d2.filename().string().substr(0, d2.filename().string().size() -
                                                                          std::string("debug2.txt").size()) +
                                          "goroutine.pb.gz");
      if (!fs::exists(d2) && fs::exists(pb)) continue;
      CHECK_MESSAGE(fs::exists(d2), d2.string());
      fs::path d1 = dump_path(e, phase, "debug1");
      fs::path l1 = dump_path(e, phase, "leak1");
      fs::path l2 = dump_path(e, phase, "leak2");
      bool has_leak_profile = fs::exists(l2);

      // The debug=2 form and the goroutineleak debug=2 form: state + site.
      std::vector<fs::path> stated = {d2};
      if (has_leak_profile) stated.push_back(l2);
      for (const fs::path& p : stated) {
        INFO("dump: ", p.filename().string());
        auto d = parse(p);
        CHECK(d->result.ok);
        CHECK(d->result.snapshots.size() == 1);
        if (d->result.snapshots.size() != 1) continue;
        const Snapshot& s = d->result.snapshots[0];
        bool is_leak2 = p == l2;
        ++dumps_checked;
        uint64_t gc_leaked = 0;
        for (const ExpectRow* r : rows) {
          if (!is_count_line(*r)) continue;
          INFO("line: ", row_text(*r));
          uint64_t want = to_u64(r->at("count"));
          bool gc_leak = r->count("gc_leak") && r->at("gc_leak") == "1";
          if (r->count("labels")) {
            // Header labels exist from Go 1.26 on; earlier debug=2 has none.
            if (e.version == "1.19" || e.version == "1.22") continue;
            std::set<std::string> seen;
            uint64_t have = count_labelled(*d, *r, true, &seen);
            INFO("want labels {", normalized_expect_labels(r->at("labels")), "}, parsed at site: ",
                 joined(seen));
            CHECK(have == want);
            ++lines_checked;
            continue;
          }
          Match m = match_groups(d->catalog, s, *r, true);
          CHECK(m.count == want);
          ++lines_checked;
          if (m.count == 0) continue;
          if (r->count("created_by")) {
            CHECK(m.created_by == std::set<std::string>{r->at("created_by")});
          }
          if (r->count("locked")) CHECK(m.locked == want);
          if (is_leak2) {
            // goroutineleak marks exactly the gc_leak lines' goroutines.
            CHECK(m.leaked == (gc_leak ? want : 0));
            if (gc_leak) gc_leaked += want;
          } else if (!gc_leak) {
            CHECK(m.leaked == 0);
          }
        }
        if (is_leak2) {
          CHECK(s.leaked == gc_leaked);
        }
      }

      // goroutineleak debug=1 lists exactly the GC-provable leaks.
      if (fs::exists(l1)) {
        INFO("dump: ", l1.filename().string());
        uint64_t want = 0;
        for (const ExpectRow* r : rows)
          if (is_count_line(*r) && !r->count("labels") && r->count("gc_leak") &&
              r->at("gc_leak") == "1")
            want += to_u64(r->at("count"));
        auto l = load(l1);
        CHECK(l->result.snapshots.size() == 1);
        ++dumps_checked;
        if (!l->result.snapshots.empty()) {
          const Snapshot& s = l->result.snapshots[0];
          CHECK(s.total == want);
          // ... and per site (debug=1 records have no state).
          std::map<std::string, uint64_t> per_site;
          for (const ExpectRow* r : rows)
            if (is_count_line(*r) && !r->count("labels") && r->count("gc_leak") &&
                r->at("gc_leak") == "1")
              per_site[r->at("site")] += to_u64(r->at("count"));
          for (const auto& [site, n] : per_site) {
            INFO("site: ", site);
            ExpectRow any = {{"site", site}, {"state", "any"}};
            CHECK(match_groups(l->catalog, s, any, false).count == n);
            ++lines_checked;
          }
        }
      }

      // debug=1 has no state: the count per site is the sum over its lines.
      CHECK_MESSAGE(fs::exists(d1), d1.string());
      {
        INFO("dump: ", d1.filename().string());
        auto d = parse(d1);
        CHECK(d->result.ok);
        CHECK(d->result.snapshots.size() == 1);
        if (d->result.snapshots.size() != 1) continue;
        const Snapshot& s = d->result.snapshots[0];
        ++dumps_checked;
        std::map<std::string, uint64_t> per_site;
        for (const ExpectRow* r : rows) {
          if (!is_count_line(*r)) continue;
          if (r->count("labels")) {
            INFO("line: ", row_text(*r));
            std::set<std::string> seen;
            uint64_t have = count_labelled(*d, *r, false, &seen);
            INFO("want labels {", normalized_expect_labels(r->at("labels")), "}, parsed at site: ",
                 joined(seen));
            CHECK(have == to_u64(r->at("count")));
            ++lines_checked;
            continue;
          }
          per_site[r->at("site")] += to_u64(r->at("count"));
        }
        for (const auto& [site, want] : per_site) {
          INFO("site: ", site);
          ExpectRow any = {{"site", site}, {"state", "any"}};
          CHECK(match_groups(d->catalog, s, any, false).count == want);
          ++lines_checked;
        }
      }
    }
  }
  MESSAGE("expect files: ", expects.size(), ", dumps checked: ", dumps_checked,
          ", expectations checked: ", lines_checked);
}
