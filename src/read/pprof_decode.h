// Reading a pprof profile (profile.proto, after gunzip) as a stream of flat
// records. libprotobuf decodes every message; this boundary turns the
// generated types into the plain structs below and hands them to a visitor
// one at a time, so the profile is never held whole: a 100 MB profile costs
// what the visitor keeps (the parse stage keeps distinct stacks, locations,
// functions and strings), not 100 MB of generated messages.
//
// Order: records arrive in file order. Go writes the period type, then each
// location and function just before the first sample that uses it, and the
// string table last, so a visitor must not resolve string indices before
// finish(); other writers may put any record anywhere.
//
// Views inside a record (spans, string_views) are valid only during the
// call that delivers it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "read/byte_source.h"

namespace gorleak {

struct PprofValueType {
  int64_t type = 0;  // string index
  int64_t unit = 0;  // string index
};

struct PprofLabel {
  int64_t key = 0;  // string index
  int64_t str = 0;  // string index; 0 for a numeric label
  int64_t num = 0;
  int64_t num_unit = 0;  // string index
};

struct PprofSample {
  std::span<const uint64_t> location_ids;  // innermost first
  std::span<const int64_t> values;         // one per sample type
  std::span<const PprofLabel> labels;
};

struct PprofLine {
  uint64_t function_id = 0;
  int64_t line = 0;
};

struct PprofLocation {
  uint64_t id = 0;
  uint64_t mapping_id = 0;
  uint64_t address = 0;
  std::span<const PprofLine> lines;  // innermost (inlined) first
};

struct PprofFunction {
  uint64_t id = 0;
  int64_t name = 0;      // string index
  int64_t filename = 0;  // string index
};

struct PprofMapping {
  uint64_t id = 0;
  int64_t filename = 0;  // string index
  int64_t build_id = 0;  // string index
};

// The scalar fields of Profile, complete once decode_pprof returns.
struct PprofHeader {
  std::vector<PprofValueType> sample_types;
  PprofValueType period_type;
  int64_t period = 0;
  int64_t time_nanos = 0;
  int64_t duration_nanos = 0;
  int64_t default_sample_type = 0;  // string index
  std::vector<int64_t> comments;     // string indices
};

class PprofVisitor {
 public:
  virtual ~PprofVisitor() = default;
  virtual void sample(const PprofSample& s) = 0;
  virtual void location(const PprofLocation& l) = 0;
  virtual void function(const PprofFunction& f) = 0;
  virtual void mapping(const PprofMapping&) {}
  // string_table entry `index` (0-based, in order).
  virtual void string(uint64_t index, std::string_view s) = 0;
};

struct PprofDecodeStats {
  uint64_t bytes = 0;  // decoded (uncompressed) bytes
  uint64_t samples = 0;
  uint64_t locations = 0;
  uint64_t functions = 0;
  uint64_t strings = 0;
};

// Longest string_table entry accepted (function names and paths are far
// shorter; a longer one means a corrupt or hostile profile).
inline constexpr size_t kMaxPprofStringBytes = 1 << 20;

// Decodes the whole profile from `source` (already gunzipped). On a
// malformed profile returns false with *error set to one line naming the
// byte offset and the field at fault ("byte 1234: field 2 (sample): …");
// the visitor may have seen records before the fault and must then be
// discarded by the caller.
bool decode_pprof(ByteSource& source, PprofVisitor& visitor, PprofHeader* header,
                  PprofDecodeStats* stats, std::string* error);

// Whether `head`, the first bytes of an input, starts like a profile.proto
// message: a few well-formed top-level fields with the wire types pprof's
// format gives them. Go writes the period type (field 11) first; other
// writers start with field 1. Used by read/sniff.h on binary input.
bool looks_like_pprof(std::string_view head);

}  // namespace gorleak
