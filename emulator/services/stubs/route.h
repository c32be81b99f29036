// A stub route: what a request must look like (method, path, query, headers, body) and
// what the stub answers (status, headers, a templated body or stream, sequences, delays).
// The stack file and the control API give routes in the same JSON shape.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/time.h"

namespace gcpsim::services::stubs {

using Json = nlohmann::ordered_json;

// One value test: equals, regex, present or absent.
struct TextMatcher {
  enum class Kind { kEquals, kRegex, kPresent, kAbsent };
  Kind kind = Kind::kEquals;
  std::string value;  // kEquals: the text; kRegex: the source
  std::optional<std::regex> re;
  bool test(const std::optional<std::string>& v) const;
  std::string describe() const;  // "'abc'", "/re/", "present", "absent"
};

struct BodyMatcher {
  std::optional<Json> json;                                  // a JSON subset of the body
  std::vector<std::pair<std::string, Json>> jsonpath;        // "$.a.b[0]" → value or {regex}
  std::optional<TextMatcher> regex;                          // on the raw body
  std::optional<TextMatcher> graphql;                        // the GraphQL operationName
  bool empty() const { return !json && jsonpath.empty() && !regex && !graphql; }
};

struct Match {
  std::string method;                   // empty: any
  std::string path;                     // "/users/{id}"; empty: any
  std::vector<std::string> segments;    // path split on '/'
  std::optional<TextMatcher> path_regex;
  std::vector<std::pair<std::string, TextMatcher>> query, headers;
  BodyMatcher body;
};

struct Stream {
  std::vector<Json> chunks;  // strings as written; other JSON values serialized
  core::Duration every{};    // before each chunk after the first
  bool sse = false;          // "data: …\n\n" framing
  std::string stub;          // whose stream (the stub.hangup event names it)
};

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  enum class Body { kNone, kText, kJson, kFile } body = Body::kNone;
  Json json;            // kJson (templated)
  std::string text;     // kText (templated); kFile: the resolved path
  core::Duration delay{};
  std::optional<Stream> stream;
  int64_t times = 0;    // in a sequence: calls this reply answers (0: all the rest)
};

struct Route {
  std::string id;       // "route-1" when not given
  Match match;
  std::vector<Reply> replies;  // a sequence; the last one keeps answering
  int64_t calls = 0;           // matched so far (state)
  Json source;                 // as given, for listing
};

// A request as matchers see it.
struct Incoming {
  std::string method;
  std::string path;  // decoded
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<Json> json;  // the body when it parses as JSON
  std::optional<std::string> header(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;
};

// Reads a route; `resolve` turns a reply's file path into an absolute one. Errors name the
// offending key ("match.headers.x-api-key: …").
core::StatusOr<Route> route_from_json(const Json& j, const std::function<std::string(const std::string&)>& resolve);

// Why the route does not take the request, one line per failed check; empty when it does
// (path parameters and regex groups land in `params`).
std::vector<std::string> mismatches(const Match& m, const Incoming& in, std::map<std::string, std::string>& params);

// The reply for a route's nth call (1-based) of its sequence.
const Reply& reply_for(const Route& r, int64_t call);

// A value inside JSON by a small JSONPath: "$.a.b[0]", "a.b[0]", "$['a']"; nullptr if absent.
const Json* json_at(const Json& root, std::string_view path);

// Whether `want` is a subset of `have`: objects by key, arrays element by element in order,
// scalars equal; a {"regex": …} object matches a string.
bool json_subset(const Json& want, const Json& have);

}  // namespace gcpsim::services::stubs
