// The legacy text heap profile, /debug/pprof/heap?debug=1:
//
//   heap profile: 51: 282624 [54: 651280] @ heap/1048576
//   1: 4096 [3: 12288] @ 0x489dfa 0x48e1c9 0x5f5b2a
//   #	0x5f5b29	main.fill+0x109	/src/main.go:90
//
//   # runtime.MemStats
//   # Alloc = 2535296
//   …
//
// Records hold sampled counts: `inuse objects: inuse bytes [alloc objects:
// alloc bytes]`. They are scaled exactly as `go tool pprof` scales them
// (pprof's legacy parser): the header's heap/N is twice the sampling rate,
// and each count and size is divided by the chance that an object of the
// record's average size was sampled, 1 - exp(-size/rate). A header whose
// alloc pair equals its inuse pair has no allocation values (pprof's
// two-column profile). Frames come from the `#` lines (Go prints them with
// leading runtime frames hidden, as the protobuf form drops them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/catalog.h"
#include "model/heap_profile.h"
#include "read/byte_source.h"

namespace gorleak {

// Whether `head` starts with a heap profile header.
bool looks_like_heap_text(std::string_view head);

// pprof's scaleHeapSample: the estimated true count and size of a record
// that sampled `count` objects of `size` bytes in total at `rate`.
void scale_heap_sample(int64_t count, int64_t size, int64_t rate, int64_t* out_count,
                       int64_t* out_size);

// Reads the whole profile. False + one-line *error ("line N: …") on a
// profile pprof itself would refuse; nothing is half-filled then.
bool parse_heap_text(ByteSource& source, Catalog& catalog, const std::string& name,
                     HeapProfile* out, std::string* error);

}  // namespace gorleak
