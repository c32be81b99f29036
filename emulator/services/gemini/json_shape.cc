// Walks JSON against a protobuf descriptor: names, cardinality, scalar types and enums.
#include "services/gemini/json_shape.h"

#include <cctype>
#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace gcpsim::services::gemini {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using Json = nlohmann::ordered_json;

constexpr size_t kMaxViolations = 10;

class ShapeChecker {
 public:
  void message(const Json& j, const Descriptor* d, const std::string& path) {
    if (!j.is_object()) return invalid(path, "type.googleapis.com/" + d->full_name(), j);
    if (free_form(d)) return;
    for (const auto& [name, value] : j.items()) {
      const FieldDescriptor* f = find_field(d, name);
      if (!f) {
        unknown(name, path, "Cannot find field.");
        continue;
      }
      field(value, f, join(path, f->name()), name);
    }
  }

  core::Status status() const {
    if (violations_.empty()) return core::Status::ok();
    std::string message;
    core::BadRequest details;
    for (const auto& v : violations_) {
      if (!message.empty()) message += "\n";
      message += v.description;
      details.violations.push_back(v);
    }
    return core::Status::invalid_argument(message).with(details);
  }

 private:
  static std::string join(const std::string& path, const std::string& name) {
    return path.empty() ? name : path + "." + name;
  }

  // proto3 JSON accepts the lowerCamelCase json_name and the original field name.
  static const FieldDescriptor* find_field(const Descriptor* d, const std::string& name) {
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (f->json_name() == name || f->name() == name) return f;
    }
    return nullptr;
  }

  // Struct, Value, ListValue and Any hold arbitrary JSON.
  static bool free_form(const Descriptor* d) {
    const std::string& n = d->full_name();
    return n == "google.protobuf.Struct" || n == "google.protobuf.Value" || n == "google.protobuf.ListValue" ||
           n == "google.protobuf.Any";
  }

  void field(const Json& v, const FieldDescriptor* f, const std::string& path, const std::string& json_name) {
    if (v.is_null()) return;
    if (f->is_map()) {
      if (!v.is_object()) return invalid(path, "type.googleapis.com/" + f->message_type()->full_name(), v);
      const FieldDescriptor* value_field = f->message_type()->map_value();
      for (const auto& [key, item] : v.items()) single(item, value_field, path + "[" + key + "]");
      return;
    }
    if (f->is_repeated()) {
      if (!v.is_array()) {
        std::string type = f->message_type() ? "type.googleapis.com/" + f->message_type()->full_name() : "TYPE_" + upper(f->type_name());
        return invalid(path, type, v);
      }
      for (size_t i = 0; i < v.size(); ++i) single(v[i], f, path + "[" + std::to_string(i) + "]");
      return;
    }
    if (v.is_array() && !(f->message_type() && free_form(f->message_type()))) {
      std::string at = path.rfind('.') == std::string::npos ? "" : path.substr(0, path.rfind('.'));
      return unknown(json_name, at, "Proto field is not repeating, cannot start list.");
    }
    single(v, f, path);
  }

  void single(const Json& v, const FieldDescriptor* f, const std::string& path) {
    if (v.is_null()) return;
    if (f->type() == FieldDescriptor::TYPE_MESSAGE || f->type() == FieldDescriptor::TYPE_GROUP) {
      return well_known_or_message(v, f->message_type(), path);
    }
    if (f->type() == FieldDescriptor::TYPE_ENUM) {
      bool ok = (v.is_string() && f->enum_type()->FindValueByName(v.get<std::string>())) || v.is_number_integer();
      if (!ok) invalid(path, "type.googleapis.com/" + f->enum_type()->full_name(), v);
      return;
    }
    if (!scalar_ok(v, f)) invalid(path, "TYPE_" + upper(f->type_name()), v);
  }

  void well_known_or_message(const Json& v, const Descriptor* d, const std::string& path) {
    const std::string& n = d->full_name();
    if (n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration" || n == "google.protobuf.FieldMask") {
      if (!v.is_string()) invalid(path, "type.googleapis.com/" + n, v);
      return;
    }
    if (n.rfind("google.protobuf.", 0) == 0 && n.size() > 5 && n.compare(n.size() - 5, 5, "Value") == 0 &&
        n != "google.protobuf.Value") {
      if (v.is_object() || v.is_array()) invalid(path, "type.googleapis.com/" + n, v);
      return;
    }
    message(v, d, path);
  }

  static bool numeric_string(const std::string& s, bool integral) {
    if (s.empty()) return false;
    if (!integral && (s == "NaN" || s == "Infinity" || s == "-Infinity")) return true;
    size_t i = s[0] == '-' ? 1 : 0;
    bool digits = false;
    for (; i < s.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(s[i]))) digits = true;
      else if (integral || (s[i] != '.' && s[i] != 'e' && s[i] != 'E' && s[i] != '+' && s[i] != '-')) return false;
    }
    return digits;
  }

  static bool scalar_ok(const Json& v, const FieldDescriptor* f) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return v.is_string();
      case FieldDescriptor::CPPTYPE_BOOL:
        return v.is_boolean();
      case FieldDescriptor::CPPTYPE_FLOAT:
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return v.is_number() || (v.is_string() && numeric_string(v.get<std::string>(), false));
      default:
        if (v.is_number_float()) return v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>()));
        return v.is_number_integer() || (v.is_string() && numeric_string(v.get<std::string>(), true));
    }
  }

  static std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }

  void invalid(const std::string& path, const std::string& type, const Json& v) {
    add({path, "Invalid value at '" + path + "' (" + type + "), " + v.dump()});
  }

  void unknown(const std::string& name, const std::string& path, const std::string& why) {
    std::string where = path.empty() ? "" : " at '" + path + "'";
    add({"", "Invalid JSON payload received. Unknown name \"" + name + "\"" + where + ": " + why});
  }

  void add(core::FieldViolation v) {
    if (violations_.size() < kMaxViolations) violations_.push_back(std::move(v));
  }

  std::vector<core::FieldViolation> violations_;
};

}  // namespace

core::Status check_json_shape(const Json& body, const Descriptor* type) {
  ShapeChecker checker;
  checker.message(body, type, "");
  return checker.status();
}

}  // namespace gcpsim::services::gemini
