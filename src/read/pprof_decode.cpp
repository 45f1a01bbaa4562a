#include "read/pprof_decode.h"

#include <algorithm>
#include <climits>
#include <optional>

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/wire_format_lite.h>

#include "profile.pb.h"

namespace gorleak {

namespace {

using google::protobuf::UnknownField;
using google::protobuf::io::CodedInputStream;
using google::protobuf::internal::WireFormatLite;

// A ByteSource as libprotobuf's input stream: its windows are handed to
// CodedInputStream in place (a mapped file is never copied), and BackUp
// returns the unread tail of the current window.
class SourceStream : public google::protobuf::io::ZeroCopyInputStream {
 public:
  explicit SourceStream(ByteSource& source) : source_(source) {}

  bool Next(const void** data, int* size) override {
    if (off_ == len_ && !refill()) return false;
    // CodedInputStream counts in int: serve a huge window in pieces.
    size_t chunk = std::min<size_t>(len_ - off_, size_t{1} << 30);
    *data = buf_ + off_;
    *size = static_cast<int>(chunk);
    off_ += chunk;
    position_ += static_cast<int64_t>(chunk);
    return true;
  }
  void BackUp(int count) override {
    off_ -= static_cast<size_t>(count);
    position_ -= count;
  }
  bool Skip(int count) override {
    while (count > 0) {
      if (off_ == len_ && !refill()) return false;
      size_t take = std::min<size_t>(len_ - off_, static_cast<size_t>(count));
      off_ += take;
      position_ += static_cast<int64_t>(take);
      count -= static_cast<int>(take);
    }
    return true;
  }
  int64_t ByteCount() const override { return position_; }

  // The source failed (a truncated gzip stream, a read error), as opposed
  // to ending: then `error()` says why.
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }

 private:
  bool refill() {
    const char* p = nullptr;
    long n = source_.next_window(&p, &error_);
    if (n <= 0) {
      failed_ = n < 0;
      return false;
    }
    buf_ = p;
    len_ = static_cast<size_t>(n);
    off_ = 0;
    return true;
  }

  ByteSource& source_;
  const char* buf_ = nullptr;
  size_t len_ = 0;
  size_t off_ = 0;
  int64_t position_ = 0;
  bool failed_ = false;
  std::string error_;
};

std::string_view wire_name(int wire_type) {
  switch (wire_type) {
    case WireFormatLite::WIRETYPE_VARINT: return "varint";
    case WireFormatLite::WIRETYPE_FIXED64: return "fixed64";
    case WireFormatLite::WIRETYPE_LENGTH_DELIMITED: return "length-delimited";
    case WireFormatLite::WIRETYPE_START_GROUP: return "start-group";
    case WireFormatLite::WIRETYPE_END_GROUP: return "end-group";
    case WireFormatLite::WIRETYPE_FIXED32: return "fixed32";
  }
  return "invalid";
}

std::string_view unknown_wire_name(UnknownField::Type t) {
  switch (t) {
    case UnknownField::TYPE_VARINT: return "varint";
    case UnknownField::TYPE_FIXED32: return "fixed32";
    case UnknownField::TYPE_FIXED64: return "fixed64";
    case UnknownField::TYPE_LENGTH_DELIMITED: return "length-delimited";
    case UnknownField::TYPE_GROUP: return "group";
  }
  return "invalid";
}

// Top-level fields of Profile: name and wire type, from the generated
// descriptor so that profile.proto stays the one place they are written.
struct TopField {
  const google::protobuf::FieldDescriptor* fd = nullptr;
  bool packable = false;  // repeated scalar: varint or packed
};

// Looked up once: a descriptor lookup per field of a million samples shows.
TopField top_field(int number) {
  static const std::vector<TopField> table = [] {
    std::vector<TopField> t(32);
    for (int n = 0; n < 32; ++n) {
      t[n].fd = pb::Profile::descriptor()->FindFieldByNumber(n);
      t[n].packable = t[n].fd && t[n].fd->is_repeated() &&
                      t[n].fd->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
                      t[n].fd->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING;
    }
    return t;
  }();
  return number >= 0 && number < 32 ? table[static_cast<size_t>(number)] : TopField{};
}

int expected_wire(const TopField& t) {
  using FD = google::protobuf::FieldDescriptor;
  if (t.fd->cpp_type() == FD::CPPTYPE_MESSAGE || t.fd->cpp_type() == FD::CPPTYPE_STRING)
    return WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
  return WireFormatLite::WIRETYPE_VARINT;
}

// proto3 keeps fields it could not place as unknown fields; a known field
// number among them means that field arrived with the wrong wire type,
// which libprotobuf tolerates and pprof's format does not.
template <class M>
std::string misplaced_field(const M& m) {
  // The reflection object is looked up once per message type: per message
  // its lookup shows in the profile of a million samples.
  static const google::protobuf::Reflection* reflection = M::GetReflection();
  const auto& unknown = reflection->GetUnknownFields(m);
  if (unknown.empty()) return {};
  for (int i = 0; i < unknown.field_count(); ++i) {
    const UnknownField& u = unknown.field(i);
    const auto* fd = m.GetDescriptor()->FindFieldByNumber(u.number());
    if (!fd) continue;
    bool is_message = fd->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE;
    return fmt::format("{}.{} (field {}) has wire type {}, expected {}", m.GetDescriptor()->name(),
                       fd->name(), u.number(), unknown_wire_name(u.type()),
                       is_message ? "length-delimited" : fd->is_repeated() ? "varint or packed" : "varint");
  }
  return {};
}

class Decoder {
 public:
  Decoder(ByteSource& source, PprofVisitor& visitor, PprofHeader* header, PprofDecodeStats* stats)
      : stream_(source), visitor_(visitor), header_(*header), stats_(*stats) {}

