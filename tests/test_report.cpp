// The report stage: the JSON writer and escaper, the JSON report's schema
// and numbers on real dumps, and the facts the text report states.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>

#include <fmt/format.h>

#include "json_check.h"
#include "report/group_filter.h"
#include "report/json_report.h"
#include "report/json_writer.h"
#include "model/user_code.h"
#include "report/text_report.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

std::string text_of(const Loaded& l, ReportOptions opts = {}) {
  GroupFilter filter;
  std::string err;
  REQUIRE(filter.init(opts, &err));
  std::string out;
  write_text_report(l.result.snapshots, l.catalog, opts, filter, &out);
  return out;
}

std::string json_of(const Loaded& l, ReportOptions opts = {}) {
  GroupFilter filter;
  std::string err;
  REQUIRE(filter.init(opts, &err));
  std::string out;
  write_json_report(l.result.snapshots, l.catalog, opts, filter, &out);
  return out;
}

std::filesystem::path states_dump(const char* kind = "debug2") {
  return corpus_dumps_dir() / fmt::format("states.go1.22.{}.txt", kind);
}

std::vector<std::filesystem::path> all_dumps() {
  auto files = list_files(corpus_dumps_dir(), ".txt");
  if (shared_available())
    for (const auto& p : list_files(shared_dir() / "corpus-public", ".txt")) files.push_back(p);
  return files;
}

// Schema 2: every stack a shown group uses is in "stacks" exactly once, ids
// are 0, 1, 2… in first-use order, no entry goes unused, and each entry
// holds the frames, elision and creator of the group's stack in the catalog.
// Returns the number of entries.
size_t check_stack_table(const Json& doc, const Catalog& catalog,
                         const std::vector<Snapshot>& snapshots) {
  const Json& stacks = doc.at("stacks");
  const Json& snaps = doc.at("snapshots");
  REQUIRE(snaps.size() == snapshots.size());
  std::vector<int64_t> stack_of(stacks.size(), -1);  // table id -> StackId
  std::map<StackId, uint64_t> id_of;
  uint64_t next = 0;
  for (size_t si = 0; si < snaps.size(); ++si) {
    for (const Json& jg : snaps.at(si).at("groups").items) {
      StackId sid = snapshots[si].groups[jg.at("index").u64()].stack;
      uint64_t id = jg.at("stack").u64();
      REQUIRE(id < stacks.size());
      CHECK(&report_stack(doc, jg) == &stacks.at(id));
      CHECK(id_of.emplace(sid, id).first->second == id);  // one entry per stack
      if (stack_of[id] < 0) {
        CHECK(id == next);  // first-use order
        next = id + 1;
        stack_of[id] = sid;
      } else {
        CHECK(stack_of[id] == static_cast<int64_t>(sid));  // one stack per entry
      }
    }
  }
  CHECK(next == stacks.size());  // only stacks of groups shown
  std::set<std::string> seen;
  for (size_t id = 0; id < stacks.size(); ++id) {
    CAPTURE(id);
    const Json& e = stacks.at(id);
    CHECK(e.at("id").u64() == id);
    if (stack_of[id] < 0) continue;
    const Stack& st = catalog.stacks.get(static_cast<StackId>(stack_of[id]));
    const Json& frames = e.at("frames");
    REQUIRE(frames.size() == st.frames.size());
    std::string text;
    for (size_t k = 0; k < frames.size(); ++k) {
      const Json& f = frames.at(k);
      CHECK(f.at("func").str() == catalog.str(st.frames[k].func));
      CHECK(f.at("file").str() == catalog.str(st.frames[k].file));
      CHECK(f.at("line").u64() == st.frames[k].line);
      text += fmt::format("{} {} {}\n", f.at("func").str(), f.at("file").str(), f.at("line").text);
    }
    const Json& el = e.at("elided");
    if (st.elided_count == 0) {
      CHECK(el.is_null());
    } else {
      CHECK(el.at("after_frame").u64() == st.elided_at);
      if (st.elided_count > 0) CHECK(el.at("count").u64() == uint64_t(st.elided_count));
      else CHECK(el.at("count").is_null());
      text += fmt::format("elided {} {}\n", st.elided_at, st.elided_count);
    }
    const Json& cb = e.at("created_by");
    if (!st.created_by.present()) {
      CHECK(cb.is_null());
    } else {
      CHECK(cb.at("func").str() == catalog.str(st.created_by.func));
      CHECK(cb.at("file").str() == catalog.str(st.created_by.file));
      CHECK(cb.at("line").u64() == st.created_by.line);
      CHECK(cb.get("parents") == nullptr);  // per snapshot: they stay in the group
      text += fmt::format("by {} {} {}\n", cb.at("func").str(), cb.at("file").str(),
                          cb.at("line").text);
    }
    CHECK(seen.insert(text).second);  // no two entries print the same stack
  }
  return stacks.size();
}

