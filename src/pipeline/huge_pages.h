// Transparent huge pages for the process's heap, through glibc's
// `glibc.malloc.hugetlb=1` tunable.
//
// Why: the tables a load builds (groups, stacks, frames, hash slots, the
// rules' per-group views) grow to tens of MiB, and every fresh 4 KiB page
// of them costs a page fault. Where transparent huge pages are set to
// "madvise" (Debian's and Ubuntu's default) the kernel hands out 2 MiB
// pages only to memory that asks for them, and glibc's malloc asks only
// when the tunable is set. On the bench VM a fault cost about 40 µs:
// onestack-300k took 93k faults, distinct-200k 24k, and with the tunable
// 11k and 5k; in interleaved runs they took 14–36% and 6–23% less time,
// at 1–4 MiB more peak RSS (docs/bench.md).
//
// glibc reads its tunables once, before main(), from GLIBC_TUNABLES. So
// the CLI restarts itself once (execv of /proc/self/exe: same pid, same
// arguments and descriptors) with the tunable added, and the restarted
// process puts the user's GLIBC_TUNABLES back, so commands it starts (the
// probe's load command) see the environment the user gave.
//
// A restart costs one more start-up (about 20 ms on the bench VM, mostly
// the dynamic loader), so it is done only when the input may be large: the
// files named on the command line (or a file on standard input) hold at
// least kHugePagesMinInput bytes, or an input's size is not known before
// it is read (a URL, standard input from a pipe or socket: where a dump of
// 100k goroutines usually comes from). Below that size the tables stay
// small and a run took 17 ms longer (d2-20m: 58 → 74 ms); at 256 MiB with
// 10k stacks the restart already paid for itself (265 → 255 ms).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gorleak {

inline constexpr uint64_t kHugePagesMinInput = 64ull << 20;

// Set to 0 to keep the heap on 4 KiB pages (no restart).
inline constexpr const char* kHugePagesEnv = "GORLEAK_HUGE_PAGES";
// What GLIBC_TUNABLES was before the restart: "unset", or "set:" + value.
inline constexpr const char* kTunablesBeforeEnv = "GORLEAK_GLIBC_TUNABLES_BEFORE";

// The GLIBC_TUNABLES value to restart with, or nothing when a restart
// would not help: the user already chose a hugetlb setting, or opted out
// (`GORLEAK_HUGE_PAGES=0`), or the kernel's THP mode (the text of
// /sys/kernel/mm/transparent_hugepage/enabled, empty when unreadable) is
// not "always" or "madvise".
std::optional<std::string> huge_page_tunables(const char* current_tunables,
                                              const char* opt_out, const std::string& thp_mode);

// Whether the input may be large enough for a restart to pay: see above.
// argv[1..] are the arguments ("-" and options skipped; an http:// or
// https:// argument is a URL); `stdin_fd` is standard input.
bool may_be_large_input(char** argv, int stdin_fd);

// In main(), before anything else. Either does not return (the process
// restarted) or returns with the environment as the user gave it. Any
// failure (no /proc, exec refused) leaves the process as it was.
void use_huge_pages(char** argv);

}  // namespace gorleak