  bool run(std::string* error) {
    open();
    for (;;) {
      // CodedInputStream counts positions in int: start a fresh one (it
      // backs its unread buffer up into the stream) every GiB.
      if (in_->CurrentPosition() > (1 << 30)) open();
      field_at_ = position();
      uint32_t tag = in_->ReadTag();
      if (tag == 0) {
        if (in_->ConsumedEntireMessage() && !stream_.failed()) break;
        return fail(error, "invalid field tag");
      }
      if (!field(tag, error)) return false;
    }
    stats_.bytes = static_cast<uint64_t>(position());
    return true;
  }

 private:
  void open() {
    if (in_) base_ += in_->CurrentPosition();
    in_.reset();
    in_.emplace(&stream_);
    in_->SetTotalBytesLimit(INT_MAX);
  }
  int64_t position() const { return base_ + in_->CurrentPosition(); }

  // One line: "byte N: field F (name): what". A failing source (truncated
  // gzip) is the real cause whatever the decoder was doing.
  bool fail(std::string* error, std::string_view what) {
    if (stream_.failed()) {
      *error = stream_.error();
      return false;
    }
    *error = current_ == nullptr
                 ? fmt::format("byte {}: {}", field_at_, what)
                 : fmt::format("byte {}: field {} ({}): {}", field_at_, current_->number(), current_->name(), what);
    return false;
  }

  template <class M>
  bool read_message(M* m, std::string* error) {
    uint32_t len = 0;
    if (!in_->ReadVarint32(&len)) return fail(error, "cut short in the message length");
    if (len > static_cast<uint32_t>(INT_MAX)) return fail(error, "message length out of range");
    auto limit = in_->PushLimit(static_cast<int>(len));
    m->Clear();
    bool ok = m->MergePartialFromCodedStream(&*in_) && in_->ConsumedEntireMessage();
    bool whole = in_->BytesUntilLimit() == 0;
    in_->PopLimit(limit);
    if (!ok || !whole)
      return fail(error, fmt::format("malformed {} message of {} bytes", M::descriptor()->name(), len));
    std::string misplaced = misplaced_field(*m);
    if (!misplaced.empty()) return fail(error, misplaced);
    return true;
  }