std::string unescape_roundtrip(std::string_view raw) {
  Json j;
  std::string err;
  std::string doc = json_quote(raw);
  REQUIRE_MESSAGE(parse_json(doc, &j, &err), err << " in " << doc);
  return j.str();
}

}  // namespace

TEST_CASE("json_escape: quotes, backslashes and control characters") {
  CHECK(json_quote("plain") == "\"plain\"");
  CHECK(json_quote("a\"b\\c") == R"("a\"b\\c")");
  CHECK(json_quote("\n\r\t\b\f") == R"("\n\r\t\b\f")");
  CHECK(json_quote(std::string_view("\x00\x01\x1f", 3)) == R"("\u0000\u0001\u001f")");
  // DEL, C1 controls, U+2028/2029 and bidi controls are legal in JSON but a
  // terminal or JavaScript acts on them: escaped, meaning the same.
  CHECK(json_quote("\x7f") == R"("\u007f")");
  CHECK(json_quote("a\xc2\x9b" "b") == R"("a\u009bb")");
  CHECK(json_quote("\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xae") == R"("\u2028\u2029\u202e")");
  CHECK(unescape_roundtrip("x\xe2\x80\xaey\x7f") == "x\xe2\x80\xaey\x7f");
  // Round trips through a strict parser.
  const char kNasty[] = "tab\there \"q\" back\\slash \x01 nul\0 end";
  std::string nasty(kNasty, sizeof kNasty - 1);  // keeps the NUL
  CHECK(unescape_roundtrip(nasty) == nasty);
}

