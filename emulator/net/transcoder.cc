// HTTP/JSON ⇄ protobuf for every method with a google.api.http binding, following the
// HttpRule mapping (path variables, body "*" or a field, the rest from query parameters)
// and Google's front-end error wording, so REST and gRPC reach the same handler.
#include "net/transcoder.h"

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/json_depth.h"
#include "core/utf8.h"

namespace gcpsim::net {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using FieldChain = std::vector<const FieldDescriptor*>;

constexpr std::string_view kInvalidJson = "Invalid JSON payload received. ";

core::Status bad_request(std::string field, std::string message) {
  auto s = core::Status::invalid_argument(message);
  s.with(core::BadRequest{{core::FieldViolation{std::move(field), std::move(message)}}});
  return s;
}

// Google's standard query parameters: meaningful to the front end, never request fields.
bool is_system_param(const std::string& name) {
  static const std::set<std::string, std::less<>> kSystem = {
      "key",          "alt",         "prettyPrint", "fields",
      "access_token", "oauth_token", "callback",    "upload_protocol",
      "uploadType",   "quotaUser",   "userIp",      "$.xgafv"};
  if (kSystem.count(name) != 0) return true;
  // Each also has a "$"-prefixed spelling ("$alt", "$fields").
  return name.size() > 1 && name.front() == '$' &&
         kSystem.count(std::string_view(name).substr(1)) != 0;
}

// Well-known types whose JSON form is one string or primitive, so a single query or path
// value can carry them.
bool is_scalar_message(const Descriptor* d) {
  static const std::set<std::string, std::less<>> kScalar = {
      "google.protobuf.Duration",    "google.protobuf.Timestamp",   "google.protobuf.FieldMask",
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  return kScalar.count(d->full_name()) != 0;
}

bool is_message(const FieldDescriptor* f) {
  return f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
}

// By proto name ("page_size") or JSON name ("pageSize"), as Google's front ends accept both.
const FieldDescriptor* find_field(const Descriptor* d, std::string_view name) {
  if (const auto* f = d->FindFieldByName(std::string(name))) return f;
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->json_name() == name) return d->field(i);
  }
  return nullptr;
}

// Walks a dotted field path through singular message fields; nullopt when it leaves the
// message or steps through a repeated, map or scalar field on the way.
std::optional<FieldChain> resolve(const Descriptor* d, std::string_view path) {
  FieldChain chain;
  while (true) {
    size_t dot = path.find('.');
    const auto* f = find_field(d, path.substr(0, dot));
    if (f == nullptr) return std::nullopt;
    chain.push_back(f);
    if (dot == std::string_view::npos) return chain;
    if (!is_message(f) || f->is_repeated() || is_scalar_message(f->message_type()))
      return std::nullopt;
    d = f->message_type();
    path.remove_prefix(dot + 1);
  }
}

bool is_bindable_leaf(const FieldDescriptor* f) {
  return !f->is_map() && (!is_message(f) || is_scalar_message(f->message_type()));
}

core::StatusOr<FieldChain> resolve_query_param(const Descriptor* d, const std::string& name) {
  std::string unknown =
      std::string(kInvalidJson) + "Unknown name \"" + name + "\": Cannot bind query parameter. ";
  auto chain = resolve(d, name);
  if (!chain)
    return bad_request("", unknown + "Field '" + name + "' could not be found in request message.");
  if (!is_bindable_leaf(chain->back())) {
    return bad_request(name,
                       unknown + "'" + name +
                           "' is a message type. Parameters can only be bound to primitive types.");
  }
  return *chain;
}

// One query or path value in the JSON form protobuf's parser expects for the field.
nlohmann::json param_value(const FieldDescriptor* f, const std::string& v) {
  bool is_bool = f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL ||
                 (is_message(f) && f->message_type()->full_name() == "google.protobuf.BoolValue");
  if (is_bool && (v == "true" || v == "false")) return v == "true";
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
    int32_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc() && end == v.data() + v.size()) return n;
  }
  // Numbers travel as strings, which the JSON mapping accepts and range-checks.
  return v;
}

void put_param(nlohmann::json& root, const FieldChain& chain, nlohmann::json value, bool append) {
  nlohmann::json* cur = &root;
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    auto& next = (*cur)[chain[i]->name()];
    if (!next.is_object()) next = nlohmann::json::object();
    cur = &next;
  }
  auto& slot = (*cur)[chain.back()->name()];
  if (append) {
    if (!slot.is_array()) slot = nlohmann::json::array();
    slot.push_back(std::move(value));
  } else {
    slot = std::move(value);
  }
}

