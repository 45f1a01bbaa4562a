#include "diff/growth.h"

namespace gorleak {

namespace {

// Go hands out goroutine ids from per-P caches of 16 (runtime.newproc1,
// _GoidCacheBatch), so a goroutine created later can have an id up to
// 16 × GOMAXPROCS below an earlier one's. 256 Ps covers large machines.
constexpr uint64_t kGoidSlack = 16 * 256;

}  // namespace

Growth assess_growth(const std::vector<uint64_t>& c, const GrowthRule& rule,
                     const std::vector<bool>* restart_before) {
  Growth g;
  if (c.size() < 2) return g;
  g.never_shrinks = true;
  for (size_t i = 1; i < c.size(); ++i) {
    if (restart_before && i < restart_before->size() && (*restart_before)[i]) continue;
    if (c[i] < c[i - 1]) g.never_shrinks = false;
    if (c[i] > c[i - 1]) {
      g.rise += c[i] - c[i - 1];
      ++g.rising_steps;
    }
  }
  g.grows = g.never_shrinks && g.rise >= rule.min_growth && g.rise > 0;
  return g;
}

std::vector<bool> detect_restarts(const std::vector<const Snapshot*>& dumps) {
  std::vector<bool> out(dumps.size(), false);
  for (size_t i = 1; i < dumps.size(); ++i) {
    // Only pprof fetches carry a goroutine newer than the dump before (the
    // one serving the request); a crash dump or runtime.Stack output may not.
    auto fetched = [](const Snapshot& s) {
      return s.form == Form::kDebug2 || s.form == Form::kGoroutineLeak;
    };
    const Snapshot &a = *dumps[i - 1], &b = *dumps[i];
    out[i] = fetched(a) && fetched(b) && a.max_goroutine_id != 0 && b.max_goroutine_id != 0 &&
             b.max_goroutine_id + kGoidSlack < a.max_goroutine_id &&
             b.max_goroutine_id < a.max_goroutine_id / 2;
  }
  return out;
}

}  // namespace gorleak