TEST_CASE("json_escape: valid UTF-8 is kept, invalid bytes become U+FFFD") {
  // Real strings from dumps: Cyrillic paths, the 1.27 label value with Σ.
  std::string cyr = "/home/user/Рабочий стол/Дамп горутин.go";
  CHECK(json_quote(cyr) == "\"" + cyr + "\"");
  CHECK(unescape_roundtrip("w-3\xce\xa3") == "w-3\xce\xa3");
  CHECK(unescape_roundtrip("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");  // 4-byte emoji

  const std::string fffd = "\xef\xbf\xbd";
  struct Case {
    std::string in, out;
  } cases[] = {
      {"a\x80z", "a" + fffd + "z"},                      // lone continuation byte
      {"a\xc3", "a" + fffd},                             // truncated 2-byte sequence at end
      {"\xc0\x80", fffd + fffd},                         // overlong NUL
      {"\xe0\x80\xaf", fffd + fffd + fffd},              // overlong '/'
      {"\xed\xa0\x80", fffd + fffd + fffd},              // UTF-16 surrogate
      {"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd},   // above U+10FFFF
      {"\xf5\x80", fffd + fffd},                         // never valid lead byte
      {"\xff", fffd},
      {"ok\xe2\x82", "ok" + fffd + fffd},                // cut 3-byte sequence
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CHECK(unescape_roundtrip(c.in) == c.out);
  }
}

TEST_CASE("json_escape: the fast paths agree with a byte-at-a-time escaper") {
  // The specification, one byte at a time (RFC 3629 UTF-8 check inlined).
  auto reference = [](std::string_view s) {
    auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    auto cont = [&](size_t k) { return k < s.size() && (u(k) & 0xC0) == 0x80; };
    std::string out = "\"";
    for (size_t i = 0; i < s.size();) {
      unsigned char c = u(i);
      size_t len = 0;
      if (c >= 0xC2 && c <= 0xDF && cont(i + 1)) len = 2;
      if (c >= 0xE0 && c <= 0xEF && cont(i + 1) && cont(i + 2) &&
          !(c == 0xE0 && u(i + 1) < 0xA0) && !(c == 0xED && u(i + 1) >= 0xA0))
        len = 3;
      if (c >= 0xF0 && c <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3) &&
          !(c == 0xF0 && u(i + 1) < 0x90) && !(c == 0xF4 && u(i + 1) >= 0x90))
        len = 4;
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c == '\b') out += "\\b";
      else if (c == '\f') out += "\\f";
      else if (c < 0x20 || c == 0x7f) out += fmt::format("\\u{:04x}", c);
      else if (c < 0x80) out += static_cast<char>(c);
      else if (len == 0) out += "\\ufffd";
      else {
        uint32_t cp = len == 2 ? ((c & 0x1Fu) << 6) | (u(i + 1) & 0x3Fu)
                      : len == 3 ? ((c & 0x0Fu) << 12) | ((u(i + 1) & 0x3Fu) << 6) | (u(i + 2) & 0x3Fu)
                                 : 0x10000;
        bool control = (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
                       cp == 0x061C || cp == 0x200E || cp == 0x200F ||
                       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
        if (control) out += fmt::format("\\u{:04x}", cp);
        else out.append(s.substr(i, len));
      }
      i += c >= 0x80 && len > 0 ? len : 1;
    }
    return out + "\"";
  };
  // Every byte value at every offset of ASCII runs of several lengths:
  // shorter than a block, across the 8- and 16-byte blocks and the last,
  // overlapping block.
  for (size_t len : {5, 16, 19, 33}) {
    for (int b = 0; b < 256; ++b) {
      for (size_t at = 0; at < len; ++at) {
        std::string s(len, 'a');
        s[at] = static_cast<char>(b);
        CAPTURE(len);
        CAPTURE(b);
        CAPTURE(at);
        REQUIRE(json_quote(s) == reference(s));
      }
    }
  }
  // Random mixes of plain runs, escapes, valid and broken UTF-8.
  const std::vector<std::string> pieces = {
      "a", "main.(*Server).handle", "/src/app/main.go", "\"", "\\", "\n", "\t",
      std::string(1, '\0'), "\x1f", "\x7f", "\xce\xa3", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80",
      "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff", "0123456789abcdef"};
  std::mt19937 rng(42);
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    size_t count = rng() % 12;
    for (size_t k = 0; k < count; ++k) s += pieces[rng() % pieces.size()];
    CAPTURE(s);
    REQUIRE(json_quote(s) == reference(s));
  }
}

TEST_CASE("JsonWriter: the exact layout, pretty and compact") {
  auto write = [](int indent) {
    std::string out;
    JsonWriter w(&out, indent);
    w.begin_object();
    w.field("a", 1);
    w.key("list");
    w.begin_array();
    w.begin_object();
    w.field("k\"ey", "v");
    w.key("deep");
    w.begin_array();
    w.value(uint64_t{7});
    w.end_array();
    w.end_object();
    w.begin_array();
    w.end_array();
    w.null();
    w.end_array();
    w.field("neg", int64_t{-12});
    w.end_object();
    w.finish();
    return out;
  };
  CHECK(write(2) ==
        "{\n"
        "  \"a\": 1,\n"
        "  \"list\": [\n"
        "    {\n"
        "      \"k\\\"ey\": \"v\",\n"
        "      \"deep\": [\n"
        "        7\n"
        "      ]\n"
        "    },\n"
        "    [],\n"
        "    null\n"
        "  ],\n"
        "  \"neg\": -12\n"
        "}\n");
  CHECK(write(0) == R"({"a":1,"list":[{"k\"ey":"v","deep":[7]},[],null],"neg":-12})");
}

