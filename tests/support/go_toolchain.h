// Finding a Go toolchain for the tests that need one (end to end, `go tool
// pprof` agreement): GORLEAK_GO when set, else `go` on PATH, else the newest
// /opt/go/go-V/usr/lib/go-V/bin/go. Tests skip cleanly when there is none.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace gorleak::test {

std::optional<std::filesystem::path> find_go();
// find_go, or a MESSAGE saying `what` is skipped for want of a toolchain.
std::optional<std::filesystem::path> find_go_or_skip(const char* what);

// `'s'` with embedded quotes escaped, for /bin/sh command lines.
std::string shell_quote(const std::string& s);

// Runs a /bin/sh command line with stdout+stderr into *output (through
// `log`, a scratch file); returns the exit code (128+signal when killed).
int run_shell(const std::string& cmd, const std::filesystem::path& log, std::string* output);

}  // namespace gorleak::test
