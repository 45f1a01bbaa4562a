#include "redact/dump_line.h"

#include "parse/line_syntax.h"
#include "parse/noise.h"

namespace gorleak {

namespace {

// Where `part` lies in `whole`; empty for an empty part (a recogniser may
// return an empty view that points elsewhere).
TextSpan span_of(std::string_view whole, std::string_view part) {
  if (part.empty() || part.data() < whole.data() || part.data() + part.size() > whole.data() + whole.size())
    return {};
  size_t begin = static_cast<size_t>(part.data() - whole.data());
  return {begin, begin + part.size()};
}

// Recognises `body` (the line after its prefix; `whole` is the text the
// spans are relative to). False when the line is none of the kinds.
bool recognise(std::string_view whole, std::string_view body, DumpLine* out) {
  std::string_view t = trim_right(trim_left(body));
  if (t.empty()) return false;
  HeaderLine h;
  if (t[0] == 'g' && parse_header(t, &h)) {
    out->kind = DumpLineKind::kHeader;
    if (!h.labels.empty()) out->labels = span_of(whole, h.labels);
    return true;
  }
  if ((t[0] == 'G' || t[0] == '[') && parse_goleak_header(t, &h)) {
    out->kind = DumpLineKind::kGoleakHeader;
    constexpr std::string_view kWith = ", with ", kTop = " on top of the stack:";
    size_t with = t.rfind(kWith);
    size_t top = t.rfind(kTop);
    if (with != std::string_view::npos && top != std::string_view::npos && top > with)
      out->func = span_of(whole, t.substr(with + kWith.size(), top - with - kWith.size()));
    return true;
  }
  ProfileHeader ph;
  uint64_t count = 0;
  int32_t elided = 0;
  if (parse_profile_header(t, &ph) || parse_debug1_record(t, &count) || parse_elision(t, &elided) ||
      parse_ancestor_header(t, &count) || t.starts_with("goroutine running on other thread")) {
    out->kind = DumpLineKind::kMarker;
    return true;
  }
  std::string_view labels;
  if (parse_debug1_labels(t, &labels)) {
    out->kind = DumpLineKind::kDebug1Labels;
    out->labels = span_of(whole, labels);
    return true;
  }
  Debug1Frame d1;
  if (parse_debug1_frame(t, &d1)) {
    out->kind = DumpLineKind::kDebug1Frame;
    out->func = span_of(whole, d1.func);
    out->file = span_of(whole, d1.file);
    return true;
  }
  CreatedByLine cb;
  if (parse_created_by(t, &cb)) {
    out->kind = DumpLineKind::kCreatedBy;
    out->func = span_of(whole, cb.func);
    return true;
  }
  FileLine fl;
  std::string_view func_part;
  FuncLine joined;
  if (split_joined_frame(t, &func_part, &fl) && parse_func_line(func_part, &joined)) {
    out->kind = DumpLineKind::kJoinedFrame;
    out->func = span_of(whole, joined.func);
    out->args = span_of(whole, joined.args);
    out->file = span_of(whole, fl.file);
    return true;
  }
  // A file line wrapped after its " +" (journald cuts long lines; the parser
  // joins the offset on the next line back, parse/line_wrap.h).
  std::string_view file_text = t.ends_with(" +") ? trim_right(t.substr(0, t.size() - 2)) : t;
  if (parse_file_line(file_text, &fl)) {
    out->kind = DumpLineKind::kFile;
    out->file = span_of(whole, fl.file);
    return true;
  }
  FuncLine fn;
  if (parse_func_line(t, &fn)) {
    out->kind = DumpLineKind::kFunc;
    out->func = span_of(whole, fn.func);
    out->args = span_of(whole, fn.args);
    return true;
  }
  return false;
}

}  // namespace

DumpLine DumpLineReader::read(std::string_view line) {
  // The parser drops a CRLF's '\r'; it stays in the output, past every span.
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (prefix_ == LogPrefix::kNone) {
    // The parser adopts a prefix when what follows it starts a dump.
    size_t n = 0;
    LogPrefix kind = detect_prefix(line, &n);
    std::string_view rest = trim_left(line.substr(n));
    HeaderLine h;
    ProfileHeader ph;
    if (kind != LogPrefix::kNone &&
        (parse_header(rest, &h) || parse_goleak_header(rest, &h) ||
         parse_profile_header(rest, &ph) || crash_start(rest) != CrashStart::kNone))
      prefix_ = kind;
  }
  DumpLine out;
  if (prefix_ != LogPrefix::kNone) out.prefix = prefix_length(prefix_, line);
  std::string_view body = line.substr(out.prefix);
  // `file.go:[12](https://…)`, `f(0xc0[00](https://…))`: GitHub's links,
  // which name the repository; the parser reads the line without them.
  std::string stripped;
  if (body.find("](") != std::string_view::npos && strip_markdown_links(body, &stripped)) {
    DumpLine plain;
    plain.prefix = out.prefix;
    plain.unlinked = std::string(line.substr(0, out.prefix)) + stripped;
    plain.linked = true;
    // Spans are offsets: they survive the string's move on return.
    if (recognise(plain.unlinked, std::string_view(plain.unlinked).substr(plain.prefix), &plain))
      return plain;
  }
  recognise(line, body, &out);
  return out;
}

}  // namespace gorleak