TEST_CASE("JsonWriter: commas, nesting, empty containers, both layouts") {
  for (int indent : {0, 2}) {
    std::string out;
    JsonWriter w(&out, indent);
    w.begin_object();
    w.field("a", 1);
    w.field("neg", int64_t{-5});
    w.field("big", uint64_t{18446744073709551615ULL});
    w.field("b", true);
    w.null_field("n");
    w.field("d", 0.25);
    w.key("empty_a");
    w.begin_array();
    w.end_array();
    w.key("empty_o");
    w.begin_object();
    w.end_object();
    w.key("arr");
    w.begin_array();
    w.value("x");
    w.begin_object();
    w.field("k", "v");
    w.end_object();
    w.value(uint32_t{7});
    w.null();
    w.end_array();
    w.end_object();
    w.finish();
    CHECK(w.balanced());
    Json j;
    std::string err;
    REQUIRE_MESSAGE(parse_json(out, &j, &err), err << "\n" << out);
    CHECK(j.at("a").u64() == 1);
    CHECK(j.at("neg").i64() == -5);
    CHECK(j.at("big").text == "18446744073709551615");
    CHECK(j.at("b").boolean);
    CHECK(j.at("n").is_null());
    CHECK(j.at("d").text == "0.25");
    CHECK(j.at("empty_a").size() == 0);
    CHECK(j.at("empty_o").size() == 0);
    CHECK(j.at("arr").size() == 4);
    CHECK(j.at("arr").at(1).at("k").str() == "v");
    if (indent == 0) CHECK(out.find('\n') == std::string::npos);
  }
}

TEST_CASE("JsonWriter: a value rendered for raw_value() is what writing it in place gives") {
  auto nested = [](JsonWriter& w) {
    w.begin_object();
    w.field("func", "main.worker");
    w.key("list");
    w.begin_array();
    w.value(uint32_t{1});
    w.begin_object();
    w.field("k", "v");
    w.end_object();
    w.end_array();
    w.end_object();
  };
  for (int indent : {0, 2, 4}) {
    CAPTURE(indent);
    std::string direct, copied;
    JsonWriter a(&direct, indent), b(&copied, indent);
    for (JsonWriter* w : {&a, &b}) {
      w->begin_object();
      w->key("stacks");
      w->begin_array();
    }
    std::string rendered;
    for (int i = 0; i < 3; ++i) {
      nested(a);
      if (rendered.empty()) {
        JsonWriter r(&rendered, b.indent(), b.depth());
        nested(r);
        CHECK(r.balanced());
      }
      b.raw_value(rendered);
    }
    for (JsonWriter* w : {&a, &b}) {
      w->end_array();
      w->end_object();
      w->finish();
    }
    CHECK(copied == direct);
    // Three levels deep: the object, the array, the nested object.
    std::string func_line = "\n" + std::string(3 * static_cast<size_t>(indent), ' ') + "\"func\"";
    if (indent > 0) CHECK(direct.find(func_line) != std::string::npos);
  }
}

TEST_CASE("json_check rejects what is not JSON") {
  Json j;
  std::string err;
  for (const char* bad : {"", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "01", "1.", "\"\x01\"",
                          "\"\\x\"", "[1] 2", "{\"a\" 1}", "tru", "\"\xc0\x80\"", "\"\\ud800\"",
                          "{\"a\":1,\"a\":2}", "NaN"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_json(bad, &j, &err));
  }
  CHECK(parse_json(R"({"a":[1,-2.5e3,true,null,"\u00e9\ud83d\ude00"]})", &j, &err));
  CHECK(j.at("a").at(4).str() == "\xc3\xa9\xf0\x9f\x98\x80");
}

