// `--format html`: the page rendered by headless Chromium, as a reader
// opens it: --dump-dom after the script ran, asserted element by element,
// for a dump, a diff, a trend, a hostile dump (its names must render as
// text) and 100,000 groups (drawn 100 at a time); screenshots at desktop
// and phone widths. Skips (exit 77) without Chromium. The page is also
// checked without a browser: self-contained, nothing fetched, the data
// script unbreakable.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <regex>
#include <string>

#include "report/html_writer.h"
#include "test_support.h"
#include "tool_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

size_t count_of(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

// The DOM after the page's script ran (body[data-ready=1]).
std::string render_dom(const std::string& chromium, const fs::path& page,
                       const std::string& hash = "") {
  RunResult r = run_chromium(chromium,
                             {"--allow-file-access-from-files", "--window-size=1280,900",
                              "--virtual-time-budget=10000", "--dump-dom"},
                             "file://" + page.string() + hash);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.out.find("data-ready=\"1\"") != std::string::npos);
  return r.out;
}

std::string html_of(const std::vector<std::string>& args) {
  RunResult r = run_cli(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// A debug=2 dump with `n` distinct stacks, one goroutine each.
std::string many_groups(size_t n) {
  std::string out = "goroutine 1 [running]:\nmain.main()\n\t/src/app/main.go:10 +0x1d\n";
  for (size_t i = 0; i < n; ++i)
    out += fmt::format(
        "\ngoroutine {} [chan receive]:\nmain.worker{}(0xc000010000)\n\t/src/app/w{}.go:{} "
        "+0x1d\ncreated by main.start in goroutine 1\n\t/src/app/main.go:20 +0x40\n",
        i + 2, i, i % 97, i % 1000 + 1);
  return out;
}

// Width and height from a PNG's IHDR chunk.
std::pair<uint32_t, uint32_t> png_size(const std::string& png) {
  REQUIRE(png.size() > 24);
  REQUIRE(png.substr(1, 3) == "PNG");
  auto be32 = [&](size_t at) {
    return (uint32_t(uint8_t(png[at])) << 24) | (uint32_t(uint8_t(png[at + 1])) << 16) |
           (uint32_t(uint8_t(png[at + 2])) << 8) | uint8_t(png[at + 3]);
  };
  return {be32(16), be32(20)};
}

}  // namespace

TEST_CASE("html: self-contained, nothing fetched, the data script cannot be closed early") {
  std::string page = html_of({"--format", "html",
                              (source_dir() / "tests/data/hostile/hostile.debug2.txt").string()});
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("default-src 'none'") != std::string::npos);
  // No reference to anything outside the file.
  CHECK(page.find(" src=") == std::string::npos);
  CHECK(page.find(" href=") == std::string::npos);
  CHECK(page.find("url(") == std::string::npos);
  CHECK(page.find("@import") == std::string::npos);
  // Two scripts (data, app) and one style: the dump's "<script>" is data.
  CHECK(count_of(page, "<script") == 2);
  CHECK(count_of(page, "</script>") == 2);
  CHECK(count_of(page, "<style") == 1);
  size_t controls = 0;
  for (char ch : page) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\n') ++controls;
  }
  CHECK(controls == 0);
  std::string e;
  script_json_escape(R"({"f":"</script><script>x</script>","g":"<!--"})", &e);
  CHECK(e == R"({"f":"\u003c/script>\u003cscript>x\u003c/script>","g":"\u003c!--"})");
  std::string h;
  html_escape("<a href='x'>&\"\x1b", &h);
  CHECK(h == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\x1b");
}

TEST_CASE("html: Chromium renders findings, state bars and groups, for a dump, a diff and a trend") {
  std::string chromium = chromium_path();
  if (chromium.empty()) {
    skip_test("Chromium not installed (Debian package chromium, .ci/install-tools)");
    return;
  }
  TempDir tmp;
  REQUIRE(!tmp.path.empty());
  fs::path dumps = corpus_dumps_dir();

  SUBCASE("a dump") {
    fs::path page = tmp.path / "dump.html";
    write_file(page, html_of({"--format", "html", (dumps / "send-leak.go1.22.debug2.txt").string()}));
    std::string dom = render_dom(chromium, page);
    CHECK(dom.find("data-rule=\"chan-send-blocked\"") != std::string::npos);
    CHECK(dom.find("data-state=\"chan send\"") != std::string::npos);  // a bar
    CHECK(count_of(dom, "class=\"row\"") == 4);
    CHECK(dom.find("4 of 4 groups") != std::string::npos);
    CHECK(dom.find("<span class=\"func user\">main.fetchFirst.func1</span>") != std::string::npos);
    CHECK(dom.find("Give the channel room for every sender") != std::string::npos);  // the fix

    // A filter from the link: a regular expression over functions and states.
    std::string filtered = render_dom(chromium, page, "#filter=fetchFirst");
    CHECK(filtered.find("1 of 4 groups") != std::string::npos);
    std::string by_state = render_dom(chromium, page, "#filter=%5EIO%20wait%24");
    CHECK(by_state.find("1 of 4 groups") != std::string::npos);
  }
  SUBCASE("a diff: growth bars and stayed/drained verdicts") {
    fs::path page = tmp.path / "diff.html";
    write_file(page, html_of({"diff", "--format", "html",
                              (dumps / "series-drain.go1.27.idle.debug2.txt").string(),
                              (dumps / "series-drain.go1.27.loaded.debug2.txt").string(),
                              (dumps / "series-drain.go1.27.after.debug2.txt").string()}));
    std::string dom = render_dom(chromium, page);
    CHECK(dom.find("data-status=\"drained\"") != std::string::npos);
    CHECK(dom.find("class=\"growth\"") != std::string::npos);
    CHECK(dom.find("class=\"verdict") != std::string::npos);

    fs::path leak = tmp.path / "leak.html";
    write_file(leak, html_of({"diff", "--format", "html",
                              (dumps / "series-send-leak.go1.27.idle.debug2.txt").string(),
                              (dumps / "series-send-leak.go1.27.loaded.debug2.txt").string(),
                              (dumps / "series-send-leak.go1.27.after.debug2.txt").string()}));
    std::string leak_dom = render_dom(chromium, leak);
    CHECK(leak_dom.find("data-status=\"stayed\"") != std::string::npos);
    CHECK(leak_dom.find("class=\"verdict bad\"") != std::string::npos);
  }
  SUBCASE("a trend: a line chart per growing group") {
    fs::path page = tmp.path / "trend.html";
    std::vector<std::string> args = {"trend", "--format", "html"};
    for (const char* phase : {"idle", "wave1", "wave2", "after"})
      args.push_back((dumps / fmt::format("series-growth.go1.22.{}.debug2.txt", phase)).string());
    write_file(page, html_of(args));
    std::string dom = render_dom(chromium, page);
    CHECK(dom.find("<svg class=\"spark\"") != std::string::npos);
    CHECK(dom.find("<polyline points=") != std::string::npos);
  }
}

