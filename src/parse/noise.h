// Text that surrounds dumps and is known not to be part of a goroutine
// block: register dumps, test-runner chatter, signal lines. Known noise is
// consumed silently; anything else unplaceable is counted as skipped.
#pragma once

#include <string_view>

namespace gorleak {

bool is_known_noise(std::string_view trimmed);

// Lines that start a crash snapshot and carry its cause.
enum class CrashStart : unsigned char { kNone, kPanic, kFatal, kSignal, kGoleak };
CrashStart crash_start(std::string_view trimmed);

}  // namespace gorleak
