// What kind of file did the user hand us? Decided from the first bytes, so
// a PNG, a binary pprof profile or a Java thread dump gets a precise
// message instead of "0 goroutines".
#pragma once

#include <string_view>

namespace gorleak {

enum class ContentKind : unsigned char {
  kText,
  kEmpty,       // nothing but whitespace
  kGzip,
  kPprofProto,  // profile.proto (/debug/pprof/goroutine, heap… after gunzip): pipeline/load_profile.h
  kImage,
  kExecutable,
  kBinary,      // other non-text data
};

ContentKind sniff_content(std::string_view head);

// For text that held no goroutine dump: a hint naming what it is instead
// ("a Java thread dump", "`go tool pprof -top` output"), or empty.
std::string_view describe_non_dump_text(std::string_view head);

// One-line explanation for the non-text kinds, including what to do.
std::string_view explain_content(ContentKind kind);

}  // namespace gorleak
