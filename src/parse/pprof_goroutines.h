// A goroutine (or goroutineleak) profile in protobuf form, read as a dump of
// its own form (Form::kProto): one goroutine record per sample, with the
// sample's count, stack and labels, and no ids, `created by` lines or
// states, exactly what the debug=1 text of the same moment holds. Go writes
// both forms from the same records (runtime/pprof printCountProfile), so
// the groups, counts and labels come out the same as debug=1's.
#pragma once

#include <string>

#include "model/catalog.h"
#include "parse/dump_sink.h"
#include "parse/pprof_profile.h"

namespace gorleak {

// Pushes the profile's goroutines into `sink` as one snapshot. The frames
// are those debug=1 prints: leading runtime frames hidden
// (runtime/pprof.printStackRecord), runtime.goexit never shown. The state
// is inferred, as for debug=1, but from the whole stack: the hidden
// runtime.chanrecv or runtime.selectgo still says what the goroutine waits
// on. `profile.kind()` must be kGoroutine or kGoroutineLeak.
void emit_pprof_goroutines(const PprofProfile& profile, Catalog& catalog, DumpSink& sink);

}  // namespace gorleak