TEST_CASE("html: a hostile dump renders as text in Chromium") {
  std::string chromium = chromium_path();
  if (chromium.empty()) {
    skip_test("Chromium not installed");
    return;
  }
  TempDir tmp;
  fs::path page = tmp.path / "hostile.html";
  write_file(page, html_of({"--format", "html", "--top", "0",
                            (source_dir() / "tests/data/hostile/hostile.debug2.txt").string()}));
  std::string dom = render_dom(chromium, page);
  // The names are text in the document, escaped by the serializer, and no
  // element came from them.
  CHECK(dom.find("main.leak&lt;script&gt;alert(\"x\")&lt;/script&gt;.func1") != std::string::npos);
  CHECK(dom.find("<script>alert") == std::string::npos);
  CHECK(dom.find("spawner<b>") == std::string::npos);
  CHECK(dom.find("spawner&lt;b&gt;\"q\"") != std::string::npos);
  CHECK(dom.find("main.title\\x1b]0;pwned\\x07clear\\x1b[2J") != std::string::npos);
  CHECK(dom.find("main.sep\\u2028line\\u2029para\\u202ebidi") != std::string::npos);
  CHECK(dom.find("main.semi;colon'quote'&amp;amp;\\back\\slash{}") != std::string::npos);
  CHECK(count_of(dom, "<script") == 2);
  size_t controls = 0;
  for (char ch : dom) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\n' && c != '\t') ++controls;
  }
  CHECK(controls == 0);
}

TEST_CASE("html: 100,000 groups stay usable, drawn 100 at a time") {
  std::string chromium = chromium_path();
  if (chromium.empty()) {
    skip_test("Chromium not installed");
    return;
  }
  TempDir tmp;
  fs::path dump = tmp.path / "many.txt";
  write_file(dump, many_groups(100000));
  fs::path page = tmp.path / "many.html";
  write_file(page, html_of({"--format", "html", dump.string()}));
  MESSAGE("100,000-group page: " << fs::file_size(page) / 1024 << " KiB");
  std::string dom = render_dom(chromium, page);
  CHECK(dom.find("100,001 of 100,001 groups (100 drawn)") != std::string::npos);
  CHECK(count_of(dom, "class=\"row\"") == 100);
  std::string filtered = render_dom(chromium, page, "#filter=worker9999%24");
  CHECK(filtered.find("1 of 100,001 groups") != std::string::npos);
}

TEST_CASE("html: screenshots at desktop and phone widths") {
  std::string chromium = chromium_path();
  if (chromium.empty()) {
    skip_test("Chromium not installed");
    return;
  }
  // GORLEAK_SCREENSHOTS=DIR keeps them (docs/ has one for the README).
  const char* keep = std::getenv("GORLEAK_SCREENSHOTS");
  TempDir tmp;
  fs::path dir = keep && *keep ? fs::path(keep) : tmp.path;
  fs::path page = tmp.path / "shot.html";
  write_file(page, html_of({"--format", "html",
                            (corpus_dumps_dir() / "states.go1.22.debug2.txt").string()}));
  for (auto [name, width] : {std::pair<const char*, int>{"desktop", 1280}, {"phone", 420}}) {
    CAPTURE(name);
    fs::path png = dir / fmt::format("html-{}.png", name);
    RunResult r = run_chromium(chromium,
                               {fmt::format("--window-size={},1000", width), "--hide-scrollbars",
                                "--virtual-time-budget=5000", "--screenshot=" + png.string()},
                               "file://" + page.string());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::string bytes = read_file(png);
    auto [w, h] = png_size(bytes);
    CHECK(w == static_cast<uint32_t>(width));
    CHECK(h == 1000);
    CHECK(bytes.size() > 20000);  // a drawn page, not a blank one
  }
}
