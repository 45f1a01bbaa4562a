// Which code is the user's (model/user_code.h), inferred from the dump, and
// the leak site and library frame built on it (classify/leak_site.h): on
// our corpus (every program is package main), on public dumps of real
// services (TiDB and Erigon with their module paths, Cortex with vendor/,
// gRPC from the module cache or GOPATH, a Go 1.2 C runtime) and on tiny
// snippets for what the public dumps lack.
#include <doctest/doctest.h>

#include <string>

#include "classify/leak_site.h"
#include "model/func_name.h"
#include "model/user_code.h"
#include "test_support.h"

using namespace gorleak;
using namespace gorleak::test;

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

// Calls `visit(func, file, is_user)` for every frame of every group.
template <typename F>
void for_each_frame(const Loaded& l, const UserCode& u, F&& visit) {
  for (const Snapshot& s : l.result.snapshots)
    for (const Group& g : s.groups)
      for (const Frame& f : l.catalog.stacks.get(g.stack).frames)
        if (f.func != 0)
          visit(l.catalog.str(f.func), f.file ? l.catalog.str(f.file) : std::string_view(),
                u.is_user(l.catalog, f.func, f.file));
}

std::unique_ptr<Loaded> load_public(const char* name) {
  return load(shared_dir() / "corpus-public" / name);
}

}  // namespace

TEST_CASE("corpus: the user's code is package main, and nothing else") {
  size_t dumps = 0, frames = 0;
  for (const auto& p : list_files(corpus_dumps_dir(), ".txt")) {
    if (contains(p.filename().string(), ".test.txt")) continue;  // a test package, below
    CAPTURE(p.filename().string());
    auto l = load(p);
    const UserCode& u = user_code_of(l->catalog, {});
    CHECK(u.modules().empty());
    for_each_frame(*l, u, [&](std::string_view func, std::string_view, bool user) {
      CAPTURE(std::string(func));
      CHECK(user == starts_with(func, "main."));
      ++frames;
    });
    ++dumps;
  }
  CHECK(dumps > 400);
  MESSAGE(dumps << " corpus dumps, " << frames << " frames: user code == package main");
}

TEST_CASE("a test package is the user's code: synctest-leak") {
  auto l = load(corpus_dumps_dir() / "synctest-leak.go1.27.test.txt");
  const UserCode& u = user_code_of(l->catalog, {});
  CHECK(u.anchored());
  REQUIRE(u.modules().size() == 1);
  CHECK(u.modules()[0] == "gorleakcorpus");
  size_t user = 0;
  for_each_frame(*l, u, [&](std::string_view func, std::string_view, bool is_user) {
    CAPTURE(std::string(func));
    CHECK(is_user == starts_with(func, "gorleakcorpus/synctest-leak."));
    user += is_user;
  });
  CHECK(user >= 3);
}

