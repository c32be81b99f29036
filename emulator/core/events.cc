// The bounded event log, its queries and listeners, and its byte-stable JSONL form.
#include "core/events.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/clock.h"
#include "core/utf8.h"

namespace gcpsim::core {
namespace {

bool kind_matches(const std::string& pattern, const std::string& kind) {
  if (pattern.empty()) return true;
  if (pattern.back() == '*') return kind.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == kind;
}

// JSON string literal. Log lines can carry any bytes; invalid UTF-8 becomes U+FFFD so
// every transcript line stays valid JSON.
void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
      ++i;
      continue;
    }
    size_t n = utf8_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  out.push_back('"');
}

void append_value(std::string& out, const AttrValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    append_string(out, *s);
  } else if (const auto* i = std::get_if<int64_t>(&v)) {
    out += std::to_string(*i);
  } else if (const auto* b = std::get_if<bool>(&v)) {
    out += *b ? "true" : "false";
  } else {
    double d = std::get<double>(v);
    // JSON has no NaN or infinity.
    if (!std::isfinite(d)) {
      out += "null";
      return;
    }
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, res.ptr);
  }
}

}  // namespace

Events::Events(Clock& clock, size_t capacity) : clock_(clock), capacity_(std::max<size_t>(capacity, 1)) {}

const Event& Events::record(std::string kind, std::string service, Attrs attrs) {
  log_.push_back(Event{next_seq_++, clock_.now(), std::move(kind), std::move(service), std::move(attrs)});
  if (log_.size() > capacity_) log_.pop_front();
  const Event& e = log_.back();
  // Walk by id and call a copy: a listener may subscribe or unsubscribe (itself too).
  // Listeners added meanwhile start with the next event.
  const uint64_t end_id = next_listener_;
  for (auto it = listeners_.begin(); it != listeners_.end() && it->first < end_id;) {
    uint64_t id = it->first;
    auto fn = it->second;
    fn(e);
    it = listeners_.upper_bound(id);
  }
  return e;
}

std::vector<Event> Events::query(const EventQuery& q) const {
  auto wanted = [&q](const Event& e) {
    return e.seq > q.since_seq && kind_matches(q.kind, e.kind) && (q.service.empty() || q.service == e.service);
  };
  std::vector<Event> out;
  if (q.limit == 0) {
    for (const auto& e : log_) {
      if (wanted(e)) out.push_back(e);
    }
    return out;
  }
  // The most recent `limit` matches, returned oldest first.
  for (auto it = log_.rbegin(); it != log_.rend() && out.size() < q.limit; ++it) {
    if (it->seq <= q.since_seq) break;
    if (wanted(*it)) out.push_back(*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Sequence numbers keep counting across clear(): a reader holding since_seq must never
// see new events hidden behind numbers it has already passed.
void Events::clear() { log_.clear(); }

uint64_t Events::subscribe(std::function<void(const Event&)> fn) {
  uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(fn));
  return id;
}

void Events::unsubscribe(uint64_t id) { listeners_.erase(id); }

std::string Events::to_json(const Event& e) {
  std::string out = "{\"seq\":" + std::to_string(e.seq) + ",\"time\":";
  append_string(out, format_rfc3339(e.time));
  out += ",\"kind\":";
  append_string(out, e.kind);
  out += ",\"service\":";
  append_string(out, e.service);
  out += ",\"attrs\":{";
  bool first = true;
  for (const auto& [key, value] : e.attrs) {
    if (!first) out.push_back(',');
    first = false;
    append_string(out, key);
    out.push_back(':');
    append_value(out, value);
  }
  out += "}}";
  return out;
}

}  // namespace gcpsim::core
