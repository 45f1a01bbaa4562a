// gorleak-gen-pprof: writes a large synthetic heap profile in Go's layout
// (period type first, each location and function before the first sample
// that uses it, the string table last) for the heap benchmark. A real
// service's profile has a few thousand stacks; this one has --stacks
// distinct stacks of --depth frames over --funcs functions, and repeats
// them with varying values until the file reaches --bytes, so that the
// decoder's memory can be shown to follow the distinct stacks, not the
// file size. Written with libprotobuf (the generated types of
// src/read/profile.proto), gzipped with --gzip as Go writes it.
//
//   gorleak-gen-pprof OUT [--bytes 100M] [--stacks 10000] [--depth 24]
//                         [--funcs 4000] [--gzip]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/gzip_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/wire_format_lite.h>

#include "profile.pb.h"

namespace {

using google::protobuf::io::CodedOutputStream;
using google::protobuf::internal::WireFormatLite;

uint64_t parse_size(const char* s) {
  char* end = nullptr;
  uint64_t v = std::strtoull(s, &end, 10);
  if (*end == 'K' || *end == 'k') v <<= 10;
  else if (*end == 'M' || *end == 'm') v <<= 20;
  else if (*end == 'G' || *end == 'g') v <<= 30;
  return v;
}

// xorshift: deterministic, so every run writes the same profile.
struct Rng {
  uint64_t s = 0x9e3779b97f4a7c15ULL;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gorleak-gen-pprof OUT [--bytes 100M] [--stacks N] [--depth N] "
                         "[--funcs N] [--gzip]\n");
    return 2;
  }
  std::string out = argv[1];
  uint64_t target = 100u << 20;
  uint32_t stacks = 10000, depth = 24, funcs = 4000;
  bool gzip = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--gzip") gzip = true;
    else if (i + 1 < argc && a == "--bytes") target = parse_size(argv[++i]);
    else if (i + 1 < argc && a == "--stacks") stacks = static_cast<uint32_t>(parse_size(argv[++i]));
    else if (i + 1 < argc && a == "--depth") depth = static_cast<uint32_t>(parse_size(argv[++i]));
    else if (i + 1 < argc && a == "--funcs") funcs = static_cast<uint32_t>(parse_size(argv[++i]));
    else {
      std::fprintf(stderr, "gorleak-gen-pprof: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    std::perror(out.c_str());
    return 1;
  }
  {
    google::protobuf::io::FileOutputStream file(fd);
    std::unique_ptr<google::protobuf::io::GzipOutputStream> gz;
    google::protobuf::io::ZeroCopyOutputStream* sink = &file;
    if (gzip) {
      gz = std::make_unique<google::protobuf::io::GzipOutputStream>(&file);
      sink = gz.get();
    }
    CodedOutputStream cos(sink);
    // WriteMessage writes the size the message cached: compute it first.
    auto write = [&](int field, const google::protobuf::MessageLite& m) {
      m.ByteSizeLong();
      WireFormatLite::WriteMessage(field, m, &cos);
    };
    // String table: "", the value types, then one name and one file per function.
    std::vector<std::string> strings = {"", "space", "bytes", "alloc_objects", "count", "alloc_space",
                                        "inuse_objects", "inuse_space"};
    auto value_type = [&](int field, int64_t type, int64_t unit) {
      gorleak::pb::ValueType vt;
      vt.set_type(type);
      vt.set_unit(unit);
      write(field, vt);
    };
    value_type(gorleak::pb::Profile::kPeriodTypeFieldNumber, 1, 2);
    WireFormatLite::WriteInt64(gorleak::pb::Profile::kPeriodFieldNumber, 512 << 10, &cos);
    value_type(gorleak::pb::Profile::kSampleTypeFieldNumber, 3, 4);
    value_type(gorleak::pb::Profile::kSampleTypeFieldNumber, 5, 2);
    value_type(gorleak::pb::Profile::kSampleTypeFieldNumber, 6, 4);
    value_type(gorleak::pb::Profile::kSampleTypeFieldNumber, 7, 2);
    // Functions and locations (one location per function and line, four
    // lines each), up front.
    constexpr uint32_t kLinesPerFunc = 4;
    for (uint32_t f = 0; f < funcs; ++f) {
      gorleak::pb::Function fn;
      fn.set_id(f + 1);
      fn.set_name(static_cast<int64_t>(strings.size()));
      strings.push_back("example.com/service/pkg" + std::to_string(f % 97) + ".(*Handler" +
                        std::to_string(f) + ").Serve");
      fn.set_filename(static_cast<int64_t>(strings.size()));
      strings.push_back("/src/example.com/service/pkg" + std::to_string(f % 97) + "/handler" +
                        std::to_string(f) + ".go");
      write(gorleak::pb::Profile::kFunctionFieldNumber, fn);
      for (uint32_t l = 0; l < kLinesPerFunc; ++l) {
        gorleak::pb::Location loc;
        loc.set_id(f * kLinesPerFunc + l + 1);
        loc.set_address(0x400000 + (f * kLinesPerFunc + l) * 16);
        auto* line = loc.add_line();
        line->set_function_id(f + 1);
        line->set_line(10 + l * 7);
        write(gorleak::pb::Profile::kLocationFieldNumber, loc);
      }
    }
    // The distinct stacks.
    Rng rng;
    std::vector<std::vector<uint64_t>> shapes(stacks);
    for (auto& s : shapes)
      for (uint32_t d = 0; d < depth; ++d) s.push_back(rng.next() % (uint64_t{funcs} * kLinesPerFunc) + 1);
    // Samples until the target size, each with a "bytes" label as Go writes.
    const int64_t bytes_key = static_cast<int64_t>(strings.size());
    strings.push_back("bytes");
    gorleak::pb::Sample sample;
    uint64_t n = 0;
    while (static_cast<uint64_t>(cos.ByteCount()) < target) {
      sample.Clear();
      const auto& shape = shapes[n % stacks];
      for (uint64_t id : shape) sample.add_location_id(id);
      int64_t size = 16 << (rng.next() % 10);
      int64_t objects = static_cast<int64_t>(rng.next() % 1000) + 1;
      sample.add_value(objects * 3);
      sample.add_value(objects * 3 * size);
      sample.add_value(objects);
      sample.add_value(objects * size);
      auto* label = sample.add_label();
      label->set_key(bytes_key);
      label->set_num(size);
      write(gorleak::pb::Profile::kSampleFieldNumber, sample);
      ++n;
    }
    for (const std::string& s : strings) WireFormatLite::WriteString(gorleak::pb::Profile::kStringTableFieldNumber, s, &cos);
    std::fprintf(stderr, "gorleak-gen-pprof: %s: %llu samples over %u stacks, %lld bytes%s\n", out.c_str(),
                 static_cast<unsigned long long>(n), stacks, static_cast<long long>(cos.ByteCount()),
                 gzip ? " before gzip" : "");
  }
  ::close(fd);
  return 0;
}