  bool read_varint(int64_t* out, std::string* error) {
    uint64_t v = 0;
    if (!in_->ReadVarint64(&v)) return fail(error, "cut short in a varint");
    *out = static_cast<int64_t>(v);
    return true;
  }

  bool field(uint32_t tag, std::string* error) {
    int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    int wire = WireFormatLite::GetTagWireType(tag);
    TopField tf = top_field(number);
    current_ = nullptr;
    if (!tf.fd) {
      // A field this format does not define (a newer pprof): skip it.
      if (!WireFormatLite::SkipField(&*in_, tag)) return fail(error, fmt::format("field {}: cut short", number));
      return true;
    }
    current_ = tf.fd;
    bool packed = tf.packable && wire == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if (wire != expected_wire(tf) && !packed)
      return fail(error, fmt::format("wire type {}, expected {}", wire_name(wire),
                                     wire_name(expected_wire(tf))));
    switch (number) {
      case pb::Profile::kSampleTypeFieldNumber:
      case pb::Profile::kPeriodTypeFieldNumber: {
        if (!read_message(&value_type_, error)) return false;
        PprofValueType vt{value_type_.type(), value_type_.unit()};
        if (number == pb::Profile::kPeriodTypeFieldNumber) header_.period_type = vt;
        else header_.sample_types.push_back(vt);
        return true;
      }
      case pb::Profile::kSampleFieldNumber: return sample(error);
      case pb::Profile::kMappingFieldNumber: {
        if (!read_message(&mapping_, error)) return false;
        visitor_.mapping(PprofMapping{mapping_.id(), mapping_.filename(), mapping_.build_id()});
        return true;
      }
      case pb::Profile::kLocationFieldNumber: return location(error);
      case pb::Profile::kFunctionFieldNumber: {
        if (!read_message(&function_, error)) return false;
        ++stats_.functions;
        visitor_.function(PprofFunction{function_.id(), function_.name(), function_.filename()});
        return true;
      }
      case pb::Profile::kStringTableFieldNumber: return string(error);
      case pb::Profile::kCommentFieldNumber: {
        bool ok = packed ? WireFormatLite::ReadPackedPrimitive<int64_t, WireFormatLite::TYPE_INT64>(
                               &*in_, &comments_)
                         : WireFormatLite::ReadPrimitive<int64_t, WireFormatLite::TYPE_INT64>(
                               &*in_, &scratch_);
        if (!ok) return fail(error, "cut short");
        if (packed) {
          header_.comments.insert(header_.comments.end(), comments_.begin(), comments_.end());
          comments_.Clear();
        } else {
          header_.comments.push_back(scratch_);
        }
        return true;
      }
      case pb::Profile::kDropFramesFieldNumber:
      case pb::Profile::kKeepFramesFieldNumber:
      case pb::Profile::kDocUrlFieldNumber: return read_varint(&scratch_, error);
      case pb::Profile::kTimeNanosFieldNumber: return read_varint(&header_.time_nanos, error);
      case pb::Profile::kDurationNanosFieldNumber: return read_varint(&header_.duration_nanos, error);
      case pb::Profile::kPeriodFieldNumber: return read_varint(&header_.period, error);
      case pb::Profile::kDefaultSampleTypeFieldNumber:
        return read_varint(&header_.default_sample_type, error);
    }
    return fail(error, "not handled");  // a field added to profile.proto but not here
  }

  bool sample(std::string* error) {
    if (!read_message(&sample_, error)) return false;
    labels_.clear();
    for (const pb::Label& l : sample_.label())
      labels_.push_back(PprofLabel{l.key(), l.str(), l.num(), l.num_unit()});
    ++stats_.samples;
    PprofSample s;
    s.location_ids = {sample_.location_id().data(), static_cast<size_t>(sample_.location_id_size())};
    s.values = {sample_.value().data(), static_cast<size_t>(sample_.value_size())};
    s.labels = labels_;
    visitor_.sample(s);
    return true;
  }

