// The two building blocks of every hash in gorleak (strings, stacks, line
// memos): an unaligned 8-byte load and the wyhash "mum" mix, a 64x64->128
// multiply folded back to 64 bits.
#pragma once

#include <cstdint>
#include <cstring>

namespace gorleak {

inline uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t mum(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

}  // namespace gorleak
