#include "classify/source_lookup.h"

#include <filesystem>
#include <fstream>

namespace gorleak {

namespace {

// Source files beyond this are generated code or not Go at all.
constexpr uintmax_t kMaxSourceBytes = 16u << 20;

std::vector<std::string_view> path_parts(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find_first_of("/\\", i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) parts.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

}  // namespace

SourceLookup::SourceLookup(std::vector<std::string> roots) : roots_(std::move(roots)) {}

std::string SourceLookup::resolve(std::string_view dump_path) {
  Located at;
  if (!locate(dump_path, &at)) return {};
  return (std::filesystem::path(roots_[at.root]) / at.relative).string();
}

bool SourceLookup::locate(std::string_view dump_path, Located* out) const {
  if (roots_.empty() || dump_path.empty()) return false;
  auto parts = path_parts(dump_path);
  // Longest trailing part first, so app/internal/x/y.go beats internal/x/y.go
  // beats y.go; roots in the order given break ties.
  for (size_t start = 0; start < parts.size(); ++start) {
    std::filesystem::path rel;
    for (size_t k = start; k < parts.size(); ++k) {
      if (parts[k] == ".." || parts[k] == ".") continue;  // never climb out of a root
      rel /= std::string(parts[k]);
    }
    if (rel.empty()) continue;
    for (size_t r = 0; r < roots_.size(); ++r) {
      std::error_code ec;
      std::filesystem::path candidate = std::filesystem::path(roots_[r]) / rel;
      if (std::filesystem::is_regular_file(candidate, ec)) {
        out->root = r;
        out->relative = rel.generic_string();
        return true;
      }
    }
  }
  return false;
}

SourceLookup::File& SourceLookup::file(std::string_view dump_path) {
  auto& slot = cache_[std::string(dump_path)];
  if (slot) return *slot;
  slot = std::make_unique<File>();
  File& f = *slot;
  f.loaded = true;
  f.path = resolve(dump_path);
  if (f.path.empty()) return f;
  std::error_code ec;
  if (std::filesystem::file_size(f.path, ec) > kMaxSourceBytes || ec) {
    f.path.clear();
    return f;
  }
  std::ifstream in(f.path, std::ios::binary);
  f.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::string_view t(f.text);
  size_t i = 0;
  while (i < t.size()) {
    size_t j = t.find('\n', i);
    if (j == std::string_view::npos) j = t.size();
    std::string_view line = t.substr(i, j - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f.lines.push_back(line);
    i = j + 1;
  }
  return f;
}

bool SourceLookup::window(std::string_view dump_path, uint32_t line, uint32_t before,
                          uint32_t after, SourceWindow* out) {
  File& f = file(dump_path);
  if (f.path.empty() || line == 0 || line > f.lines.size()) return false;
  uint32_t first = line > before ? line - before : 1;
  uint32_t last = std::min<uint64_t>(f.lines.size(), uint64_t{line} + after);
  out->path = f.path;
  out->first_line = first;
  out->lines.assign(f.lines.begin() + (first - 1), f.lines.begin() + last);
  return true;
}

}  // namespace gorleak
