// `gorleak URL` against real HTTP servers: the fault server
// (tests/live/faultserver, built with the Go toolchain) serves a corpus
// dump in every way a pprof endpoint can serve or fail to serve it, and a
// real Go program serves net/http/pprof with a debug=2 dump past Go's
// 64 MiB limit. Every failure must be one line on stderr and exit 2;
// every way of getting the dump must give the file's own report.
// Skipped (with a message) when no Go toolchain is found.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "json_check.h"
#include "live_support.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak::test;

namespace {

const char* kDump = "send-leak.go1.22.debug2.txt";  // 53 goroutines, 50 leaked senders

struct FaultServer {
  std::unique_ptr<LiveProgram> live;
  std::string base;  // http://127.0.0.1:PORT
};

// The fault server binary, built once per test process (empty: no Go).
const std::optional<fs::path>& faultserver() {
  static std::optional<fs::path> bin = [] () -> std::optional<fs::path> {
    auto go = find_go();
    if (!go) return std::nullopt;
    std::string log;
    auto b = build_go_program(*go, source_dir() / "tests/live/faultserver", &log);
    if (!b) FAIL("building the fault server: ", log);
    return b;
  }();
  return bin;
}

FaultServer start_fault(const std::vector<std::string>& args) {
  FaultServer s;
  s.live = std::make_unique<LiveProgram>(start_program(*faultserver(), args));
  REQUIRE_MESSAGE(!s.live->addr.empty(), "the fault server did not start");
  s.base = "http://" + s.live->addr;
  return s;
}

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

size_t count_lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

// The report of `args` with `url` written where the file's name would be.
std::string report(std::vector<std::string> args, const std::string& url, const std::string& as) {
  RunResult r = run_cli(args);
  INFO("stderr: ", r.err);
  CHECK(r.exit_code == 0);
  std::string out = r.out;
  for (size_t at = 0; !url.empty() && (at = out.find(url, at)) != std::string::npos; at += as.size())
    out.replace(at, url.size(), as);
  return out;
}

// A TCP port nothing listens on: bound, then closed.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(a.sin_port);
}

#define SKIP_WITHOUT_GO()                                                         \
  if (!faultserver()) {                                                           \
    MESSAGE("no Go toolchain (GORLEAK_GO, go on PATH, /opt/go/go-*): skipped"); \
    return;                                                                       \
  }

}  // namespace

TEST_CASE("a dump served over HTTP in any encoding gives the file's report") {
  SKIP_WITHOUT_GO();
  fs::path file = corpus_dumps_dir() / kDump;
  FaultServer s = start_fault({"-dump", file.string()});
  std::string want = report({"--format", "json", file.string()}, "", "");
  for (const char* path : {"/fault/dump", "/fault/gzip", "/fault/gzipfile",
                           "/fault/redirect?to=/fault/dump"}) {
    CAPTURE(path);
    std::string url = s.base + path;
    // The report names the URL it read: the final one after redirects is
    // not known to the reader, the one asked for is.
    std::string got = report({"--format", "json", url}, url, file.string());
    CHECK(got == want);
  }
  // Text too, and through -H (sent, harmless here).
  std::string url = s.base + "/fault/dump";
  CHECK(report({"--color", "never", "-H", "X-Test: 1", url}, url, file.string()) ==
        report({"--color", "never", file.string()}, "", ""));
}