TEST_CASE("public services: module paths, module cache, vendor/, GOPATH trees") {
  if (!shared_available()) {
    MESSAGE("../shared absent: skipped");
    return;
  }
  size_t frames = 0;
  SUBCASE("TiDB: GOPATH-style checkout, dependencies in /go/pkg/mod") {
    auto l = load_public("tidb-prod-905-debug2-go115.txt");
    const UserCode& u = user_code_of(l->catalog, {});
    CHECK(u.anchored());
    CHECK(u.modules() == std::vector<std::string>{"github.com/pingcap/tidb"});
    size_t grpc = 0;
    for_each_frame(*l, u, [&](std::string_view func, std::string_view file, bool user) {
      CAPTURE(std::string(func));
      CAPTURE(std::string(file));
      if (contains(file, "/pkg/mod/")) CHECK_FALSE(user);
      if (starts_with(func, "google.golang.org/grpc")) ++grpc;
      if (starts_with(func, "github.com/pingcap/tidb/") || starts_with(func, "main."))
        CHECK(user);
      if (is_stdlib_func(func)) CHECK_FALSE(user);
      ++frames;
    });
    CHECK(grpc > 0);
  }
  SUBCASE("Erigon: -trimpath, its own erigon-lib as a versioned dependency") {
    auto l = load_public("erigon-cdk-debug2-go121.txt");
    const UserCode& u = user_code_of(l->catalog, {});
    CHECK(u.modules() == std::vector<std::string>{"github.com/ledgerwatch/erigon"});
    size_t lib = 0, own = 0;
    for_each_frame(*l, u, [&](std::string_view func, std::string_view file, bool user) {
      CAPTURE(std::string(func));
      CAPTURE(std::string(file));
      if (contains(file, "@v")) {
        CHECK_FALSE(user);
        ++lib;
      }
      if (starts_with(func, "github.com/ledgerwatch/erigon/")) {
        CHECK(user);
        ++own;
      }
      ++frames;
    });
    CHECK(lib > 0);
    CHECK(own > 0);
  }
  SUBCASE("Cortex: gRPC vendored into the repository") {
    auto l = load_public("issue-cortex-672-debug1-84191-quotapool.txt");
    const UserCode& u = user_code_of(l->catalog, {});
    size_t vendored = 0;
    for_each_frame(*l, u, [&](std::string_view func, std::string_view, bool user) {
      if (contains(func, "/vendor/")) {
        CHECK_FALSE(user);
        ++vendored;
      }
      ++frames;
    });
    CHECK(vendored > 0);
  }
  SUBCASE("panicparse: a GOPATH tree holding main") {
    auto l = load_public("panicparse-panicweb-debug2-go114.txt");
    const UserCode& u = user_code_of(l->catalog, {});
    CHECK(u.modules() == std::vector<std::string>{"github.com/maruel/panicparse"});
    for_each_frame(*l, u, [&](std::string_view func, std::string_view, bool user) {
      CAPTURE(std::string(func));
      CHECK(user == (starts_with(func, "main.") || starts_with(func, "github.com/maruel/panicparse/")));
      ++frames;
    });
  }
  SUBCASE("hatchet's goleak report: gRPC in the module cache of an asdf Go") {
    auto l = load_public("issue-hatchet-170-goleak-indented.txt");
    const UserCode& u = user_code_of(l->catalog, {});
    for_each_frame(*l, u, [&](std::string_view func, std::string_view, bool user) {
      CAPTURE(std::string(func));
      CHECK_FALSE(user);  // grpc and the standard library only
      ++frames;
    });
  }
  SUBCASE("Go 1.2 C runtime: stopm, schedule, park0 have no package") {
    auto l = load_public("issue-syncthing-169-go12-sigquit-shell.txt");
    const UserCode& u = user_code_of(l->catalog, {});
    bool saw_stopm = false;
    for_each_frame(*l, u, [&](std::string_view func, std::string_view, bool user) {
      CAPTURE(std::string(func));
      if (func == "stopm") saw_stopm = true;
      if (!contains(func, ".")) CHECK_FALSE(user);
      ++frames;
    });
    CHECK(saw_stopm);
  }
  SUBCASE("etcd's leak check: the test binary's main.main in _testmain.go") {
    auto l = load_public("issue-golang-10457-readloop-leak-etcd-leakcheck.txt");
    const UserCode& u = user_code_of(l->catalog, {});
    CHECK_FALSE(u.anchored());
    bool saw_main = false;
    for_each_frame(*l, u, [&](std::string_view func, std::string_view file, bool user) {
      if (func == "main.main") {
        saw_main = true;
        CHECK(contains(file, "_testmain.go"));
        CHECK_FALSE(user);
      }
      ++frames;
    });
    CHECK(saw_main);
  }
  SUBCASE("a gRPC fragment alone: nothing tells its GOPATH tree from the user's") {
    auto l = load_public("issue-grpc-2902-newclientstream-select-11266min.txt");
    const UserCode& u = user_code_of(l->catalog, {});
    CHECK_FALSE(u.anchored());
    for_each_frame(*l, u, [&](std::string_view func, std::string_view, bool user) {
      if (starts_with(func, "google.golang.org/grpc")) CHECK(user);
      ++frames;
    });
  }
  CHECK(frames > 0);
}

