#include "read/sniff.h"

#include "read/pprof_decode.h"

namespace gorleak {

namespace {
bool has(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}
bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
}  // namespace

ContentKind sniff_content(std::string_view head) {
  if (starts(head, "\x1f\x8b")) return ContentKind::kGzip;
  if (starts(head, "\x89PNG") || starts(head, "\xff\xd8\xff") || starts(head, "GIF8"))
    return ContentKind::kImage;
  if (starts(head, "\x7f" "ELF") || starts(head, "MZ") || starts(head, "\xcf\xfa\xed\xfe"))
    return ContentKind::kExecutable;
  // A profile.proto message starts with a field tag: Go writes the period
  // type (field 11, byte 0x5a) first, other writers the sample types
  // (field 1, 0x0a). Checked before the text test: a small profile is
  // mostly its string table, which is text.
  if (!head.empty() && looks_like_pprof(head)) return ContentKind::kPprofProto;
  size_t control = 0, blank = 0;
  for (unsigned char c : head) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') ++blank;
    else if (c < 0x20 || c == 0x7f) ++control;
  }
  if (blank == head.size()) return ContentKind::kEmpty;
  // A few stray control bytes are paste damage; many mean binary data.
  if (control * 20 > head.size()) return ContentKind::kBinary;
  return ContentKind::kText;
}

std::string_view describe_non_dump_text(std::string_view head) {
  if (has(head, "flat%") && has(head, "cum%"))
    return "this is `go tool pprof -top` output, a summary without stacks; fetch "
           "/debug/pprof/goroutine?debug=2 (or debug=1) instead";
  if (has(head, "Full thread dump") || has(head, "java.lang.Thread.State"))
    return "this is a Java thread dump, not a Go goroutine dump";
  if (has(head, "WARNING: DATA RACE"))
    return "this is a Go race detector report, not a goroutine dump";
  if (has(head, "Thread ") && has(head, "#0 ") && has(head, " in "))
    return "this looks like a gdb backtrace, not a Go goroutine dump";
  return {};
}

std::string_view explain_content(ContentKind kind) {
  switch (kind) {
    case ContentKind::kEmpty: return "empty input: no goroutine dump here";
    case ContentKind::kGzip: return "gzip data";
    case ContentKind::kPprofProto: return "pprof profile (protobuf)";
    case ContentKind::kImage: return "an image file, not a goroutine dump";
    case ContentKind::kExecutable: return "an executable binary, not a goroutine dump";
    case ContentKind::kBinary: return "binary data, not a goroutine dump";
    case ContentKind::kText: return "text";
  }
  return "";
}

}  // namespace gorleak
