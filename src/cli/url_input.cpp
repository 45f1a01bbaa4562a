#include "cli/url_input.h"

#include "cli/progress_line.h"

namespace gorleak::cli {

InputLoad load_input(Catalog& catalog, const std::string& input, const LoadOptions& load,
                     const FetchDumpOptions& fetch) {
  InputLoad out;
  if (!looks_like_url(input)) {
    out.name = input;
    out.result = load_dump_file(catalog, input, load);
    return out;
  }
  out.name = mask_url(input);
  ProgressLine progress("fetching " + out.name);
  LoadOptions opts = load;
  if (progress.enabled())
    opts.progress = [&progress](uint64_t bytes, uint64_t goroutines) {
      progress.update(bytes, goroutines);
    };
  FetchedDump f = fetch_dump(catalog, input, opts, fetch);
  out.name = f.shown;
  out.fetch_failed = f.failed;
  out.result = std::move(f.load);
  return out;
}

}  // namespace gorleak::cli