// Rewrites protobuf's JSON parser errors into the wording of Google's front ends, which
// use the same parser: `Unknown name "x" at 'a.b': Cannot find field.`,
// `Invalid value at 'a.b' (TYPE_INT32), "x"`.
core::Status translate_parse_error(const std::string& m) {
  static const std::regex kUnknownAt(R"(^\(([^)]*)\) (\S+): Cannot find field\.$)");
  static const std::regex kUnknown(R"(^(\S+): Cannot find field\.$)");
  static const std::regex kInvalid(R"(^\(([^)]*)\): invalid value ([\s\S]*) for type (\S+)$)");
  static const std::regex kLocated(R"(^\(([^)]*)\)|^([\w.\[\]]+): )");
  std::smatch g;
  if (std::regex_match(m, g, kUnknownAt)) {
    return bad_request(g[1], std::string(kInvalidJson) + "Unknown name \"" + g[2].str() +
                                 "\" at '" + g[1].str() + "': Cannot find field.");
  }
  if (std::regex_match(m, g, kUnknown)) {
    return bad_request(
        "", std::string(kInvalidJson) + "Unknown name \"" + g[1].str() + "\": Cannot find field.");
  }
  if (std::regex_match(m, g, kInvalid)) {
    return bad_request(g[1],
                       "Invalid value at '" + g[1].str() + "' (" + g[3].str() + "), " + g[2].str());
  }
  std::string field;
  if (std::regex_search(m, g, kLocated)) field = g[1].matched ? g[1].str() : g[2].str();
  return bad_request(field, std::string(kInvalidJson) + m);
}

core::Status parse_json(const std::string& json, Message* msg) {
  auto st = google::protobuf::util::JsonStringToMessage(json, msg);
  if (st.ok()) return core::Status::ok();
  return translate_parse_error(std::string(st.message()));
}

bool is_blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

// body "*" fills the whole request; body "a.b" fills that field. The body is wrapped as
// {"a":{"b":…}} and parsed from the top, so error locations name the field the way
// Google's do ("Unknown name \"x\" at 'secret'").
core::Status parse_body(const std::string& body_field, const std::string& text, Message* msg) {
  // protobuf's JSON reader takes time quadratic in the nesting of arrays (it stalls the
  // engine for minutes on 100,000 levels): refuse what Google's front end refuses first.
  if (!core::json_depth_within(text))
    return bad_request("", std::string(kInvalidJson) + "Nested deeper than " + std::to_string(core::kMaxJsonDepth) +
                               " levels.");
  std::string json = text;
  if (body_field != "*") {
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
      size_t dot = body_field.find('.', start);
      parts.push_back(std::string_view(body_field).substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      json = "{\"" + std::string(*it) + "\":" + json + "}";
    }
  }
  auto st = parse_json(json, msg);
  if (st.is_ok()) return st;
  // Syntax errors quote the text around the fault: report them against the client's text.
  google::protobuf::Value any_json;
  auto syntax = google::protobuf::util::JsonStringToMessage(text, &any_json);
  if (!syntax.ok())
    return bad_request("", std::string(kInvalidJson) + std::string(syntax.message()));
  return st;
}

JsonFormat format_for(const HttpRequest& req, const HttpBinding& b) {
  JsonFormat f;
  f.response_body = b.response_body;
  for (const auto& [k, v] : req.query) {
    if ((k == "alt" || k == "$alt") && v.find("enum-encoding=int") != std::string::npos)
      f.enums_as_ints = true;
    if ((k == "prettyPrint" || k == "$prettyPrint") && v == "false") f.pretty = false;
  }
  return f;
}

core::StatusOr<std::shared_ptr<Message>> build_request(
    const UnaryMethod& method, const HttpBinding& b, const HttpRequest& req,
    const std::vector<std::string>& path_values) {
  std::shared_ptr<Message> msg(method.request_prototype->New());
  if (!b.body.empty() && !is_blank(req.body))
    RETURN_IF_ERROR(parse_body(b.body, req.body, msg.get()));

  // Query parameters, then path variables (which win), as one JSON object parsed by the
  // same mapping, so every field type converts exactly as it would in a body.
  const Descriptor* d = msg->GetDescriptor();
  nlohmann::json params = nlohmann::json::object();
  // JSON text (and so every string field) must be UTF-8: a name that decodes to other bytes
  // is the caller's error, never the writer's exception.
  for (const auto& [name, value] : req.query) {
    if (!core::valid_utf8(name)) return bad_request("", "Invalid UTF-8 in a query parameter's name.");
    if (!core::valid_utf8(value)) return bad_request(name, "Invalid UTF-8 in query parameter '" + name + "'.");
  }
  const auto& vars = b.path.variables();
  for (size_t i = 0; i < vars.size(); ++i) {
    if (!core::valid_utf8(path_values[i]))
      return bad_request(vars[i], "Invalid UTF-8 in the request path for field '" + vars[i] + "'.");
  }
  for (const auto& [name, value] : req.query) {
    if (is_system_param(name)) continue;
    ASSIGN_OR_RETURN(auto chain, resolve_query_param(d, name));
    put_param(params, chain, param_value(chain.back(), value), chain.back()->is_repeated());
  }
  for (size_t i = 0; i < vars.size(); ++i) {
    auto chain = resolve(d, vars[i]);  // checked when the binding was compiled
    put_param(params, *chain, param_value(chain->back(), path_values[i]), false);
  }
  if (!params.empty()) {
    std::unique_ptr<Message> from_params(msg->New());
    RETURN_IF_ERROR(parse_json(params.dump(), from_params.get()));
    msg->MergeFrom(*from_params);
  }
  return msg;
}