TEST_CASE("snippets: a test binary, a GOPATH library tree, -trimpath") {
  SUBCASE("test binary: _testmain.go is not the user's, the tested package is") {
    auto l = load_text(
        "goroutine 1 [chan receive]:\n"
        "testing.(*T).Run(0xc000007a00, {0x5b2c6e?, 0x4d8f13?}, 0x5c1a88)\n"
        "\t/usr/local/go/src/testing/testing.go:1649 +0x3c8\n"
        "main.main()\n"
        "\t_testmain.go:47 +0x1c6\n"
        "\n"
        "goroutine 7 [chan receive]:\n"
        "example.com/shop/store.(*Cache).watch(0xc0000a4000)\n"
        "\t/home/dev/shop/store/cache.go:40 +0x25\n"
        "created by example.com/shop/store.TestWatch in goroutine 6\n"
        "\t/home/dev/shop/store/cache_test.go:12 +0x45\n");
    const UserCode& u = user_code_of(l->catalog, {});
    CHECK(u.anchored());
    CHECK(u.modules() == std::vector<std::string>{"example.com/shop"});
    CHECK_FALSE(u.is_user("main.main", "_testmain.go"));
    CHECK(u.is_user("example.com/shop/store.(*Cache).watch", "/home/dev/shop/store/cache.go"));
    LeakSiteFinder finder;
    for (const Group& g : l->result.snapshots.at(0).groups) {
      LeakSite site = finder.find(l->catalog, l->catalog.stacks.get(g.stack));
      std::string_view f = l->catalog.str(site.site.func);
      CHECK(f != "main.main");
    }
  }
  SUBCASE("GOPATH: Debian's gocode tree is a library, the program's own tree is not") {
    auto l = load_text(
        "goroutine 1 [select]:\n"
        "grpcleak/client.(*Pool).wait(0xc000010000)\n"
        "\t/tmp/gp/src/grpcleak/client/pool.go:20 +0x25\n"
        "main.main()\n"
        "\t/tmp/gp/src/grpcleak/main.go:30 +0x1c6\n"
        "\n"
        "goroutine 9 [select]:\n"
        "google.golang.org/grpc.newClientStreamWithParams.func4()\n"
        "\t/usr/share/gocode/src/google.golang.org/grpc/stream.go:388 +0xc5\n"
        "created by google.golang.org/grpc.newClientStreamWithParams in goroutine 1\n"
        "\t/usr/share/gocode/src/google.golang.org/grpc/stream.go:387 +0x4a5\n"
        "\n"
        "goroutine 10 [select]:\n"
        "google.golang.org/grpc.(*ClientConn).Invoke(0xc000010000)\n"
        "\t/usr/share/gocode/src/google.golang.org/grpc/call.go:35 +0x25\n"
        "main.callServer(0xc000010000)\n"
        "\t/tmp/gp/src/grpcleak/main.go:50 +0x25\n"
        "created by main.main in goroutine 1\n"
        "\t/tmp/gp/src/grpcleak/main.go:31 +0x1c6\n");
    const UserCode& u = user_code_of(l->catalog, {});
    CHECK(u.modules() == std::vector<std::string>{"grpcleak"});
    CHECK(u.is_user("grpcleak/client.(*Pool).wait", "/tmp/gp/src/grpcleak/client/pool.go"));
    CHECK_FALSE(u.is_user("google.golang.org/grpc.(*ClientConn).Invoke",
                          "/usr/share/gocode/src/google.golang.org/grpc/call.go"));
    // The leak site is the user's function that called grpc; the library
    // frame is where it blocks; grpc's own goroutine has no user frame.
    LeakSiteFinder finder;
    bool caller = false, watcher = false;
    for (const Group& g : l->result.snapshots.at(0).groups) {
      const Stack& st = l->catalog.stacks.get(g.stack);
      LeakSite site = finder.find(l->catalog, st);
      std::string_view f = l->catalog.str(site.site.func);
      if (f == "main.callServer") {
        caller = true;
        CHECK_FALSE(site.in_stdlib);
        CHECK(l->catalog.str(site.library.func) == "google.golang.org/grpc.(*ClientConn).Invoke");
        CHECK_FALSE(site.library_in_stdlib);
        CHECK(site.library_entry_index == 0);
      }
      if (f == "google.golang.org/grpc.newClientStreamWithParams.func4") {
        watcher = true;
        CHECK(site.in_stdlib);  // no user frame: the entry point
        CHECK(site.library_index == 0);
      }
    }
    CHECK(caller);
    CHECK(watcher);
    // --module names exactly its modules: no grpc frame stands in.
    UserCode only = UserCode::infer(l->catalog, {"example.com/other"});
    CHECK_FALSE(only.is_user("google.golang.org/grpc.(*ClientConn).Invoke",
                             "/usr/share/gocode/src/google.golang.org/grpc/call.go"));
    CHECK_FALSE(only.is_user("grpcleak/client.(*Pool).wait", "/tmp/gp/src/grpcleak/client/pool.go"));
    CHECK_FALSE(only.is_user("main.callServer", "/tmp/gp/src/grpcleak/main.go"));  // main is in grpcleak
    UserCode mine = UserCode::infer(l->catalog, {"grpcleak"});
    CHECK(mine.is_user("main.callServer", "/tmp/gp/src/grpcleak/main.go"));
    CHECK(mine.is_user("grpcleak/client.(*Pool).wait", "/tmp/gp/src/grpcleak/client/pool.go"));
  }
  SUBCASE("-trimpath: dependencies carry @version, the main module its import path") {
    auto l = load_text(
        "goroutine 1 [IO wait]:\n"
        "github.com/lib/pq.(*conn).recv1Buf(0xc0001, 0xc0002)\n"
        "\tgithub.com/lib/pq@v1.10.9/conn.go:1000 +0x25\n"
        "example.com/svc/db.(*Store).Get(0xc0003)\n"
        "\texample.com/svc/db/store.go:12 +0x25\n"
        "main.main()\n"
        "\texample.com/svc/cmd/api/main.go:30 +0x1c6\n");
    const UserCode& u = user_code_of(l->catalog, {});
    CHECK(u.modules() == std::vector<std::string>{"example.com/svc"});
    CHECK_FALSE(u.is_user("github.com/lib/pq.(*conn).recv1Buf", "github.com/lib/pq@v1.10.9/conn.go"));
    CHECK(u.is_user("example.com/svc/db.(*Store).Get", "example.com/svc/db/store.go"));
    LeakSite site = LeakSiteFinder().find(
        l->catalog, l->catalog.stacks.get(l->result.snapshots.at(0).groups.at(0).stack));
    CHECK(l->catalog.str(site.site.func) == "example.com/svc/db.(*Store).Get");
    CHECK(l->catalog.str(site.library.func) == "github.com/lib/pq.(*conn).recv1Buf");
  }
}

