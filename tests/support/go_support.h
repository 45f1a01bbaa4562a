// Tests that need a Go toolchain: finding one, running shell commands with a
// bounded time, and the environment Go runs in (TempDir and shell_quote are
// in test_support.h).
// Every such test skips cleanly when no Go is installed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "test_support.h"

namespace gorleak::test {

// GORLEAK_GO, else `go` on PATH, else the newest /opt/go/go-V/usr/lib/go-V/bin/go.
// Nullopt when none (or when GORLEAK_GO names something that is not one).
std::optional<std::filesystem::path> find_go();
// find_go, or a MESSAGE saying `what` is skipped for want of a toolchain.
std::optional<std::filesystem::path> find_go_or_skip(const char* what);

// Single-quoted for sh.
std::string shell_quote(const std::string& s);

// Runs `cmd` with sh, stdout+stderr into `log` and *output; returns the
// exit code (128 + signal when killed). Bound its time with `timeout N` in
// `cmd`.
int run_shell(const std::string& cmd, const std::filesystem::path& log, std::string* output);

// "env GOCACHE=… GOPATH=… GOFLAGS= GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0 "
// with the build cache kept between runs under the system temp directory
// and GOPATH = `gopath` followed by Debian's /usr/share/gocode, in GOPATH
// mode (GO111MODULE=off), so Debian's Go libraries (go.uber.org/goleak…)
// build without a network.
std::string go_env(const std::filesystem::path& gopath);

}  // namespace gorleak::test
