// The method table and the one entry point both protocols use to run a unary call.
#include "net/rpc.h"

#include <array>
#include <mutex>
#include <stdexcept>
#include <string_view>

#include <google/protobuf/descriptor.h>

#include "core/env.h"
#include "net/http_rule.h"

namespace gcpsim::net {

void MethodTable::add(UnaryMethod m) {
  std::string path = m.grpc_path;
  // Two handlers for one RPC is a wiring mistake that would otherwise silently shadow one.
  if (!unary_.emplace(path, std::move(m)).second) {
    throw std::logic_error("unary method registered twice: " + path);
  }
}

void MethodTable::add(StreamMethod m) {
  std::string path = m.grpc_path;
  if (!stream_.emplace(path, std::move(m)).second) {
    throw std::logic_error("stream method registered twice: " + path);
  }
}

const UnaryMethod* MethodTable::unary(const std::string& grpc_path) const {
  auto it = unary_.find(grpc_path);
  return it == unary_.end() ? nullptr : &it->second;
}

const StreamMethod* MethodTable::stream(const std::string& grpc_path) const {
  auto it = stream_.find(grpc_path);
  return it == stream_.end() ? nullptr : &it->second;
}

namespace {

// The string at a dotted field path ("subscription.name"), or "" when any hop is missing,
// repeated or not of the expected type.
std::string string_at(const Message& msg, std::string_view path) {
  const Message* cur = &msg;
  while (true) {
    size_t dot = path.find('.');
    const auto* f = cur->GetDescriptor()->FindFieldByName(std::string(path.substr(0, dot)));
    if (f == nullptr || f->is_repeated()) return "";
    const auto* refl = cur->GetReflection();
    if (dot == std::string_view::npos) {
      return f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING
                 ? refl->GetString(*cur, f)
                 : "";
    }
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) return "";
    cur = &refl->GetMessage(*cur, f);
    path.remove_prefix(dot + 1);
  }
}

// The request's path-bound field paths in binding order. Annotations never change, so each
// method's are read once instead of on every call.
const std::vector<std::string>& path_fields(const UnaryMethod& m) {
  static std::mutex mu;
  static std::map<std::string, std::vector<std::string>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(m.grpc_path);
  if (it == cache.end()) {
    std::vector<std::string> fields;
    for (const auto& b : http_bindings(m)) {
      for (const auto& f : b.path.variables()) fields.push_back(f);
    }
    it = cache.emplace(m.grpc_path, std::move(fields)).first;
  }
  return it->second;
}

// The resource a call acts on: what fault rules match on and events record as target.
std::string request_target(const UnaryMethod& m, const Message& req) {
  for (const auto& field : path_fields(m)) {
    if (auto v = string_at(req, field); !v.empty()) return v;
  }
  // Methods without HTTP annotations still name their resource in one of these fields.
  static constexpr std::array<std::string_view, 6> kNameFields = {
      "name", "topic", "subscription", "parent", "resource", "secret"};
  for (auto field : kNameFields) {
    if (auto v = string_at(req, field); !v.empty()) return v;
  }
  return "";
}

}  // namespace

void call_unary(core::Env& env, const UnaryMethod& m, const Message& req, Message* resp,
                core::Done done, CallLifePtr life) {
  if (!life) life = std::make_shared<CallLife>();
  core::Call call;
  call.method = m.id;
  call.service = m.service;
  call.target = request_target(m, req);
  core::dispatch(
      env, std::move(call),
      [handler = m.handler, &req, resp, life](core::Done d) { handler(req, resp, std::move(d), life); },
      std::move(done));
}

}  // namespace gcpsim::net
