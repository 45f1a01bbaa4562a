#include "parse/line_wrap.h"

#include <string>

#include "parse/line_syntax.h"
#include "parse/noise.h"

namespace gorleak {

namespace {

// A function line whose name could be a real symbol: it does not start
// with '.' and does not end with '.' or '/', which a wrap inside a
// receiver (`pkg.(*T)` + `.Method(…)`) would leave.
bool is_whole_func_line(std::string_view t) {
  FuncLine f;
  if (!parse_func_line(t, &f)) return false;
  char first = f.func.front(), last = f.func.back();
  return first != '.' && last != '.' && last != '/';
}

}  // namespace

bool is_dump_line(std::string_view line) {
  std::string_view t = trim_right(trim_left(line));
  if (t.empty()) return false;
  HeaderLine h;
  ProfileHeader ph;
  CreatedByLine cb;
  FileLine fl;
  Debug1Frame d1;
  int32_t elided = 0;
  uint64_t n = 0;
  return parse_header(t, &h) || parse_goleak_header(t, &h) || parse_profile_header(t, &ph) ||
         crash_start(t) != CrashStart::kNone || parse_created_by(t, &cb) ||
         parse_elision(t, &elided) || parse_ancestor_header(t, &n) ||
         parse_debug1_record(t, &n) || parse_debug1_frame(t, &d1) || is_whole_func_line(t) ||
         parse_file_line(t, &fl);
}

bool continues_wrapped_line(std::string_view held, std::string_view next) {
  if (trim_right(trim_left(next)).empty() || trim_right(trim_left(held)).empty()) return false;
  if (!is_dump_line(held)) return true;
  if (is_dump_line(next)) return false;
  std::string joined(held);
  joined.append(next);
  return is_dump_line(joined);
}

}  // namespace gorleak
