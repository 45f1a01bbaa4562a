#include "parse/log_prefix.h"

namespace gorleak {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Fixed-layout digits: "dddd-dd-ddTdd:dd:dd".
size_t iso_datetime(std::string_view s) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < kShape.size()) return 0;
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !digit(s[i]) : s[i] != kShape[i]) return 0;
  }
  size_t i = kShape.size();
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    while (i < s.size() && digit(s[i])) ++i;
  }
  if (i < s.size() && s[i] == 'Z') return i + 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    size_t j = i + 1;
    while (j < s.size() && (digit(s[j]) || s[j] == ':')) ++j;
    if (j - i >= 3) return j;
  }
  return 0;
}

size_t cri(std::string_view s) {
  size_t n = iso_datetime(s);
  if (n == 0) return 0;
  std::string_view rest = s.substr(n);
  for (std::string_view stream : {std::string_view(" stdout "), std::string_view(" stderr ")}) {
    if (rest.substr(0, stream.size()) == stream && rest.size() >= stream.size() + 2 &&
        (rest[stream.size()] == 'F' || rest[stream.size()] == 'P')) {
      size_t len = n + stream.size() + 1;
      return len < s.size() && s[len] == ' ' ? len + 1 : len;
    }
  }
  return 0;
}

size_t timestamp(std::string_view s) {
  size_t n = iso_datetime(s);
  if (n == 0) return 0;
  if (n == s.size()) return n;  // an empty line with its timestamp
  return s[n] == ' ' ? n + 1 : 0;
}

size_t jenkins(std::string_view s) {
  if (s.empty() || s[0] != '[') return 0;
  size_t n = iso_datetime(s.substr(1));
  if (n == 0 || 1 + n >= s.size() || s[1 + n] != ']') return 0;
  size_t len = n + 2;
  return len < s.size() && s[len] == ' ' ? len + 1 : len;
}

// "Mon dd hh:mm:ss host prog[pid]: " (the day may be space-padded).
size_t journald(std::string_view s) {
  if (s.size() < 16) return 0;
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  if (!upper(s[0]) || !lower(s[1]) || !lower(s[2]) || s[3] != ' ') return 0;
  size_t i = 4;
  if (s[i] == ' ') ++i;
  while (i < s.size() && digit(s[i])) ++i;
  static constexpr std::string_view kClock = " dd:dd:dd ";
  if (s.size() < i + kClock.size()) return 0;
  for (size_t k = 0; k < kClock.size(); ++k)
    if (kClock[k] == 'd' ? !digit(s[i + k]) : s[i + k] != kClock[k]) return 0;
  i += kClock.size();
  size_t host_end = s.find(' ', i);
  if (host_end == std::string_view::npos || host_end == i) return 0;
  size_t colon = s.find(": ", host_end + 1);
  size_t colon_end = s.find(':', host_end + 1);
  if (colon_end == std::string_view::npos) return 0;
  std::string_view prog = s.substr(host_end + 1, colon_end - host_end - 1);
  if (prog.empty() || prog.find(' ') != std::string_view::npos) return 0;
  if (colon == colon_end) return colon + 2;
  return colon_end + 1 == s.size() ? colon_end + 1 : 0;
}

size_t kubectl(std::string_view s) {
  if (s.substr(0, 5) != "[pod/") return 0;
  size_t close = s.find("] ");
  if (close == std::string_view::npos) return 0;
  return close + 2;
}

}  // namespace

size_t prefix_length(LogPrefix kind, std::string_view line) {
  switch (kind) {
    case LogPrefix::kNone: return 0;
    case LogPrefix::kCri: return cri(line);
    case LogPrefix::kTimestamp: return timestamp(line);
    case LogPrefix::kJenkins: return jenkins(line);
    case LogPrefix::kJournald: return journald(line);
    case LogPrefix::kKubectl: return kubectl(line);
  }
  return 0;
}

LogPrefix detect_prefix(std::string_view line, size_t* length) {
  for (LogPrefix k : {LogPrefix::kCri, LogPrefix::kJenkins, LogPrefix::kTimestamp,
                      LogPrefix::kKubectl, LogPrefix::kJournald}) {
    size_t n = prefix_length(k, line);
    if (n > 0) {
      *length = n;
      return k;
    }
  }
  *length = 0;
  return LogPrefix::kNone;
}

std::string_view prefix_name(LogPrefix kind) {
  switch (kind) {
    case LogPrefix::kNone: return "none";
    case LogPrefix::kCri: return "CRI container log";
    case LogPrefix::kTimestamp: return "timestamp";
    case LogPrefix::kJenkins: return "Jenkins timestamp";
    case LogPrefix::kJournald: return "journald";
    case LogPrefix::kKubectl: return "kubectl --prefix";
  }
  return "none";
}

}  // namespace gorleak