TEST_CASE("every failure is one line on stderr, exit 2, with the fix") {
  SKIP_WITHOUT_GO();
  fs::path file = corpus_dumps_dir() / kDump;
  FaultServer s = start_fault({"-dump", file.string()});
  struct Case {
    std::string path;
    std::vector<std::string> extra;
    std::string message;
  };
  int port = free_port();
  REQUIRE(port > 0);
  const std::vector<Case> cases = {
      {"/fault/status?code=404", {}, "import _ \"net/http/pprof\""},
      {"/fault/status?code=401", {}, "-H 'Authorization: Bearer TOKEN'"},
      {"/fault/status?code=403", {}, "HTTP 403 Forbidden"},
      {"/fault/status?code=500", {}, "HTTP 500: the server failed to produce the profile (the server said: Internal Server Error: fault server says no)"},
      {"/fault/html", {}, "answered with an HTML page, not a goroutine dump"},
      {"/fault/json", {}, "answered with JSON, not a goroutine dump"},
      {"/fault/empty", {}, "empty input"},
      {"/fault/loop", {}, "more than 10 redirects"},
      {"/fault/stall?after=0", {"--timeout", "1s"}, "no answer within 1 s (--timeout)"},
      {"/fault/trickle?every=100ms", {"--timeout", "1s"}, "timed out after 1 s with"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    std::vector<std::string> args{s.base + c.path};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    RunResult r = run_cli(args);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.rfind("gorleak: " + s.base + c.path + ":", 0) == 0);
    CHECK_MESSAGE(has(r.err, c.message), r.err);
  }
  // The pprof endpoint of a server that does not serve pprof.
  RunResult r = run_cli({s.base});
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(has(r.err, s.base + "/debug/pprof/goroutine?debug=2: HTTP 404"));
  // Nothing listening.
  r = run_cli({"http://127.0.0.1:" + std::to_string(port)});
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(has(r.err, "connection refused: nothing listens on 127.0.0.1:" + std::to_string(port)));
  // Usage errors about the options themselves.
  CHECK(run_cli({"-H", "no colon", s.base}).exit_code == 2);
  CHECK(run_cli({"--timeout", "soon", s.base}).exit_code == 2);
}

TEST_CASE("a body that stops mid-goroutine: the report of what was read, marked truncated, and exit 2") {
  SKIP_WITHOUT_GO();
  fs::path file = corpus_dumps_dir() / kDump;
  std::string text = read_file(file);
  // Cut inside the 30th goroutine's stack, after a frame line.
  size_t at = 0;
  for (int i = 0; i < 29; ++i) at = text.find("\ngoroutine ", at + 1);  // goroutine 30's header
  at = text.find('\n', text.find('\n', at + 1) + 1) + 1;
  FaultServer s = start_fault({"-dump", file.string()});
  for (const std::vector<std::string>& how :
       {std::vector<std::string>{"/fault/cut?at=" + std::to_string(at)},
        std::vector<std::string>{"/fault/stall?after=" + std::to_string(at), "--timeout", "1s"}}) {
    CAPTURE(how[0]);
    std::vector<std::string> args{"--format", "json", s.base + how[0]};
    args.insert(args.end(), how.begin() + 1, how.end());
    RunResult r = run_cli(args);
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK((has(r.err, "broke off") || has(r.err, "timed out")));
    CHECK(has(r.err, "the dump is cut short"));
    Json j;
    std::string err;
    REQUIRE_MESSAGE(parse_json(r.out, &j, &err), err);
    const Json& snap = j.at("snapshots").at(0);
    CHECK(snap.at("truncated").boolean);
    // 29 whole goroutines and the one cut in half.
    CHECK(snap.at("total").u64() == 30);
  }
}

TEST_CASE("credentials in a URL never reach the report or the terminal") {
  SKIP_WITHOUT_GO();
  fs::path file = corpus_dumps_dir() / kDump;
  FaultServer s = start_fault({"-dump", file.string()});
  std::string addr = s.live->addr;
  RunResult ok = run_cli({"http://ann:hunter2@" + addr + "/fault/dump?access_token=abc123&q=1"});
  CHECK(ok.exit_code == 0);
  CHECK(has(ok.out, "http://ann:***@" + addr + "/fault/dump?access_token=***&q=1"));
  RunResult bad = run_cli({"http://ann:hunter2@" + addr + "/fault/status?code=401&token=abc123"});
  CHECK(bad.exit_code == 2);
  for (const RunResult* r : {&ok, &bad}) {
    CHECK_FALSE(has(r->out + r->err, "hunter2"));
    CHECK_FALSE(has(r->out + r->err, "abc123"));
  }
}

