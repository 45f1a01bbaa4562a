#include "report_support.h"

#include <stdexcept>

#include "classify/classifier.h"
#include "report/format.h"
#include "report/group_filter.h"

namespace gorleak::test {

void classify_loaded(Loaded& l, const std::vector<std::string>& source_roots) {
  SourceLookup source(source_roots);
  ClassifyOptions options;
  options.source = &source;
  Classifier classifier(l.catalog, builtin_rule_set(), options);
  for (Snapshot& s : l.result.snapshots) classifier.classify(s);
}

std::string render(const Loaded& l, std::string_view format, const ReportOptions& options) {
  const Format* f = find_format(format);
  if (f == nullptr || !f->supports(FormatUse::kAnalyze))
    throw std::runtime_error("no analyze format " + std::string(format));
  GroupFilter filter;
  std::string error;
  if (!filter.init(options, &error)) throw std::runtime_error(error);
  ReportContext context;
  for (const Rule& r : builtin_rule_set().rules())
    context.rules.push_back(
        RuleInfo{r.id, r.title, r.description, r.fix, r.severity, r.origin.file, true});
  std::string out;
  ReportOutput output(&out);
  write_report(*f, l.result.snapshots, l.catalog, options, filter, output, &context);
  return out;
}

}  // namespace gorleak::test