// Annotations this transcoder cannot honour are left out rather than half-served.
bool supported(const UnaryMethod& method, const HttpBinding& b) {
  const Descriptor* request = method.request_prototype->GetDescriptor();
  for (const auto& var : b.path.variables()) {
    auto chain = resolve(request, var);
    if (!chain || !is_bindable_leaf(chain->back()) || chain->back()->is_repeated()) return false;
  }
  bool body_ok = b.body.empty() || b.body == "*" || resolve(request, b.body).has_value();
  bool response_ok =
      b.response_body.empty() ||
      resolve(method.response_prototype->GetDescriptor(), b.response_body).has_value();
  return body_ok && response_ok;
}

}  // namespace

Transcoder::Transcoder(const MethodTable& table) {
  for (const auto& [path, method] : table.unaries()) {
    for (auto& http : http_bindings(method)) {
      if (!supported(method, http)) continue;
      if (!http.path.verb().empty()) verbs_.insert(http.path.verb());
      bindings_.push_back(Binding{&method, std::move(http)});
    }
  }
  // Most specific first: a ":publish" verb beats a bare "{topic}", literals beat "**".
  std::stable_sort(bindings_.begin(), bindings_.end(), [](const Binding& a, const Binding& b) {
    if (a.http.path.literal_count() != b.http.path.literal_count()) {
      return a.http.path.literal_count() > b.http.path.literal_count();
    }
    return !a.http.path.has_double_wildcard() && b.http.path.has_double_wildcard();
  });
}

std::optional<Transcoder::Match> Transcoder::match(const HttpRequest& req) const {
  // As Google's transcoding does, a ":suffix" is a verb only when some binding registers it;
  // otherwise it is part of the last segment (and may be a resource id's own colon).
  std::string_view last =
      std::string_view(req.path).substr(std::min(req.path.rfind('/'), req.path.size()));
  size_t colon = last.rfind(':');
  bool has_registered_verb =
      colon != std::string_view::npos && verbs_.count(percent_decode(last.substr(colon + 1))) != 0;
  for (const auto& b : bindings_) {
    if (b.http.http_method != req.method) continue;
    if (has_registered_verb && b.http.path.verb().empty()) continue;
    auto values = b.http.path.match(req.path);
    if (!values) continue;
    Match m;
    m.method = b.method;
    m.format = format_for(req, b.http);
    auto built = build_request(*b.method, b.http, req, *values);
    if (built.ok()) {
      m.request = std::move(built).value();
    } else {
      m.status = built.status();
    }
    return m;
  }
  return std::nullopt;
}

core::StatusOr<std::string> Transcoder::to_json(const Message& resp, const JsonFormat& format) {
  google::protobuf::util::JsonPrintOptions opts;
  opts.always_print_enums_as_ints = format.enums_as_ints;
  // response_body selects a field: a message field is printed on its own; any other kind is
  // picked out of its parent printed with defaults, so an empty value still comes back.
  const Message* msg = &resp;
  std::string key;
  std::string_view rest = format.response_body;
  while (!rest.empty()) {
    size_t dot = rest.find('.');
    const auto* f = find_field(msg->GetDescriptor(), rest.substr(0, dot));
    if (f == nullptr)
      return core::Status::internal("response_body names no field of " + msg->GetTypeName());
    if (is_message(f) && !f->is_repeated()) {
      msg = &msg->GetReflection()->GetMessage(*msg, f);
    } else {
      key = f->json_name();
      opts.always_print_primitive_fields = true;
      break;
    }
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  }
  std::string out;
  auto st = google::protobuf::util::MessageToJsonString(*msg, &out, opts);
  if (!st.ok())
    return core::Status::internal("Failed to serialize response: " + std::string(st.message()));
  if (key.empty() && !format.pretty) return out;
  auto json = nlohmann::ordered_json::parse(out, nullptr, false);
  if (json.is_discarded()) return out;
  if (!key.empty()) {
    auto picked = json[key];
    json = std::move(picked);
  }
  return format.pretty
             ? json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
             : json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void Transcoder::install(Router& router, core::Env& env) const {
  router.add_fallback([this, &env](HttpRequest& req, Reply& reply) {
    auto m = match(req);
    if (!m) return false;
    if (!m->status.is_ok()) {
      reply(HttpResponse::error(m->status));
      return true;
    }
    std::shared_ptr<Message> resp(m->method->response_prototype->New());
    auto request = m->request;
    call_unary(env, *m->method, *request, resp.get(),
               [reply, request, resp, format = m->format](core::Status st) {
                 if (!st.is_ok()) return reply(HttpResponse::error(st));
                 auto json = to_json(*resp, format);
                 if (!json.ok()) return reply(HttpResponse::error(json.status()));
                 reply(HttpResponse::json(200, std::move(json).value()));
               });
    return true;
  });
}

}  // namespace gcpsim::net