TEST_CASE("TLS with a self-signed certificate: refused, then --cacert or --insecure") {
  SKIP_WITHOUT_GO();
  TempDir tmp;
  fs::path cert = tmp.path / "cert.pem", key = tmp.path / "key.pem";
  std::string log;
  int rc = std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                        "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                        shell_quote(key.string()) + " -out " + shell_quote(cert.string()) +
                        " >/dev/null 2>&1")
                           .c_str());
  if (rc != 0) {
    MESSAGE("openssl not available: TLS test skipped");
    return;
  }
  fs::path file = corpus_dumps_dir() / kDump;
  FaultServer s = start_fault({"-dump", file.string(), "-tls", cert.string() + "," + key.string()});
  std::string url = "https://" + s.live->addr + "/fault/dump";
  RunResult r = run_cli({url});
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(has(r.err, "TLS: the server's certificate is not trusted"));
  CHECK(has(r.err, "--cacert FILE, or --insecure"));
  CHECK(run_cli({"--cacert", cert.string(), url}).exit_code == 0);
  CHECK(run_cli({"--insecure", url}).exit_code == 0);
  // Plain HTTP to the TLS port: Go's TLS server answers 400.
  r = run_cli({"http://" + s.live->addr + "/fault/dump"});
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.err) == 1);
  CHECK(has(r.err, "HTTP 400"));
}

TEST_CASE("a debug=2 dump cut at 64 MiB is completed from ?debug=1") {
  SKIP_WITHOUT_GO();
  // 5,000 goroutines 100 frames deep print ~70 MB: Go's pprof stops at 64 MiB.
  FaultServer s = start_fault({"-pprof", "-deep", "5000", "-depth", "100"});
  REQUIRE(s.live->expect.size() == 1);
  const uint64_t parked = std::stoull(s.live->expect[0].at("deep"));
  RunResult r = run_cli({"--format", "json", "--no-leak-profile", "--timeout", "120s", s.base});
  INFO("stderr: ", r.err);
  REQUIRE(r.exit_code == 0);
  Json j;
  std::string err;
  REQUIRE_MESSAGE(parse_json(r.out, &j, &err), err);
  const Json& snap = j.at("snapshots").at(0);
  CHECK_FALSE(snap.at("truncated").boolean);
  REQUIRE_FALSE(snap.at("declared_total").is_null());
  CHECK(snap.at("total").u64() == snap.at("declared_total").u64());
  uint64_t deep = 0;
  for (const Json& g : snap.at("groups").items) {
    const Json& frames = report_stack(j, g).at("frames");
    if (frames.size() > 0 && frames.at(0).at("func").str() == "main.deep") deep += g.at("count").u64();
  }
  CHECK(deep == parked);
  bool noted = false;
  for (const Json& d : snap.at("diagnostics").items)
    noted |= has(d.at("message").str(), "counts completed from ?debug=1");
  CHECK(noted);
}

TEST_CASE("a progress line on a terminal's stderr, nothing on a pipe") {
  SKIP_WITHOUT_GO();
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    MESSAGE("no `script` to give gorleak a terminal: skipped");
    return;
  }
  FaultServer s = start_fault({});
  std::string url = s.base + "/fault/generate?bytes=" + std::to_string(60 << 20);
  TempDir tmp;
  fs::path typescript = tmp.path / "typescript";
  // script(1) runs the command on a pseudo-terminal and records what it shows.
  std::string cmd = "script -qec " +
                    shell_quote(shell_quote(cli_path()) + " -j 1 --no-leak-profile " +
                                shell_quote(url) + " >/dev/null") +
                    " " + shell_quote(typescript.string()) + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::string shown = read_file(typescript);
  CHECK(has(shown, "fetching " + url + ": "));
  CHECK(has(shown, "MB/s"));
  CHECK(has(shown, " goroutines"));
  RunResult piped = run_cli({"-j", "1", "--no-leak-profile", url});
  CHECK(piped.exit_code == 0);
  CHECK(piped.err.empty());
}
