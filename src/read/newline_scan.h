// Finds the '\n' bytes of a buffer 64 at a time: one bit mask per 64-byte
// block, then one bit scan per line. Dump lines average some 70 bytes, so a
// memchr call per line spent more on the call than on the search.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gorleak {

class NewlineScan {
 public:
  static constexpr size_t kNone = ~size_t{0};

  // Scans buf[from, to).
  NewlineScan(const char* buf, size_t from, size_t to) : buf_(buf), block_(from), end_(to) {
    load();
  }

  // Offset of the next '\n', or kNone when there is no more.
  size_t next() {
    while (mask_ == 0) {
      block_ += 64;
      if (block_ >= end_) return kNone;
      load();
    }
    size_t at = block_ + static_cast<size_t>(__builtin_ctzll(mask_));
    mask_ &= mask_ - 1;
    return at;
  }

 private:
  void load() {
    size_t n = end_ - block_ < 64 ? end_ - block_ : 64;
    if (n < 64) {
      // The buffer may end anywhere: the last block goes through a copy.
      char tail[64] = {};
      std::memcpy(tail, buf_ + block_, n);
      mask_ = block_mask(tail);
      return;
    }
    mask_ = block_mask(buf_ + block_);
  }

  static uint64_t block_mask(const char* p) {
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    uint64_t m0 = static_cast<uint32_t>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), nl)));
    uint64_t m1 = static_cast<uint32_t>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)), nl)));
    uint64_t m2 = static_cast<uint32_t>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)), nl)));
    uint64_t m3 = static_cast<uint32_t>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)), nl)));
    return m0 | m1 << 16 | m2 << 32 | m3 << 48;
#else
    uint64_t m = 0;
    for (int i = 0; i < 64; ++i) m |= uint64_t{p[i] == '\n'} << i;
    return m;
#endif
  }

  const char* buf_;
  size_t block_;
  size_t end_;
  uint64_t mask_ = 0;
};

}  // namespace gorleak
