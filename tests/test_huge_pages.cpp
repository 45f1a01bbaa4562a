// The CLI restarts itself once with glibc's hugetlb tunable
// (pipeline/huge_pages.h): when it does, when it leaves the user's choice
// alone, and that the restarted process is the same command.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "live_support.h"
#include "pipeline/huge_pages.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace gorleak;
using namespace gorleak::test;

namespace {

const std::string kMadvise = "always [madvise] never\n";

// A file of `bytes` that takes no disk space.
void make_sparse_file(const fs::path& p, uint64_t bytes) {
  std::ofstream(p).close();
  fs::resize_file(p, bytes);
}

// The NUL-separated environment a process started with.
std::vector<std::string> environ_of(pid_t pid) {
  std::string raw = read_file("/proc/" + std::to_string(pid) + "/environ");
  std::vector<std::string> out;
  for (size_t start = 0, nul; start < raw.size(); start = nul + 1) {
    nul = raw.find('\0', start);
    if (nul == std::string::npos) nul = raw.size();
    out.push_back(raw.substr(start, nul - start));
  }
  return out;
}

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const std::string& e : env)
    if (e.starts_with(name + "=")) return e.substr(name.size() + 1);
  return "(unset)";
}

}  // namespace

TEST_CASE("the tunable is added where the kernel gives huge pages on request") {
  CHECK(huge_page_tunables(nullptr, nullptr, kMadvise) == "glibc.malloc.hugetlb=1");
  CHECK(huge_page_tunables(nullptr, nullptr, "[always] madvise never\n") ==
        "glibc.malloc.hugetlb=1");
  // The user's other tunables stay, in front.
  CHECK(huge_page_tunables("glibc.malloc.arena_max=2", nullptr, kMadvise) ==
        "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
  CHECK(huge_page_tunables("", nullptr, kMadvise) == "glibc.malloc.hugetlb=1");
}

TEST_CASE("no restart where it cannot help or the user chose") {
  CHECK_FALSE(huge_page_tunables(nullptr, nullptr, "always madvise [never]\n"));
  CHECK_FALSE(huge_page_tunables(nullptr, nullptr, ""));  // no THP file
  CHECK_FALSE(huge_page_tunables("glibc.malloc.hugetlb=0", nullptr, kMadvise));
  CHECK_FALSE(huge_page_tunables("glibc.malloc.hugetlb=2", nullptr, kMadvise));
  CHECK_FALSE(huge_page_tunables(nullptr, "0", kMadvise));
  CHECK(huge_page_tunables(nullptr, "1", kMadvise));
}

TEST_CASE("a restart only where the input may be large") {
  TempDir tmp;
  fs::path big = tmp.path / "big.txt", small = tmp.path / "small.txt";
  make_sparse_file(big, kHugePagesMinInput);
  std::ofstream(small) << "goroutine 1 [running]:\n";
  std::string b = big.string(), s = small.string(), dir = tmp.path.string();
  std::string missing = (tmp.path / "missing").string(), opt = "--format", self = "gorleak";
  std::string url = "http://127.0.0.1:6060/debug/pprof/goroutine?debug=2";
  const int small_in = open(small.c_str(), O_RDONLY), big_in = open(big.c_str(), O_RDONLY);
  int pipe_in[2];
  REQUIRE(pipe(pipe_in) == 0);
  auto large = [&](std::vector<std::string*> args, int in) {
    std::vector<char*> argv = {self.data()};
    for (std::string* a : args) argv.push_back(a->data());
    argv.push_back(nullptr);
    return may_be_large_input(argv.data(), in);
  };
  // Files of known size: their sum decides; directories and missing paths count nothing.
  CHECK_FALSE(large({&opt, &s, &dir, &missing}, small_in));
  CHECK(large({&opt, &s, &b}, small_in));
  CHECK(large({&s}, big_in));  // a large file on standard input
  // Unknown sizes: a URL, standard input from a pipe.
  CHECK(large({&url}, small_in));
  CHECK(large({&s}, pipe_in[0]));
  CHECK_FALSE(large({}, small_in));
  close(small_in);
  close(big_in);
  close(pipe_in[0]);
  close(pipe_in[1]);
}

// gorleak blocks opening a FIFO, after the restart: its environment (as
// it was at exec) shows whether it restarted, and the report is the one
// of the dump written into the FIFO. Its standard input, which it does not
// read, is a sparse file of 64 MiB, so that a restart is worth it.
TEST_CASE("the gorleak process restarts once and still reads its input") {
  const std::string thp = read_file("/sys/kernel/mm/transparent_hugepage/enabled");
  const bool expect_restart = huge_page_tunables(nullptr, nullptr, thp).has_value();
  TempDir tmp;
  fs::path fifo = tmp.path / "dump.fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  fs::path big = tmp.path / "big.txt";
  make_sparse_file(big, kHugePagesMinInput);
  fs::path dump = corpus_dumps_dir() / "send-leak.go1.22.debug2.txt";
  const RunResult want = run_cli({"--format", "json", dump.string()});

  for (const char* opt_out : {"", "0"}) {
    CAPTURE(opt_out);
    if (*opt_out)
      setenv(kHugePagesEnv, opt_out, 1);
    else
      unsetenv(kHugePagesEnv);
    unsetenv("GLIBC_TUNABLES");
    fs::path out = tmp.path / "out.json";
    Process p({"/bin/sh", "-c",
               "exec " + shell_quote(GORLEAK_CLI_PATH) + " --format json " +
                   shell_quote(fifo.string()) + " > " + shell_quote(out.string()) + " < " +
                   shell_quote(big.string())});
    REQUIRE(p.started());
    // The exec of sh into gorleak, then gorleak's own restart, then open().
    std::vector<std::string> env;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string exe;
      std::error_code ec;
      exe = fs::read_symlink("/proc/" + std::to_string(p.pid()) + "/exe", ec).string();
      env = environ_of(p.pid());
      const bool restarted = env_value(env, kTunablesBeforeEnv) != "(unset)";
      if (exe.ends_with("/gorleak") && (restarted || !expect_restart || *opt_out)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const bool restart_here = expect_restart && !*opt_out;
    if (restart_here) {
      CHECK(env_value(env, "GLIBC_TUNABLES") == "glibc.malloc.hugetlb=1");
      CHECK(env_value(env, kTunablesBeforeEnv) == "unset");
    } else {
      CHECK(env_value(env, "GLIBC_TUNABLES") == "(unset)");
      CHECK(env_value(env, kTunablesBeforeEnv) == "(unset)");
    }
    {
      std::ofstream w(fifo, std::ios::binary);
      w << read_file(dump);
    }
    CHECK(p.wait(60) == want.exit_code);
    std::string got = read_file(out);
    for (size_t at; (at = got.find(fifo.string())) != std::string::npos;)
      got.replace(at, fifo.string().size(), dump.string());
    CHECK(got == want.out);
  }
  unsetenv(kHugePagesEnv);
}
