#include "report/report_output.h"

namespace gorleak {

void ReportOutput::flush() {
  if (sink_ == nullptr || out_->empty()) return;
  if (std::fwrite(out_->data(), 1, out_->size(), sink_) != out_->size()) failed_ = true;
  out_->clear();
}

}  // namespace gorleak