TEST_CASE("--module: exactly the named modules, with no fallback") {
  auto l = load(corpus_dumps_dir() / "send-leak.go1.22.debug2.txt");
  // A prefix that names nothing in the dump: no frame is the user's but
  // main, which nothing places outside it.
  const UserCode& none = user_code_of(l->catalog, {"example.com/none"});
  for_each_frame(*l, none, [&](std::string_view func, std::string_view, bool user) {
    CAPTURE(std::string(func));
    CHECK(user == starts_with(func, "main."));
  });
  if (!shared_available()) return;
  // TiDB: main's GOPATH path places it in github.com/pingcap/tidb.
  auto t = load_public("tidb-prod-905-debug2-go115.txt");
  const UserCode& grpc = user_code_of(t->catalog, {"google.golang.org/grpc"});
  size_t grpc_frames = 0;
  for_each_frame(*t, grpc, [&](std::string_view func, std::string_view, bool user) {
    CAPTURE(std::string(func));
    CHECK(user == starts_with(func, "google.golang.org/grpc"));
    grpc_frames += user;
  });
  CHECK(grpc_frames > 0);
  const UserCode& tidb = user_code_of(t->catalog, {"github.com/pingcap/tidb"});
  for_each_frame(*t, tidb, [&](std::string_view func, std::string_view, bool user) {
    CAPTURE(std::string(func));
    CHECK(user == (starts_with(func, "github.com/pingcap/tidb") || starts_with(func, "main.")));
  });
}

TEST_CASE("leak site: the user's frame, the stdlib entry it called, none for a channel op") {
  LeakSiteFinder finder;
  auto check_site = [&](const char* dump, std::string_view site_func, std::string_view library) {
    CAPTURE(dump);
    auto l = load(corpus_dumps_dir() / dump);
    bool found = false;
    for (const Group& g : l->result.snapshots.at(0).groups) {
      LeakSite s = finder.find(l->catalog, l->catalog.stacks.get(g.stack));
      if (l->catalog.str(s.site.func) != site_func) continue;
      found = true;
      CHECK_FALSE(s.in_stdlib);
      if (library.empty()) {
        CHECK(s.library_index < 0);
      } else {
        CHECK(l->catalog.str(s.library.func) == library);
        CHECK(s.library_in_stdlib);
      }
    }
    CHECK(found);
  };
  check_site("wg-leak.go1.27.debug2.txt", "main.fanOut.func2", "sync.(*WaitGroup).Wait");
  check_site("wg-leak.go1.19.debug2.txt", "main.fanOut.func2", "sync.(*WaitGroup).Wait");
  check_site("send-leak.go1.22.debug2.txt", "main.fetchFirst.func1", "");
  check_site("sleep-poller.go1.22.debug2.txt", "main.startPoller.func1", "time.Sleep");
}