  bool location(std::string* error) {
    if (!read_message(&location_, error)) return false;
    lines_.clear();
    for (const pb::Line& l : location_.line()) lines_.push_back(PprofLine{l.function_id(), l.line()});
    ++stats_.locations;
    visitor_.location(PprofLocation{location_.id(), location_.mapping_id(), location_.address(), lines_});
    return true;
  }

  bool string(std::string* error) {
    uint32_t len = 0;
    if (!in_->ReadVarint32(&len)) return fail(error, "cut short in a string length");
    if (len > kMaxPprofStringBytes)
      return fail(error, fmt::format("string table entry {} is {} bytes long, more than the {} "
                                     "bytes any name needs",
                                     stats_.strings, len, kMaxPprofStringBytes));
    if (!in_->ReadString(&text_, static_cast<int>(len))) return fail(error, "cut short in a string");
    visitor_.string(stats_.strings++, text_);
    return true;
  }

  SourceStream stream_;
  std::optional<CodedInputStream> in_;
  int64_t base_ = 0;
  int64_t field_at_ = 0;
  const google::protobuf::FieldDescriptor* current_ = nullptr;  // the field being read
  PprofVisitor& visitor_;
  PprofHeader& header_;
  PprofDecodeStats& stats_;
  // One of each message, reused: Clear() keeps their buffers.
  pb::Sample sample_;
  pb::Location location_;
  pb::Function function_;
  pb::Mapping mapping_;
  pb::ValueType value_type_;
  google::protobuf::RepeatedField<int64_t> comments_;
  int64_t scratch_ = 0;
  std::string text_;
  std::vector<PprofLabel> labels_;
  std::vector<PprofLine> lines_;
};

}  // namespace

bool decode_pprof(ByteSource& source, PprofVisitor& visitor, PprofHeader* header,
                  PprofDecodeStats* stats, std::string* error) {
  *header = PprofHeader{};
  *stats = PprofDecodeStats{};
  Decoder d(source, visitor, header, stats);
  return d.run(error);
}

bool looks_like_pprof(std::string_view head) {
  google::protobuf::io::ArrayInputStream stream(head.data(), static_cast<int>(std::min<size_t>(head.size(), INT_MAX)));
  CodedInputStream in(&stream);
  int complete = 0;
  for (int i = 0; i < 8; ++i) {
    uint32_t tag = in.ReadTag();
    if (tag == 0) return complete > 0 && in.ConsumedEntireMessage();
    int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    int wire = WireFormatLite::GetTagWireType(tag);
    TopField tf = top_field(number);
    if (!tf.fd) return false;
    bool packed = tf.packable && wire == WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if (wire != expected_wire(tf) && !packed) return false;
    if (wire == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t v;
      if (!in.ReadVarint64(&v)) return complete > 0;
      ++complete;
      continue;
    }
    uint32_t len = 0;
    if (!in.ReadVarint32(&len)) return complete > 0;
    // A field running past the head: fine if the fields before it were.
    if (len > head.size() - static_cast<size_t>(in.CurrentPosition())) return complete > 0;
    if (number == pb::Profile::kSampleTypeFieldNumber || number == pb::Profile::kPeriodTypeFieldNumber) {
      // Value types are two small varints: check that they really are.
      pb::ValueType vt;
      auto limit = in.PushLimit(static_cast<int>(len));
      bool ok = vt.MergePartialFromCodedStream(&in) && in.ConsumedEntireMessage() &&
                misplaced_field(vt).empty() && pb::ValueType::GetReflection()->GetUnknownFields(vt).empty();
      in.PopLimit(limit);
      if (!ok) return false;
    } else if (!in.Skip(static_cast<int>(len))) {
      return complete > 0;
    }
    ++complete;
  }
  return true;
}

}  // namespace gorleak
