// Byte counts for people: "25.6 MiB", "512 KiB", "4 B". Binary units, one
// decimal, negative values for shrinking growth ("-3.0 MiB").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gorleak {

std::string format_bytes(int64_t bytes);
// With a sign always: "+25.6 MiB", "-512 KiB", "+0 B".
std::string format_bytes_delta(int64_t bytes);

// Reads what people write for sizes in options and rule files: 1048576,
// 512KiB, 1MiB, 2GiB (an optional space before the unit; B for bytes).
// False on anything else or on a size past 2^62.
bool parse_byte_count(std::string_view s, int64_t* out);

}  // namespace gorleak
