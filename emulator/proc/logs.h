// An instance's stdout/stderr line as Cloud Logging would see it: JSON lines are structured
// logs (severity, message, trace, span, httpRequest, labels), anything else is a text payload
// with no severity. The result is the attrs of a "log" event.
#pragma once
#include <string>
#include <string_view>

#include "core/events.h"
#include "proc/spawn.h"

namespace gcpsim::proc {

// Attrs: stream, severity, message, and when present trace, spanId, traceSampled,
// httpRequest.<field>, labels.<key>, jsonPayload (the remaining fields as JSON text).
core::Attrs parse_log_line(std::string_view line, Stream stream);

// Cloud Logging's severity names from what apps write: "warn" → WARNING, 500 → ERROR, …
std::string normalize_severity(std::string_view text);

}  // namespace gcpsim::proc