TEST_CASE("JSON report is valid and agrees with the snapshots on every corpus dump") {
  auto files = all_dumps();
  if (files.empty()) {
    MESSAGE("no corpus dumps: skipped");
    return;
  }
  size_t checked = 0;
  for (const auto& path : files) {
    CAPTURE(path.string());
    auto l = load(path);
    if (!l->result.ok || l->result.snapshots.empty()) continue;
    std::string out = json_of(*l);
    Json doc;
    std::string err;
    REQUIRE_MESSAGE(parse_json(out, &doc, &err), err);
    CHECK(doc.at("schema_version").u64() == kJsonSchemaVersion);
    const Json& snaps = doc.at("snapshots");
    REQUIRE(snaps.size() == l->result.snapshots.size());
    for (size_t i = 0; i < snaps.size(); ++i) {
      const Snapshot& s = l->result.snapshots[i];
      const Json& js = snaps.at(i);
      CHECK(js.at("form").str() == form_name(s.form));
      CHECK(js.at("total").u64() == s.total);
      CHECK(js.at("skipped_lines").u64() == s.skipped_lines);
      CHECK(js.at("truncated").boolean == s.truncated);
      const Json& gv = js.at("go_version");
      CHECK(gv.is_null() == !s.go_version.known());
      if (s.go_version.known()) {
        for (auto [key, minor] : {std::pair{"min", s.go_version.min_minor}, {"max", s.go_version.max_minor}}) {
          if (minor == 0) CHECK(gv.at(key).is_null());
          else CHECK(gv.at(key).str() == fmt::format("1.{}", minor));
        }
        CHECK(gv.at("basis").str() == s.go_version.basis);
      }
      CHECK(js.at("leak_report").str() == leak_report_name(s.leak_report));
      if (s.declared_total) CHECK(js.at("declared_total").u64() == *s.declared_total);
      else CHECK(js.at("declared_total").is_null());
      uint64_t states = 0;
      for (const auto& [name, n] : js.at("states").members) states += n.u64();
      CHECK(states == s.total);
      // No filter: every group is there, in order, and they add up.
      const Json& groups = js.at("groups");
      REQUIRE(groups.size() == s.groups.size());
      CHECK(js.at("group_count").u64() == s.groups.size());
      uint64_t sum = 0;
      for (size_t g = 0; g < groups.size(); ++g) {
        const Json& jg = groups.at(g);
        CHECK(jg.at("index").u64() == g);
        CHECK(jg.at("count").u64() == s.groups[g].count);
        CHECK(!jg.at("state").str().empty());
        CHECK(jg.get("frames") == nullptr);  // schema 2: in the stack table
        const Json& wm = jg.at("wait_minutes");
        CHECK((wm.at("min").is_null() == (s.groups[g].min_wait < 0)));
        const Json& cb = jg.at("created_by");
        if (!cb.is_null()) {
          CHECK(!cb.at("func").str().empty());
          CHECK(cb.at("line").kind == Json::kNumber);
        }
        sum += jg.at("count").u64();
      }
      CHECK(sum == s.total);
      CHECK(js.at("findings").kind == Json::kArray);
      CHECK(js.at("diagnostics").size() == s.diagnostics.size());
    }
    check_stack_table(doc, l->catalog, l->result.snapshots);
    ++checked;
  }
  CHECK(checked > 0);
}

TEST_CASE("JSON report is deterministic, also across parse threads") {
  auto path = states_dump();
  if (!std::filesystem::exists(path)) {
    MESSAGE("states dump missing: skipped");
    return;
  }
  auto a = load(path);
  auto b = load(path);
  LoadOptions par;
  par.jobs = 4;
  auto c = load(path, par);
  std::string ja = json_of(*a);
  CHECK(ja == json_of(*a));
  CHECK(ja == json_of(*b));
  CHECK(ja == json_of(*c));
}

TEST_CASE("JSON report: each stack is printed once, across snapshots and filters") {
  auto path = states_dump("debug1");
  if (!std::filesystem::exists(path)) {
    MESSAGE("states debug1 dump missing: skipped");
    return;
  }
  // The same profile appended twice, as a scraper appends them: two
  // snapshots with the very same stacks.
  std::string text = read_file(path);
  auto twice = load_text(text + text);
  REQUIRE(twice->result.snapshots.size() == 2);
  const Snapshot& first = twice->result.snapshots[0];
  std::set<StackId> distinct;
  for (const Group& g : first.groups) distinct.insert(g.stack);
  REQUIRE(distinct.size() > 3);

  Json doc;
  std::string err;
  REQUIRE(parse_json(json_of(*twice), &doc, &err));
  CHECK(check_stack_table(doc, twice->catalog, twice->result.snapshots) == distinct.size());
  const Json& g0 = doc.at("snapshots").at(0).at("groups");
  const Json& g1 = doc.at("snapshots").at(1).at("groups");
  REQUIRE(g0.size() == g1.size());
  for (size_t i = 0; i < g0.size(); ++i)
    CHECK(g0.at(i).at("stack").u64() == g1.at(i).at("stack").u64());

  // Only the stacks of the groups shown are in the table.
  ReportOptions top;
  top.top = 2;
  REQUIRE(parse_json(json_of(*twice, top), &doc, &err));
  CHECK(check_stack_table(doc, twice->catalog, twice->result.snapshots) <= 2);
  CHECK(doc.at("snapshots").at(0).at("groups").size() == 2);

  ReportOptions none;
  none.match = "^no\\.such\\.function$";
  REQUIRE(parse_json(json_of(*twice, none), &doc, &err));
  CHECK(check_stack_table(doc, twice->catalog, twice->result.snapshots) == 0);
}

TEST_CASE("text report: header, state table with exact counts, groups") {
  auto path = states_dump();
  if (!std::filesystem::exists(path)) {
    MESSAGE("states dump missing: skipped");
    return;
  }
  auto l = load(path);
  REQUIRE(l->result.snapshots.size() == 1);
  const Snapshot& s = l->result.snapshots[0];
  std::string out = text_of(*l);
  CHECK(out.find(fmt::format("debug2 dump, {} goroutines", s.total)) != std::string::npos);
  CHECK(out.find("\x1b[") == std::string::npos);  // no colour unless asked

  // The program parks 4 goroutines in `chan send` and 7 on a nil channel
  // (corpus/dumps/states.go1.22.expect); every non-zero category is a row.
  size_t rows = 0;
  for (size_t c = 0; c < kStateCategoryCount; ++c) {
    std::string_view name = category_name(static_cast<StateCategory>(c));
    std::regex row(fmt::format(R"((^|\n)  {}\s+{}\s+[0-9.]+%\n)",
                               std::regex_replace(std::string(name), std::regex(R"([.()])"), R"(\$&)"),
                               s.states[c]));
    if (s.states[c] == 0) {
      CHECK_MESSAGE(!std::regex_search(out, std::regex(fmt::format(R"(\n  {}\s+0\s)", name))),
                    "zero row printed for " << name);
      continue;
    }
    CHECK_MESSAGE(std::regex_search(out, row), "no row '" << name << " " << s.states[c] << "'");
    ++rows;
  }
  CHECK(rows >= 8);
  CHECK(s.states[static_cast<size_t>(StateCategory::kChanSend)] == 11);
  CHECK(std::regex_search(out, std::regex(R"(\n  total\s+193\n)")));
  CHECK(out.find("7 goroutines \u00b7 chan send (nil chan)") == std::string::npos);  // not in top 10
  // The user frame is marked, the group numbered, the created-by shown.
  CHECK(out.find("\u2192 main.nestedStart.func1.1") != std::string::npos);
  CHECK(out.find("#1  19 goroutines") != std::string::npos);
  CHECK(out.find("created by main.nestedStart.func1") != std::string::npos);
  CHECK(out.find("Groups: 10 shown of") != std::string::npos);
  // Go 1.21+ names the parent: main.main (goroutine 1) started the servers.
  CHECK(std::regex_search(out, std::regex("parents: goroutine 1 \u00d718 \\(group #\\d+\\)")));

  ReportOptions all;
  all.top = 0;
  std::string full = text_of(*l, all);
  CHECK(full.find("7 goroutines \u00b7 chan send (nil chan)") != std::string::npos);
  CHECK(full.find("4 goroutines \u00b7 chan send\n") != std::string::npos);
  CHECK(full.find(fmt::format("Groups: {} shown of {}", s.groups.size(), s.groups.size())) !=
        std::string::npos);
}

TEST_CASE("text report: --match, --exclude and --min-count select groups") {
  auto path = states_dump();
  if (!std::filesystem::exists(path)) {
    MESSAGE("states dump missing: skipped");
    return;
  }
  auto l = load(path);
  ReportOptions m;
  m.match = R"(main\.(chanSender|nilSender)$)";
  std::string out = text_of(*l, m);
  CHECK(out.find("Groups: 2 shown of") != std::string::npos);
  CHECK(out.find("\u2192 main.chanSender") != std::string::npos);
  CHECK(out.find("\u2192 main.nilSender") != std::string::npos);
  CHECK(out.find("main.sleeper") == std::string::npos);

  ReportOptions state;
  state.match = "^sync\\.";  // raw wait reasons
  out = text_of(*l, state);
  CHECK(out.find("sync.Mutex.Lock") != std::string::npos);
  CHECK(out.find("\u00b7 chan receive") == std::string::npos);

  ReportOptions ex;
  ex.exclude = "^main\\.";
  ex.top = 0;
  out = text_of(*l, ex);
  CHECK(out.find("\u2192 main.") == std::string::npos);

  ReportOptions min;
  min.min_count = 17;
  min.top = 0;
  out = text_of(*l, min);
  CHECK(out.find("Groups: 3 shown of") != std::string::npos);  // 19, 18, 17

  GroupFilter f;
  std::string err;
  ReportOptions bad;
  bad.match = "(unclosed";
  CHECK_FALSE(f.init(bad, &err));
  CHECK(err.find("--match") != std::string::npos);
  CHECK(err.find("missing )") != std::string::npos);  // RE2's own message
}

TEST_CASE("text report: long stacks fold, --full shows every frame, colour marks frames") {
  // SIGQUIT dumps show runtime frames: long stacks.
  auto path = states_dump("sigquit");
  if (!std::filesystem::exists(path)) {
    MESSAGE("states sigquit dump missing: skipped");
    return;
  }
  auto l = load(path);
  REQUIRE(!l->result.snapshots.empty());
  const Snapshot& s = l->result.snapshots[0];
  size_t longest = 0;
  for (const Group& g : s.groups)
    longest = std::max(longest, l->catalog.stacks.get(g.stack).frames.size());
  REQUIRE(longest > 10);
  ReportOptions all;
  all.top = 0;
  std::string folded = text_of(*l, all);
  CHECK(folded.find("more frames (--full shows all)") != std::string::npos);
  all.full = true;
  std::string full = text_of(*l, all);
  CHECK(full.find("more frames") == std::string::npos);
  CHECK(full.size() > folded.size());

  // With colour: user frames bold, stdlib frames dimmed.
  ReportOptions color;
  color.color = true;
  std::string c = text_of(*l, color);
  CHECK(c.find("\x1b[1m\u2192 main.") != std::string::npos);
  CHECK(c.find("\x1b[2mruntime.") != std::string::npos);
}

TEST_CASE("text and JSON render findings first, with every field") {
  auto path = states_dump();
  if (!std::filesystem::exists(path)) {
    MESSAGE("states dump missing: skipped");
    return;
  }
  auto l = load(path);
  Snapshot& s = l->result.snapshots[0];
  // The classify stage fills findings; here one is made by hand over the
  // real nil-channel group so the rendering can be checked.
  uint32_t gi = 0;
  bool found = false;
  for (uint32_t i = 0; i < s.groups.size(); ++i)
    if (l->catalog.str(s.groups[i].state) == "chan send (nil chan)") gi = i, found = true;
  REQUIRE(found);
  const Stack& st = l->catalog.stacks.get(s.groups[gi].stack);
  Finding f;
  f.rule = "nil-channel";
  f.title = "Send on a nil channel blocks forever";
  f.severity = RuleSeverity::kHigh;
  f.confidence = Confidence::kHigh;
  f.count = s.groups[gi].count;
  f.state = "chan send (nil chan)";
  f.category = StateCategory::kChanSend;
  f.site = SourceSite{st.frames[0].func, st.frames[0].file, st.frames[0].line};
  f.blocking = f.site;
  f.created_by = SourceSite{st.created_by.func, st.created_by.file, st.created_by.line};
  f.groups = {gi};
  f.evidence = "7 goroutines wait on a nil channel";
  f.fix = "Initialise the channel with make(chan T)\nbefore starting the sender.";
  f.min_wait = 3;
  f.max_wait = 15;
  s.findings.push_back(f);
  Finding low = f;
  low.rule = "low-one";
  low.severity = RuleSeverity::kLow;
  low.count = 100;
  s.findings.insert(s.findings.begin(), low);

  std::string out = text_of(*l);
  size_t fi = out.find("Findings (2)");
  REQUIRE(fi != std::string::npos);
  CHECK(fi < out.find("States"));
  size_t high = out.find("[HIGH] nil-channel");
  REQUIRE(high != std::string::npos);
  CHECK(high < out.find("[LOW] low-one"));  // most severe first
  CHECK(out.find("7 goroutines \u00b7 chan send (nil chan) \u00b7 wait 3\u201315 min") !=
        std::string::npos);
  CHECK(out.find("site      main.nilSender  ") != std::string::npos);
  CHECK(out.find("created   main.startN  ") != std::string::npos);
  CHECK(out.find(fmt::format("groups    #{}", gi + 1)) != std::string::npos);
  CHECK(out.find("fix       Initialise the channel with make(chan T)\n"
                 "              before starting the sender.\n") != std::string::npos);

  Json doc;
  std::string err;
  REQUIRE(parse_json(json_of(*l), &doc, &err));
  const Json& jf = doc.at("snapshots").at(0).at("findings");
  REQUIRE(jf.size() == 2);
  const Json& j = jf.at(1);
  CHECK(j.at("rule").str() == "nil-channel");
  CHECK(j.at("severity").str() == "high");
  CHECK(j.at("confidence").str() == "high");
  CHECK(j.at("count").u64() == 7);
  CHECK(j.at("state").str() == "chan send (nil chan)");
  CHECK(j.at("site").at("func").str() == "main.nilSender");
  CHECK(j.at("created_by").at("func").str() == "main.startN");
  CHECK(j.at("groups").at(0).u64() == gi);
  CHECK(j.at("wait_minutes").at("max").u64() == 15);
  CHECK(j.at("fix").str() == f.fix);
  CHECK(j.at("growth_confirmed").kind == Json::kBool);
  CHECK(j.at("site_in_stdlib").kind == Json::kBool);
}

TEST_CASE("user frames: stdlib and runtime are skipped, --module narrows") {
  auto path = states_dump();
  if (!std::filesystem::exists(path)) {
    MESSAGE("states dump missing: skipped");
    return;
  }
  CHECK(is_user_func("main.main", {}));
  CHECK(is_user_func("github.com/x/y.F", {}));
  CHECK_FALSE(is_user_func("net/http.(*conn).serve", {}));
  CHECK_FALSE(is_user_func("runtime.gopark", {}));
  CHECK_FALSE(is_user_func("panic", {}));
  CHECK(is_user_func("example.com/app/internal/x.F", {"example.com/app"}));
  CHECK(is_user_func("example.com/app.F", {"example.com/app/"}));
  CHECK_FALSE(is_user_func("example.com/application.F", {"example.com/app"}));
  CHECK_FALSE(is_user_func("github.com/x/y.F", {"example.com/app"}));

  auto l = load(path);
  const Snapshot& s = l->result.snapshots[0];
  for (const Group& g : s.groups) {
    const Stack& st = l->catalog.stacks.get(g.stack);
    int u = find_user_frame(st, l->catalog, {});
    if (u < 0) continue;
    for (int i = 0; i < u; ++i) CHECK(is_library_func(l->catalog.str(st.frames[i].func)));
    CHECK(l->catalog.str(st.frames[u].func).substr(0, 5) == "main.");
  }
}

TEST_CASE("text report: a folded stack says the runtime elided frames too") {
  auto path = shared_dir() / "corpus-public" / "gostackparse-frameselided_goroutine.txt";
  if (!std::filesystem::exists(path)) {
    MESSAGE("../shared/corpus-public absent: skipped");
    return;
  }
  auto l = load(path);
  REQUIRE(l->result.ok);
  std::string out = text_of(*l);
  CHECK(out.find("more frames, then frames the runtime elided (--full shows all)") !=
        std::string::npos);
  ReportOptions full;
  full.full = true;
  out = text_of(*l, full);
  CHECK(out.find("...additional frames elided by the runtime...") != std::string::npos);
}
